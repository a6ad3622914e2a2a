package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/kv/boltkv"

	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

// closingReader reads from r; once n bytes are read it starts db.Close and
// waits until Close has begun before reading on.
type closingReader struct {
	r      io.Reader
	db     *DB
	n      int
	closed chan error
}

func (c *closingReader) Read(p []byte) (int, error) {
	if c.n <= 0 && c.closed == nil {
		c.closed = make(chan error, 1)
		go func() { c.closed <- c.db.Close() }()
		for c.db.calls.state.Load()&closingBit == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	k, err := c.r.Read(p)
	c.n -= k
	return k, err
}

// TestClose_DuringCopy: Close while a Put copies from an engine Object
// neither deadlocks nor stores a part of the source; the copy fails with
// ErrClosed. (A lock held for the Put and taken again for each chunk of the
// source blocked both forever.)
func TestClose_DuringCopy(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	path := db.store.(*boltkv.Store).Path()
	body := bytes.Repeat([]byte("x"), 3*chunkSize)
	_, err := db.Put(ctx, "bkt", "src", bytes.NewReader(body), nil)
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "dst", bytes.NewReader([]byte("old")), nil)
	require.NoError(t, err)
	src, err := db.Get(ctx, "bkt", "src")
	require.NoError(t, err)
	r := &closingReader{r: src, db: db, n: chunkSize}

	putErr := make(chan error, 1)
	go func() {
		_, err := db.Put(ctx, "bkt", "dst", r, nil)
		putErr <- err
	}()
	select {
	case err := <-putErr:
		require.ErrorIs(t, err, coldstore.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Put and Close deadlocked")
	}
	require.NoError(t, <-r.closed)

	db2, err := Open(path, &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db2.Close()
	obj, err := db2.Get(ctx, "bkt", "dst")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.Equal(t, "old", string(got), "the old object is intact")
	require.NoError(t, db2.Check(ctx))
}

// stallingReader blocks until release is closed, then fails.
type stallingReader struct {
	started, release chan struct{}
}

func (s *stallingReader) Read([]byte) (int, error) {
	close(s.started)
	<-s.release
	return 0, errors.New("client went away")
}

// TestClose_WaitsForCallsInFlight: Close waits for a Put in flight, calls
// that start after Close began fail with ErrClosed, and Close returns once
// the Put ends.
func TestClose_WaitsForCallsInFlight(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	s := &stallingReader{started: make(chan struct{}), release: make(chan struct{})}
	putErr := make(chan error, 1)
	go func() {
		_, err := db.Put(ctx, "bkt", "k", s, nil)
		putErr <- err
	}()
	<-s.started
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	for db.calls.state.Load()&closingBit == 0 {
		time.Sleep(time.Millisecond)
	}
	_, err := db.Head(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrClosed, "a call after Close began")
	select {
	case <-closed:
		t.Fatal("Close returned while a Put was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(s.release)
	require.Error(t, <-putErr)
	require.NoError(t, <-closed)
	require.NoError(t, db.Close(), "idempotent")
}

// TestClose_ObjectReadsRefused: once Close has begun, and once the Get's
// context is done, a read of an Object got before hands out no byte, not
// even one Get already holds in memory (an object of one chunk, the rest
// of a chunk loaded): ErrClosed, the context's error.
func TestClose_ObjectReadsRefused(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	small := []byte("small")
	big := bytes.Repeat([]byte("b"), 3*chunkSize)
	for k, v := range map[string][]byte{"small": small, "big": big} {
		_, err := db.Put(ctx, "bkt", k, bytes.NewReader(v), nil)
		require.NoError(t, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	canceled, err := db.Get(cctx, "bkt", "small")
	require.NoError(t, err)
	defer canceled.Close()
	cancel()
	_, err = canceled.Read(make([]byte, 10))
	require.ErrorIs(t, err, context.Canceled)
	_, err = canceled.WriteTo(io.Discard)
	require.ErrorIs(t, err, context.Canceled)

	one, err := db.Get(ctx, "bkt", "small")
	require.NoError(t, err)
	defer one.Close()
	part, err := db.Get(ctx, "bkt", "big")
	require.NoError(t, err)
	defer part.Close()
	n, err := part.Read(make([]byte, 10)) // loads the first chunk, hands out 10 bytes of it
	require.NoError(t, err)
	require.Equal(t, 10, n)
	require.NoError(t, db.Close())
	for name, o := range map[string]*Object{"one chunk": one, "a chunk loaded": part} {
		n, err := o.Read(make([]byte, 10))
		require.ErrorIs(t, err, coldstore.ErrClosed, name)
		require.Zero(t, n, name)
		w, err := o.WriteTo(io.Discard)
		require.ErrorIs(t, err, coldstore.ErrClosed, name)
		require.Zero(t, w, name)
	}
}
