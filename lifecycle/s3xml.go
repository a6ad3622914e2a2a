package lifecycle

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"maps"
	"slices"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/internal/xmlshape"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// S3Namespace is the XML namespace of S3's documents.
const S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// The XML shapes of S3 PutBucketLifecycleConfiguration and
// GetBucketLifecycleConfiguration, as aws-sdk-go-v2 service/s3 v1.114.10
// serializes them (serializers.go, types/types.go) and botocore models
// them. Elements that may repeat where S3 allows one are slices, so that
// a repeat is seen and refused; optional values are pointers so that
// absent and zero differ. Field order is the order S3XML writes: ID,
// Filter (or Prefix), Status, then the actions, as S3 answers a GET.
type s3Config struct {
	XMLName xml.Name `xml:"LifecycleConfiguration"`
	Rules   []s3Rule `xml:"Rule"`
}

// s3ConfigOut is s3Config as S3XML writes it, in S3Namespace (a tag on
// XMLName names the element whatever its value holds).
type s3ConfigOut struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LifecycleConfiguration"`
	Rules   []s3Rule `xml:"Rule"`
}

type s3Rule struct {
	ID                           []string                        `xml:"ID"`
	Filter                       []s3Filter                      `xml:"Filter"`
	Prefix                       []string                        `xml:"Prefix"`
	Status                       []string                        `xml:"Status"`
	Transitions                  []s3Transition                  `xml:"Transition"`
	Expiration                   []s3Expiration                  `xml:"Expiration"`
	NoncurrentVersionTransitions []s3NoncurrentVersionTransition `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpiration  []s3NoncurrentVersionExpiration `xml:"NoncurrentVersionExpiration"`
	AbortIncomplete              []s3Abort                       `xml:"AbortIncompleteMultipartUpload"`
}

// s3Filter holds at most one predicate; s3And holds two or more.
type s3Filter struct {
	Prefix                []string `xml:"Prefix"`
	Tag                   []xmlTag `xml:"Tag"`
	ObjectSizeGreaterThan []int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    []int64  `xml:"ObjectSizeLessThan"`
	And                   []s3And  `xml:"And"`
}

type s3And struct {
	Prefix                []string `xml:"Prefix"`
	Tags                  []xmlTag `xml:"Tag"`
	ObjectSizeGreaterThan []int64  `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    []int64  `xml:"ObjectSizeLessThan"`
}

type s3Transition struct {
	Date         *string `xml:"Date"`
	Days         *int    `xml:"Days"`
	StorageClass string  `xml:"StorageClass"`
}

type s3Expiration struct {
	Date                      *string `xml:"Date"`
	Days                      *int    `xml:"Days"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

type s3NoncurrentVersionTransition struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions"`
	StorageClass            string `xml:"StorageClass"`
}

type s3NoncurrentVersionExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

type s3Abort struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
}

func s3Malformed(format string, args ...any) error {
	return &coldstore.OpError{Op: "ParseS3XML", Detail: fmt.Sprintf(format, args...), Err: coldstore.ErrMalformedXML}
}

// ParseS3XML parses an S3 <LifecycleConfiguration> document (the body of
// PutBucketLifecycleConfiguration) into a configuration of DialectS3 whose
// TransitionDefaultMinimumObjectSize is S3's default,
// AllStorageClasses128K; a front that received the
// x-amz-transition-default-minimum-object-size header sets the field from
// ParseMinimumObjectSize. A StorageClass that names a class of cat,
// ignoring case, becomes that class's name; any other is kept as written
// (Validate refuses it). A Filter's prefix, tags and sizes, directly or in
// an And, become the rule's Prefix, Tags and Filter's sizes; a rule-level
// <Prefix> becomes Prefix with LegacyPrefix set.
//
// It checks the shape only; Validate checks the values. It returns an
// error wrapping coldstore.ErrMalformedXML, as S3 answers these, for a
// document that is not well-formed XML, is larger than MaxXMLSize, has
// another root element or a namespace other than S3Namespace, an element
// S3's schema does not have, or a rule that: has a Status other than
// Enabled or Disabled; has neither a Filter nor a Prefix, or both; has a
// Filter with more than one predicate, or an
// And with fewer than two; repeats an element S3 allows once; has a
// Transition with neither Days nor Date, an Expiration with
// ExpiredObjectDeleteMarker beside Days or Date, an
// AbortIncompleteMultipartUpload without DaysAfterInitiation, or a
// NoncurrentVersion action without NoncurrentDays; or has a date that is
// not ISO 8601. It returns an error wrapping coldstore.ErrInvalidRequest
// for a tag key given twice in one filter ("Duplicate Tag Keys are not
// allowed.").
func ParseS3XML(cat *storageclass.Catalog, b []byte) (*Configuration, error) {
	if len(b) > MaxXMLSize {
		return nil, s3Malformed("document of %d bytes exceeds %d", len(b), MaxXMLSize)
	}
	var x s3Config
	if err := xmlshape.Check(b, &x); err != nil {
		return nil, s3Malformed("%v", err)
	}
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&x); err != nil {
		return nil, s3Malformed("%v", err)
	}
	if ns := x.XMLName.Space; ns != "" && ns != S3Namespace {
		return nil, s3Malformed("namespace %q is not %q", ns, S3Namespace)
	}
	c := &Configuration{Dialect: DialectS3, TransitionDefaultMinimumObjectSize: AllStorageClasses128K}
	for i := range x.Rules {
		r, err := x.Rules[i].rule(cat)
		if err != nil {
			if e, ok := err.(*coldstore.OpError); ok {
				e.Detail = fmt.Sprintf("rule %d: %s", i+1, e.Detail)
				return nil, e
			}
			return nil, s3Malformed("rule %d: %v", i+1, err)
		}
		c.Rules = append(c.Rules, r)
	}
	return c, nil
}

// ParseMinimumObjectSize reads the x-amz-transition-default-minimum-object-size
// header: "" (absent) is S3's default, AllStorageClasses128K. It returns an
// error wrapping coldstore.ErrInvalidRequest for any other value than the
// two S3 defines, as S3 answers it.
func ParseMinimumObjectSize(header string) (MinimumObjectSize, error) {
	switch m := MinimumObjectSize(header); m {
	case "":
		return AllStorageClasses128K, nil
	case AllStorageClasses128K, VariesByStorageClass:
		return m, nil
	}
	return "", &coldstore.OpError{Op: "ParseMinimumObjectSize", Detail: fmt.Sprintf("%q is neither %s nor %s", header, AllStorageClasses128K, VariesByStorageClass),
		Err: coldstore.ErrInvalidRequest, Message: "Invalid TransitionDefaultMinimumObjectSize found: " + header}
}

// once returns the single element of s, or an error naming the element
// when it is repeated; ok is false when s is empty.
func once[T any](s []T, name string) (v T, ok bool, err error) {
	switch len(s) {
	case 0:
		return v, false, nil
	case 1:
		return s[0], true, nil
	}
	return v, false, fmt.Errorf("%d <%s> elements where one is allowed", len(s), name)
}

func (xr *s3Rule) rule(cat *storageclass.Catalog) (Rule, error) {
	var r Rule
	id, _, err := once(xr.ID, "ID")
	if err != nil {
		return r, err
	}
	r.ID = id
	status, _, err := once(xr.Status, "Status")
	if err != nil {
		return r, err
	}
	switch status {
	case "Enabled":
		r.Enabled = true
	case "Disabled":
	default:
		return r, fmt.Errorf("Status %q is neither Enabled nor Disabled", status)
	}
	f, hasFilter, err := once(xr.Filter, "Filter")
	if err != nil {
		return r, err
	}
	prefix, hasPrefix, err := once(xr.Prefix, "Prefix")
	if err != nil {
		return r, err
	}
	switch {
	case hasFilter && hasPrefix:
		return r, fmt.Errorf("both a Filter and a rule-level Prefix")
	case hasPrefix:
		r.Prefix, r.LegacyPrefix = prefix, true
	case hasFilter:
		if err := f.apply(&r); err != nil {
			return r, err
		}
	default:
		return r, fmt.Errorf("neither a Filter nor a Prefix")
	}
	for _, xt := range xr.Transitions {
		if xt.Days == nil && xt.Date == nil {
			return r, fmt.Errorf("a Transition to %q with neither Days nor Date", xt.StorageClass)
		}
		t := Transition{Days: derefInt(xt.Days), StorageClass: class(cat, xt.StorageClass)}
		if t.Date, err = parseDate(xt.Date); err != nil {
			return r, err
		}
		r.Transitions = append(r.Transitions, t)
	}
	xe, ok, err := once(xr.Expiration, "Expiration")
	if err != nil {
		return r, err
	}
	if ok {
		if xe.ExpiredObjectDeleteMarker != nil && (xe.Days != nil || xe.Date != nil) {
			return r, fmt.Errorf("ExpiredObjectDeleteMarker with Days or Date")
		}
		e := &Expiration{Days: derefInt(xe.Days), ExpiredObjectDeleteMarker: derefBool(xe.ExpiredObjectDeleteMarker)}
		if e.Date, err = parseDate(xe.Date); err != nil {
			return r, err
		}
		r.Expiration = e
	}
	xa, ok, err := once(xr.AbortIncomplete, "AbortIncompleteMultipartUpload")
	if err != nil {
		return r, err
	}
	if ok {
		if xa.DaysAfterInitiation == nil {
			return r, fmt.Errorf("AbortIncompleteMultipartUpload without DaysAfterInitiation")
		}
		r.AbortMultipartUpload = &AbortMultipartUpload{Days: *xa.DaysAfterInitiation}
	}
	for _, xn := range xr.NoncurrentVersionTransitions {
		if xn.NoncurrentDays == nil {
			return r, fmt.Errorf("NoncurrentVersionTransition without NoncurrentDays")
		}
		r.NoncurrentVersionTransitions = append(r.NoncurrentVersionTransitions, NoncurrentVersionTransition{
			NoncurrentDays: *xn.NoncurrentDays, NewerNoncurrentVersions: derefInt(xn.NewerNoncurrentVersions), StorageClass: class(cat, xn.StorageClass)})
	}
	xn, ok, err := once(xr.NoncurrentVersionExpiration, "NoncurrentVersionExpiration")
	if err != nil {
		return r, err
	}
	if ok {
		if xn.NoncurrentDays == nil {
			return r, fmt.Errorf("NoncurrentVersionExpiration without NoncurrentDays")
		}
		r.NoncurrentVersionExpiration = &NoncurrentVersionExpiration{NoncurrentDays: *xn.NoncurrentDays, NewerNoncurrentVersions: derefInt(xn.NewerNoncurrentVersions)}
	}
	return r, nil
}

// apply sets r's prefix, tags and sizes from the filter: empty (every
// object), one predicate, or an And of two or more.
func (f *s3Filter) apply(r *Rule) error {
	n := len(f.Prefix) + len(f.Tag) + len(f.ObjectSizeGreaterThan) + len(f.ObjectSizeLessThan) + len(f.And)
	if n > 1 {
		return fmt.Errorf("a Filter with %d predicates: use And", n)
	}
	a := s3And{Prefix: f.Prefix, Tags: f.Tag, ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
	if len(f.And) == 1 {
		a = f.And[0]
		if m := len(a.Prefix) + len(a.Tags) + len(a.ObjectSizeGreaterThan) + len(a.ObjectSizeLessThan); m < 2 {
			return fmt.Errorf("an And with %d predicates, fewer than two", m)
		}
	}
	prefix, _, err := once(a.Prefix, "Prefix")
	if err != nil {
		return err
	}
	gt, hasGT, err := once(a.ObjectSizeGreaterThan, "ObjectSizeGreaterThan")
	if err != nil {
		return err
	}
	lt, hasLT, err := once(a.ObjectSizeLessThan, "ObjectSizeLessThan")
	if err != nil {
		return err
	}
	r.Prefix = prefix
	for _, t := range a.Tags {
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		if _, dup := r.Tags[t.Key]; dup {
			return &coldstore.OpError{Op: "ParseS3XML", Detail: fmt.Sprintf("tag %q twice", t.Key), Err: coldstore.ErrInvalidRequest,
				Message: "Duplicate Tag Keys are not allowed."}
		}
		r.Tags[t.Key] = t.Value
	}
	if hasGT || hasLT {
		r.Filter = &Filter{}
		if hasGT {
			r.Filter.ObjectSizeGreaterThan = &gt
		}
		if hasLT {
			r.Filter.ObjectSizeLessThan = &lt
		}
	}
	return nil
}

// S3XML returns the configuration as an S3 <LifecycleConfiguration>
// document in S3Namespace, as GetBucketLifecycleConfiguration answers it;
// ParseS3XML of it gives back an equal configuration when the
// configuration is of DialectS3 and its TransitionDefaultMinimumObjectSize
// is the default (that setting travels in a header, not in the document).
// A rule's filter is written in its simplest form: <Filter/> for every
// object, the single predicate it has, or an And of them (tags in key
// order); a LegacyPrefix rule writes its rule-level <Prefix>. A Transition
// writes Date when it has one, else Days (0 included).
//
// It returns an error wrapping coldstore.ErrInvalidArgument for what S3's
// document cannot say: a Not filter, OSS's CreatedBefore dates, access-time
// transitions, AllowSmallFile, or a LegacyPrefix rule with tags or sizes.
func (c *Configuration) S3XML() ([]byte, error) {
	var x s3ConfigOut
	for i := range c.Rules {
		xr, err := c.Rules[i].s3XML()
		if err != nil {
			return nil, &coldstore.OpError{Op: "S3XML", Detail: fmt.Sprintf("rule %d: %v", i+1, err), Err: coldstore.ErrInvalidArgument}
		}
		x.Rules = append(x.Rules, xr)
	}
	body, err := xml.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, &coldstore.OpError{Op: "S3XML", Detail: err.Error(), Err: coldstore.ErrInvalidArgument}
	}
	return append([]byte(xml.Header), body...), nil
}

func (r *Rule) s3XML() (s3Rule, error) {
	xr := s3Rule{Status: []string{"Disabled"}}
	if r.Enabled {
		xr.Status[0] = "Enabled"
	}
	if r.ID != "" {
		xr.ID = []string{r.ID}
	}
	var gt, lt *int64
	if f := r.Filter; f != nil {
		if len(f.Not) > 0 {
			return xr, fmt.Errorf("S3 has no Not filter")
		}
		gt, lt = f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
	}
	if r.LegacyPrefix {
		if len(r.Tags) > 0 || gt != nil || lt != nil {
			return xr, fmt.Errorf("a rule-level Prefix cannot carry tags or sizes")
		}
		xr.Prefix = []string{r.Prefix}
	} else {
		var a s3And
		if r.Prefix != "" {
			a.Prefix = []string{r.Prefix}
		}
		for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
			a.Tags = append(a.Tags, xmlTag{Key: k, Value: r.Tags[k]})
		}
		if gt != nil {
			a.ObjectSizeGreaterThan = []int64{*gt}
		}
		if lt != nil {
			a.ObjectSizeLessThan = []int64{*lt}
		}
		var f s3Filter
		if len(a.Prefix)+len(a.Tags)+len(a.ObjectSizeGreaterThan)+len(a.ObjectSizeLessThan) > 1 {
			f.And = []s3And{a}
		} else {
			f = s3Filter{Prefix: a.Prefix, Tag: a.Tags, ObjectSizeGreaterThan: a.ObjectSizeGreaterThan, ObjectSizeLessThan: a.ObjectSizeLessThan}
		}
		xr.Filter = []s3Filter{f}
	}
	for _, t := range r.Transitions {
		if !t.CreatedBefore.IsZero() || t.IsAccessTime || t.ReturnToStdWhenVisit || t.AllowSmallFile {
			return xr, fmt.Errorf("the transition to %s has OSS elements S3 lacks", t.StorageClass)
		}
		xt := s3Transition{Date: date(t.Date), StorageClass: string(t.StorageClass)}
		if xt.Date == nil {
			xt.Days = &t.Days
		}
		xr.Transitions = append(xr.Transitions, xt)
	}
	if e := r.Expiration; e != nil {
		if !e.CreatedBefore.IsZero() {
			return xr, fmt.Errorf("the expiration has OSS's CreatedBeforeDate")
		}
		xr.Expiration = []s3Expiration{{Days: ptr(e.Days), Date: date(e.Date), ExpiredObjectDeleteMarker: ptr(e.ExpiredObjectDeleteMarker)}}
	}
	if a := r.AbortMultipartUpload; a != nil {
		if !a.CreatedBefore.IsZero() {
			return xr, fmt.Errorf("the multipart abort has OSS's CreatedBeforeDate")
		}
		xr.AbortIncomplete = []s3Abort{{DaysAfterInitiation: &a.Days}}
	}
	for _, n := range r.NoncurrentVersionTransitions {
		if n.IsAccessTime || n.ReturnToStdWhenVisit || n.AllowSmallFile {
			return xr, fmt.Errorf("the noncurrent transition to %s has OSS elements S3 lacks", n.StorageClass)
		}
		xr.NoncurrentVersionTransitions = append(xr.NoncurrentVersionTransitions, s3NoncurrentVersionTransition{
			NoncurrentDays: &n.NoncurrentDays, NewerNoncurrentVersions: ptr(n.NewerNoncurrentVersions), StorageClass: string(n.StorageClass)})
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		xr.NoncurrentVersionExpiration = []s3NoncurrentVersionExpiration{{NoncurrentDays: &n.NoncurrentDays, NewerNoncurrentVersions: ptr(n.NewerNoncurrentVersions)}}
	}
	return xr, nil
}
