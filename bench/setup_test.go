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
	return openEngineWith(b, &engine.Options{NoSync: nosync})
}

// openEngineWith is openEngine with opts, to which it adds the mock clock
// and DisableSweeper.
func openEngineWith(b *testing.B, opts *engine.Options) (*engine.DB, *clock.Mock) {
	b.Helper()
	m := clock.NewMock()
	m.Set(epoch)
	o := *opts
	o.Clock, o.DisableSweeper = m, true
	db, err := engine.Open(filepath.Join(b.TempDir(), "engine.db"), &o)
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

// fill puts n objects of size bytes in class, one object per Put from
// fillWriters goroutines.
func fill(b *testing.B, db *engine.DB, n, size int, class storageclass.Class) {
	b.Helper()
	body := make([]byte, size)
	fillWith(b, n, func(i int) error {
		_, err := db.Put(ctx, "bkt", key(i), bytes.NewReader(body), &engine.PutOptions{StorageClass: class})
		return err
	})
}

// fillBolt puts n values of size bytes the way fill puts objects: one
// value per transaction from fillWriters goroutines. Written in one
// transaction, in key order, raw bbolt's pages would lie in key order in
// the file and the engine's would not, and reads would compare layouts
// rather than the work each does.
func fillBolt(b *testing.B, db *bolt.DB, n, size int) {
	b.Helper()
	val := make([]byte, size)
	fillWith(b, n, func(i int) error {
		return db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("objects")).Put([]byte(key(i)), val)
		})
	})
}

// fillWriters is how many goroutines fill and fillBolt write from.
const fillWriters = 8

// fillWith calls put for 0..n-1 from fillWriters goroutines.
func fillWith(b *testing.B, n int, put func(i int) error) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, fillWriters)
	for g := range fillWriters {
		wg.Go(func() {
			for i := g; i < n; i += fillWriters {
				if err := put(i); err != nil {
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
