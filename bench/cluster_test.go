package bench

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/kv/pgkv"
	"github.com/coldstore-dev/coldstore/kv/pgkv/pgtest"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// More than one machine: 1, 2 and 3 engines ("nodes"), each over its own
// pgkv store on one PostgreSQL schema, beside the engine on bbolt (fsync
// on) in the same run. clusterClients goroutines share b.N operations,
// goroutine g on node g%nodes. Besides sec/op it reports ops/s, and for
// PostgreSQL the round trips per operation (summed over the nodes' stores)
// and the runs of a transaction that lost a serialization conflict and
// ran again, per operation. The PostgreSQL benchmarks fail, saying how to
// get a server, when COLDSTORE_TEST_PG is unset. bench/cluster.sh runs
// them in rounds under scripts/with-postgres; one round by hand:
//
//	scripts/with-postgres go test ./bench -run '^$' -bench Cluster -cpu 2 -benchtime 1s

// clusterClients is how many goroutines issue operations, over all nodes.
const clusterClients = 32

// cluster is the nodes of one sub-benchmark.
type cluster struct {
	dbs     []*engine.DB
	stores  []*pgkv.Store // nil on bbolt
	retries *atomic.Uint64
}

// openBoltCluster is the one node on bbolt: engine.Open, fsync on.
func openBoltCluster(b *testing.B) *cluster {
	b.Helper()
	m := clock.NewMock()
	m.Set(epoch)
	db, err := engine.Open(filepath.Join(b.TempDir(), "engine.db"), &engine.Options{Clock: m, DisableSweeper: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.CreateBucket(ctx, "bkt", nil); err != nil {
		b.Fatal(err)
	}
	return &cluster{dbs: []*engine.DB{db}}
}

// openPGCluster opens n nodes on a fresh schema of the test server, with
// one mock clock for the engines, and a bucket "bkt".
func openPGCluster(b *testing.B, n int) *cluster {
	b.Helper()
	url := pgtest.URL(b, b.TempDir())
	m := clock.NewMock()
	m.Set(epoch)
	c := &cluster{retries: new(atomic.Uint64)}
	for range n {
		// The store's own clock times the waits before a transaction runs
		// again after a conflict; its other waits follow a lost
		// connection or an election the sweeper's absence rules out, so
		// counting its timers during the measurement counts those runs.
		st, err := pgkv.Open(ctx, url, &pgkv.Options{Clock: countingClock{clock.New(), c.retries}})
		if err != nil {
			b.Fatal(err)
		}
		db, err := engine.OpenStore(st, &engine.Options{Clock: m, DisableSweeper: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		c.dbs = append(c.dbs, db)
		c.stores = append(c.stores, st)
	}
	if err := c.dbs[0].CreateBucket(ctx, "bkt", nil); err != nil {
		b.Fatal(err)
	}
	return c
}

// countingClock counts the timers asked of it.
type countingClock struct {
	clock.Clock
	n *atomic.Uint64
}

func (c countingClock) Timer(d time.Duration) *clock.Timer {
	c.n.Add(1)
	return c.Clock.Timer(d)
}

// trips sums the round trips of the nodes' stores.
func (c *cluster) trips() uint64 {
	var n uint64
	for _, s := range c.stores {
		n += s.RoundTrips()
	}
	return n
}

// fill puts n objects of size bytes in class, from clusterClients
// goroutines spread over the nodes.
func (c *cluster) fill(b *testing.B, n, size int, class storageclass.Class) {
	b.Helper()
	body := make([]byte, size)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clusterClients)
	for g := range clusterClients {
		db := c.dbs[g%len(c.dbs)]
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
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

// run shares b.N calls of op(db, i, buf), i from 0, among clients
// goroutines, goroutine g on node g%nodes with a 4 KiB buffer of its own,
// and reports ops/s and, on PostgreSQL, trips/op and retries/op.
func (c *cluster) run(b *testing.B, clients int, op func(db *engine.DB, i int, buf []byte) error) {
	procs := runtime.GOMAXPROCS(0)
	switch {
	case clients == 1:
		// RunParallel starts at least GOMAXPROCS goroutines.
		buf := make([]byte, 4<<10)
		trips := c.trips()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := op(c.dbs[0], i, buf); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		opsPerSec(b)
		if c.stores != nil {
			b.ReportMetric(float64(c.trips()-trips)/float64(b.N), "trips/op")
		}
		return
	case clients%procs != 0:
		b.Fatalf("GOMAXPROCS=%d does not divide %d clients: run with -cpu 1, 2 or 4", procs, clients)
	}
	b.SetParallelism(clients / procs)
	var goroutine, next atomic.Int64
	var failed sync.Once
	trips, retries := c.trips(), c.retryCount()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		db := c.dbs[int(goroutine.Add(1)-1)%len(c.dbs)]
		buf := make([]byte, 4<<10)
		for pb.Next() {
			if err := op(db, int(next.Add(1)-1), buf); err != nil {
				failed.Do(func() { b.Error(err) })
				return
			}
		}
	})
	b.StopTimer()
	opsPerSec(b)
	if c.stores != nil {
		b.ReportMetric(float64(c.trips()-trips)/float64(b.N), "trips/op")
		b.ReportMetric(float64(c.retryCount()-retries)/float64(b.N), "retries/op")
	}
}

func (c *cluster) retryCount() uint64 {
	if c.retries == nil {
		return 0
	}
	return c.retries.Load()
}

// clusterOps are the operations of BenchmarkCluster: Put of 4 KiB to
// fresh keys; Restore of distinct Archive objects put beforehand (each
// answers Accepted, 202); Get of 4 KiB, read to the end, over 1,000
// objects.
var clusterOps = []struct {
	name    string
	prepare func(b *testing.B, c *cluster) // before the timer, for b.N calls
	op      func(db *engine.DB, i int, buf []byte) error
}{
	{"Put4KiB", nil, func(db *engine.DB, i int, buf []byte) error {
		_, err := db.Put(ctx, "bkt", key(i), bytes.NewReader(buf), nil)
		return err
	}},
	{"Restore", func(b *testing.B, c *cluster) {
		c.fill(b, b.N, 10, storageclass.Archive)
	}, func(db *engine.DB, i int, _ []byte) error {
		res, err := db.Restore(ctx, "bkt", key(i), nil)
		if err == nil && res.Status != engine.Accepted {
			err = fmt.Errorf("restore of %s: status %v, want Accepted", key(i), res.Status)
		}
		return err
	}},
	{"Get4KiB", func(b *testing.B, c *cluster) {
		c.fill(b, getStored, 4<<10, storageclass.Standard)
	}, func(db *engine.DB, i int, buf []byte) error {
		obj, err := db.Get(ctx, "bkt", key(i%getStored))
		if err != nil {
			return err
		}
		defer obj.Close()
		n, err := readAll(obj, buf)
		if err == nil && n != len(buf) {
			err = fmt.Errorf("get of %s: %d bytes, want %d", key(i%getStored), n, len(buf))
		}
		return err
	}},
}

// getStored is how many objects Get4KiB reads in turn.
const getStored = 1000

// clusterSetup is a store and a number of nodes.
type clusterSetup struct {
	store string
	nodes int
}

func (s clusterSetup) open(b *testing.B) *cluster {
	if s.store == "bbolt" {
		return openBoltCluster(b)
	}
	return openPGCluster(b, s.nodes)
}

// BenchmarkCluster runs clusterOps from 32 clients on bbolt and on 1, 2 and
// 3 nodes of PostgreSQL.
func BenchmarkCluster(b *testing.B) {
	setups := []clusterSetup{{"bbolt", 1}, {"pg", 1}, {"pg", 2}, {"pg", 3}}
	for _, o := range clusterOps {
		for _, s := range setups {
			b.Run(fmt.Sprintf("op=%s/store=%s/nodes=%d", o.name, s.store, s.nodes), func(b *testing.B) {
				c := s.open(b)
				if o.prepare != nil {
					o.prepare(b, c)
				}
				c.run(b, clusterClients, o.op)
			})
		}
	}
}

// BenchmarkClusterOneClient runs clusterOps from one client on bbolt and on
// one node of PostgreSQL: the cost of an operation that never waits for
// another, in round trips, with no conflict to retry.
func BenchmarkClusterOneClient(b *testing.B) {
	for _, o := range clusterOps {
		for _, s := range []clusterSetup{{"bbolt", 1}, {"pg", 1}} {
			b.Run(fmt.Sprintf("op=%s/store=%s/nodes=%d", o.name, s.store, s.nodes), func(b *testing.B) {
				c := s.open(b)
				if o.prepare != nil {
					o.prepare(b, c)
				}
				c.run(b, 1, o.op)
			})
		}
	}
}
