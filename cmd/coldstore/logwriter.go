package main

import (
	"io"
	"runtime"
	"sync"
)

// logWriter is serve's standard error: every request's log line, the
// engine's and the server's messages. A writer hands its bytes over and
// goes on; whoever writes them writes everything that has gathered, in
// the order it came, in one write: under load many lines a call, rather
// than a write(2) on every request's path (the access line was a tenth of
// the server's CPU for a HEAD at 32 connections, bench/README.md).
//
// Who writes depends on the writer the bytes came through. Write's are
// written by a goroutine of the writer's own, a few microseconds later.
// Held's (the fronts' access lines) wait for WriteOut, which progress
// calls on the request's own goroutine once its answer is out: no other
// goroutine to wake, nothing between the request and its answer. Either
// writes the other's bytes too, and neither waits for the other: while
// one is writing, what is handed over joins its next write.
//
// A line handed over but not yet written is lost if the process is
// killed. At most logBacklog bytes wait: past that a writer blocks until
// they are written, as it would on the output itself. Flush writes or
// waits for all of them; serve calls it before it returns.
type logWriter struct {
	out     io.Writer
	mu      sync.Mutex
	drained sync.Cond // signalled when a write of the pending bytes ends
	pending []byte
	spare   []byte // the last batch's buffer, for the next
	busy    bool   // a goroutine is writing the pending bytes
}

// logBacklog bounds the bytes waiting to be written.
const logBacklog = 1 << 20

func newLogWriter(out io.Writer) *logWriter {
	w := &logWriter{out: out}
	w.drained.L = &w.mu
	return w
}

// Write queues p for the writer's goroutine and returns len(p); it never
// fails (the output's errors have nowhere to go: slog drops them too).
func (w *logWriter) Write(p []byte) (int, error) { return w.queue(p, true) }

// Held returns a writer whose bytes wait for the next WriteOut (or a
// write of Write's bytes, or Flush): for lines written by a goroutine
// that calls WriteOut after them.
func (w *logWriter) Held() io.Writer { return heldLog{w} }

type heldLog struct{ w *logWriter }

func (h heldLog) Write(p []byte) (int, error) { return h.w.queue(p, false) }

// queue appends p to the pending bytes, past the backlog only once they
// are written (by this goroutine if no other is at it), and with spawn
// starts the writer's goroutine unless one is writing.
func (w *logWriter) queue(p []byte, spawn bool) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.pending) >= logBacklog {
		if w.busy {
			w.drained.Wait()
		} else {
			w.busy = true
			w.writePending()
		}
	}
	w.pending = append(w.pending, p...)
	if spawn && !w.busy {
		w.busy = true
		go w.drain()
	}
	return len(p), nil
}

// drain is the writer's goroutine: it writes the pending bytes until none
// are left.
func (w *logWriter) drain() {
	// Let the goroutines that are ready run first: those answering
	// requests add their lines to this write rather than wake the next.
	runtime.Gosched()
	w.mu.Lock()
	w.writePending() // busy since queue started this goroutine
	w.mu.Unlock()
}

// WriteOut writes the pending bytes on this goroutine, unless another is
// writing them (its next write takes them).
func (w *logWriter) WriteOut() {
	w.mu.Lock()
	if !w.busy && len(w.pending) > 0 {
		w.busy = true
		w.writePending()
	}
	w.mu.Unlock()
}

// writePending, called with mu held by the goroutine that set busy,
// writes the pending bytes, without the lock, until none are left; it
// clears busy and returns with mu held.
func (w *logWriter) writePending() {
	for len(w.pending) > 0 {
		batch := w.pending
		w.pending = w.spare[:0]
		w.mu.Unlock()
		_, _ = w.out.Write(batch)
		w.mu.Lock()
		if cap(batch) <= 2*logBacklog {
			w.spare = batch[:0]
		} else {
			w.spare = nil
		}
		w.drained.Broadcast()
	}
	w.busy = false
	w.drained.Broadcast()
}

// Flush returns once every byte written before it is out.
func (w *logWriter) Flush() {
	w.mu.Lock()
	for w.busy {
		w.drained.Wait()
	}
	if len(w.pending) > 0 {
		w.busy = true
		w.writePending()
	}
	w.mu.Unlock()
}
