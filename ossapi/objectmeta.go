package ossapi

import (
	"net/http"
	"strconv"
)

// getObjectMeta serves GetObjectMeta (HEAD ?objectMeta): the object's
// ETag, size, Last-Modified and CRC-64, without its metadata or body. It
// answers for archived objects too: it reads no content. ossutil calls it
// before every cp.
func (h *Handler) getObjectMeta(q *request) error {
	oi, err := h.db.Head(q.r.Context(), q.bucket, q.key)
	if err != nil {
		return err
	}
	q.header("ETag", etag(oi.ETag))
	q.header("Last-Modified", oi.LastModified.UTC().Format(httpTime))
	q.header("Content-Length", strconv.FormatInt(oi.Size, 10))
	crcHeader(q, oi)
	q.writeStatus(http.StatusOK)
	return nil
}
