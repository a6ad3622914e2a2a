package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
)

// objectAttributes is GetObjectAttributes's answer. The ETag is
// unquoted, as S3 gives it there.
type objectAttributes struct {
	XMLName      xml.Name     `xml:"GetObjectAttributesResponse"`
	NS           string       `xml:"xmlns,attr"`
	ETag         string       `xml:"ETag,omitempty"`
	ObjectParts  *objectParts `xml:"ObjectParts,omitempty"`
	StorageClass string       `xml:"StorageClass,omitempty"`
	ObjectSize   *int64       `xml:"ObjectSize,omitempty"`
}

// objectParts is what S3 tells of the parts of an object completed from a
// multipart upload without additional checksums: their count alone.
type objectParts struct {
	PartsCount int `xml:"PartsCount"`
}

// attributeNames are the attributes x-amz-object-attributes may name.
var attributeNames = setOf("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")

// getObjectAttributes serves GetObjectAttributes (GET ?attributes): what
// x-amz-object-attributes names of the object, whatever its restore state
// (it reads no content), with Last-Modified. An object completed from a
// multipart upload has ObjectParts with its PartsCount only, as S3 answers
// for parts uploaded without an additional checksum; any other object
// has none. Checksum is never given: this server keeps no checksum but
// the MD5 and CRC-64 (x-amz-checksum-* are verified, not stored), as S3
// answers for an object stored without one. A header naming nothing, or
// naming another attribute, is 400 InvalidArgument; x-amz-max-parts and
// x-amz-part-number-marker must be integers of 0 or more, and page
// nothing (no Part is listed).
func (h *Handler) getObjectAttributes(q *request) error {
	const op = "GetObjectAttributes"
	want := map[string]bool{}
	for _, v := range q.r.Header.Values("x-amz-object-attributes") {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if !attributeNames[a] {
				return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-object-attributes names " + strconv.Quote(a),
					Err: coldstore.ErrInvalidArgument, Message: "Invalid attribute name specified."}
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-object-attributes names nothing",
			Err: coldstore.ErrInvalidArgument, Message: "Invalid attribute name specified."}
	}
	for _, name := range []string{"x-amz-max-parts", "x-amz-part-number-marker"} {
		if v := q.r.Header.Get(name); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: name + " " + strconv.Quote(v), Err: coldstore.ErrInvalidArgument}
			}
		}
	}
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	doc := objectAttributes{NS: s3NS}
	if want["ETag"] {
		doc.ETag = oi.ETag
	}
	if want["ObjectParts"] && oi.Type == engine.TypeMultipart {
		if _, n, ok := strings.Cut(oi.ETag, "-"); ok {
			if count, err := strconv.Atoi(n); err == nil {
				doc.ObjectParts = &objectParts{PartsCount: count}
			}
		}
	}
	if want["StorageClass"] {
		doc.StorageClass = string(oi.StorageClass)
	}
	if want["ObjectSize"] {
		doc.ObjectSize = &oi.Size
	}
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	h.writeXML(q, http.StatusOK, doc)
	return nil
}
