package wire

import (
	"context"
	"log/slog"
	"net/http"
	"net/textproto"
	"sync/atomic"
	"time"
)

// Protocol names the headers in which the protocols differ around the
// exchange the fronts share.
type Protocol struct {
	// RequestIDHeader carries the request id on every answer:
	// x-oss-request-id, x-amz-request-id.
	RequestIDHeader string
	// ErrorHeader carries an error's XML document, base64, on an answer to
	// HEAD, which has no body: x-oss-err (where the OSS SDKs read it). "":
	// none, the status alone tells (S3).
	ErrorHeader string
	// ECHeader carries an error's EC (coldstore.OpError.EC), which the
	// document carries too: x-oss-ec. "": the protocol has none (S3), and
	// the document leaves it out.
	ECHeader string
}

// Front writes the answers of one HTTP front: it draws the request ids,
// writes the protocol's headers and logs what the answers leave out. It is
// safe for concurrent use.
type Front struct {
	proto    Protocol
	idHeader string // proto.RequestIDHeader as net/http keys it
	log      *slog.Logger
	ids      *requestIDs
	date     atomic.Pointer[dateHeader] // the last Date written
}

// dateHeader is a Date header's value and the second it names.
type dateHeader struct {
	unix  int64
	value []string // shared by the answers of that second; never written
}

// serverValue is every answer's Server header: one slice, never written
// (net/http reads a header's values and copies them when it clones it).
var serverValue = []string{"coldstore"}

// NewFront returns the Front of a protocol, logging to log (nil: discard).
func NewFront(p Protocol, log *slog.Logger) *Front {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Front{proto: p, idHeader: textproto.CanonicalMIMEHeaderKey(p.RequestIDHeader), log: log, ids: newRequestIDs()}
}

// Begin starts the answer to a request: the request id header, Server:
// coldstore, and Date at now, the wall clock's time (the SDKs correct
// their clock from it after a RequestTimeTooSkewed). It returns the
// request id: 24 upper-case hex digits, distinct from every other this
// Front hands out; the first 8 are drawn at random per Front, so that ids
// differ across restarts.
func (f *Front) Begin(w http.ResponseWriter, now time.Time) string {
	id := f.ids.next()
	h := w.Header()
	h[f.idHeader] = []string{id}
	h["Server"] = serverValue
	d := f.date.Load()
	if d == nil || d.unix != now.Unix() {
		// Formatted once a second, not once a request.
		d = &dateHeader{unix: now.Unix(), value: []string{now.UTC().Format(http.TimeFormat)}}
		f.date.Store(d)
	}
	h["Date"] = d.value
	return id
}

// LogRequest writes a request's access line: "request" at Info, with its
// id, method, path, query (redacted by the caller) and status, stamped at
// now, the wall clock's time as the answer's Date is. It hands the
// logger's handler the record itself, as Logger.LogAttrs does but without
// walking the stack for the caller's program counter on every request (a
// line's source would name the front's defer, which says nothing).
func (f *Front) LogRequest(ctx context.Context, now time.Time, id, method, path, query string, status int) {
	h := f.log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(now, slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("id", id), slog.String("method", method), slog.String("path", path), slog.String("query", query), slog.Int("status", status))
	_ = h.Handle(ctx, r) // as Logger.LogAttrs: the handler's error has nowhere to go
}
