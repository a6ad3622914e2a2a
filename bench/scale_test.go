package bench

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkConcurrentWriters: W goroutines share b.N synced writes. The
// engine's group commit lets them share commits; raw bbolt Update gives each
// its own.
func BenchmarkConcurrentWriters(b *testing.B) {
	body := make([]byte, 4<<10)
	for _, w := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("op=Put/writers=%d/impl=bbolt", w), func(b *testing.B) {
			db := openBolt(b, false)
			var n atomic.Int64
			parallel(b, w, func(int) error {
				i := n.Add(1)
				return db.Update(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("objects")).Put([]byte(key(int(i))), body)
				})
			})
		})
		b.Run(fmt.Sprintf("op=Put/writers=%d/impl=engine", w), func(b *testing.B) {
			db, _ := openEngine(b, false)
			var n atomic.Int64
			parallel(b, w, func(int) error {
				_, err := db.Put(ctx, "bkt", key(int(n.Add(1))), bytes.NewReader(body), nil)
				return err
			})
		})
		b.Run(fmt.Sprintf("op=Restore/writers=%d/impl=engine", w), func(b *testing.B) {
			const objects = 4096
			db, m := openEngine(b, false)
			fill(b, db, objects, 10, storageclass.Archive)
			// Each writer restores its own keys in turn; before it comes back
			// to one, it moves the clock past the last restore's expiry.
			per := objects / w
			turns := make([]int, w)
			var mu sync.Mutex
			parallel(b, w, func(g int) error {
				j := turns[g]
				turns[g]++
				if j > 0 && j%per == 0 {
					mu.Lock()
					m.Add(10 * day)
					mu.Unlock()
				}
				_, err := db.Restore(ctx, "bkt", key(g+w*(j%per)), nil)
				return err
			})
		})
	}
}

// parallel runs b.N calls of fn over w goroutines, telling fn which
// goroutine calls it, and reports ops/s.
func parallel(b *testing.B, w int, fn func(g int) error) {
	b.Helper()
	b.ReportAllocs()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, w)
	b.ResetTimer()
	for g := range w {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := fn(g); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	opsPerSec(b)
}

var notDue = []int{10_000, 100_000, 1_000_000}

const due = 1000

// BenchmarkSweep: 1,000 expired restores among many pending ones that are
// not due. The time per expired restore must not grow with the others.
func BenchmarkSweep(b *testing.B) {
	for _, n := range notDue {
		b.Run(fmt.Sprintf("notdue=%d", n), func(b *testing.B) {
			db, m := openEngine(b, true)
			fill(b, db, n+due, 0, storageclass.ColdArchive)
			restoreAll(b, db, due, n+due, 365) // pending for a year
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				m.Add(10 * day)
				restoreAll(b, db, 0, due, 1) // due in a day and 5 hours
				m.Add(2 * day)
				b.StartTimer()
				res, err := db.Sweep(ctx)
				if err != nil || res.Expired != due {
					b.Fatal(err, res.Expired)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*due), "ns/due")
		})
	}
}

// restoreAll restores objects [from, to) for days, 8 at a time.
func restoreAll(b *testing.B, db *engine.DB, from, to, days int) {
	b.Helper()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := from + g; i < to; i += 8 {
				if _, err := db.Restore(ctx, "bkt", key(i), &engine.RestoreOptions{Days: days}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkRunLifecycle: 1,000 objects due for a transition among many
// that a rule will act on much later. The time per due object must not
// grow with the others.
func BenchmarkRunLifecycle(b *testing.B) {
	for _, n := range notDue {
		b.Run(fmt.Sprintf("notdue=%d", n), func(b *testing.B) {
			db, m := openEngine(b, true)
			// The not-due objects are due in ten years.
			fill(b, db, n, 0, storageclass.Standard)
			cfg := &lifecycle.Configuration{Rules: []lifecycle.Rule{
				{ID: "late", Prefix: "obj/", Enabled: true, Expiration: &lifecycle.Expiration{Days: 3650}},
				{ID: "soon", Prefix: "due/", Enabled: true, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA, AllowSmallFile: true}}},
			}}
			if err := db.PutBucketLifecycle(ctx, "bkt", cfg); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				for j := range due {
					if _, err := db.Put(ctx, "bkt", fmt.Sprintf("due/%d/%d", i, j), bytes.NewReader(nil), nil); err != nil {
						b.Fatal(err)
					}
				}
				m.Add(2 * day)
				b.StartTimer()
				res, err := db.RunLifecycle(ctx)
				if err != nil || res.Transitioned != due {
					b.Fatal(err, res.Transitioned)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*due), "ns/due")
		})
	}
}

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ left int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.left))
	for i := range p[:n] {
		p[i] = byte(i)
	}
	r.left -= int64(n)
	return n, nil
}

// peakHeap samples the live heap every millisecond until stop.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkLargeObject: Put then Get of a 1 GiB object, reporting how much
// the heap grew at its peak over its size before; without a cache of
// checked chunks, and with serve's (512 MiB, outside the heap: the Get
// fills it, and the heap does not grow for it).
func BenchmarkLargeObject(b *testing.B) {
	for _, cache := range []int64{0, 512 << 20} {
		b.Run(fmt.Sprintf("cache=%dMiB", cache>>20), func(b *testing.B) { largeObject(b, cache) })
	}
}

func largeObject(b *testing.B, cache int64) {
	const size = 1 << 30
	buf := make([]byte, 1<<20)
	for b.Loop() {
		db, _ := openEngineWith(b, &engine.Options{BodyCache: cache})
		runtime.GC()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		base := s[0].Value.Uint64()
		stop := make(chan struct{})
		peak := peakHeap(stop)
		if _, err := db.Put(ctx, "bkt", "big", &patternReader{left: size}, nil); err != nil {
			b.Fatal(err)
		}
		obj, err := db.Get(ctx, "bkt", "big")
		if err != nil {
			b.Fatal(err)
		}
		n, err := readAll(obj, buf)
		if err != nil || n != size {
			b.Fatal(err, n)
		}
		close(stop)
		top := max(<-peak, base)
		b.ReportMetric(float64(top-base)/(1<<20), "peak-heap-MiB")
		b.SetBytes(2 * size)
	}
}
