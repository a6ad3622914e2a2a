package ossapi

import (
	"encoding/xml"
	"maps"
	"net/http"
	"slices"

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
// bad XML, InvalidArgument for a key given twice.
func (h *Handler) parseTags(q *request, op string) (map[string]string, error) {
	var doc tagSet
	if err := h.readXML(q, &doc, false, h.opts.MaxXMLSize); err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		if _, dup := tags[t.Key]; dup {
			return nil, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key " + t.Key + " given twice", Err: coldstore.ErrInvalidArgument}
		}
		tags[t.Key] = t.Value
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
	tags, err := h.parseTags(q, "PutObjectTagging")
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
	tags, err := h.parseTags(q, "PutBucketTags")
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
