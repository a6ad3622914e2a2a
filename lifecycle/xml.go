package lifecycle

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/xmlshape"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// The XML shapes of OSS PutBucketLifecycle / GetBucketLifecycle, as the OSS
// Go SDK v2 (oss/api_op_bucket_lifecycle.go) marshals them. Optional values
// are pointers so that absent and zero differ.
type xmlConfig struct {
	XMLName xml.Name  `xml:"LifecycleConfiguration"`
	Rules   []xmlRule `xml:"Rule"`
}

type xmlRule struct {
	ID                           *string                          `xml:"ID"`
	Prefix                       *string                          `xml:"Prefix"`
	Status                       string                           `xml:"Status"`
	Tags                         []xmlTag                         `xml:"Tag"`
	Filter                       *xmlFilter                       `xml:"Filter"`
	Transitions                  []xmlTransition                  `xml:"Transition"`
	Expiration                   *xmlExpiration                   `xml:"Expiration"`
	AbortMultipartUpload         *xmlAbort                        `xml:"AbortMultipartUpload"`
	NoncurrentVersionTransitions []xmlNoncurrentVersionTransition `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpiration  *xmlNoncurrentDays               `xml:"NoncurrentVersionExpiration"`
	AtimeBase                    *int64                           `xml:"AtimeBase"` // a response field; ignored
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlFilter struct {
	Not                   []xmlNot `xml:"Not"`
	ObjectSizeGreaterThan *int64   `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64   `xml:"ObjectSizeLessThan"`
}

type xmlNot struct {
	Prefix *string `xml:"Prefix"`
	Tag    *xmlTag `xml:"Tag"`
}

type xmlTransition struct {
	Date                 *string `xml:"Date"` // deprecated by OSS; refused
	Days                 *int    `xml:"Days"`
	CreatedBeforeDate    *string `xml:"CreatedBeforeDate"`
	StorageClass         string  `xml:"StorageClass"`
	IsAccessTime         *bool   `xml:"IsAccessTime"`
	ReturnToStdWhenVisit *bool   `xml:"ReturnToStdWhenVisit"`
	AllowSmallFile       *bool   `xml:"AllowSmallFile"`
}

type xmlExpiration struct {
	Date                      *string `xml:"Date"` // deprecated by OSS; refused
	Days                      *int    `xml:"Days"`
	CreatedBeforeDate         *string `xml:"CreatedBeforeDate"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

type xmlAbort struct {
	Days              *int    `xml:"Days"`
	CreatedBeforeDate *string `xml:"CreatedBeforeDate"`
}

type xmlNoncurrentVersionTransition struct {
	NoncurrentDays       int    `xml:"NoncurrentDays"`
	StorageClass         string `xml:"StorageClass"`
	IsAccessTime         *bool  `xml:"IsAccessTime"`
	ReturnToStdWhenVisit *bool  `xml:"ReturnToStdWhenVisit"`
	AllowSmallFile       *bool  `xml:"AllowSmallFile"`
}

type xmlNoncurrentDays struct {
	NoncurrentDays int `xml:"NoncurrentDays"`
}

// dateLayout is how OSS writes CreatedBeforeDate.
const dateLayout = "2006-01-02T15:04:05.000Z"

// MaxXMLSize bounds the documents ParseXML reads.
const MaxXMLSize = 1 << 20

func malformed(format string, args ...any) error {
	return &coldstore.OpError{Op: "ParseXML", Detail: fmt.Sprintf(format, args...), Err: coldstore.ErrMalformedXML}
}

// ParseXML is ParseXMLIn with the OSS catalog.
func ParseXML(b []byte) (*Configuration, error) {
	return ParseXMLIn(storageclass.OSS(), b)
}

// ParseXMLIn parses an OSS <LifecycleConfiguration> document. A
// StorageClass that names a class of cat, ignoring case, becomes that
// class's name; any other is kept as written (Validate refuses it). It
// checks the shape only (Validate checks the rules): it returns an error
// wrapping coldstore.ErrMalformedXML for a document that is not well-formed
// XML, larger than MaxXMLSize, has another root element, an element OSS's
// document does not have (an S3 <Filter><Prefix> included: read past, it
// would widen the rule to the whole bucket) or one OSS takes once given
// twice, a Status other than Enabled or Disabled, a date that is not ISO
// 8601, or the deprecated Date of a Transition or Expiration, which is not
// served (Days or CreatedBeforeDate are).
func ParseXMLIn(cat *storageclass.Catalog, b []byte) (*Configuration, error) {
	if len(b) > MaxXMLSize {
		return nil, malformed("document of %d bytes exceeds %d", len(b), MaxXMLSize)
	}
	var x xmlConfig
	if err := xmlshape.Check(b, &x); err != nil {
		return nil, malformed("%v", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&x); err != nil {
		return nil, malformed("%v", err)
	}
	c := &Configuration{}
	for i, xr := range x.Rules {
		r, err := xr.rule(cat)
		if err != nil {
			return nil, malformed("rule %d: %v", i+1, err)
		}
		c.Rules = append(c.Rules, r)
	}
	return c, nil
}

func (xr *xmlRule) rule(cat *storageclass.Catalog) (Rule, error) {
	r := Rule{ID: deref(xr.ID), Prefix: deref(xr.Prefix)}
	switch xr.Status {
	case "Enabled":
		r.Enabled = true
	case "Disabled":
	default:
		return r, fmt.Errorf("Status %q is neither Enabled nor Disabled", xr.Status)
	}
	for _, t := range xr.Tags {
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		if _, dup := r.Tags[t.Key]; dup {
			return r, fmt.Errorf("tag %q twice", t.Key)
		}
		r.Tags[t.Key] = t.Value
	}
	if f := xr.Filter; f != nil {
		r.Filter = &Filter{ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
		for _, n := range f.Not {
			not := Not{Prefix: deref(n.Prefix)}
			if n.Tag != nil {
				not.Tag = &Tag{Key: n.Tag.Key, Value: n.Tag.Value}
			}
			r.Filter.Not = append(r.Filter.Not, not)
		}
	}
	for _, xt := range xr.Transitions {
		if xt.Date != nil {
			return r, fmt.Errorf("a Transition's Date is deprecated by OSS and not served: use Days or CreatedBeforeDate")
		}
		t := Transition{Days: derefInt(xt.Days), StorageClass: class(cat, xt.StorageClass),
			IsAccessTime: derefBool(xt.IsAccessTime), ReturnToStdWhenVisit: derefBool(xt.ReturnToStdWhenVisit), AllowSmallFile: derefBool(xt.AllowSmallFile)}
		var err error
		if t.CreatedBefore, err = parseDate(xt.CreatedBeforeDate); err != nil {
			return r, err
		}
		r.Transitions = append(r.Transitions, t)
	}
	if xe := xr.Expiration; xe != nil {
		if xe.Date != nil {
			return r, fmt.Errorf("an Expiration's Date is deprecated by OSS and not served: use Days or CreatedBeforeDate")
		}
		e := &Expiration{Days: derefInt(xe.Days), ExpiredObjectDeleteMarker: derefBool(xe.ExpiredObjectDeleteMarker)}
		var err error
		if e.CreatedBefore, err = parseDate(xe.CreatedBeforeDate); err != nil {
			return r, err
		}
		r.Expiration = e
	}
	if xa := xr.AbortMultipartUpload; xa != nil {
		a := &AbortMultipartUpload{Days: derefInt(xa.Days)}
		var err error
		if a.CreatedBefore, err = parseDate(xa.CreatedBeforeDate); err != nil {
			return r, err
		}
		r.AbortMultipartUpload = a
	}
	for _, xn := range xr.NoncurrentVersionTransitions {
		r.NoncurrentVersionTransitions = append(r.NoncurrentVersionTransitions, NoncurrentVersionTransition{
			NoncurrentDays: xn.NoncurrentDays, StorageClass: class(cat, xn.StorageClass),
			IsAccessTime: derefBool(xn.IsAccessTime), ReturnToStdWhenVisit: derefBool(xn.ReturnToStdWhenVisit), AllowSmallFile: derefBool(xn.AllowSmallFile)})
	}
	if xn := xr.NoncurrentVersionExpiration; xn != nil {
		r.NoncurrentVersionExpiration = &NoncurrentVersionExpiration{NoncurrentDays: xn.NoncurrentDays}
	}
	return r, nil
}

// class returns the name of cat's class named s ignoring case, and s
// itself when cat has none (Validate refuses it).
func class(cat *storageclass.Catalog, s string) storageclass.Class {
	if c, err := cat.ParseClass(s); err == nil {
		return c
	}
	return storageclass.Class(s)
}

func parseDate(s *string) (time.Time, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*s))
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not ISO 8601", *s)
	}
	return t.UTC(), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func derefBool(p *bool) bool { return p != nil && *p }

func ptr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func date(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(dateLayout)
	return &s
}

// XML returns the configuration as an OSS <LifecycleConfiguration>
// document; ParseXML of it gives back an equal configuration. Tags are
// written in key order.
func (c *Configuration) XML() ([]byte, error) {
	x := xmlConfig{}
	for _, r := range c.Rules {
		xr := xmlRule{ID: ptr(r.ID), Prefix: &r.Prefix, Status: "Disabled"}
		if r.Enabled {
			xr.Status = "Enabled"
		}
		for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
			xr.Tags = append(xr.Tags, xmlTag{Key: k, Value: r.Tags[k]})
		}
		if f := r.Filter; f != nil {
			xf := &xmlFilter{ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
			for _, n := range f.Not {
				xn := xmlNot{Prefix: &n.Prefix}
				if n.Tag != nil {
					xn.Tag = &xmlTag{Key: n.Tag.Key, Value: n.Tag.Value}
				}
				xf.Not = append(xf.Not, xn)
			}
			xr.Filter = xf
		}
		for _, t := range r.Transitions {
			xr.Transitions = append(xr.Transitions, xmlTransition{Days: ptr(t.Days), CreatedBeforeDate: date(t.CreatedBefore),
				StorageClass: string(t.StorageClass), IsAccessTime: ptr(t.IsAccessTime), ReturnToStdWhenVisit: ptr(t.ReturnToStdWhenVisit), AllowSmallFile: ptr(t.AllowSmallFile)})
		}
		if e := r.Expiration; e != nil {
			xr.Expiration = &xmlExpiration{Days: ptr(e.Days), CreatedBeforeDate: date(e.CreatedBefore), ExpiredObjectDeleteMarker: ptr(e.ExpiredObjectDeleteMarker)}
		}
		if a := r.AbortMultipartUpload; a != nil {
			xr.AbortMultipartUpload = &xmlAbort{Days: ptr(a.Days), CreatedBeforeDate: date(a.CreatedBefore)}
		}
		for _, n := range r.NoncurrentVersionTransitions {
			xr.NoncurrentVersionTransitions = append(xr.NoncurrentVersionTransitions, xmlNoncurrentVersionTransition{
				NoncurrentDays: n.NoncurrentDays, StorageClass: string(n.StorageClass),
				IsAccessTime: ptr(n.IsAccessTime), ReturnToStdWhenVisit: ptr(n.ReturnToStdWhenVisit), AllowSmallFile: ptr(n.AllowSmallFile)})
		}
		if n := r.NoncurrentVersionExpiration; n != nil {
			xr.NoncurrentVersionExpiration = &xmlNoncurrentDays{NoncurrentDays: n.NoncurrentDays}
		}
		x.Rules = append(x.Rules, xr)
	}
	body, err := xml.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, &coldstore.OpError{Op: "XML", Detail: err.Error(), Err: coldstore.ErrInvalidArgument}
	}
	return append([]byte(xml.Header), body...), nil
}
