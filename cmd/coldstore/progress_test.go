package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pieceRecorder records the size of each write, each taking the time the
// clock is moved by.
type pieceRecorder struct {
	http.ResponseWriter
	pieces []int
	now    *time.Time
	per    func(n int) time.Duration // how long a write of n bytes takes
}

func (r *pieceRecorder) Write(b []byte) (int, error) {
	r.pieces = append(r.pieces, len(b))
	*r.now = r.now.Add(r.per(len(b)))
	return len(b), nil
}

// TestProgressWriter_Pieces: a fast reader's answer goes out in pieces
// doubling from 32 KiB to 1 MiB; a slow steady one's stays in pieces it
// reads well within the timeout, whatever the size of the writes.
func TestProgressWriter_Pieces(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{timeout: time.Minute, now: func() time.Time { return now }}
	write := func(rate float64, sizes ...int) []int { // rate in bytes a second
		rec := &pieceRecorder{ResponseWriter: http.ResponseWriter(nil), now: &now, per: func(n int) time.Duration {
			return time.Duration(float64(n) / rate * float64(time.Second))
		}}
		w := &progressWriter{ResponseWriter: rec, rc: http.NewResponseController(rec), p: p}
		for _, n := range sizes {
			k, err := w.Write(make([]byte, n))
			require.NoError(t, err)
			require.Equal(t, n, k)
		}
		return rec.pieces
	}
	k := 1 << 10
	require.Equal(t, []int{32 * k, 64 * k, 128 * k, 256 * k, 512 * k, 1024 * k, 1024 * k, 32 * k},
		write(1e9, 3<<20), "a fast reader: pieces double to 1 MiB")
	require.Equal(t, []int{32 * k, 64 * k, 128 * k, 32 * k, 32 * k, 64 * k, 128 * k, 32 * k},
		write(1e9, 32*k, 64*k, 128*k, 32*k, 32*k, 64*k, 128*k, 32*k), "never more than a write asks")
	for _, rate := range []float64{600, 10e3, 100e3, 1e6} {
		for _, piece := range write(rate, 4<<20) {
			took := time.Duration(float64(piece) / rate * float64(time.Second))
			require.Less(t, took, p.timeout, "at %.0f B/s, a piece of %d bytes is read within the timeout", rate, piece)
			if piece > minPiece {
				require.Less(t, took, p.timeout/4, "at %.0f B/s, a piece grew only while it was read fast", rate)
			}
		}
	}
}

// TestProgress_PaceCarriesOver: the next answer on a connection starts at
// the piece the last one earned, so a fast client's second GET goes out in
// 1 MiB pieces from its first write; another connection starts at
// minPiece; an answer read slowly brings its connection's pace back down.
func TestProgress_PaceCarriesOver(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{timeout: time.Minute, now: func() time.Time { return now },
		h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 3<<20)) })}
	serve := func(ctx context.Context, rate float64) []int {
		rec := &pieceRecorder{now: &now, per: func(n int) time.Duration {
			return time.Duration(float64(n) / rate * float64(time.Second))
		}}
		p.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
		return rec.pieces
	}
	k := 1 << 10
	conn := withPace(context.Background(), nil)
	require.Equal(t, []int{32 * k, 64 * k, 128 * k, 256 * k, 512 * k, 1024 * k, 1024 * k, 32 * k}, serve(conn, 1e9))
	require.Equal(t, []int{1024 * k, 1024 * k, 1024 * k}, serve(conn, 1e9), "the same connection: the pace it earned")
	require.Equal(t, 32*k, serve(withPace(context.Background(), nil), 1e9)[0], "another connection starts at minPiece")
	slow := serve(conn, 100e3)
	require.Equal(t, []int{1024 * k, 32 * k}, slow[:2], "a piece read slowly: the next is minPiece")
	next := serve(conn, 1e9)
	require.Less(t, next[0], 1024*k, "the next answer starts from the slow one's pace")
	require.Equal(t, 32*k, serve(context.Background(), 1e9)[0], "no pace in the context: one of its own")
}

// TestProgress_AnswerOut: over HTTP/1, an answer's last bytes go out
// after the handler returns, a short one with its Content-Length (an empty
// one "Content-Length: 0", not an empty chunked body); answered runs once
// the client has the whole answer; and the write deadline set for those
// bytes is gone once the connection is idle (net/http takes it off): a 100
// Continue written after a pause longer than the timeout reaches the
// client.
func TestProgress_AnswerOut(t *testing.T) {
	received := make(chan struct{}, 1)
	answered := make(chan bool, 10)
	done := make(chan struct{}) // the test is over: the close need not wait
	p := &progress{timeout: 100 * time.Millisecond, now: time.Now,
		h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PUT" {
				b, _ := io.ReadAll(r.Body)
				w.Header().Set("Etag", string(b))
				return
			}
			_, _ = w.Write([]byte("the answer"))
		}),
		answered: func() {
			select {
			case <-received:
				answered <- true
			case <-done:
			case <-time.After(5 * time.Second):
				answered <- false // the client never had the whole answer
			}
		}}
	srv := httptest.NewUnstartedServer(p)
	srv.Config.ConnState = p.connState
	srv.Start()
	defer srv.Close()
	defer close(done)
	client := srv.Client()

	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "the answer", string(body))
	require.Equal(t, int64(len("the answer")), resp.ContentLength)
	require.Empty(t, resp.TransferEncoding)
	received <- struct{}{}
	require.True(t, <-answered, "answered once the answer was out")

	time.Sleep(3 * p.timeout) // idle, on the same connection, past the deadline
	req, err := http.NewRequest("PUT", srv.URL, strings.NewReader("stored"))
	require.NoError(t, err)
	req.Header.Set("Expect", "100-continue")
	resp, err = client.Do(req)
	require.NoError(t, err, "the 100 Continue and the answer under no stale deadline")
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "stored", resp.Header.Get("Etag"))
	require.Equal(t, int64(0), resp.ContentLength, "Content-Length: 0")
	require.Empty(t, resp.TransferEncoding, "not chunked")
	received <- struct{}{}
	require.True(t, <-answered)
}

// TestProgress_HTTP2: over HTTP/2 (serve with -tls-cert) ServeHTTP flushes
// the answer under its deadline itself and calls answered on the request's
// goroutine; the answer arrives whole.
func TestProgress_HTTP2(t *testing.T) {
	answered := make(chan int, 10)
	p := &progress{timeout: time.Minute, now: time.Now,
		h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			_, _ = w.Write(append([]byte("got "), b...))
		}),
		answered: func() { answered <- 1 }}
	srv := httptest.NewUnstartedServer(p)
	srv.EnableHTTP2 = true // and no connState: only ServeHTTP can call answered
	srv.StartTLS()
	defer srv.Close()
	for i := range 3 {
		resp, err := srv.Client().Post(srv.URL, "text/plain", strings.NewReader(fmt.Sprint(i)))
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, 2, resp.ProtoMajor, "HTTP/2")
		require.Equal(t, fmt.Sprint("got ", i), string(body))
		select {
		case <-answered:
		case <-time.After(5 * time.Second):
			t.Fatal("answered was not called for the stream")
		}
	}
}
