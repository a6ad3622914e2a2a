// Package ossapi serves an engine over the OSS REST protocol, so that any
// OSS client (the Alibaba Cloud SDKs, ossutil, other languages' clients)
// can use coldstore as its object store or test double, with real archive
// semantics: 202 then 409 then 200 restores, x-oss-restore headers,
// InvalidObjectState reads, lifecycle documents.
//
// By default any credentials are accepted (a test double); with
// Options.Keys, OSS V4 and V1 signatures are verified, request dates are
// held to 15 minutes of the wall clock and presigned URLs expire
// (auth.go).
//
// Requests address buckets path-style (http://host/bucket/key) or
// virtual-hosted (http://bucket.host/key, when Options.Domain names host).
// Every sub-resource of the OSS API that is not served is refused with 501
// NotImplemented before anything is read or changed (subresources.go).
// Every error is the OSS XML body (Code, Message, RequestId, HostId) with
// the status of the sentinel the engine returned, and every response
// carries x-oss-request-id. A 5xx answer carries the sentinel's fixed
// message only; the full error is logged with the request id.
package ossapi

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
)

// Options configure New. A nil *Options is valid.
type Options struct {
	// Keys maps access key IDs to secrets. Empty: any credentials are
	// accepted. Otherwise every request must carry a valid OSS signature
	// (V4 or V1, in the header or the query string) made within 15 minutes
	// of WallClock, else 403 InvalidAccessKeyId, SignatureDoesNotMatch,
	// RequestTimeTooSkewed or AccessDenied; /-/clock needs one too.
	Keys map[string]string
	// Domain is the endpoint's host name for virtual-hosted addressing:
	// a request to <bucket>.<Domain> addresses the bucket. "": path-style
	// only.
	Domain string
	// Clock is the database's clock. When it is a *clock.Mock it is served
	// at /-/clock: GET tells the time, POST ?advance=4h moves it (never
	// past coldstore.MaxTime). nil: the wall clock, and no /-/clock.
	Clock clock.Clock
	// WallClock judges request dates and presigned URL expiry: the
	// clients' clock, which is the real one even when the database runs on
	// a mock. nil: clock.New(). Tests set a mock.
	WallClock clock.Clock
	// MaxXMLSize bounds request bodies that are XML documents. 0: 1 MiB.
	// A DeleteMultipleObjects body may be larger: up to 8 MiB, enough for
	// 1,000 keys of 1,023 bytes each escaped.
	MaxXMLSize int64
	// Logger receives one line per request, and the full error of every
	// 5xx answer and client failure, with the request id. nil: discard.
	Logger *slog.Logger
}

// ErrShutdown is the cause to cancel requests' contexts with when the
// server shuts down (http.Server.BaseContext built with
// context.WithCancelCause): requests that fail on the cancellation are
// answered 503 ServiceUnavailable rather than taken for client aborts.
var ErrShutdown = &coldstore.Error{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable, Message: "The server is shutting down."}

// Handler is the OSS front of one engine database.
type Handler struct {
	db     *engine.DB
	opts   Options
	prefix uint32 // random per handler: request IDs differ across restarts
	ids    atomic.Uint64

	clockMu sync.Mutex // serialises /-/clock advances
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
	if h.opts.WallClock == nil {
		h.opts.WallClock = clock.New()
	}
	return h
}

// request is one request being served.
type request struct {
	w           http.ResponseWriter
	r           *http.Request
	query       url.Values
	body        *bodyReader
	id          string
	bucket, key string
	status      int
}

func (q *request) header(k, v string) { q.w.Header().Set(k, v) }

func (q *request) writeStatus(code int) {
	q.status = code
	q.w.WriteHeader(code)
}

// bodyReader remembers the first error the request body returned other
// than io.EOF: a client that went away, a cut or malformed (chunked) body,
// a body that stopped arriving. An operation that fails because of it is
// the client's failure, not the server's.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// ServeHTTP authenticates a request (with Options.Keys), routes it to its
// operation and answers it. It answers 400 InvalidArgument for a
// malformed query string; 403 (InvalidAccessKeyId, SignatureDoesNotMatch,
// RequestTimeTooSkewed, AccessDenied) for a request the keys do not
// admit; 501 NotImplemented or 405 MethodNotAllowed for an operation not
// served; the engine's sentinel with its status for a rule the operation
// broke; 400 IncompleteBody or RequestTimeout for a body that broke off or
// stalled; 503 ServiceUnavailable once the database is closed or the
// server shuts down (ErrShutdown); 500 InternalError for anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, id: fmt.Sprintf("%08X%016X", h.prefix, h.ids.Add(1))}
	q.body = &bodyReader{r: r.Body}
	w.Header().Set("x-oss-request-id", q.id)
	w.Header().Set("Server", "coldstore")
	// The server's time as the clients judge it: the SDKs correct their
	// clock from it after a RequestTimeTooSkewed.
	w.Header().Set("Date", h.opts.WallClock.Now().UTC().Format(http.TimeFormat))
	defer func() {
		h.opts.Logger.Info("request", "id", q.id, "method", r.Method, "path", r.URL.Path, "query", redactQuery(r.URL.RawQuery), "status", q.status)
	}()
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		h.fail(q, &coldstore.OpError{Op: "ossapi", Detail: "the query string is malformed", Err: coldstore.ErrInvalidArgument})
		return
	}
	q.query = query
	q.bucket, q.key = h.address(r)
	if err := h.authenticate(q); err != nil {
		h.fail(q, err)
		return
	}
	if r.URL.Path == clockPath {
		h.clock(q)
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

// Errors of the protocol itself, beside the engine's sentinels.
var (
	errNotImplemented  = &coldstore.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: "A header or query you provided implies functionality that is not implemented."}
	errInvalidDigest   = &coldstore.Error{Code: "InvalidDigest", Status: http.StatusBadRequest, Message: "The Content-MD5 you specified is not valid."}
	errInvalidRange    = &coldstore.Error{Code: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable, Message: "The requested range cannot be satisfied."}
	errEntityTooLarge  = &coldstore.Error{Code: "EntityTooLarge", Status: http.StatusBadRequest, Message: "Your proposed upload exceeds the maximum allowed size."}
	errPrecondition    = &coldstore.Error{Code: "PreconditionFailed", Status: http.StatusPreconditionFailed, Message: "At least one of the pre-conditions you specified did not hold."}
	errIncompleteBody  = &coldstore.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body ended early or was malformed."}
	errRequestTimeout  = &coldstore.Error{Code: "RequestTimeout", Status: http.StatusBadRequest, Message: "Your socket connection to the server was not read from or written to within the timeout period."}
	errClientClosed    = &coldstore.Error{Code: "ClientClosedRequest", Status: 499, Message: "The client closed the request before it was answered."}
	errServiceShutdown = ErrShutdown
	// errInternal is the message of any 5xx that wraps no sentinel.
	errInternal = &coldstore.Error{Code: "InternalError", Status: http.StatusInternalServerError, Message: "We encountered an internal error. Please try again."}
)

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
	Detail    string `xml:"Detail,omitempty"` // coldstore's own, on 4xx only: the offending value
}

// classify turns err into the error answered: failures of the client
// (its body broke off or stalled, it went away) become 4xx, and a
// cancellation by the server's shutdown becomes 503.
func (h *Handler) classify(q *request, err error) error {
	var ce *coldstore.Error
	if errors.As(err, &ce) && ce.Status != 0 && ce.Status < 500 {
		return err // a rule the request broke: answered as it is
	}
	if errors.As(err, &ce) && ce.Status >= 500 && !errors.Is(err, context.Canceled) {
		return err // the engine's own 5xx (full disk, corrupt data)
	}
	if errors.Is(err, coldstore.ErrClosed) {
		return errServiceShutdown
	}
	ctx := q.r.Context()
	if cause := context.Cause(ctx); ctx.Err() != nil && errors.As(cause, &ce) {
		return cause // the server's shutdown
	}
	if b := q.body.err; b != nil {
		var ne net.Error
		if errors.Is(b, os.ErrDeadlineExceeded) || errors.As(b, &ne) && ne.Timeout() {
			return errRequestTimeout
		}
		return errIncompleteBody
	}
	if ctx.Err() != nil {
		return errClientClosed
	}
	return err
}

// fail writes err as the OSS XML error body with its status.
func (h *Handler) fail(q *request, err error) {
	answer := h.classify(q, err)
	code, status, msg := coldstore.Code(answer), coldstore.HTTPStatus(answer), errInternal.Message
	var ce *coldstore.Error
	if errors.As(answer, &ce) {
		msg = ce.Message
	}
	if status < 400 || status > 599 && status != errClientClosed.Status {
		code, status, msg = errInternal.Code, errInternal.Status, errInternal.Message
	}
	detail := ""
	switch {
	case status >= 500:
		level := slog.LevelError
		if status == http.StatusNotImplemented || status == http.StatusServiceUnavailable {
			level = slog.LevelInfo
		}
		h.opts.Logger.Log(q.r.Context(), level, "server error", "id", q.id, "status", status, "code", code, "err", err)
	case answer != err:
		h.opts.Logger.Info("client failure", "id", q.id, "status", status, "code", code, "err", err, "body", q.body.err)
	default:
		var oe *coldstore.OpError
		if errors.As(err, &oe) {
			detail = oe.Detail
		}
	}
	h.writeXML(q, status, xmlError{Code: code, Message: msg, RequestID: q.id, HostID: q.r.Host, Detail: detail})
}

func (h *Handler) writeXML(q *request, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		h.opts.Logger.Error("xml", "id", q.id, "err", err)
		status, b = http.StatusInternalServerError, nil
	}
	q.header("Content-Type", "application/xml")
	if q.r.Method == http.MethodHead {
		// No body: OSS sends an error in x-oss-err, base64, where the
		// SDKs read it.
		if _, isErr := v.(xmlError); isErr {
			q.header("x-oss-err", base64.StdEncoding.EncodeToString(append([]byte(xml.Header), b...)))
		}
		q.writeStatus(status)
		return
	}
	q.header("Content-Length", fmt.Sprint(len(xml.Header)+len(b)))
	q.writeStatus(status)
	_, _ = io.WriteString(q.w, xml.Header)
	_, _ = q.w.Write(b)
}

// readXML decodes a request body of at most limit bytes that is an XML
// document into v, answering MalformedXML for anything else. An empty
// body leaves v as it is when optional, and is MalformedXML when not.
func (h *Handler) readXML(q *request, v any, optional bool, limit int64) error {
	body, err := h.readBody(q, limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: "the body is empty", Err: coldstore.ErrMalformedXML}
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Key: q.key, Detail: err.Error(), Err: coldstore.ErrMalformedXML}
	}
	return nil
}

// readBody reads a request body of at most limit bytes, checking its
// Content-MD5 when it has one.
func (h *Handler) readBody(q *request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(q.body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, errEntityTooLarge
	}
	if m := q.r.Header.Get("Content-MD5"); m != "" {
		sum := md5.Sum(body)
		if want, err := base64.StdEncoding.DecodeString(m); err != nil || !bytes.Equal(want, sum[:]) {
			return nil, errInvalidDigest
		}
	}
	return body, nil
}

// redacted are the query parameters that carry credentials: their values
// never reach the log.
var redacted = setOf("signature", "ossaccesskeyid", "x-oss-signature", "x-oss-credential",
	"security-token", "x-oss-security-token", "x-oss-access-key-id")

// redactQuery is raw with the values of credentials replaced.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	// Split on ';' too: Go's parser refuses it, but a log line must not
	// hold what follows it in clear ("x=1;Signature=...").
	var b strings.Builder
	for len(raw) > 0 {
		end := strings.IndexAny(raw, "&;")
		if end < 0 {
			end = len(raw)
		}
		p := raw[:end]
		k, _, hasValue := strings.Cut(p, "=")
		name := k
		if u, err := url.QueryUnescape(k); err == nil {
			name = u
		}
		if redacted[strings.ToLower(strings.TrimSpace(name))] && hasValue {
			p = k + "=REDACTED"
		}
		b.WriteString(p)
		if end < len(raw) {
			b.WriteByte(raw[end])
			end++
		}
		raw = raw[end:]
	}
	return b.String()
}

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
