package engine

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/kv"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// pending counts the expiry index entries: what the sweeper has not yet
// cleared.
func pending(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	require.NoError(t, db.store.View(context.Background(), func(tx kv.Tx) error {
		return tx.Bucket(bktBuckets).ForEach(func(name, _ []byte) error {
			c := objectsBucket(tx, string(name)).Cursor()
			for k, _ := c.Seek(expiryFirst); isExpiryKey(k); k, _ = c.Next() {
				n++
			}
			return nil
		})
	}))
	return n
}

// waitArmed waits (for the goroutine to be scheduled, not for time to pass)
// until the loop sleeps until at.
func waitArmed(t *testing.T, db *DB, at time.Time) {
	t.Helper()
	require.Eventually(t, func() bool { return db.armed.Load() == at.UnixMicro() },
		5*time.Second, time.Millisecond, "loop never armed for %v (armed %v)", at, time.UnixMicro(db.armed.Load()).UTC())
}

func TestLoop_SweepsWithoutCalls(t *testing.T) {
	m := clock.NewMock()
	m.Set(epoch)
	db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{Clock: m, SweepInterval: 24 * time.Hour})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader([]byte("x")), &PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	waitArmed(t, db, epoch.Add(24*time.Hour)) // nothing pending: SweepInterval

	res, err := db.Restore(ctx, "bkt", "k", &RestoreOptions{Days: 1})
	require.NoError(t, err)
	exp := res.Restore.ExpiresAt // 4h + 1 day: later than the interval
	require.True(t, exp.Equal(epoch.Add(28*time.Hour)))
	require.Equal(t, 1, pending(t, db))

	// The interval passes: a sweep with nothing due, then the loop sleeps
	// until the expiry, which is now sooner than a full interval.
	m.Add(24 * time.Hour)
	waitArmed(t, db, exp)
	require.Equal(t, 1, pending(t, db))

	m.Add(4 * time.Hour)
	require.Eventually(t, func() bool { return pending(t, db) == 0 }, 5*time.Second, time.Millisecond)
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, Archived, oi.Restore.State)
	require.Equal(t, storageclass.Archive, oi.StorageClass, "the archived object stays")
	require.NoError(t, db.Check(ctx))
}

func TestLoop_WakesEarlyForSoonerExpiry(t *testing.T) {
	m := clock.NewMock()
	m.Set(epoch)
	db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{Clock: m, SweepInterval: 1000 * time.Hour})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	for _, k := range []string{"late", "soon"} {
		_, err = db.Put(ctx, "bkt", k, bytes.NewReader([]byte(k)), &PutOptions{StorageClass: storageclass.ColdArchive})
		require.NoError(t, err)
	}
	waitArmed(t, db, epoch.Add(1000*time.Hour))
	late, err := db.Restore(ctx, "bkt", "late", &RestoreOptions{Days: 30, Tier: storageclass.TierBulk})
	require.NoError(t, err)
	waitArmed(t, db, late.Restore.ExpiresAt)
	soon, err := db.Restore(ctx, "bkt", "soon", &RestoreOptions{Days: 1, Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	waitArmed(t, db, soon.Restore.ExpiresAt) // woken by the sooner expiry

	m.Set(soon.Restore.ExpiresAt)
	require.Eventually(t, func() bool { return pending(t, db) == 1 }, 5*time.Second, time.Millisecond)
	waitArmed(t, db, late.Restore.ExpiresAt)
}

func TestLoop_CloseStopsIt(t *testing.T) {
	m := clock.NewMock()
	m.Set(epoch)
	db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{Clock: m})
	require.NoError(t, err)
	waitArmed(t, db, epoch.Add(time.Minute))
	done := make(chan struct{})
	go func() { _ = db.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the loop")
	}
	require.Zero(t, db.armed.Load())
}

func TestSweep_Batches(t *testing.T) {
	m := clock.NewMock()
	m.Set(epoch)
	db, err := Open(filepath.Join(t.TempDir(), "c.db"), &Options{Clock: m, DisableSweeper: true, NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	const n = 2*sweepBatch + 7
	for i := range n {
		k := string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		_, err := db.Put(ctx, "bkt", k, bytes.NewReader(nil), &PutOptions{StorageClass: storageclass.Archive})
		require.NoError(t, err)
		_, err = db.Restore(ctx, "bkt", k, &RestoreOptions{Days: 1 + i%2})
		require.NoError(t, err)
	}
	// One restore that expires later stays.
	_, err = db.Put(ctx, "bkt", "later", bytes.NewReader(nil), &PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	m.Add(time.Hour)
	late, err := db.Restore(ctx, "bkt", "later", &RestoreOptions{Days: 7})
	require.NoError(t, err)

	m.Add(4*time.Hour + 24*time.Hour) // the Days: 1 ones expire
	res, err := db.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, (n+1)/2, res.Expired)
	m.Add(24 * time.Hour) // the Days: 2 ones
	res, err = db.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, n/2, res.Expired)
	require.True(t, res.Next.Equal(late.Restore.ExpiresAt))
	require.Equal(t, 1, pending(t, db))
	res, err = db.Sweep(ctx)
	require.NoError(t, err)
	require.Zero(t, res.Expired)
	require.NoError(t, db.Check(ctx))
}
