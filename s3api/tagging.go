package s3api

import (
	"encoding/xml"
	"maps"
	"net/http"
	"slices"

	"github.com/coldstore-dev/coldstore"
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

// putObjectTagging serves PutObjectTagging: the object's tags become the
// document's. Another root is MalformedXML; a key given twice, or tags
// beyond the limits, InvalidArgument (S3 says InvalidTag); nothing changes.
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
		if _, dup := tags[t.Key]; dup {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "tag key " + t.Key + " given twice", Err: coldstore.ErrInvalidArgument, Message: "Cannot provide multiple Tags with the same key"}
		}
		tags[t.Key] = t.Value
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
