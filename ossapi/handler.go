// Package ossapi serves an engine over the OSS REST protocol, so that any
// OSS client (the Alibaba Cloud SDKs, ossutil, other languages' clients)
// can use coldstore as its object store or test double, with real archive
// semantics: 202 then 409 then 200 restores, x-oss-restore headers,
// InvalidObjectState reads, lifecycle documents.
//
// By default any credentials are accepted (a test double); with
// Options.Keys, OSS V4 and V1 signatures are verified, request dates are
// held to 15 minutes of the wall clock and presigned URLs expire
// (auth.go), and an unsigned request is served only where the bucket and
// object ACLs let anyone make it (acl.go).
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
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/wire"
)

// Options configure New. A nil *Options is valid.
type Options struct {
	// Keys maps access key IDs to secrets. Empty: any credentials are
	// accepted. Otherwise every request must carry a valid OSS signature
	// (V4 or V1, in the header or the query string) made within 15 minutes
	// of WallClock, else 403 InvalidAccessKeyId, SignatureDoesNotMatch,
	// RequestTimeTooSkewed or AccessDenied; /-/clock needs one too. Only
	// a request with no signature at all may go without, where the ACLs
	// let anyone make it (acl.go).
	Keys map[string]string
	// Domain is the endpoint's host name for virtual-hosted addressing:
	// a request to <bucket>.<Domain> addresses the bucket. "": path-style
	// only.
	Domain string
	// Clock is the database's clock. When it is a mock (wire.Settable) it is served
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
// answered 503 ServiceUnavailable rather than taken for client aborts. It
// is wire.ErrShutdown, which every front answers alike.
var ErrShutdown = wire.ErrShutdown

// protocol names OSS's headers around the exchange: x-oss-request-id on
// every answer, and x-oss-err carrying the error of an answer to HEAD.
var protocol = wire.Protocol{RequestIDHeader: "x-oss-request-id", ErrorHeader: "x-oss-err", ECHeader: "x-oss-ec"}

// Handler is the OSS front of one engine database.
type Handler struct {
	db    *engine.DB
	opts  Options
	front *wire.Front

	signingKeys wire.SigningKeys        // derived V4 signing keys (auth.go)
	auth        wire.Verifier[*request] // auth.go
	control     wire.Control            // /-/clock (opts.Clock) and /-/events
}

// New returns a handler serving db. opts may be nil and is copied.
func New(db *engine.DB, opts *Options) *Handler {
	h := &Handler{db: db}
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
	h.front = wire.NewFront(protocol, h.opts.Logger)
	h.auth = h.verifier()
	h.control.Clock.Clock = h.opts.Clock
	h.control.Clock.Due = db.RunDue
	h.control.Events = wire.EventStream{DB: db, Source: "acs:oss", Region: region}
	return h
}

// EndStreams ends the event streams being served at /-/events, and any
// asked later: a server calls it as it begins to shut down, so that the
// streams, which last until their clients go, do not hold the shutdown.
func (h *Handler) EndStreams() { h.control.Events.Close() }

// request is one request being served.
type request struct {
	w           http.ResponseWriter
	r           *http.Request
	query       url.Values
	body        *wire.BodyReader
	id          string
	bucket, key string
	status      int
	hs          wire.HeaderSetter // the answer's header values
}

func (q *request) header(k, v string) { q.hs.Set(q.w.Header(), k, v) }

// metaHeader sets the user metadata header k, in lower case as the service
// sends it (wire.HeaderSetter.SetAsIs).
func (q *request) metaHeader(k, v string) { q.hs.SetAsIs(q.w.Header(), k, v) }

func (q *request) writeStatus(code int) {
	q.status = code
	q.w.WriteHeader(code)
}

// ServeHTTP authenticates a request (with Options.Keys), routes it to its
// operation and answers it. It answers 400 InvalidArgument for a
// malformed query string; 403 (InvalidAccessKeyId, SignatureDoesNotMatch,
// RequestTimeTooSkewed, AccessDenied) for a request the keys do not
// admit, an unsigned one the ACLs do not admit either; 501 NotImplemented or 405 MethodNotAllowed for an operation not
// served; the engine's sentinel with its status for a rule the operation
// broke; 400 IncompleteBody or RequestTimeout for a body that broke off or
// stalled; 503 ServiceUnavailable once the database is closed or the
// server shuts down (ErrShutdown); 500 InternalError for anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, id: h.front.Begin(w, h.opts.WallClock.Now())}
	q.body = &wire.BodyReader{R: r.Body}
	defer func() {
		h.front.LogRequest(r.Context(), h.opts.WallClock.Now(), q.id, r.Method, r.URL.Path, redactQuery(r.URL.RawQuery), q.status)
	}()
	query, err := wire.ParseQuery("ossapi", r.URL.RawQuery)
	if err != nil {
		h.fail(q, err)
		return
	}
	q.query = query
	q.bucket, q.key = h.address(r)
	if wire.FormUpload(r, wire.LevelOf(q.bucket, q.key), query, subResources) {
		h.fail(q, &coldstore.OpError{Op: "ossapi", Bucket: q.bucket, Detail: "PostObject (a form upload, signed in its form) is not implemented", Err: wire.ErrNotImplemented})
		return
	}
	if err := h.admitAnonymous(q, h.auth.Authenticate(q, r, query)); err != nil {
		h.fail(q, err)
		return
	}
	if ok, status, err := h.control.Serve(w, r, query); ok {
		if err != nil {
			h.fail(q, err)
			return
		}
		q.status = status
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

// errInvalidDigest is OSS's answer to a Content-MD5 that is malformed or
// does not match the body (S3 tells the two apart).
var errInvalidDigest = &coldstore.Error{Code: "InvalidDigest", Status: http.StatusBadRequest, Message: "The Content-MD5 you specified is not valid."}

// The two refusals of a Content-MD5, with the ECs OSS documents for them
// (https://www.alibabacloud.com/help/en/oss/support/0017-00000502 and
// 0017-00000503): not base64 of 16 bytes, and not the body's.
var (
	errDigestMalformed = &coldstore.OpError{Op: "ossapi", Detail: "Content-MD5 is not base64 of an MD5", Err: errInvalidDigest, EC: "0017-00000502"}
	errDigestMismatch  = &coldstore.OpError{Op: "ossapi", Detail: "Content-MD5 is not the body's", Err: errInvalidDigest, EC: "0017-00000503"}
)

// fail answers err as the OSS XML error body with its status (see
// wire.Front.Fail: a failure of the client's is a 4xx, a 5xx says no more
// than its sentinel's message), with OSS's EC for it (withEC, ec.go).
func (h *Handler) fail(q *request, err error) {
	q.status = h.front.Fail(q.w, q.r, q.id, withEC(err), q.body.Err)
}

func (h *Handler) writeXML(q *request, status int, v any) {
	q.status = h.front.WriteXML(q.w, q.r, q.id, status, v)
}

// readXML decodes a request body of at most limit bytes that is an XML
// document into v, answering MalformedXML for anything else. An empty
// body leaves v as it is when optional, and is MalformedXML when not.
func (h *Handler) readXML(q *request, v any, optional bool, limit int64) error {
	body, err := h.readBody(q, limit)
	if err != nil {
		return err
	}
	return wire.DecodeXML(body, v, optional)
}

// readBody reads a request body of at most limit bytes, checked against
// its Content-MD5 and a hex x-oss-content-sha256 (checkedRequestBody) as
// every body is: one changed on the way is refused before it is used.
func (h *Handler) readBody(q *request, limit int64) ([]byte, error) {
	body, err := checkedRequestBody(q, "ossapi")
	if err != nil {
		return nil, err
	}
	return wire.ReadBody(body, limit)
}

// redacted are the query parameters that carry credentials: their values
// never reach the log.
var redacted = setOf("signature", "ossaccesskeyid", "x-oss-signature", "x-oss-credential",
	"security-token", "x-oss-security-token", "x-oss-access-key-id")

// redactQuery is raw with the values of credentials replaced.
func redactQuery(raw string) string { return wire.RedactQuery(raw, redacted) }

// copySource is the bucket and key that x-oss-copy-source names:
// /bucket/key, the key URL-encoded, with a '+' read as a space, as the Go
// SDK v1 (and so ossutil) encodes it with url.QueryEscape; ali-oss and the
// Go SDK v2 send a '+' as %2B and a space as %20, which read the same. A
// value that is not a valid encoding ("100%") is taken as it is.
func copySource(header string) (bucket, key string) {
	s := strings.TrimPrefix(header, "/")
	if u, err := url.QueryUnescape(s); err == nil {
		s = u
	}
	bucket, key, _ = strings.Cut(s, "/")
	return bucket, key
}
