package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLiveBuckets_ConcurrentCountTakeForget(t *testing.T) {
	var p liveBuckets
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				p.count(nil, "b", opGetObject, 3)
				p.count(p.lookup("b"), "b", opHeadObject, 0)
			}
		})
	}
	wg.Wait()
	got := p.take("b")
	require.Equal(t, map[string]int64{"GetObject": 8000, "HeadObject": 8000}, got.requests)
	require.Equal(t, int64(24000), got.iaRetrieval)
	p.count(nil, "b", opListObjects, 0) // after the take: stays pending after forget
	p.forget("b", got)
	require.Equal(t, map[string]int64{"ListObjects": 1}, p.take("b").requests)
	require.Equal(t, []string{"b"}, p.pending())
	p.forget("b", p.take("b"))
	require.Empty(t, p.pending(), "nothing left to store")
}

// A read counted after its bucket was deleted must not make every later
// sweep write a transaction for a bucket that is gone.
func TestFlushReads_DropsReadsOfDeletedBuckets(t *testing.T) {
	ctx := context.Background()
	db, err := Open(t.TempDir()+"/r.db", &Options{DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	db.live.count(nil, "gone", opGetObject, 0) // as a Get racing DeleteBucket would
	require.Equal(t, []string{"gone"}, db.live.pending())
	_, err = db.Sweep(ctx)
	require.NoError(t, err)
	require.Empty(t, db.live.pending())
}
