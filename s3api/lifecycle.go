package s3api

import (
	"net/http"

	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/wire"
)

// minSizeHeader carries a configuration's TransitionDefaultMinimumObjectSize,
// on the request that puts it and the answers that tell it.
const minSizeHeader = "x-amz-transition-default-minimum-object-size"

// putLifecycle serves PutBucketLifecycleConfiguration: S3's document
// (lifecycle.ParseS3XML: malformed ones are MalformedXML, invalid rules
// InvalidArgument or InvalidRequest in S3's words), with the small-object
// rule of x-amz-transition-default-minimum-object-size. The body needs a
// Content-MD5 or a checksum header, as S3 requires, and is checked
// against it.
func (h *Handler) putLifecycle(q *request) error {
	const op = "PutBucketLifecycleConfiguration"
	min, err := lifecycle.ParseMinimumObjectSize(q.r.Header.Get(minSizeHeader))
	if err != nil {
		return err
	}
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	if err := body.required(q, op); err != nil {
		return err
	}
	doc, err := wire.ReadBody(body, h.opts.MaxXMLSize)
	if err != nil {
		return err
	}
	cfg, err := lifecycle.ParseS3XML(h.db.Catalog(), doc)
	if err != nil {
		return err
	}
	cfg.TransitionDefaultMinimumObjectSize = min
	if err := h.db.PutBucketLifecycle(q.r.Context(), q.bucket, cfg); err != nil {
		return err
	}
	q.header(minSizeHeader, string(min))
	q.writeStatus(http.StatusOK)
	return nil
}

// getLifecycle serves GetBucketLifecycleConfiguration: the document as S3
// writes it, 404 NoSuchLifecycleConfiguration without one.
func (h *Handler) getLifecycle(q *request) error {
	cfg, err := h.db.GetBucketLifecycle(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	doc, err := cfg.S3XML()
	if err != nil {
		return err
	}
	min := cfg.TransitionDefaultMinimumObjectSize
	if min == "" {
		min = lifecycle.AllStorageClasses128K
	}
	q.header(minSizeHeader, string(min))
	q.header("Content-Type", "application/xml")
	q.writeStatus(http.StatusOK)
	_, _ = q.w.Write(doc)
	return nil
}

// deleteLifecycle serves DeleteBucketLifecycle: 204.
func (h *Handler) deleteLifecycle(q *request) error {
	if err := h.db.DeleteBucketLifecycle(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.writeStatus(http.StatusNoContent)
	return nil
}
