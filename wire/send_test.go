package wire_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// writerTo is a body that copies itself, and says so.
type writerTo struct {
	*strings.Reader
	used bool
}

func (w *writerTo) WriteTo(dst io.Writer) (int64, error) {
	w.used = true
	return w.Reader.WriteTo(dst)
}

// TestSendBody: a body longer than the first read arrives whole, with its
// length, through its own WriteTo when it has one.
func TestSendBody(t *testing.T) {
	text := strings.Repeat("0123456789", 10_000) // more than the 32 KiB read first
	body := &writerTo{Reader: strings.NewReader(text)}
	w := httptest.NewRecorder()
	require.NoError(t, wire.NewFront(oss, nil).SendBody(w, "ID", 206, body, int64(len(text))))
	require.Equal(t, 206, w.Code)
	require.Equal(t, "100000", w.Header().Get("Content-Length"))
	require.Equal(t, text, w.Body.String())
	require.True(t, body.used, "the body's WriteTo was not used")
}

// TestSendBody_FirstBytesFail: nothing is written, and the error is the
// caller's to answer.
func TestSendBody_FirstBytesFail(t *testing.T) {
	bad := errors.New("chunk checksum")
	w := httptest.NewRecorder()
	err := wire.NewFront(oss, nil).SendBody(w, "ID", http.StatusPartialContent, iotest.ErrReader(bad), 10)
	require.ErrorIs(t, err, bad)
	require.Equal(t, http.StatusOK, w.Code, "wrote a status") // the recorder's own before any
	require.Zero(t, w.Body.Len())
	require.Empty(t, w.Header().Get("Content-Length"))
}

// TestSendBody_CutShort: once the status is sent, a body that fails or
// ends early aborts the handler (net/http then cuts the connection),
// logged with the request id.
func TestSendBody_CutShort(t *testing.T) {
	for name, body := range map[string]io.Reader{
		"fails": io.MultiReader(bytes.NewReader(make([]byte, 40<<10)), iotest.ErrReader(errors.New("disk"))),
		"short": bytes.NewReader(make([]byte, 40<<10)),
	} {
		var logs strings.Builder
		f := wire.NewFront(oss, slog.New(slog.NewTextHandler(&logs, nil)))
		w := httptest.NewRecorder()
		require.PanicsWithValue(t, http.ErrAbortHandler, func() { _ = f.SendBody(w, "ID5", 200, body, 50<<10) }, name)
		require.Equal(t, 200, w.Code, name)
		require.Contains(t, logs.String(), "body cut short", name)
		require.Contains(t, logs.String(), "id=ID5", name)
	}
}

// goneWriter is a client that stops reading after a while.
type goneWriter struct {
	*httptest.ResponseRecorder
	left int
}

func (g *goneWriter) Write(p []byte) (int, error) {
	if len(p) > g.left {
		n, _ := g.ResponseRecorder.Write(p[:g.left])
		g.left = 0
		return n, errors.New("broken pipe")
	}
	g.left -= len(p)
	return g.ResponseRecorder.Write(p)
}

// TestSendBody_ClientGone: a client that stops reading is logged, and the
// handler returns normally.
func TestSendBody_ClientGone(t *testing.T) {
	var logs strings.Builder
	f := wire.NewFront(oss, slog.New(slog.NewTextHandler(&logs, nil)))
	w := &goneWriter{ResponseRecorder: httptest.NewRecorder(), left: 40 << 10}
	require.NoError(t, f.SendBody(w, "ID6", 200, bytes.NewReader(make([]byte, 64<<10)), 64<<10))
	require.Contains(t, logs.String(), "client gone")
	require.NotContains(t, logs.String(), "cut short")
}
