package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
)

// msgCopyToItself is S3's refusal of a copy of an object onto itself that
// changes nothing (research/s3.md §5, an AWS-validated snapshot).
const msgCopyToItself = "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."

// msgCopyFromArchive is S3's refusal of a copy whose source is archived
// and not restored (live AWS answers quoted in research/s3.md §5).
const msgCopyFromArchive = "Operation is not valid for the source object's storage class"

// copySource reads x-amz-copy-source: /bucket/key or bucket/key, URL
// encoded; a ?versionId= is not served (501).
func copySource(q *request) (bucket, key string, err error) {
	raw := q.r.Header.Get("x-amz-copy-source")
	path, version, _ := strings.Cut(raw, "?")
	if version != "" {
		return "", "", notImplemented(q, "x-amz-copy-source with a version")
	}
	src := strings.TrimPrefix(path, "/")
	if u, uerr := url.PathUnescape(src); uerr == nil {
		src = u
	}
	bucket, key, ok := strings.Cut(src, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", &coldstore.OpError{Op: "CopyObject", Bucket: q.bucket, Key: q.key, Detail: "x-amz-copy-source " + strconv.Quote(raw) + " names no object", Err: coldstore.ErrInvalidArgument}
	}
	return bucket, key, nil
}

// copyConditions checks the x-amz-copy-source-if-* conditions on the
// source: 412 PreconditionFailed when one fails.
func copyConditions(hdr http.Header, src engine.ObjectInfo) error {
	return wire.CopyPreconditions(hdr, "x-amz-copy-source-", src.ETag, src.LastModified)
}

// directive reads a COPY or REPLACE header: true for REPLACE.
func directive(q *request, header string) (bool, error) {
	switch v := strings.TrimSpace(q.r.Header.Get(header)); {
	case v == "" || strings.EqualFold(v, "COPY"):
		return false, nil
	case strings.EqualFold(v, "REPLACE"):
		return true, nil
	default:
		return false, &coldstore.OpError{Op: "CopyObject", Bucket: q.bucket, Key: q.key, Detail: header + " " + strconv.Quote(v) + " is neither COPY nor REPLACE", Err: coldstore.ErrInvalidArgument}
	}
}

// copyObject serves CopyObject. The source's metadata and tags are copied
// unless x-amz-metadata-directive: REPLACE and x-amz-tagging-directive:
// REPLACE take the request's; the copy-source conditions are checked on
// the source. A copy onto itself must name a storage class (its own
// included) or REPLACE, else it is 400 InvalidRequest; like any copy it
// writes a new object, as S3 does: a new Last-Modified, from which the
// lifecycle's days count again, and, in an archive class, archived (a
// restored archive object goes warmer this way). A source archived and not
// restored is 403 InvalidObjectState "Operation is not valid for the
// source object's storage class", with its StorageClass, whatever the
// copy's class.
func (h *Handler) copyObject(q *request) error {
	const op = "CopyObject"
	sb, sk, err := copySource(q)
	if err != nil {
		return err
	}
	replaceMeta, err := directive(q, "x-amz-metadata-directive")
	if err != nil {
		return err
	}
	replaceTags, err := directive(q, "x-amz-tagging-directive")
	if err != nil {
		return err
	}
	class, err := h.parseClass(q, op)
	if err != nil {
		return err
	}
	self := sb == q.bucket && sk == q.key
	if self && class == "" && !replaceMeta && !replaceTags {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "a copy onto itself that changes nothing", Err: coldstore.ErrInvalidRequest, Message: msgCopyToItself}
	}
	obj, err := h.db.Get(q.r.Context(), sb, sk)
	if err != nil {
		if from, herr := h.db.Head(q.r.Context(), sb, sk); herr == nil {
			return sourceRefusal(err, from)
		}
		return err
	}
	defer obj.Close()
	from := obj.Info()
	if err := copyConditions(q.r.Header, from); err != nil {
		return err
	}
	opts := &engine.PutOptions{StorageClass: class, ContentType: from.ContentType, Metadata: from.Metadata, Tags: from.Tags, Headers: from.Headers, Copy: true}
	meta, tags, headers, err := requestMeta(q, op)
	if err != nil {
		return err
	}
	if replaceMeta {
		opts.ContentType, opts.Metadata, opts.Headers = q.r.Header.Get("Content-Type"), meta, headers
	}
	if replaceTags {
		opts.Tags = tags
	}
	oi, err := h.db.Put(q.r.Context(), q.bucket, q.key, obj, opts)
	if err != nil {
		return err
	}
	expirationHeader(q, oi)
	h.writeXML(q, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		NS           string   `xml:"xmlns,attr"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}{NS: s3NS, LastModified: oi.LastModified.UTC().Format(isoTime), ETag: etag(oi.ETag)})
	return nil
}

// sourceRefusal words a refused read of a copy's source as S3 does.
func sourceRefusal(err error, from engine.ObjectInfo) error {
	if !errors.Is(err, coldstore.ErrInvalidObjectState) {
		return err
	}
	oe := &coldstore.OpError{Op: "CopyObject", Bucket: from.Bucket, Key: from.Key, Err: coldstore.ErrInvalidObjectState, Message: msgCopyFromArchive}
	var src *coldstore.OpError
	if errors.As(err, &src) {
		oe.Detail = src.Detail
	}
	return wire.WithStorageClass(oe, string(from.StorageClass))
}
