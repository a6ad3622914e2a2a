package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// TestLoad runs 32 goroutines mixing every operation on shared keys while
// the background sweeper runs and another goroutine moves the mock clock.
//
// "Stable" keys are only restored and cleaned, never replaced, so a restore
// epoch is identified by its RequestedAt: a new 202 needs the object
// Archived again, which needs time to pass (expiry) or the copy to be ready
// (CleanRestored). Each epoch must have been answered 202 exactly once.
func TestLoad(t *testing.T) {
	const workers, opsPer = 32, 300
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	db, err := engine.Open(filepath.Join(t.TempDir(), "load.db"), &engine.Options{Clock: m, NoSync: true, SweepInterval: time.Hour})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "load", nil))
	stable := []string{"stable-0", "stable-1", "stable-2", "stable-3"}
	mixed := []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"}
	for i, k := range stable {
		class := []storageclass.Class{storageclass.Archive, storageclass.ColdArchive}[i%2]
		_, err := db.Put(ctx, "load", k, bytes.NewReader([]byte(k)), &engine.PutOptions{StorageClass: class})
		require.NoError(t, err)
	}

	stop := make(chan struct{})
	var clockDone sync.WaitGroup
	clockDone.Go(func() {
		r := rand.New(rand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				return
			default:
				m.Add(time.Duration(1+r.IntN(360)) * time.Minute)
			}
		}
	})

	var mu sync.Mutex
	epochs := map[string]map[time.Time]int{}
	codes := map[string]int{}
	var ops atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 3))
			for i := range opsPer {
				code := loadOp(r, db, stable, mixed, w, i, func(key string, at time.Time) {
					mu.Lock()
					if epochs[key] == nil {
						epochs[key] = map[time.Time]int{}
					}
					epochs[key][at]++
					mu.Unlock()
				})
				mu.Lock()
				codes[code]++
				mu.Unlock()
				ops.Add(1)
			}
		})
	}
	wg.Wait()
	close(stop)
	clockDone.Wait()

	require.Zero(t, codes["InternalError"], "codes seen: %v", codes)
	accepted := 0
	for key, byEpoch := range epochs {
		for at, n := range byEpoch {
			require.Equal(t, 1, n, "%s: %d answers 202 for the restore requested at %v", key, n, at)
			accepted++
		}
	}
	require.Positive(t, accepted)
	require.NoError(t, db.Check(ctx))
	t.Logf("%d operations by %d goroutines; %d restore epochs on stable keys, each 202 once; answers: %v", ops.Load(), workers, accepted, codes)
}

// loadOp runs one random operation and returns its error code ("" for
// success). accepted is told of each 202 on a stable key.
func loadOp(r *rand.Rand, db *engine.DB, stable, mixed []string, w, i int, accepted func(string, time.Time)) string {
	c := context.Background()
	if r.IntN(3) == 0 { // stable keys: restore and clean only
		k := stable[r.IntN(len(stable))]
		if r.IntN(4) == 0 {
			return coldstore.Code(db.CleanRestored(c, "load", k))
		}
		res, err := db.Restore(c, "load", k, &engine.RestoreOptions{Days: 1 + r.IntN(3)})
		if err == nil && res.Status == engine.Accepted {
			accepted(k, res.Restore.RequestedAt)
		}
		return coldstore.Code(err)
	}
	k := mixed[r.IntN(len(mixed))]
	var err error
	switch r.IntN(10) {
	case 0, 1:
		body := []byte(fmt.Sprintf("worker %d op %d", w, i))
		class := allClasses[r.IntN(len(allClasses))]
		_, err = db.Put(c, "load", k, bytes.NewReader(body), &engine.PutOptions{StorageClass: class})
	case 2:
		var obj *engine.Object
		if obj, err = db.Get(c, "load", k); err == nil {
			_, err = io.ReadAll(obj)
			obj.Close()
		}
	case 3:
		_, err = db.Head(c, "load", k)
	case 4:
		err = db.Delete(c, "load", k)
	case 5:
		_, err = db.List(c, "load", &engine.ListOptions{Prefix: "m", Limit: 1 + r.IntN(5)})
	case 6:
		_, err = db.Restore(c, "load", k, &engine.RestoreOptions{Tier: []storageclass.Tier{"", storageclass.TierExpedited, storageclass.TierBulk}[r.IntN(3)]})
	case 7:
		err = db.CleanRestored(c, "load", k)
	case 8:
		_, err = db.SetStorageClass(c, "load", k, allClasses[r.IntN(len(allClasses))])
	case 9:
		_, err = db.Sweep(c)
	}
	return coldstore.Code(err)
}
