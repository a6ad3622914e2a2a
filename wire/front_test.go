package wire_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

var (
	oss = wire.Protocol{RequestIDHeader: "x-oss-request-id", ErrorHeader: "x-oss-err", ECHeader: "x-oss-ec"}
	s3  = wire.Protocol{RequestIDHeader: "x-amz-request-id"}
)

// TestBegin: the request id under the protocol's header name, Server, and
// Date at the time given, in GMT.
func TestBegin(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("UTC+8", 8*3600))
	for _, p := range []wire.Protocol{oss, s3} {
		w := httptest.NewRecorder()
		id := wire.NewFront(p, nil).Begin(w, now)
		require.Len(t, id, 24)
		require.Equal(t, id, w.Header().Get(p.RequestIDHeader))
		require.Equal(t, "coldstore", w.Header().Get("Server"))
		require.Equal(t, "Mon, 01 Jan 2024 19:04:05 GMT", w.Header().Get("Date"))
	}
	w := httptest.NewRecorder()
	f := wire.NewFront(s3, nil)
	f.Begin(w, now)
	require.Empty(t, w.Header().Get("x-oss-request-id"), "the S3 front wrote OSS's header")
	// The Date of each answer is its own second's, whatever came before.
	for _, c := range []struct {
		at   time.Duration
		date string
	}{{999 * time.Millisecond, "19:04:05"}, {time.Second, "19:04:06"}, {0, "19:04:05"}, {-time.Nanosecond, "19:04:04"}, {2 * time.Second, "19:04:07"}} {
		w := httptest.NewRecorder()
		f.Begin(w, now.Add(c.at))
		require.Equal(t, "Mon, 01 Jan 2024 "+c.date+" GMT", w.Header().Get("Date"), c.at)
	}
}

// TestBegin_IDs: 24 upper-case hex digits, distinct across concurrent
// requests, with a prefix that differs from one Front to the next.
func TestBegin_IDs(t *testing.T) {
	f := wire.NewFront(oss, nil)
	begin := func(f *wire.Front) string { return f.Begin(httptest.NewRecorder(), time.Time{}) }
	form := regexp.MustCompile(`^[0-9A-F]{24}$`)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				id := begin(f)
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, 8000, "an id was handed out twice")
	for id := range seen {
		require.Regexp(t, form, id)
	}
	require.NotEqual(t, begin(f)[:8], begin(wire.NewFront(oss, nil))[:8], "two Fronts share a prefix: ids would repeat across restarts")
}

// TestLogRequest: the line Logger.LogAttrs writes for the same fields, the
// time the one given; nothing when the logger's level leaves Info out.
func TestLogRequest(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 59, 58, 123e6, time.UTC)
	var got, want bytes.Buffer
	noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	wire.NewFront(s3, slog.New(slog.NewTextHandler(&got, noTime))).LogRequest(context.Background(), now, "ID1", "HEAD", "/bkt/a b", `x-id=1&q="`, 200)
	slog.New(slog.NewTextHandler(&want, noTime)).LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("id", "ID1"), slog.String("method", "HEAD"), slog.String("path", "/bkt/a b"), slog.String("query", `x-id=1&q="`), slog.Int("status", 200))
	require.Equal(t, want.String(), got.String())

	got.Reset()
	wire.NewFront(s3, slog.New(slog.NewTextHandler(&got, nil))).LogRequest(context.Background(), now, "ID2", "GET", "/", "", 404)
	require.Equal(t, `time=2026-11-30T23:59:58.123Z level=INFO msg=request id=ID2 method=GET path=/ query="" status=404`+"\n", got.String())

	got.Reset()
	wire.NewFront(s3, slog.New(slog.NewTextHandler(&got, &slog.HandlerOptions{Level: slog.LevelWarn}))).LogRequest(context.Background(), now, "ID3", "GET", "/", "", 200)
	require.Empty(t, got.String(), "Info is below the level")
}
