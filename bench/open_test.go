package bench

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkOpen: opening a file of n objects of 4 KiB. Raw bbolt opens its
// own file with NoFreelistSync, as the engine does, so that both rebuild
// the freelist by walking every reachable page; the engine first walks the
// same pages itself (pagecheck.go: what bbolt would read, checked before
// bbolt reads it), then checks its layout in a write transaction.
func BenchmarkOpen(b *testing.B) {
	for _, n := range []int{1_000, 50_000} {
		b.Run(fmt.Sprintf("objects=%d/impl=bbolt", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "raw.db")
			db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("objects")); return err }); err != nil {
				b.Fatal(err)
			}
			fillBolt(b, db, n, 4<<10)
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
				if err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("objects=%d/impl=engine", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "engine.db")
			db, err := engine.Open(path, &engine.Options{DisableSweeper: true, NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			if err := db.CreateBucket(ctx, "bkt", nil); err != nil {
				b.Fatal(err)
			}
			fill(b, db, n, 4<<10, "")
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				db, err := engine.Open(path, &engine.Options{DisableSweeper: true, NoSync: true}) // its layout check commits: no fsync, to compare the walks
				if err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
