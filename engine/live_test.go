package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func TestLiveBuckets_ConcurrentCountTakeForget(t *testing.T) {
	var p liveBuckets
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				p.count(nil, "b", opGetObject)
				p.retrieve(nil, "b", "IA", 3)
				p.count(p.lookup("b"), "b", opHeadObject)
			}
		})
	}
	wg.Wait()
	got := p.take("b")
	require.Equal(t, map[string]int64{"GetObject": 8000, "HeadObject": 8000}, got.requests)
	require.Equal(t, map[storageclass.Class]int64{"IA": 24000}, got.retrieval)
	p.count(nil, "b", opListObjects) // after the take: stays pending after forget
	p.retrieve(nil, "b", "STANDARD_IA", 5)
	p.forget("b", got)
	require.Equal(t, map[string]int64{"ListObjects": 1}, p.take("b").requests)
	require.Equal(t, map[storageclass.Class]int64{"STANDARD_IA": 5}, p.take("b").retrieval)
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
	db.live.count(nil, "gone", opGetObject) // as a Get racing DeleteBucket would
	require.Equal(t, []string{"gone"}, db.live.pending())
	_, err = db.Sweep(ctx)
	require.NoError(t, err)
	require.Empty(t, db.live.pending())
}
