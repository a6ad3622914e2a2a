package engine

import (
	"bytes"
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/kv/memkv"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// sharedMem is memkv posing as a store that several engines share: Lead
// gives the leadership to one caller at a time, until its ctx ends.
type sharedMem struct {
	kv.Store
	lead sync.Mutex
}

func (s *sharedMem) Node() []byte { return []byte("memnode1") }

func (s *sharedMem) Alive(context.Context, []byte) (bool, error) { return true, nil }

func (s *sharedMem) Lead(ctx context.Context, _ func(time.Time)) (<-chan struct{}, error) {
	got := make(chan struct{})
	go func() { s.lead.Lock(); close(got) }()
	select {
	case <-got:
	case <-ctx.Done():
		go func() { <-got; s.lead.Unlock() }()
		return nil, ctx.Err()
	}
	lost := make(chan struct{})
	go func() { <-ctx.Done(); s.lead.Unlock(); close(lost) }()
	return lost, nil
}

// meterStory runs the same changes on db: objects of every class put,
// overwritten and deleted early, restores, reads, an upload with a part.
func meterStory(t *testing.T, db *DB, m *clock.Mock) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	for i, c := range []storageclass.Class{storageclass.Standard, storageclass.IA, storageclass.Archive, storageclass.ColdArchive, storageclass.DeepColdArchive} {
		for j := range 3 {
			_, err := db.Put(ctx, "bkt", string(c)+strings.Repeat("x", j), bytes.NewReader(make([]byte, 1000*(i+1)+j)), &PutOptions{StorageClass: c})
			require.NoError(t, err)
			m.Add(time.Hour)
		}
	}
	_, err := db.Restore(ctx, "bkt", string(storageclass.Archive), &RestoreOptions{Days: 2})
	require.NoError(t, err)
	m.Add(5 * time.Hour)
	obj, err := db.Get(ctx, "bkt", string(storageclass.IA))
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.NoError(t, db.Delete(ctx, "bkt", string(storageclass.ColdArchive)))
	_, err = db.Put(ctx, "bkt", string(storageclass.IA)+"x", bytes.NewReader(make([]byte, 10)), &PutOptions{StorageClass: storageclass.Standard})
	require.NoError(t, err)
	up, err := db.InitiateUpload(ctx, "bkt", "big", nil)
	require.NoError(t, err)
	_, err = db.UploadPart(ctx, "bkt", "big", up.UploadID, 1, bytes.NewReader(make([]byte, 5000)))
	require.NoError(t, err)
	m.Add(30 * 24 * time.Hour)
}

// deltasOf counts the meter deltas stored for bucket.
func deltasOf(t *testing.T, s kv.Store, bucket string) int {
	n := 0
	require.NoError(t, s.View(context.Background(), func(tx kv.Tx) error {
		return tx.Bucket(meterName(bucket)).ForEach(func(k, _ []byte) error {
			if isDeltaKey(k) {
				n++
			}
			return nil
		})
	}))
	return n
}

func requireSameUsage(t *testing.T, want, got Usage) {
	t.Helper()
	near := func(a, b map[storageclass.Class]float64) {
		require.Len(t, b, len(a))
		for c, x := range a {
			require.InDelta(t, x, b[c], 1e-6*math.Max(1, math.Abs(x)), "class %s", c)
		}
	}
	near(want.StorageByteHours, got.StorageByteHours)
	near(want.EarlyDeleteByteHours, got.EarlyDeleteByteHours)
	want.StorageByteHours, got.StorageByteHours = nil, nil
	want.EarlyDeleteByteHours, got.EarlyDeleteByteHours = nil, nil
	require.Equal(t, want, got)
}

// On a shared store each change writes a delta, readers fold them, and the
// leader's RunDue folds them into the meter: the usage is the one a store
// of one process meters, before and after the fold, and Check agrees.
func TestMeterDeltas_SameUsageAsOneMeter(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	open := func(s kv.Store) (*DB, *clock.Mock) {
		m := clock.NewMock()
		m.Set(start)
		db, err := OpenStore(s, &Options{Clock: m, DisableSweeper: true})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db, m
	}
	one, m1 := open(memkv.New())
	require.Nil(t, one.cluster)
	shared := &sharedMem{Store: memkv.New()}
	many, m2 := open(shared)
	require.NotNil(t, many.cluster)
	meterStory(t, one, m1)
	meterStory(t, many, m2)

	want, err := one.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.NotEmpty(t, want.StorageByteHours)
	require.NotEmpty(t, want.EarlyDeleteByteHours)
	require.Greater(t, deltasOf(t, shared, "bkt"), 10)
	got, err := many.Usage(ctx, "bkt")
	require.NoError(t, err)
	requireSameUsage(t, want, got)
	require.NoError(t, many.Check(ctx))

	_, err = many.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 0, deltasOf(t, shared, "bkt"), "RunDue folds every delta")
	got, err = many.Usage(ctx, "bkt")
	require.NoError(t, err)
	requireSameUsage(t, want, got)
	require.NoError(t, many.Check(ctx))
	st, err := many.BucketStat(ctx, "bkt")
	require.NoError(t, err)
	require.EqualValues(t, 1, st.MultipartUploads)
}

// A delta older than the meter's accrual (a process whose clock lags)
// still adds its byte-hours from its own instant: folding in any order
// gives the same sums.
func TestMeterDeltas_FoldInAnyOrder(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	delta := func(at time.Time, bytes int64) *usageRecord {
		d := newUsage(time.Time{})
		d.class(storageclass.Standard, at).Bytes = bytes
		d.class(storageclass.Standard, at).Objects = 1
		return d
	}
	a, b := delta(t0, 100), delta(t0.Add(10*time.Hour), 50)
	fold := func(ds ...*usageRecord) float64 {
		u := newUsage(t0)
		for _, d := range ds {
			u.add(d)
		}
		u.Classes[storageclass.Standard].accrue(t0.Add(20 * time.Hour))
		return u.Classes[storageclass.Standard].ByteHours
	}
	require.InDelta(t, 100*20+50*10, fold(a, b), 1e-9)
	require.InDelta(t, 100*20+50*10, fold(b, a), 1e-9)
}

// Two engines over one shared store: only the leader runs the background
// loop; when it closes, the other leads and sweeps the expiry it set.
func TestCluster_LeaderHandsOver(t *testing.T) {
	ctx := context.Background()
	shared := &sharedMem{Store: memkv.New()}
	m := clock.NewMock()
	m.Set(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	a, err := OpenStore(nopClose{shared}, &Options{Clock: m})
	require.NoError(t, err)
	require.Eventually(t, a.leading.Load, 5*time.Second, time.Millisecond)
	b, err := OpenStore(nopClose{shared}, &Options{Clock: m})
	require.NoError(t, err)
	defer b.Close()
	defer shared.Store.Close()
	require.False(t, b.leading.Load())

	require.NoError(t, b.CreateBucket(ctx, "bkt", nil))
	_, err = b.Put(ctx, "bkt", "k", bytes.NewReader([]byte("x")), &PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	_, err = b.Restore(ctx, "bkt", "k", &RestoreOptions{Days: 1})
	require.NoError(t, err)
	require.NoError(t, a.Close())
	require.Eventually(t, b.leading.Load, 5*time.Second, time.Millisecond, "the other engine leads once the leader closed")
	// The new leader's loop sleeps on the clock until the expiry; move
	// past it and wait for the sweep.
	m.Add(30 * time.Hour)
	require.Eventually(t, func() bool {
		m.Add(time.Minute)
		var next time.Time
		require.NoError(t, shared.View(ctx, func(tx kv.Tx) error { next = earliestExpiry(tx); return nil }))
		return next.IsZero()
	}, 5*time.Second, 10*time.Millisecond, "the new leader swept the expired restore")
}

// nopClose keeps a second engine's Close from closing the shared store.
type nopClose struct{ *sharedMem }

func (nopClose) Close() error { return nil }
