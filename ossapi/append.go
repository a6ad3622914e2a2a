package ossapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/coldstore-dev/coldstore"
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
	opts, err := h.putOptions(q, op)
	if err != nil {
		return err
	}
	opts.ForbidOverwrite = false // not an AppendObject header
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
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
