package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// gatedWriter blocks every Write until gate is closed, and counts the
// calls.
type gatedWriter struct {
	gate    chan struct{}
	entered chan struct{} // one value per Write begun
	mu      sync.Mutex
	b       bytes.Buffer
	calls   int
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.entered <- struct{}{}
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	return g.b.Write(p)
}

// TestLogWriter_HandsOver: a Write returns while the output is blocked;
// the lines written meanwhile go out together, after the first, in order;
// Flush returns once all are out.
func TestLogWriter_HandsOver(t *testing.T) {
	g := &gatedWriter{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
	w := newLogWriter(g)
	returned := make(chan error, 1)
	go func() { _, err := w.Write([]byte("line 0\n")); returned <- err }()
	<-g.entered // the goroutine is in the output's Write, blocked
	select {
	case err := <-returned:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Write waited for the output")
	}
	for i := 1; i < 50; i++ {
		n, err := fmt.Fprintf(w, "line %d\n", i)
		require.NoError(t, err)
		require.Equal(t, len(fmt.Sprintf("line %d\n", i)), n)
	}
	flushed := make(chan struct{})
	go func() { w.Flush(); close(flushed) }()
	select {
	case <-flushed:
		t.Fatal("Flush returned while the output was blocked")
	case <-time.After(20 * time.Millisecond):
	}
	close(g.gate)
	<-flushed
	var want strings.Builder
	for i := range 50 {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	require.Equal(t, want.String(), g.b.String())
	require.Equal(t, 2, g.calls, "line 0, then the 49 that waited, in one write")
}

// TestLogWriter_Bounded: past logBacklog bytes waiting, a Write blocks
// until the output takes them, through Held as through Write.
func TestLogWriter_Bounded(t *testing.T) {
	for _, held := range []bool{false, true} {
		g := &gatedWriter{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
		w := newLogWriter(g)
		var out io.Writer = w
		if held {
			out = w.Held()
		}
		_, _ = w.Write([]byte("first\n"))
		<-g.entered
		big := bytes.Repeat([]byte("x"), logBacklog)
		_, _ = out.Write(big) // fills the backlog; returns
		done := make(chan struct{})
		go func() { _, _ = out.Write([]byte("over\n")); close(done) }()
		select {
		case <-done:
			t.Fatalf("held %v: a Write past the backlog returned while the output was blocked", held)
		case <-time.After(20 * time.Millisecond):
		}
		close(g.gate)
		<-done
		w.Flush()
		require.Equal(t, "first\n"+string(big)+"over\n", g.b.String(), "held %v: every byte, in order", held)
	}
}

// TestLogWriter_Concurrent: lines from many goroutines all come out,
// whole (the race detector watches the buffers).
func TestLogWriter_Concurrent(t *testing.T) {
	var out lockedBuffer
	out.line = make(chan string, 10000)
	w := newLogWriter(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				fmt.Fprintf(w, "g%d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 8*500)
	next := map[string]int{}
	for _, l := range lines {
		var g, i int
		_, err := fmt.Sscanf(l, "g%d line %d", &g, &i)
		require.NoError(t, err, l)
		key := fmt.Sprint(g)
		require.Equal(t, next[key], i, "goroutine %d's lines in order", g)
		next[key]++
	}
}

// TestLogWriter_Held: Held's lines wait for WriteOut, which writes them
// on its caller's goroutine, together with anything Write queued; while
// another goroutine is writing, WriteOut leaves them to its next write and
// returns at once; Flush writes what is held.
func TestLogWriter_Held(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(&out)
	held := w.Held()
	_, err := held.Write([]byte("a\n"))
	require.NoError(t, err)
	_, _ = held.Write([]byte("b\n"))
	w.Flush() // Flush waits for no one: it writes them itself
	require.Equal(t, "a\nb\n", out.String())
	_, _ = held.Write([]byte("c\n"))
	require.Equal(t, "a\nb\n", out.String(), "held until WriteOut")
	w.WriteOut()
	require.Equal(t, "a\nb\nc\n", out.String(), "written when WriteOut returns, by its goroutine")
	w.WriteOut() // nothing pending: no write
	require.Equal(t, "a\nb\nc\n", out.String())

	g := &gatedWriter{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
	w = newLogWriter(g)
	held = w.Held()
	_, _ = held.Write([]byte("held 0\n"))
	wrote := make(chan struct{})
	go func() { w.WriteOut(); close(wrote) }()
	<-g.entered // WriteOut is in the output's Write, blocked
	_, _ = held.Write([]byte("held 1\n"))
	_, _ = w.Write([]byte("line 2\n")) // no goroutine of its own while one writes
	returned := make(chan struct{})
	go func() { w.WriteOut(); close(returned) }()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("WriteOut waited for another goroutine's write")
	}
	close(g.gate)
	<-wrote
	require.Equal(t, "held 0\nheld 1\nline 2\n", g.b.String())
	require.Equal(t, 2, g.calls, "the first line, then the two that came while it was written, in one write")
}

// TestLogWriter_HeldBounded: Held's bytes past logBacklog are written by
// the writer that brings them when no one else is writing (there may be
// no WriteOut to come); while another is, it waits (TestLogWriter_Bounded).
func TestLogWriter_HeldBounded(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(&out)
	big := bytes.Repeat([]byte("x"), logBacklog)
	_, _ = w.Held().Write(big)
	require.Empty(t, out.String(), "within the backlog: held")
	_, _ = w.Held().Write([]byte("over\n"))
	require.Equal(t, string(big), out.String(), "the backlog written by the writer past it")
	w.WriteOut()
	require.Equal(t, string(big)+"over\n", out.String())
}
