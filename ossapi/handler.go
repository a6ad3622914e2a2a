// Package ossapi serves an engine over the OSS REST protocol, so that any
// OSS client (the Alibaba Cloud SDKs, ossutil, other languages' clients)
// can use coldstore as its object store or test double, with real archive
// semantics: 202 then 409 then 200 restores, x-oss-restore headers,
// InvalidObjectState reads, lifecycle documents.
//
// By default any credentials are accepted (a test double); with
// Options.Keys, OSS V4 and V1 signatures are verified (auth.go).
//
// Requests address buckets path-style (http://host/bucket/key) or
// virtual-hosted (http://bucket.host/key, when Options.Domain names host).
// Every error is the OSS XML body (Code, Message, RequestId, HostId) with
// the status of the sentinel the engine returned, and every response
// carries x-oss-request-id.
package ossapi

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
)

// Options configure New. A nil *Options is valid.
type Options struct {
	// Keys maps access key IDs to secrets. Empty: any credentials are
	// accepted. Otherwise every request must carry a valid OSS signature
	// (V4, or V1 in the header or the query string), else 403
	// InvalidAccessKeyId, SignatureDoesNotMatch or AccessDenied.
	Keys map[string]string
	// Domain is the endpoint's host name for virtual-hosted addressing:
	// a request to <bucket>.<Domain> addresses the bucket. "": path-style
	// only.
	Domain string
	// Clock is the database's clock: it decides when presigned URLs
	// expire. nil: the wall clock. When it is a *clock.Mock it is served at
	// /-/clock: GET tells the time, POST ?advance=4h moves it.
	Clock clock.Clock
	// MaxXMLSize bounds request bodies that are XML documents. 0: 1 MiB.
	MaxXMLSize int64
	// Logger receives one line per request. nil: discard.
	Logger *slog.Logger
}

// Handler is the OSS front of one engine database.
type Handler struct {
	db     *engine.DB
	opts   Options
	prefix uint32 // random per handler: request IDs differ across restarts
	ids    atomic.Uint64
}

// New returns a handler serving db. opts may be nil and is copied.
func New(db *engine.DB, opts *Options) *Handler {
	var p [4]byte
	_, _ = rand.Read(p[:])
	h := &Handler{db: db, prefix: binary.BigEndian.Uint32(p[:])}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.MaxXMLSize <= 0 {
		h.opts.MaxXMLSize = 1 << 20
	}
	if h.opts.Logger == nil {
		h.opts.Logger = slog.New(slog.DiscardHandler)
	}
	if h.opts.Clock == nil {
		h.opts.Clock = clock.New()
	}
	return h
}

func (h *Handler) now() time.Time { return h.opts.Clock.Now() }

// request is one request being served.
type request struct {
	w           http.ResponseWriter
	r           *http.Request
	id          string
	bucket, key string
	status      int
}

func (q *request) header(k, v string) { q.w.Header().Set(k, v) }

func (q *request) writeStatus(code int) {
	q.status = code
	q.w.WriteHeader(code)
}

// ServeHTTP routes a request to its operation.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, id: fmt.Sprintf("%08X%016X", h.prefix, h.ids.Add(1))}
	w.Header().Set("x-oss-request-id", q.id)
	w.Header().Set("Server", "coldstore")
	defer func() {
		h.opts.Logger.Info("request", "id", q.id, "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery, "status", q.status)
	}()
	if strings.HasPrefix(r.URL.Path, "/-/clock") {
		h.clock(q)
		return
	}
	q.bucket, q.key = h.address(r)
	if err := h.authenticate(q); err != nil {
		h.fail(q, err)
		return
	}
	if err := h.route(q); err != nil {
		h.fail(q, err)
	}
}

// address splits a request into bucket and key.
func (h *Handler) address(r *http.Request) (bucket, key string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	if d := h.opts.Domain; d != "" && strings.HasSuffix(host, "."+d) {
		return strings.TrimSuffix(host, "."+d), path
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

func (h *Handler) route(q *request) error {
	query := q.r.URL.Query()
	has := func(k string) bool { _, ok := query[k]; return ok }
	switch {
	case q.bucket == "":
		if q.r.Method == http.MethodGet {
			return h.listBuckets(q)
		}
	case q.key == "":
		switch {
		case has("lifecycle"):
			switch q.r.Method {
			case http.MethodPut:
				return h.putLifecycle(q)
			case http.MethodGet:
				return h.getLifecycle(q)
			case http.MethodDelete:
				return h.deleteLifecycle(q)
			}
		case has("delete") && q.r.Method == http.MethodPost:
			return h.deleteMultiple(q)
		case q.r.Method == http.MethodPut:
			return h.putBucket(q)
		case q.r.Method == http.MethodDelete:
			return h.deleteBucket(q)
		case q.r.Method == http.MethodGet:
			return h.listObjects(q, query)
		}
	default:
		switch {
		case has("restore") && q.r.Method == http.MethodPost:
			return h.restore(q)
		case has("cleanRestoredObject") && q.r.Method == http.MethodPost:
			return h.cleanRestored(q)
		case q.r.Method == http.MethodPut && q.r.Header.Get("x-oss-copy-source") != "":
			return h.copyObject(q)
		case q.r.Method == http.MethodPut:
			return h.putObject(q)
		case q.r.Method == http.MethodGet:
			return h.getObject(q, false)
		case q.r.Method == http.MethodHead:
			return h.getObject(q, true)
		case q.r.Method == http.MethodDelete:
			return h.deleteObject(q)
		}
	}
	return errNotImplemented
}

// Errors of the protocol itself, beside the engine's sentinels.
var (
	errNotImplemented     = &coldstore.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: "A header or query you provided implies functionality that is not implemented."}
	errInvalidDigest      = &coldstore.Error{Code: "InvalidDigest", Status: http.StatusBadRequest, Message: "The Content-MD5 you specified is not valid."}
	errInvalidRange       = &coldstore.Error{Code: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable, Message: "The requested range cannot be satisfied."}
	errEntityTooLarge     = &coldstore.Error{Code: "EntityTooLarge", Status: http.StatusBadRequest, Message: "Your proposed upload exceeds the maximum allowed size."}
	errServiceUnavailable = &coldstore.Error{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable, Message: "The server is shutting down."}
)

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
	Detail    string `xml:"Detail,omitempty"` // coldstore's own: the offending value
}

// fail writes err as the OSS XML error body with its status.
func (h *Handler) fail(q *request, err error) {
	code, status, msg := coldstore.Code(err), coldstore.HTTPStatus(err), err.Error()
	var e *coldstore.Error
	if errors.As(err, &e) {
		msg = e.Message
	}
	switch {
	case errors.Is(err, coldstore.ErrClosed):
		code, status, msg = errServiceUnavailable.Code, errServiceUnavailable.Status, errServiceUnavailable.Message
	case status == http.StatusInternalServerError:
		h.opts.Logger.Error("internal error", "id", q.id, "err", err)
	}
	var oe *coldstore.OpError
	detail := ""
	if errors.As(err, &oe) {
		detail = oe.Detail
	}
	h.writeXML(q, status, xmlError{Code: code, Message: msg, RequestID: q.id, HostID: q.r.Host, Detail: detail})
}

func (h *Handler) writeXML(q *request, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, nil
	}
	q.header("Content-Type", "application/xml")
	q.writeStatus(status)
	_, _ = io.WriteString(q.w, xml.Header)
	_, _ = q.w.Write(b)
}

// readXML decodes a bounded XML request body into v, answering
// MalformedXML for anything else. An empty body leaves v as it is when
// optional, and is MalformedXML when not.
func (h *Handler) readXML(q *request, v any, optional bool) error {
	body, err := io.ReadAll(io.LimitReader(q.r.Body, h.opts.MaxXMLSize+1))
	if err != nil {
		return err
	}
	if int64(len(body)) > h.opts.MaxXMLSize {
		return errEntityTooLarge
	}
	if len(bytes.TrimSpace(body)) == 0 && optional {
		return nil
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: err.Error(), Err: coldstore.ErrMalformedXML}
	}
	return nil
}

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
