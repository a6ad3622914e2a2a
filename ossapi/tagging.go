package ossapi

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
)

// tagSet is OSS's <Tagging> document.
type tagSet struct {
	XMLName xml.Name `xml:"Tagging"`
	Tags    []xmlTag `xml:"TagSet>Tag"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// parseTags reads a <Tagging> document: MalformedXML for another root or
// bad XML, InvalidArgument for a key given twice, and, for an object's
// tags, a key or value with a character OSS refuses (objectTag); for a
// bucket's, a key in a prefix it reserves (bucketTagKey).
func (h *Handler) parseTags(q *request, op string, object bool) (map[string]string, error) {
	var doc tagSet
	if err := h.readXML(q, &doc, false, h.opts.MaxXMLSize); err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		if _, dup := tags[t.Key]; dup {
			return nil, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key " + t.Key + " given twice", Err: coldstore.ErrInvalidArgument, EC: ecTagValue}
		}
		if object {
			if err := objectTag(q, op, t.Key, t.Value); err != nil {
				return nil, err
			}
		} else if err := bucketTagKey(q, op, t.Key); err != nil {
			return nil, err
		}
		tags[t.Key] = t.Value
	}
	return tags, nil
}

// OSS's ECs for an object's tags: a key with a character it refuses, and
// a value with one (or a key given twice).
const (
	ecTagKey   = "0010-00000212"
	ecTagValue = "0010-00000217"
)

// objectTag refuses an object's tag whose key or value has a character
// other than OSS allows in them: letters a-z and A-Z, digits, the space
// and + - = . _ : / (InvalidArgument, EC 0010-00000212 for the key,
// 0010-00000217 for the value).
func objectTag(q *request, op, key, value string) error {
	for _, f := range []struct{ what, s, ec string }{{"key", key, ecTagKey}, {"value", value, ecTagValue}} {
		for _, c := range f.s {
			if !tagChar(c) {
				return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: fmt.Sprintf("tag %s %q holds %q, which OSS does not allow", f.what, f.s, c), Err: coldstore.ErrInvalidArgument, EC: f.ec}
			}
		}
	}
	return nil
}

// bucketTagKey refuses a bucket's tag key in a prefix OSS reserves, any
// case: acs (EC 0010-00000002), http://, https:// and Aliyun (EC
// 0010-00000207); InvalidArgument.
func bucketTagKey(q *request, op, key string) error {
	lower := strings.ToLower(key)
	for _, p := range []struct{ prefix, ec string }{{"acs", "0010-00000002"}, {"http://", "0010-00000207"}, {"https://", "0010-00000207"}, {"aliyun", "0010-00000207"}} {
		if strings.HasPrefix(lower, p.prefix) {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Detail: fmt.Sprintf("tag key %q begins with %q, which OSS reserves", key, p.prefix), Err: coldstore.ErrInvalidArgument, EC: p.ec}
		}
	}
	return nil
}

// tagChar reports whether OSS allows c in an object's tag.
func tagChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(" +-=._:/", c)
}

// headerTags reads x-oss-tagging: key or key=value pairs joined by '&',
// each URL-encoded. A pair with a second '=' (the header's own example of
// a bad value, "aa=bb=cc"), a key given twice, a bad escape, or a tag OSS
// refuses on an object (objectTag) is InvalidArgument; nothing is stored.
func headerTags(q *request, op, header string) (map[string]string, error) {
	bad := func(detail, ec string) error {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-tagging: " + detail, Err: coldstore.ErrInvalidArgument, EC: ec}
	}
	tags := map[string]string{}
	for _, pair := range strings.Split(header, "&") {
		if pair == "" {
			continue // "a=1&&b=2", as a query string reads it
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		if strings.Contains(rawValue, "=") {
			return nil, bad(strconv.Quote(pair)+" is not key or key=value", "0010-00000219")
		}
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, bad("key "+strconv.Quote(rawKey)+" is not URL-encoded", ecTagKey)
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, bad("value "+strconv.Quote(rawValue)+" is not URL-encoded", ecTagValue)
		}
		if _, dup := tags[key]; dup {
			return nil, bad("tag key "+strconv.Quote(key)+" given twice", ecTagValue)
		}
		if err := objectTag(q, op, key, value); err != nil {
			return nil, err
		}
		tags[key] = value
	}
	return tags, nil
}

// writeTags answers tags as a <Tagging> document, by key.
func (h *Handler) writeTags(q *request, tags map[string]string) {
	doc := tagSet{Tags: []xmlTag{}}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		doc.Tags = append(doc.Tags, xmlTag{k, tags[k]})
	}
	h.writeXML(q, http.StatusOK, doc)
}

// putObjectTagging is PutObjectTagging: the object's tags become the
// document's (engine.DB.SetTags). A document with another root is
// MalformedXML; a key given twice, or tags beyond the limits, is
// InvalidArgument; nothing changes.
func (h *Handler) putObjectTagging(q *request) error {
	tags, err := h.parseTags(q, "PutObjectTagging", true)
	if err != nil {
		return err
	}
	if _, err := h.db.SetTags(q.r.Context(), q.bucket, q.key, tags); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

// getObjectTagging is GetObjectTagging: the object's tags, by key.
func (h *Handler) getObjectTagging(q *request) error {
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	h.writeTags(q, oi.Tags)
	return nil
}

// deleteObjectTagging is DeleteObjectTagging: the object keeps no tags;
// 204.
func (h *Handler) deleteObjectTagging(q *request) error {
	if _, err := h.db.SetTags(q.r.Context(), q.bucket, q.key, nil); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}

// putBucketTags is PutBucketTags: the bucket's tags become the document's
// (engine.DB.SetBucketTags); refusals as PutObjectTagging's.
func (h *Handler) putBucketTags(q *request) error {
	tags, err := h.parseTags(q, "PutBucketTags", false)
	if err != nil {
		return err
	}
	if err := h.db.SetBucketTags(q.r.Context(), q.bucket, tags); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

// getBucketTags is GetBucketTags: the bucket's tags, by key; an empty set
// when it has none.
func (h *Handler) getBucketTags(q *request) error {
	b, err := h.db.Bucket(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	h.writeTags(q, b.Tags)
	return nil
}

// deleteBucketTags is DeleteBucketTags: the bucket keeps no tags; 204.
func (h *Handler) deleteBucketTags(q *request) error {
	if err := h.db.SetBucketTags(q.r.Context(), q.bucket, nil); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}
