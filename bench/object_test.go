package bench

import (
	"bytes"
	"io"

	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	bolt "go.etcd.io/bbolt"
)

var sizes = []struct {
	name string
	n    int
}{{"4KiB", 4 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

// BenchmarkPut: one object per transaction, synced.
func BenchmarkPut(b *testing.B) {
	for _, sz := range sizes {
		body := make([]byte, sz.n)
		b.Run("size="+sz.name+"/impl=bbolt", func(b *testing.B) {
			db := openBolt(b, false)
			b.ReportAllocs()
			b.SetBytes(int64(sz.n))
			for i := 0; b.Loop(); i++ {
				err := db.Update(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("objects")).Put([]byte(key(i)), body)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			opsPerSec(b)
		})
		b.Run("size="+sz.name+"/impl=engine", func(b *testing.B) {
			db, _ := openEngine(b, false)
			b.ReportAllocs()
			b.SetBytes(int64(sz.n))
			for i := 0; b.Loop(); i++ {
				if _, err := db.Put(ctx, "bkt", key(i), bytes.NewReader(body), nil); err != nil {
					b.Fatal(err)
				}
			}
			opsPerSec(b)
		})
	}
}

// BenchmarkGet: raw is View + Get + copy; the engine is Get + Read to the
// end + Close.
func BenchmarkGet(b *testing.B) {
	const n = 1000
	for _, sz := range sizes {
		buf := make([]byte, sz.n)
		b.Run("size="+sz.name+"/impl=bbolt", func(b *testing.B) {
			db := openBolt(b, true)
			fillBolt(b, db, n, sz.n)
			b.ReportAllocs()
			b.SetBytes(int64(sz.n))
			for i := 0; b.Loop(); i++ {
				err := db.View(func(tx *bolt.Tx) error {
					copy(buf, tx.Bucket([]byte("objects")).Get([]byte(key(i%n))))
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			opsPerSec(b)
		})
		b.Run("size="+sz.name+"/impl=engine", func(b *testing.B) {
			db, _ := openEngine(b, true)
			fill(b, db, n, sz.n, storageclass.Standard)
			b.ReportAllocs()
			b.SetBytes(int64(sz.n))
			for i := 0; b.Loop(); i++ {
				obj, err := db.Get(ctx, "bkt", key(i%n))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := readAll(obj, buf); err != nil {
					b.Fatal(err)
				}
				obj.Close()
			}
			opsPerSec(b)
		})
		// As the servers send a body: WriteTo a writer (here one that
		// keeps nothing), the engine copying chunk by chunk into its own
		// buffer.
		b.Run("size="+sz.name+"/impl=engine-writeto", func(b *testing.B) {
			db, _ := openEngine(b, true)
			fill(b, db, n, sz.n, storageclass.Standard)
			b.ReportAllocs()
			b.SetBytes(int64(sz.n))
			for i := 0; b.Loop(); i++ {
				obj, err := db.Get(ctx, "bkt", key(i%n))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := obj.WriteTo(io.Discard); err != nil {
					b.Fatal(err)
				}
				obj.Close()
			}
			opsPerSec(b)
		})
	}
}

// BenchmarkHead: raw is View + Get of the record.
func BenchmarkHead(b *testing.B) {
	const n = 1000
	b.Run("impl=bbolt", func(b *testing.B) {
		db := openBolt(b, true)
		fillBolt(b, db, n, 100)
		buf := make([]byte, 100)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = db.View(func(tx *bolt.Tx) error {
				copy(buf, tx.Bucket([]byte("objects")).Get([]byte(key(i%n))))
				return nil
			})
		}
		opsPerSec(b)
	})
	b.Run("impl=engine", func(b *testing.B) {
		db, _ := openEngine(b, true)
		fill(b, db, n, 10, storageclass.Archive)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := db.Head(ctx, "bkt", key(i%n)); err != nil {
				b.Fatal(err)
			}
		}
		opsPerSec(b)
	})
}

// BenchmarkList: a page of 1,000 keys; raw walks a cursor and copies.
func BenchmarkList(b *testing.B) {
	const n = 1000
	b.Run("impl=bbolt", func(b *testing.B) {
		db := openBolt(b, true)
		fillBolt(b, db, n, 100)
		b.ReportAllocs()
		for b.Loop() {
			_ = db.View(func(tx *bolt.Tx) error {
				var out [][]byte
				c := tx.Bucket([]byte("objects")).Cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					out = append(out, bytes.Clone(k), bytes.Clone(v))
				}
				return nil
			})
		}
		opsPerSec(b)
	})
	b.Run("impl=engine", func(b *testing.B) {
		db, _ := openEngine(b, true)
		fill(b, db, n, 10, storageclass.Standard)
		b.ReportAllocs()
		for b.Loop() {
			p, err := db.List(ctx, "bkt", nil)
			if err != nil || len(p.Objects) != n {
				b.Fatal(err, len(p.Objects))
			}
		}
		opsPerSec(b)
	})
}

// rawUpdate is the raw counterpart of a state change of one object: read
// its record, change it, write it back, synced.
func rawUpdate(db *bolt.DB, k []byte) error {
	return db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("objects"))
		v := bytes.Clone(bk.Get(k))
		v[0]++
		return bk.Put(k, v)
	})
}

// benchRawUpdate is the raw counterpart of a state change: synced
// single-key updates over n records.
func benchRawUpdate(b *testing.B, n int) {
	db := openBolt(b, false)
	fillBolt(b, db, n, 100)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := rawUpdate(db, []byte(key(i%n))); err != nil {
			b.Fatal(err)
		}
	}
	opsPerSec(b)
}

// BenchmarkRestore: an Archive object restored (202), synced. Each pass
// over the objects moves the mock clock past their expiry and sweeps, as
// the background loop would (outside the timer), so every call is a first
// restore.
func BenchmarkRestore(b *testing.B) {
	const n = 1000
	b.Run("impl=bbolt", func(b *testing.B) { benchRawUpdate(b, n) })
	b.Run("impl=engine", func(b *testing.B) {
		db, m := openEngine(b, false)
		fill(b, db, n, 10, storageclass.Archive)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%n == 0 {
				b.StopTimer()
				m.Add(10 * day)
				if _, err := db.Sweep(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			res, err := db.Restore(ctx, "bkt", key(i%n), nil)
			if err != nil || res.Status != engine.Accepted {
				b.Fatal(err, res.Status)
			}
		}
		opsPerSec(b)
	})
}

// BenchmarkSetStorageClass: an object moved between Standard and IA.
func BenchmarkSetStorageClass(b *testing.B) {
	const n = 1000
	b.Run("impl=bbolt", func(b *testing.B) { benchRawUpdate(b, n) })
	b.Run("impl=engine", func(b *testing.B) {
		db, _ := openEngine(b, false)
		fill(b, db, n, 10, storageclass.Standard)
		classes := []storageclass.Class{storageclass.IA, storageclass.Standard}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := db.SetStorageClass(ctx, "bkt", key(i%n), classes[i/n%2]); err != nil {
				b.Fatal(err)
			}
		}
		opsPerSec(b)
	})
}
