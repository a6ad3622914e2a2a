package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
)

// isoTime is how S3 writes times in its XML documents.
const isoTime = "2006-01-02T15:04:05.000Z"

// s3NS is S3's XML namespace, which its documents declare.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var theOwner = owner{ID: "coldstore", DisplayName: "coldstore"}

// etag is how S3 writes an ETag: lower-case hex, in quotes.
func etag(hex string) string { return `"` + hex + `"` }

// The paging of ListBuckets: a page holds max-buckets (1-10,000), or, when
// prefix, bucket-region or continuation-token is sent without it, 10,000,
// as S3 pages; with none of them every bucket.
const maxBucketsPage = 10000

// listBuckets serves ListBuckets: the buckets, in name order, whose names
// start with prefix, in bucket-region (every bucket is in the server's
// region, so another lists none), after the continuation token's, a page
// of max-buckets at most. The answer echoes Prefix and, when buckets are
// left, gives a ContinuationToken for the next page (base64 of the last
// name, opaque to clients). A max-buckets outside 1-10,000 or a token that
// is not one of these is 400 InvalidArgument.
func (h *Handler) listBuckets(q *request) error {
	const op = "ListBuckets"
	prefix, region := q.query.Get("prefix"), q.query.Get("bucket-region")
	limit := -1 // every bucket
	if q.query.Has("prefix") || q.query.Has("bucket-region") || q.query.Has("continuation-token") {
		limit = maxBucketsPage
	}
	if q.query.Has("max-buckets") {
		s := q.query.Get("max-buckets")
		n, ok := wire.ParseDigits(s)
		if !ok || n < 1 || n > maxBucketsPage {
			return &coldstore.OpError{Op: op, Detail: "max-buckets " + strconv.Quote(s) + " outside 1-10000", Err: coldstore.ErrInvalidArgument}
		}
		limit = int(n)
	}
	after := ""
	if t := q.query.Get("continuation-token"); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil || len(b) == 0 {
			return &coldstore.OpError{Op: op, Detail: "continuation-token " + strconv.Quote(t), Err: coldstore.ErrInvalidArgument, Message: "The continuation token provided is incorrect"}
		}
		after = string(b)
	}
	bs, err := h.db.ListBuckets(q.r.Context())
	if err != nil {
		return err
	}
	type xmlBucket struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion"`
	}
	res := struct {
		XMLName           xml.Name    `xml:"ListAllMyBucketsResult"`
		NS                string      `xml:"xmlns,attr"`
		Owner             owner       `xml:"Owner"`
		Buckets           []xmlBucket `xml:"Buckets>Bucket"`
		ContinuationToken string      `xml:"ContinuationToken,omitempty"`
		Prefix            *string     `xml:"Prefix"`
	}{NS: s3NS, Owner: theOwner}
	if q.query.Has("prefix") {
		res.Prefix = &prefix
	}
	for _, b := range bs {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) || region != "" && region != h.opts.Region {
			continue
		}
		if len(res.Buckets) == limit {
			res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(res.Buckets[limit-1].Name))
			break
		}
		res.Buckets = append(res.Buckets, xmlBucket{Name: b.Name, CreationDate: b.Created.UTC().Format(isoTime), BucketRegion: h.opts.Region})
	}
	h.writeXML(q, http.StatusOK, res)
	return nil
}

// The refusals of a LocationConstraint, as S3 answers them.
var (
	errInvalidLocation = &coldstore.Error{Code: "InvalidLocationConstraint", Status: http.StatusBadRequest, Message: "The specified location-constraint is not valid"}
	errIllegalLocation = &coldstore.Error{Code: "IllegalLocationConstraintException", Status: http.StatusBadRequest, Message: "The location constraint is incompatible for the region specific endpoint this request was sent to."}
)

// validRegion reports whether s has the shape of a region name
// (letters, digits and hyphens).
func validRegion(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// createBucket serves CreateBucket, with or without a
// <CreateBucketConfiguration>: a LocationConstraint must name the
// server's region (Options.Region); us-east-1, which S3 takes only
// without a constraint, or a name that is no region is
// InvalidLocationConstraint, another region
// IllegalLocationConstraintException; "EU" names eu-west-1. Its buckets are of S3's default
// class, STANDARD. S3 answers a second CreateBucket of one's own bucket
// BucketAlreadyOwnedByYou (409) in every region but us-east-1, where it
// answers 200 and changes nothing (its ACLs, the one thing it would
// reset, are disabled), as this server does when it serves us-east-1.
func (h *Handler) createBucket(q *request) error {
	var cfg struct {
		XMLName            xml.Name `xml:"CreateBucketConfiguration"`
		LocationConstraint string   `xml:"LocationConstraint"`
	}
	if err := h.readXML(q, "CreateBucket", &cfg, true, h.opts.MaxXMLSize); err != nil {
		return err
	}
	lc := cfg.LocationConstraint
	if lc == "EU" {
		lc = "eu-west-1" // S3's older name of the region
	}
	switch {
	case lc == "":
	case lc == "us-east-1" || !validRegion(lc):
		return &coldstore.OpError{Op: "CreateBucket", Bucket: q.bucket, Detail: "LocationConstraint " + strconv.Quote(lc), Err: errInvalidLocation}
	case lc != h.opts.Region:
		return &coldstore.OpError{Op: "CreateBucket", Bucket: q.bucket, Detail: "LocationConstraint " + strconv.Quote(lc) + " at an endpoint of " + h.opts.Region,
			Err: errIllegalLocation, Message: "The " + lc + " location constraint is incompatible for the region specific endpoint this request was sent to."}
	}
	if err := h.db.CreateBucket(q.r.Context(), q.bucket, nil); err != nil && !(errors.Is(err, coldstore.ErrBucketAlreadyExists) && h.opts.Region == "us-east-1") {
		return err
	}
	q.header("Location", "/"+q.bucket)
	q.writeStatus(http.StatusOK)
	return nil
}

// headBucket serves HeadBucket: 200 with x-amz-bucket-region, or 404.
func (h *Handler) headBucket(q *request) error {
	if _, err := h.db.Bucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.header("x-amz-bucket-region", h.opts.Region)
	q.writeStatus(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(q *request) error {
	if err := h.db.DeleteBucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}

// getBucketLocation serves GetBucketLocation: the server's region, empty
// for us-east-1 as S3 writes it.
func (h *Handler) getBucketLocation(q *request) error {
	if _, err := h.db.Bucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	region := h.opts.Region
	if region == "us-east-1" {
		region = ""
	}
	h.writeXML(q, http.StatusOK, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Region  string   `xml:",chardata"`
	}{NS: s3NS, Region: region})
	return nil
}

// getBucketVersioning serves GetBucketVersioning: versioning was never
// enabled, which S3 writes as an empty configuration.
func (h *Handler) getBucketVersioning(q *request) error {
	if _, err := h.db.Bucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	h.writeXML(q, http.StatusOK, struct {
		XMLName xml.Name `xml:"VersioningConfiguration"`
		NS      string   `xml:"xmlns,attr"`
	}{NS: s3NS})
	return nil
}

type restoreStatus struct {
	IsRestoreInProgress bool   `xml:"IsRestoreInProgress"`
	RestoreExpiryDate   string `xml:"RestoreExpiryDate,omitempty"`
}

type xmlObject struct {
	Key           string         `xml:"Key"`
	LastModified  string         `xml:"LastModified"`
	ETag          string         `xml:"ETag"`
	Size          int64          `xml:"Size"`
	StorageClass  string         `xml:"StorageClass"`
	Owner         *owner         `xml:"Owner,omitempty"`
	RestoreStatus *restoreStatus `xml:"RestoreStatus,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listResult struct {
	XMLName xml.Name `xml:"ListBucketResult"`
	NS      string   `xml:"xmlns,attr"`
	Name    string   `xml:"Name"`
	Prefix  string   `xml:"Prefix"`
	wire.ListEcho
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	Contents              []xmlObject    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listObjects serves ListObjects (marker) and ListObjectsV2 (list-type=2),
// with Delimiter grouping, encoding-type=url and, when the request asks
// with x-amz-optional-object-attributes: RestoreStatus, each archived
// object's RestoreStatus (IsRestoreInProgress, RestoreExpiryDate); objects
// never restored or expired have none. Owner is listed by v1 always and by
// v2 with fetch-owner=true.
func (h *Handler) listObjects(q *request) error {
	if err := encodingType(q); err != nil {
		return err
	}
	// S3 takes any max-keys and lists at most 1,000.
	lq, err := wire.ParseListQuery(q.bucket, q.query, 1000, math.MaxInt32)
	if err != nil {
		return err
	}
	lq.MaxKeys = min(lq.MaxKeys, engine.MaxListLimit)
	lq.KeepSlash = true // S3 encodes keys with '/' as it is
	withRestore := false
	for _, v := range q.r.Header.Values("x-amz-optional-object-attributes") {
		for _, a := range strings.Split(v, ",") {
			switch strings.TrimSpace(a) {
			case "RestoreStatus":
				withRestore = true
			case "":
			default:
				return &coldstore.OpError{Op: "ListObjects", Bucket: q.bucket, Detail: "x-amz-optional-object-attributes names " + strconv.Quote(a),
					Err: coldstore.ErrInvalidArgument, Message: "Invalid attribute name specified."}
			}
		}
	}
	res := listResult{NS: s3NS, Name: q.bucket, Prefix: lq.Encode(lq.Prefix), MaxKeys: lq.MaxKeys, Delimiter: lq.Encode(lq.Delimiter)}
	if !lq.V2 {
		// ListObjects (V1) gives its Prefix as sent, encoding-type=url or
		// not: botocore decodes V2's Prefix and not V1's (handlers.py,
		// decode_list_object), and ceph/s3-tests expects it raw.
		res.Prefix = lq.Prefix
	}
	if lq.URLEncoding {
		res.EncodingType = "url"
	}
	res.ListEcho = lq.Echo()
	page, err := h.db.List(q.r.Context(), q.bucket, &engine.ListOptions{Prefix: lq.Prefix, StartAfter: lq.After, Delimiter: lq.Delimiter, Limit: lq.Limit()})
	if err != nil {
		return err
	}
	withOwner := !lq.V2 || q.query.Get("fetch-owner") == "true"
	if lq.MaxKeys > 0 {
		for _, o := range page.Objects {
			x := xmlObject{Key: lq.Encode(o.Key), LastModified: o.LastModified.UTC().Format(isoTime), ETag: etag(o.ETag),
				Size: o.Size, StorageClass: string(o.StorageClass)}
			if withOwner {
				x.Owner = &theOwner
			}
			if withRestore {
				x.RestoreStatus = listRestoreStatus(o.Restore)
			}
			res.Contents = append(res.Contents, x)
		}
		for _, cp := range page.CommonPrefixes {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: lq.Encode(cp)})
		}
	}
	p := lq.Page(len(page.Objects)+len(page.CommonPrefixes), page.Truncated, page.NextStartAfter)
	res.IsTruncated, res.NextMarker, res.NextContinuationToken = p.Truncated, p.NextMarker, p.NextContinuationToken
	if lq.V2 {
		res.KeyCount = &p.KeyCount
	}
	h.writeXML(q, http.StatusOK, res)
	return nil
}

// encodingType refuses an encoding-type other than url, as S3 does.
func encodingType(q *request) error {
	if v, ok := q.query["encoding-type"]; ok && (len(v) == 0 || v[0] != "url") {
		return &coldstore.OpError{Op: "ListObjects", Bucket: q.bucket, Detail: "encoding-type " + strconv.Quote(q.query.Get("encoding-type")),
			Err: coldstore.ErrInvalidArgument, Message: "Invalid Encoding Method specified in Request"}
	}
	return nil
}

// listRestoreStatus is an object's RestoreStatus in a listing: in
// progress, or done with its expiry; nil when there is no restore.
func listRestoreStatus(s engine.RestoreStatus) *restoreStatus {
	switch s.State {
	case engine.Restoring:
		return &restoreStatus{IsRestoreInProgress: true}
	case engine.Restored:
		return &restoreStatus{RestoreExpiryDate: s.ExpiresAt.UTC().Format(isoTime)}
	}
	return nil
}
