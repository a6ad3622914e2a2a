package main

import (
	"io"
	"runtime"
	"sync"
)

// logWriter is serve's standard error: every request's log line, the
// engine's and the server's messages. A writer hands its bytes over and
// goes on; one goroutine at a time writes what has gathered, in the order
// it came, in one write: under load many lines a call, rather than a
// write(2) on every request's path (the access line was a tenth of the
// server's CPU for a HEAD at 32 connections, bench/README.md). A line
// appears once the goroutine runs, a few microseconds after its answer;
// one handed over but not yet written is lost if the process is killed.
// At most logBacklog bytes wait: past that a writer blocks until they
// are written, as it would on the output itself. Flush waits for all of
// them; serve calls it before it returns.
type logWriter struct {
	out     io.Writer
	mu      sync.Mutex
	drained sync.Cond // signalled after each write of the pending bytes
	pending []byte
	spare   []byte // the last batch's buffer, for the next
	busy    bool   // a goroutine is writing
}

// logBacklog bounds the bytes waiting to be written.
const logBacklog = 1 << 20

func newLogWriter(out io.Writer) *logWriter {
	w := &logWriter{out: out}
	w.drained.L = &w.mu
	return w
}

// Write queues p and returns len(p); it never fails (the output's errors
// have nowhere to go: slog drops them too).
func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.pending) >= logBacklog {
		w.drained.Wait()
	}
	w.pending = append(w.pending, p...)
	if !w.busy {
		w.busy = true
		go w.drain()
	}
	w.mu.Unlock()
	return len(p), nil
}

// drain writes the pending bytes until none are left.
func (w *logWriter) drain() {
	// Let the goroutines that are ready run first: those answering
	// requests add their lines to this write rather than wake the next.
	runtime.Gosched()
	w.mu.Lock()
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
	w.mu.Unlock()
}

// Flush returns once every byte written before it is out.
func (w *logWriter) Flush() {
	w.mu.Lock()
	for w.busy {
		w.drained.Wait()
	}
	w.mu.Unlock()
}
