package wire

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
)

// ListQuery is what a ListObjects (v1: marker) or ListObjectsV2
// (list-type=2: start-after, continuation-token) request asks for, in the
// query parameters OSS and S3 share.
type ListQuery struct {
	V2                bool   // list-type=2
	Prefix, Delimiter string // as sent, not encoded
	MaxKeys           int    // max-keys, or the default
	Marker            string // v1: marker, as sent
	StartAfter        string // v2: start-after, as sent
	ContinuationToken string // v2: continuation-token, as sent
	// After is the key the page starts after: Marker (v1); the
	// continuation token's key, else StartAfter (v2).
	After string
	// URLEncoding: encoding-type=url; the answer's keys, prefixes, markers
	// and delimiter go through Encode.
	URLEncoding bool
	// KeepSlash leaves '/' as it is in what Encode encodes, as S3 does
	// (measured: "한글/x.txt" listed as "%ED%95%9C%EA%B8%80/x.txt"); OSS's
	// answers encode it.
	KeepSlash bool
}

// ParseListQuery reads the query v of a listing of bucket. max-keys is
// defaultMaxKeys when absent. It returns an error wrapping
// coldstore.ErrInvalidArgument for a max-keys that is not digits or is
// above maxKeys, and for a continuation token that is not one of Page's.
func ParseListQuery(bucket string, v url.Values, defaultMaxKeys, maxKeys int) (ListQuery, error) {
	q := ListQuery{
		V2:          v.Get("list-type") == "2",
		Prefix:      v.Get("prefix"),
		Delimiter:   v.Get("delimiter"),
		MaxKeys:     defaultMaxKeys,
		URLEncoding: v.Get("encoding-type") == "url",
	}
	if s := v.Get("max-keys"); s != "" {
		n, ok := ParseDigits(s)
		if !ok || n > int64(maxKeys) {
			return ListQuery{}, &coldstore.OpError{Op: "ListObjects", Bucket: bucket, Detail: "max-keys " + strconv.Quote(s) + " outside 0-" + strconv.Itoa(maxKeys), Err: coldstore.ErrInvalidArgument}
		}
		q.MaxKeys = int(n)
	}
	if !q.V2 {
		q.Marker = v.Get("marker")
		q.After = q.Marker
		return q, nil
	}
	q.StartAfter, q.ContinuationToken = v.Get("start-after"), v.Get("continuation-token")
	q.After = q.StartAfter
	if t := q.ContinuationToken; t != "" {
		// Tokens are opaque: the exact place to continue, base64.
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil {
			return ListQuery{}, &coldstore.OpError{Op: "ListObjectsV2", Bucket: bucket, Detail: "continuation-token " + strconv.Quote(t), Err: coldstore.ErrInvalidArgument}
		}
		q.After = string(b)
	}
	return q, nil
}

// Encode is s as the answer writes it: URL-encoded (url.QueryEscape, '/'
// kept with KeepSlash) with encoding-type=url, else as it is.
func (q ListQuery) Encode(s string) string {
	if !q.URLEncoding {
		return s
	}
	e := url.QueryEscape(s)
	if q.KeepSlash {
		e = strings.ReplaceAll(e, "%2F", "/")
	}
	return e
}

// Limit is how many entries to ask the engine for: MaxKeys, or 1 when it
// is 0 (max-keys=0 lists nothing; the engine's page still says whether
// the bucket exists).
func (q ListQuery) Limit() int { return max(q.MaxKeys, 1) }

// Page is the paging of a listing answer.
type Page struct {
	Truncated bool // IsTruncated
	// NextMarker (v1, encoded) or NextContinuationToken (v2): where the
	// next page starts; "" unless Truncated and MaxKeys > 0.
	NextMarker, NextContinuationToken string
	KeyCount                          int // entries listed: objects and common prefixes
}

// Page is the paging of the answer to q from an engine page of Limit()
// entries: entries objects and common prefixes, more when more follow,
// next the key the next page starts after. With max-keys=0 no entry is
// listed and the page is not truncated, as S3 answers it (ceph/s3-tests'
// test_bucket_list_maxkeys_zero, which runs against S3); OSS documents
// nothing for it and is answered the same.
func (q ListQuery) Page(entries int, more bool, next string) Page {
	if q.MaxKeys == 0 {
		return Page{}
	}
	p := Page{Truncated: more, KeyCount: entries}
	switch {
	case !more:
	case q.V2:
		p.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(next))
	default:
		p.NextMarker = q.Encode(next)
	}
	return p
}

// ListEcho is what a listing repeats of its request, in this order, as
// both protocols write it: Marker for V1 (always, empty too); StartAfter
// and ContinuationToken for V2 when given.
type ListEcho struct {
	Marker            *string `xml:"Marker,omitempty"`
	StartAfter        *string `xml:"StartAfter,omitempty"`
	ContinuationToken *string `xml:"ContinuationToken,omitempty"`
}

// Echo returns the ListEcho of q, names encoded as q asks.
func (q ListQuery) Echo() ListEcho {
	if !q.V2 {
		m := q.Encode(q.Marker)
		return ListEcho{Marker: &m}
	}
	var e ListEcho
	if q.StartAfter != "" {
		s := q.Encode(q.StartAfter)
		e.StartAfter = &s
	}
	if q.ContinuationToken != "" {
		t := q.ContinuationToken
		e.ContinuationToken = &t
	}
	return e
}
