package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	bolt "go.etcd.io/bbolt"
)

var (
	ctx   = context.Background()
	epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

const day = 24 * time.Hour

// openEngine opens an engine database in a temporary folder on a mock
// clock, with the sweeper off, and a bucket "bkt".
func openEngine(b *testing.B, nosync bool) (*engine.DB, *clock.Mock) {
	b.Helper()
	m := clock.NewMock()
	m.Set(epoch)
	db, err := engine.Open(filepath.Join(b.TempDir(), "engine.db"), &engine.Options{Clock: m, DisableSweeper: true, NoSync: nosync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.CreateBucket(ctx, "bkt", nil); err != nil {
		b.Fatal(err)
	}
	return db, m
}

// openBolt opens a raw bbolt database with one bucket "objects".
func openBolt(b *testing.B, nosync bool) *bolt.DB {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{NoSync: nosync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("objects")); return err }); err != nil {
		b.Fatal(err)
	}
	return db
}

func key(i int) string { return fmt.Sprintf("obj/%08d", i) }

// fill puts n objects of size bytes in class, w at a time.
func fill(b *testing.B, db *engine.DB, n, size int, class storageclass.Class) {
	b.Helper()
	body := make([]byte, size)
	var wg sync.WaitGroup
	const w = 8
	errs := make(chan error, w)
	for g := range w {
		wg.Go(func() {
			for i := g; i < n; i += w {
				if _, err := db.Put(ctx, "bkt", key(i), bytes.NewReader(body), &engine.PutOptions{StorageClass: class}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// fillBolt puts n values of size bytes in one transaction per 10,000.
func fillBolt(b *testing.B, db *bolt.DB, n, size int) {
	b.Helper()
	val := make([]byte, size)
	for start := 0; start < n; start += 10_000 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket([]byte("objects"))
			for i := start; i < min(n, start+10_000); i++ {
				if err := bk.Put([]byte(key(i)), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// readAll reads r to the end through buf, returning the byte count.
func readAll(r io.Reader, buf []byte) (int, error) {
	n := 0
	for {
		k, err := r.Read(buf)
		n += k
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func opsPerSec(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
