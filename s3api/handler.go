// Package s3api serves an engine of the S3 dialect (dialect.S3) over the
// Amazon S3 REST protocol, so that any S3 client (the AWS SDKs, the aws
// command-line client, boto3, minio-go, rclone, s3cmd) can use coldstore as
// its object store or test double with Glacier's rules: GET of a GLACIER
// or DEEP_ARCHIVE object refused with 403 InvalidObjectState until a
// restore completes, RestoreObject answering 202, then 409, then 200,
// x-amz-restore with the midnight expiry, RestoreStatus in listings when
// asked for.
//
// By default any credentials are accepted (a test double); with
// Options.Keys, AWS Signature Version 4 is verified, in the Authorization
// header or a presigned URL, with request dates held to 15 minutes of the
// wall clock (auth.go).
//
// Requests address buckets path-style (http://host/bucket/key) or
// virtual-hosted (http://bucket.host/key, when Options.Domain names host).
// Every sub-resource of the S3 API that is not served is refused with 501
// NotImplemented before anything is read or changed (routes.go). Every
// error is S3's XML document (Code, Message, RequestId, HostId; the
// StorageClass of an InvalidObjectState) with its status, in S3's words
// (errors.go), and every answer carries x-amz-request-id; an answer to
// HEAD carries the status alone, as S3's does.
package s3api

import (
	"io"
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
	// Keys maps access key IDs to secrets. Empty: any credentials, or
	// none, are accepted. Otherwise every request must carry a valid
	// Signature Version 4 (header or presigned) made within 15 minutes of
	// WallClock, else 403 InvalidAccessKeyId, SignatureDoesNotMatch,
	// RequestTimeTooSkewed or AccessDenied; /-/clock needs one too.
	Keys map[string]string
	// Domain is the endpoint's host name for virtual-hosted addressing: a
	// request to <bucket>.<Domain> addresses the bucket. "": path-style
	// only.
	Domain string
	// Region is the region the server names (GetBucketLocation, the
	// x-amz-bucket-region header). "": us-east-1.
	Region string
	// Clock is the database's clock. When it is a mock (wire.Settable) it is served
	// at /-/clock: GET tells the time, POST ?advance=4h moves it. nil: the
	// wall clock, and no /-/clock.
	Clock clock.Clock
	// WallClock judges request dates and presigned URL expiry: the
	// clients' clock, the real one even when the database runs on a mock.
	// nil: clock.New().
	WallClock clock.Clock
	// MaxXMLSize bounds request bodies that are XML documents. 0: 1 MiB;
	// a DeleteObjects body may be up to 8 MiB.
	MaxXMLSize int64
	// Logger receives one line per request, and the full error of every
	// 5xx answer and client failure, with the request id. nil: discard.
	Logger *slog.Logger
}

// protocol names S3's headers around the exchange: x-amz-request-id on
// every answer; no error document on HEAD and no EC.
var protocol = wire.Protocol{RequestIDHeader: "x-amz-request-id"}

// Handler is the S3 front of one engine database.
type Handler struct {
	db    *engine.DB
	opts  Options
	front *wire.Front

	signingKeys wire.SigningKeys        // derived V4 signing keys (auth.go)
	auth        wire.Verifier[*request] // auth.go
	control     wire.Control            // /-/clock (opts.Clock) and /-/events
}

// New returns a handler serving db, which should be of the S3 dialect
// (engine.Options.Dialect = dialect.S3()): it names classes and answers
// refusals as its dialect does. opts may be nil and is copied.
func New(db *engine.DB, opts *Options) *Handler {
	h := &Handler{db: db}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.MaxXMLSize <= 0 {
		h.opts.MaxXMLSize = 1 << 20
	}
	if h.opts.Region == "" {
		h.opts.Region = "us-east-1"
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
	h.control.Events = wire.EventStream{DB: db, Source: "aws:s3", Region: h.opts.Region}
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
	sig         *signer           // set by a verified header signature, for aws-chunked bodies
	hs          wire.HeaderSetter // the answer's header values
	// objectChecksum: the x-amz-checksum-* header names the object's
	// checksum, not the body's (CompleteMultipartUpload's).
	objectChecksum bool
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
// operation and answers it. It answers 400 InvalidArgument for a malformed
// query string; 403 for a request the keys do not admit; 501
// NotImplemented or 405 MethodNotAllowed for an operation not served; the
// engine's refusal with its status, in S3's words; 400 IncompleteBody or
// RequestTimeout for a body that broke off or stalled; 503 once the
// database is closed or the server shuts down (wire.ErrShutdown); 500
// InternalError for anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, id: h.front.Begin(w, h.opts.WallClock.Now())}
	q.body = &wire.BodyReader{R: r.Body}
	w.Header()["X-Amz-Id-2"] = w.Header()["X-Amz-Request-Id"] // Begin's slice, read only
	defer func() {
		h.front.LogRequest(r.Context(), h.opts.WallClock.Now(), q.id, r.Method, r.URL.Path, wire.RedactQuery(r.URL.RawQuery, redacted), q.status)
	}()
	query, err := wire.ParseQuery("s3api", r.URL.RawQuery)
	if err != nil {
		h.fail(q, err)
		return
	}
	q.query = query
	q.bucket, q.key = h.address(r)
	if wire.FormUpload(r, wire.LevelOf(q.bucket, q.key), query, subResources) {
		h.fail(q, &coldstore.OpError{Op: "s3api", Bucket: q.bucket, Detail: "PostObject (a form upload, signed in its form) is not implemented", Err: wire.ErrNotImplemented})
		return
	}
	if err := h.auth.Authenticate(q, r, query); err != nil {
		h.fail(q, err)
		return
	}
	hoistedHeaders(r, query)
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

// redacted are the query parameters that carry credentials: their values
// never reach the log.
var redacted = map[string]bool{"x-amz-signature": true, "x-amz-credential": true, "x-amz-security-token": true}

// address splits a request into bucket and key.
func (h *Handler) address(r *http.Request) (bucket, key string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	host := strings.ToLower(r.Host) // host names are case-insensitive
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	if d := strings.ToLower(h.opts.Domain); d != "" && strings.HasSuffix(host, "."+d) {
		return strings.TrimSuffix(host, "."+d), path
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// fail answers err as S3's XML error document, in S3's words (errors.go).
func (h *Handler) fail(q *request, err error) {
	q.status = h.front.Fail(q.w, q.r, q.id, inS3Words(err), q.body.Err)
}

func (h *Handler) writeXML(q *request, status int, v any) {
	q.status = h.front.WriteXML(q.w, q.r, q.id, status, v)
}

// readXML decodes a request body of at most limit bytes that is an XML
// document into v, answering MalformedXML for anything else; an empty body
// leaves v as it is when optional. The body is checked against what the
// request claims of it (checkedRequestBody: Content-MD5, the signed
// x-amz-content-sha256, an x-amz-checksum-*) before v is used: a body
// changed on the way is refused (BadDigest, XAmzContentSHA256Mismatch)
// and nothing is changed.
func (h *Handler) readXML(q *request, op string, v any, optional bool, limit int64) error {
	body, err := checkedRequestBody(q, op)
	if err != nil {
		return err
	}
	return readXMLFrom(body, v, optional, limit)
}

// readXMLFrom is readXML of the body as r reads it (a checkedBody).
func readXMLFrom(r io.Reader, v any, optional bool, limit int64) error {
	body, err := wire.ReadBody(r, limit)
	if err != nil {
		return err
	}
	return wire.DecodeXML(body, v, optional)
}
