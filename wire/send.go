package wire

import (
	"io"
	"net/http"
	"strconv"
	"sync"
)

// SendBody answers with status and the n bytes of body, its Content-Length
// n. The first bytes (up to 32 KiB) are read before the status is sent:
// when that read fails, nothing is written and SendBody returns its error,
// for the caller to answer as an error (a chunk whose checksum fails, the
// storage). Once the status is sent it returns nil. A body that then fails
// or ends early cuts the connection (it panics with http.ErrAbortHandler,
// which net/http recovers), so that the client sees a body shorter than
// its Content-Length, never other bytes; a client that stops reading is
// logged. A body that implements io.WriterTo copies itself (no second
// buffer).
func (f *Front) SendBody(w http.ResponseWriter, id string, status int, body io.Reader, n int64) error {
	bp := firstBytes.Get().(*[]byte)
	defer firstBytes.Put(bp)
	first := (*bp)[:min(n, int64(len(*bp)))]
	if _, err := io.ReadFull(body, first); err != nil {
		return err
	}
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	out := &writeErr{w: w}
	m, err := out.Write(first)
	sent := int64(m)
	if err == nil && sent < n {
		var rest int64
		rest, err = io.Copy(out, body)
		sent += rest
	}
	switch {
	case err != nil && out.err != nil:
		f.log.Info("client gone", "id", id, "sent", sent, "of", n, "err", err)
	case err != nil || sent != n:
		f.log.Warn("body cut short", "id", id, "sent", sent, "of", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// firstBytes are the buffers of the bytes SendBody reads before it
// answers.
var firstBytes = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// writeErr remembers the error its writer returned: the client's side.
type writeErr struct {
	w   io.Writer
	err error
}

func (e *writeErr) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}
