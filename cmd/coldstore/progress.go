package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// progress bounds how long a request may stall: each read of its body
// and each write of its answer must make progress within timeout, else
// the connection's deadline passes and the read or write fails (the body
// read fails as a timeout: ossapi answers 400 RequestTimeout and stores
// nothing). The deadline moves forward before every read and write, so a
// slow client that keeps sending or reading is never cut. It also counts
// the requests in flight, for the shutdown to wait on.
//
// An answer's last bytes go out under a deadline too. Over HTTP/1 they go
// out after ServeHTTP returns: net/http writes what is buffered, the
// status line and headers of an answer without a body included, in one
// write, and gives a short answer its Content-Length (an empty one
// "Content-Length: 0", as S3 and OSS send, rather than an empty chunked
// body ended in a write of its own), then takes the deadline off, so that
// none of ours is left on its own writes (a 100 Continue, a 400 for a
// malformed next request). Over HTTP/2 a stream's deadline ends with the
// stream: ServeHTTP flushes under it. Once an answer is out, answered (if
// not nil) runs on the connection's goroutine: serve writes the access
// lines there (logWriter.WriteOut).
type progress struct {
	h        http.Handler
	timeout  time.Duration
	now      func() time.Time
	answered func()
	active   sync.WaitGroup
}

func (p *progress) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.active.Add(1)
	defer p.active.Done()
	rc := http.NewResponseController(w)
	if body := r.Body; body != nil && body != http.NoBody {
		r.Body = &progressBody{ReadCloser: body, rc: rc, p: p}
		defer func() { r.Body = body }() // the server's own, for what it does after
	}
	pc := paceOf(r.Context())
	pw := &progressWriter{ResponseWriter: w, rc: rc, p: p, piece: int(pc.piece.Load())}
	defer func() {
		pc.piece.Store(int64(pw.piece))
		_ = rc.SetWriteDeadline(p.now().Add(p.timeout))
		if r.ProtoMajor < 2 {
			return // net/http writes the rest; then connState
		}
		_ = rc.Flush()
		if p.answered != nil {
			p.answered()
		}
	}()
	p.h.ServeHTTP(pw, r)
}

// connState is the server's ConnState hook (beside the connection cap's):
// an HTTP/1 connection that turns idle or closes has its answer out, to
// the last byte, and answered runs.
func (p *progress) connState(_ net.Conn, s http.ConnState) {
	switch s {
	case http.StateIdle, http.StateClosed, http.StateHijacked:
		if p.answered != nil {
			p.answered()
		}
	}
}

type progressBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	p    *progress
	done bool
}

func (b *progressBody) Read(buf []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(buf)
	}
	_ = b.rc.SetReadDeadline(b.p.now().Add(b.p.timeout))
	n, err := b.ReadCloser.Read(buf)
	if err != nil {
		b.done = true
		if err == io.EOF {
			// The body is over: no deadline of ours on the connection
			// while the server waits for the next request.
			_ = b.rc.SetReadDeadline(time.Time{})
		}
		// Else the body failed (a timeout, a reset): the deadline stays,
		// so that the server, which would read the rest of the body to
		// keep the connection, fails at once and closes it instead.
	}
	return n, err
}

type progressWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	p     *progress
	piece int // the most the next write puts under one deadline; 0: minPiece
}

// pace is the piece a connection's answers have earned, carried from one
// answer to the next on the same connection (net/http's ConnContext,
// withPace): a client that read the last answer fast gets the next in
// pieces as large from its first write, rather than from 32 KiB again. A
// GET of 1 MiB then goes out in two writes, its first 32 KiB and the rest,
// not six; that took 30% less of the server's CPU (bench/README.md). The
// rule that bounds a slow client is the same: a piece doubles only after
// one read in under an eighth of the timeout, on this answer or the last.
type pace struct{ piece atomic.Int64 }

type paceKey struct{}

// withPace is the http.Server's ConnContext: a pace for each connection.
func withPace(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, paceKey{}, &pace{})
}

// paceOf returns the connection's pace; a request without one (a handler
// run without withPace) gets a pace of its own.
func paceOf(ctx context.Context) *pace {
	if pc, ok := ctx.Value(paceKey{}).(*pace); ok {
		return pc
	}
	return &pace{}
}

// The bytes written under one deadline: minPiece at first, and after any
// piece that took an eighth of the timeout or more; twice the last, up to
// maxPiece, after one that took less. A client reading at any steady rate
// is never cut: a piece doubles only when the last took under timeout/8,
// so at the same rate the next takes under timeout/4 (and at least 546
// bytes a second keeps a 32 KiB piece within a minute); only a client
// slowing more than fourfold at once can be. A fast client costs a
// deadline and a write per MiB, not per 32 KiB: fewer system calls for
// large answers.
const (
	minPiece = 32 << 10
	maxPiece = 1 << 20
)

func (w *progressWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		piece := b[:min(len(b), max(w.piece, minPiece))]
		start := w.p.now()
		_ = w.rc.SetWriteDeadline(start.Add(w.p.timeout))
		k, err := w.ResponseWriter.Write(piece)
		n += k
		if err != nil {
			return n, err
		}
		if w.p.now().Sub(start) < w.p.timeout/8 {
			w.piece = min(2*max(w.piece, minPiece), maxPiece)
		} else {
			w.piece = minPiece
		}
		b = b[k:]
	}
	return n, nil
}

// Unwrap lets http.ResponseController reach the connection.
func (w *progressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
