package main

import (
	"bytes"
	"fmt"
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
// until the output takes them.
func TestLogWriter_Bounded(t *testing.T) {
	g := &gatedWriter{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
	w := newLogWriter(g)
	_, _ = w.Write([]byte("first\n"))
	<-g.entered
	big := bytes.Repeat([]byte("x"), logBacklog)
	_, _ = w.Write(big) // fills the backlog; returns
	done := make(chan struct{})
	go func() { _, _ = w.Write([]byte("over\n")); close(done) }()
	select {
	case <-done:
		t.Fatal("a Write past the backlog returned while the output was blocked")
	case <-time.After(20 * time.Millisecond):
	}
	close(g.gate)
	<-done
	w.Flush()
	require.Equal(t, "first\n"+string(big)+"over\n", g.b.String(), "every byte, in order")
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
