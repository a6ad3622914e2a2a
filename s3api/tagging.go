package s3api

import (
	"encoding/xml"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
)

// tagging is S3's <Tagging> document.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Tags    []xmlTag `xml:"TagSet>Tag"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// errInvalidTag is S3's refusal of a tag set.
var errInvalidTag = &coldstore.Error{Code: "InvalidTag", Status: http.StatusBadRequest, Message: "The TagKey you have provided is invalid"}

// errTooManyTags is S3's refusal of more than 10 tags on an object, in
// its words (boto/boto3#1213; moto's check, verified against S3).
var errTooManyTags = &coldstore.Error{Code: "BadRequest", Status: http.StatusBadRequest, Message: "Object tags cannot be greater than 10"}

// checkTagCount refuses more than engine.MaxTags tags, once each tag has
// passed checkTag, as S3 checks them.
func checkTagCount(q *request, op string, n int) error {
	if n > engine.MaxTags {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: strconv.Itoa(n) + " tags", Err: errTooManyTags}
	}
	return nil
}

// checkTag refuses a tag whose key is given n > 1 times, in the aws:
// prefix S3 reserves, or longer than 128 characters, or whose value is
// longer than 256, with InvalidTag in S3's words (versity/versitygw#1232
// quotes S3's answer to the lengths).
func checkTag(q *request, op, key, value string, n int) error {
	switch {
	case utf8.RuneCountInString(key) > 128:
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key of " + strconv.Itoa(utf8.RuneCountInString(key)) + " characters", Err: errInvalidTag}
	case utf8.RuneCountInString(value) > 256:
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag value of " + strconv.Itoa(utf8.RuneCountInString(value)) + " characters", Err: errInvalidTag, Message: "The TagValue you have provided is invalid"}
	case n > 1:
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key " + strconv.Quote(key) + " given twice", Err: errInvalidTag, Message: "Cannot provide multiple Tags with the same key"}
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key " + strconv.Quote(key), Err: errInvalidTag, Message: "Your TagKey cannot be prefixed with aws:"}
	}
	return nil
}

// putObjectTagging serves PutObjectTagging: the object's tags become the
// document's. Another root is MalformedXML; a key given twice or prefixed
// aws: or longer than 128 characters, or a value longer than 256, is
// InvalidTag; more than 10 tags is BadRequest; nothing changes.
func (h *Handler) putObjectTagging(q *request) error {
	const op = "PutObjectTagging"
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	var doc tagging
	if err := readXMLFrom(body, &doc, false, h.opts.MaxXMLSize); err != nil {
		return err
	}
	tags := make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		n := 1
		if _, dup := tags[t.Key]; dup {
			n = 2
		}
		if err := checkTag(q, op, t.Key, t.Value, n); err != nil {
			return err
		}
		tags[t.Key] = t.Value
	}
	if err := checkTagCount(q, op, len(tags)); err != nil {
		return err
	}
	if _, err := h.db.SetTags(q.r.Context(), q.bucket, q.key, tags); err != nil {
		return err
	}
	q.writeStatus(http.StatusOK)
	return nil
}

// getObjectTagging serves GetObjectTagging, the tags by key; it answers
// for an archived object too.
func (h *Handler) getObjectTagging(q *request) error {
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	doc := tagging{NS: s3NS, Tags: []xmlTag{}}
	for _, k := range slices.Sorted(maps.Keys(oi.Tags)) {
		doc.Tags = append(doc.Tags, xmlTag{k, oi.Tags[k]})
	}
	h.writeXML(q, http.StatusOK, doc)
	return nil
}

// deleteObjectTagging serves DeleteObjectTagging: 204.
func (h *Handler) deleteObjectTagging(q *request) error {
	if _, err := h.db.SetTags(q.r.Context(), q.bucket, q.key, nil); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}
