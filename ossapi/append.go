package ossapi

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
)

// appendObject serves AppendObject (POST /key?append&position=N): the body
// is appended at N, which must be the object's length (0 creates an
// appendable object with the request's class, content type, metadata,
// tags and headers; later appends ignore them). It answers 200 with
// x-oss-next-append-position (the new length), x-oss-hash-crc64ecma of the
// whole object and its ETag; 409 PositionNotEqualToLength with
// x-oss-next-append-position set to the current length; 409
// ObjectNotAppendable for an object no append created; 400
// InvalidArgument for a position that is not a number from 0, as OSS.
func (h *Handler) appendObject(q *request) error {
	const op = "AppendObject"
	position, err := strconv.ParseInt(q.query.Get("position"), 10, 64)
	if err != nil || position < 0 {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "position " + strconv.Quote(q.query.Get("position")) + " is not a number from 0", Err: coldstore.ErrInvalidArgument}
	}
	if !xmlChars(q.key) {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "the key holds a character XML 1.0 cannot carry: a listing could not name it", Err: coldstore.ErrInvalidObjectName}
	}
	opts := &engine.PutOptions{}
	if opts.ContentType, opts.Metadata, opts.Tags, err = requestMeta(q, op); err != nil {
		return err
	}
	opts.Headers = requestHeaders(q)
	if c := q.r.Header.Get("x-oss-storage-class"); c != "" {
		if opts.StorageClass, err = h.db.Catalog().ParseClass(c); err != nil {
			return err
		}
	}
	body := &checkedBody{r: q.body, md5: md5.New()}
	if m := q.r.Header.Get("Content-MD5"); m != "" {
		want, err := base64.StdEncoding.DecodeString(m)
		if err != nil || len(want) != md5.Size {
			return errInvalidDigest
		}
		body.wantMD5 = want
	}
	if s := q.r.Header.Get("x-oss-content-sha256"); s != "" && s != "UNSIGNED-PAYLOAD" {
		want, err := hex.DecodeString(s)
		if err != nil || len(want) != sha256.Size {
			return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-oss-content-sha256 is neither UNSIGNED-PAYLOAD nor a hex SHA-256", Err: coldstore.ErrInvalidArgument}
		}
		body.wantSHA256, body.sha256 = want, sha256.New()
	}
	oi, err := h.db.Append(q.r.Context(), q.bucket, q.key, position, body, opts)
	if errors.Is(err, coldstore.ErrPositionNotEqualToLength) {
		q.header("x-oss-next-append-position", strconv.FormatInt(oi.Size, 10))
	}
	if err != nil {
		return err
	}
	q.header("ETag", etag(oi.ETag))
	q.header("x-oss-next-append-position", strconv.FormatInt(oi.Size, 10))
	crcHeader(q, oi)
	q.writeStatus(http.StatusOK)
	return nil
}

// appendWithoutPosition answers an AppendObject that names no position:
// 400 InvalidArgument, as OSS (EC 0016-00000501).
func (h *Handler) appendWithoutPosition(q *request) error {
	return &coldstore.OpError{Op: "AppendObject", Bucket: q.bucket, Key: q.key, Detail: "the position parameter is missing", Err: coldstore.ErrInvalidArgument, EC: "0016-00000501"}
}
