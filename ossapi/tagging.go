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

// putObjectTagging is PutObjectTagging: the object's tags become the
// document's (engine.DB.SetTags). A document with another root is
// MalformedXML; a key given twice, or tags beyond the limits, is
// InvalidArgument; nothing changes.
func (h *Handler) putObjectTagging(q *request) error {
	const op = "PutObjectTagging"
	var doc tagSet
	if err := h.readXML(q, &doc, false, h.opts.MaxXMLSize); err != nil {
		return err
	}
	tags := make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		if _, dup := tags[t.Key]; dup {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key " + t.Key + " given twice", Err: coldstore.ErrInvalidArgument}
		}
		tags[t.Key] = t.Value
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
	var doc tagSet
	for _, k := range slices.Sorted(maps.Keys(oi.Tags)) {
		doc.Tags = append(doc.Tags, xmlTag{k, oi.Tags[k]})
	}
	h.writeXML(q, http.StatusOK, doc)
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
