package ossapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/coldstore-dev/coldstore"
)

// putSymlink serves PutSymlink (PUT /key?symlink): x-oss-symlink-target
// names the target, URL-encoded (the SDKs encode it: a '+' reads as a
// space, as the Go SDK v1's url.QueryEscape means it); the link takes the
// request's class, content type, metadata, tags and headers, and
// x-oss-forbid-overwrite. A request without a target is 400
// InvalidArgument (EC 0043-00000001); nothing is changed.
func (h *Handler) putSymlink(q *request) error {
	const op = "PutSymlink"
	raw := q.r.Header.Get("x-oss-symlink-target")
	if raw == "" {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-symlink-target is missing", Err: coldstore.ErrInvalidArgument, EC: "0043-00000001"}
	}
	target, err := url.QueryUnescape(raw)
	if err != nil {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-symlink-target " + raw + " is not URL-encoded", Err: coldstore.ErrInvalidArgument}
	}
	if !xmlChars(q.key) {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "the key holds a character XML 1.0 cannot carry: a listing could not name it", Err: coldstore.ErrInvalidObjectName}
	}
	opts, err := h.putOptions(q, op)
	if err != nil {
		return err
	}
	oi, err := h.db.PutSymlink(q.r.Context(), q.bucket, q.key, target, opts)
	if err != nil {
		return err
	}
	q.header("ETag", etag(oi.ETag))
	q.writeStatus(http.StatusOK)
	return nil
}

// getSymlink serves GetSymlink (GET /key?symlink): the target in
// x-oss-symlink-target, URL-encoded as OSS does (spaces as %20, '/'
// kept), and the link's ETag, Last-Modified and metadata; no body. An
// object that is not a link is 400 NotSymlink.
func (h *Handler) getSymlink(q *request) error {
	target, oi, err := h.db.Symlink(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	q.header("x-oss-symlink-target", escapeTarget(target))
	q.header("ETag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	for k, v := range oi.Metadata {
		q.metaHeader("x-oss-meta-"+strings.ToLower(k), v)
	}
	q.header("Content-Length", "0")
	q.writeStatus(http.StatusOK)
	return nil
}

// escapeTarget URL-encodes a key for x-oss-symlink-target: what both
// url.QueryUnescape (Go SDK v1) and decodeURIComponent (ali-oss) read
// back as the key.
func escapeTarget(key string) string {
	s := url.QueryEscape(key)
	return strings.NewReplacer("+", "%20", "%2F", "/").Replace(s)
}
