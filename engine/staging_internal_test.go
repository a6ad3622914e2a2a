package engine

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/memkv"
	"github.com/stretchr/testify/require"
)

// asNode is one engine's view of a shared store: its own process id, and
// a verdict on everyone else's liveness.
type asNode struct {
	*sharedMem
	id     string
	others bool // what Alive answers for another node
}

func (n asNode) Node() []byte { return []byte(n.id) }

func (n asNode) Alive(_ context.Context, node []byte) (bool, error) {
	return string(node) == n.id || n.others, nil
}

func (asNode) Close() error { return nil }

// blockingReader serves size bytes, pausing after half of them until
// resume is closed.
type blockingReader struct {
	n, size int
	paused  chan struct{}
	resume  chan struct{}
}

func (r *blockingReader) Read(p []byte) (int, error) {
	if r.n >= r.size {
		return 0, io.EOF
	}
	if r.n >= r.size/2 && r.paused != nil {
		close(r.paused)
		r.paused = nil
		<-r.resume
	}
	k := min(len(p), r.size-r.n, r.size/2)
	r.n += k
	return k, nil
}

// On a shared store, Open leaves other processes' staged chunks alone;
// the leader collects those of a process the store reports dead; and a
// Put whose staged chunks were collected fails, retryable, rather than
// publish an object without its data.
func TestStaging_SharedStore(t *testing.T) {
	ctx := context.Background()
	shared := &sharedMem{Store: memkv.New()}
	defer shared.Store.Close()
	m := clock.NewMock()
	m.Set(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	a, err := OpenStore(asNode{shared, "node-aaa", true}, &Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer a.Close()
	require.NoError(t, a.CreateBucket(ctx, "bkt", nil))

	r := &blockingReader{size: 4 * stageChunksPerTx * chunkSize, paused: make(chan struct{}), resume: make(chan struct{})}
	paused := r.paused
	done := make(chan error, 1)
	go func() {
		_, err := a.Put(ctx, "bkt", "big", r, nil)
		done <- err
	}()
	<-paused // chunks of a are staged
	staged := func() int {
		n := 0
		require.NoError(t, shared.View(ctx, func(tx kv.Tx) error {
			return tx.Bucket(bktStaging).ForEach(func([]byte, []byte) error { n++; return nil })
		}))
		return n
	}
	require.Equal(t, 1, staged())

	b, err := OpenStore(asNode{shared, "node-bbb", true}, &Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer b.Close()
	require.Equal(t, 1, staged(), "Open on a shared store keeps another process's staged chunks")
	_, err = b.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, staged(), "a live process's staged chunks stay")

	c, err := OpenStore(asNode{shared, "node-ccc", false}, &Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 0, staged(), "a dead process's staged chunks are collected")

	close(r.resume)
	err = <-done
	require.ErrorIs(t, err, coldstore.ErrUnavailable, "the Put whose chunks were collected fails")
	_, err = a.Head(ctx, "bkt", "big")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	require.NoError(t, a.Check(ctx))

	_, err = a.Put(ctx, "bkt", "big", bytes.NewReader(make([]byte, 3*stageChunksPerTx*chunkSize)), nil)
	require.NoError(t, err, "and succeeds when retried")
	require.NoError(t, a.Check(ctx))
}
