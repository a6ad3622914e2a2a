package engine

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func idleReads(db *DB) int {
	db.readTxs.mu.Lock()
	defer db.readTxs.mu.Unlock()
	return len(db.readTxs.idle)
}

func getString(t *testing.T, db *DB, bucket, key string) string {
	t.Helper()
	obj, err := db.Get(context.Background(), bucket, key)
	require.NoError(t, err)
	defer obj.Close()
	b, err := io.ReadAll(obj)
	require.NoError(t, err)
	return string(b)
}

// A read reuses the transaction of the read before it, and never one that
// began before the last commit.
func TestReadTxs_ReusedOnlyUntilACommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "r.db"), &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("one")), nil)
	require.NoError(t, err)
	require.Equal(t, "one", getString(t, db, "bkt", "k"))
	require.Equal(t, 1, idleReads(db), "the read's transaction is parked")
	require.Equal(t, "one", getString(t, db, "bkt", "k"))
	require.Equal(t, 1, idleReads(db), "and reused, not a second one begun")

	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("two")), nil)
	require.NoError(t, err)
	require.Zero(t, idleReads(db), "a write retires the parked transactions")
	require.Equal(t, "two", getString(t, db, "bkt", "k"), "the next read sees the write")

	// A transaction borrowed before a commit and given back after it is
	// stale: it is rolled back, not parked.
	tx, seen, err := db.readTxs.borrow(db.bolt)
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("three")), nil)
	require.NoError(t, err)
	db.readTxs.giveBack(tx, seen)
	require.Zero(t, idleReads(db))
	require.Equal(t, "three", getString(t, db, "bkt", "k"))
}

// Parked read transactions hold bbolt's mmap lock; a commit that grows the
// file must not wait for them. Readers run while a writer grows the file
// many times over, and every read is of one whole version.
func TestReadTxs_WritersGrowTheFileUnderReaders(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := Open(filepath.Join(t.TempDir(), "g.db"), &Options{DisableSweeper: true, NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	body := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 4<<10+i) }
	for i := range 8 {
		_, err := db.Put(ctx, "bkt", fmt.Sprint("small", i), bytes.NewReader(body(i)), nil)
		require.NoError(t, err)
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
				obj, err := db.Get(ctx, "bkt", fmt.Sprint("small", (g+i)%8))
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(obj)
				obj.Close()
				sum := md5.Sum(b)
				if err != nil || hex.EncodeToString(sum[:]) != obj.Info().ETag {
					errs <- fmt.Errorf("read %d bytes, err %v, not the version Get described", len(b), err)
					return
				}
			}
		})
	}
	wrote := make(chan error, 1)
	go func() {
		big := make([]byte, 4<<20)
		for i := range 40 { // 160 MiB: the file is remapped many times
			if _, err := db.Put(ctx, "bkt", fmt.Sprint("big", i), bytes.NewReader(big), nil); err != nil {
				wrote <- err
				return
			}
			if _, err := db.Put(ctx, "bkt", fmt.Sprint("small", i%8), bytes.NewReader(body(i)), nil); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		require.NoError(t, err)
	case <-time.After(time.Minute): // a watchdog of the test, not of the engine
		t.Fatal("the writes stalled: a commit that grows the file waits on parked read transactions")
	}
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, db.Check(ctx))
}
