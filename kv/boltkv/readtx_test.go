package boltkv

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/kv"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func idleReads(s *Store) int {
	s.readTxs.mu.Lock()
	defer s.readTxs.mu.Unlock()
	return len(s.readTxs.idle)
}

func openTemp(t *testing.T, opts *Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func set(t *testing.T, s *Store, key string, v []byte) {
	t.Helper()
	require.NoError(t, s.Update(context.Background(), func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), v)
	}))
}

func get(t *testing.T, s *Store, key string) string {
	t.Helper()
	var got string
	require.NoError(t, s.View(context.Background(), func(tx kv.Tx) error {
		got = string(tx.Bucket([]byte("b")).Get([]byte(key)))
		return nil
	}))
	return got
}

// A read reuses the transaction of the read before it, and never one that
// began before the last commit.
func TestReadTxs_ReusedOnlyUntilACommit(t *testing.T) {
	s := openTemp(t, nil)
	set(t, s, "k", []byte("one"))
	require.Equal(t, "one", get(t, s, "k"))
	require.Equal(t, 1, idleReads(s), "the read's transaction is parked")
	require.Equal(t, "one", get(t, s, "k"))
	require.Equal(t, 1, idleReads(s), "and reused, not a second one begun")

	set(t, s, "k", []byte("two"))
	require.Zero(t, idleReads(s), "a write retires the parked transactions")
	require.Equal(t, "two", get(t, s, "k"), "the next read sees the write")

	// A transaction borrowed before a commit and given back after it is
	// stale: it is rolled back, not parked.
	tx, seen, err := s.readTxs.borrow(s.db)
	require.NoError(t, err)
	set(t, s, "k", []byte("three"))
	s.readTxs.giveBack(tx, seen)
	require.Zero(t, idleReads(s))
	require.Equal(t, "three", get(t, s, "k"))
}

// version is the value a writer stores as its i-th version of a key: the
// reader can tell a whole version from a torn one.
func version(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 4<<10+i) }

func whole(v []byte) bool {
	return len(v) >= 4<<10 && bytes.Equal(v, version(len(v)-4<<10))
}

// Parked read transactions hold bbolt's mmap lock; a commit that grows the
// file must not wait for them. Readers run while a writer grows the file
// many times over, and every read is of one whole version.
func TestReadTxs_WritersGrowTheFileUnderReaders(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, &Options{NoSync: true})
	for i := range 8 {
		set(t, s, fmt.Sprint("small", i), version(i))
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		readers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, func(tx kv.Tx) error {
					if v := tx.Bucket([]byte("b")).Get([]byte(fmt.Sprint("small", (g+i)%8))); !whole(v) {
						return fmt.Errorf("read %d bytes, not one whole version", len(v))
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wrote := make(chan error, 1)
	go func() {
		big := make([]byte, 4<<20)
		for i := range 40 { // 160 MiB: the file is remapped many times
			err := s.Update(ctx, func(tx kv.Tx) error {
				b := tx.Bucket([]byte("b"))
				if err := b.Put([]byte(fmt.Sprint("big", i)), big); err != nil {
					return err
				}
				return b.Put([]byte(fmt.Sprint("small", i%8)), version(i))
			})
			if err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		require.NoError(t, err)
	case <-time.After(time.Minute): // a watchdog of the test, not of the store
		t.Fatal("the writes stalled: a commit that grows the file waits on parked read transactions")
	}
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}))
}

// TestReadTx_OpenBuckets: a reused read transaction keeps the buckets it
// opened, at most maxOpenBuckets of them, and a write that deletes and
// recreates a bucket is seen by the next read, not the kept one; a bucket
// that does not exist is not kept.
func TestReadTx_OpenBuckets(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, nil)
	set(t, s, "k", []byte("one"))
	require.Equal(t, "one", get(t, s, "k"))
	require.NoError(t, s.View(ctx, func(tx kv.Tx) error {
		rt := tx.(*readTx)
		require.Contains(t, rt.buckets, "b", "the bucket the last read opened is kept")
		require.Nil(t, tx.Bucket([]byte("absent")))
		require.NotContains(t, rt.buckets, "absent")
		return nil
	}))
	require.NoError(t, s.Update(ctx, func(tx kv.Tx) error {
		if err := tx.DeleteBucket([]byte("b")); err != nil {
			return err
		}
		for i := range maxOpenBuckets + 10 {
			if _, err := tx.CreateBucket([]byte{'n', byte(i)}); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("two"))
	}))
	require.Equal(t, "two", get(t, s, "k"), "the recreated bucket, not the one kept")
	require.NoError(t, s.View(ctx, func(tx kv.Tx) error {
		for i := range maxOpenBuckets + 10 {
			require.NotNil(t, tx.Bucket([]byte{'n', byte(i)}))
			require.LessOrEqual(t, len(tx.(*readTx).buckets), maxOpenBuckets)
		}
		return nil
	}))
}
