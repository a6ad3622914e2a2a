package enginetest_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	db, m := enginetest.New(t, nil)
	require.Equal(t, enginetest.Epoch, m.Now())
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	oi, err := db.Put(ctx, "bkt", "k", strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.ColdArchive})
	require.NoError(t, err)
	require.Equal(t, enginetest.Epoch, oi.LastModified)

	res, err := db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	require.Equal(t, 202, res.Status.HTTPStatus())
	sr := enginetest.Advance(t, db, m, time.Hour)
	require.Equal(t, engine.SweepResult{Expired: 0, Next: res.Restore.ExpiresAt}, sr)
	require.Equal(t, enginetest.Epoch.Add(time.Hour), m.Now())
	sr = enginetest.Advance(t, db, m, 24*time.Hour)
	require.Equal(t, 1, sr.Expired)
	_, err = db.Get(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
}

func TestNew_OwnClock(t *testing.T) {
	mine := clock.NewMock()
	mine.Set(time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC))
	opts := &engine.Options{Clock: mine}
	db, m := enginetest.New(t, opts)
	require.Same(t, mine, m)
	require.False(t, opts.DisableSweeper, "the caller's options are not changed")
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	bs, err := db.ListBuckets(context.Background())
	require.NoError(t, err)
	require.Equal(t, mine.Now(), bs[0].Created)
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	cleanups []func()
	failed   []string
}

func (r *recorder) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Errorf(format string, args ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Helper()                           {}

func TestNew_CleanupChecksAndCloses(t *testing.T) {
	rec := &recorder{TB: t}
	db, _ := enginetest.New(rec, nil)
	require.Len(t, rec.cleanups, 1)
	rec.cleanups[0]()
	require.Empty(t, rec.failed)
	_, err := db.ListBuckets(context.Background())
	require.ErrorIs(t, err, coldstore.ErrClosed, "cleanup closed the database")
}

func TestNew_TestClosesItself(t *testing.T) {
	rec := &recorder{TB: t}
	db, _ := enginetest.New(rec, nil)
	require.NoError(t, db.Close())
	rec.cleanups[0]()
	require.Empty(t, rec.failed, "closing in the test is not a failure")
}

// fatalRecorder is a testing.TB whose Fatalf records the failure and ends
// the goroutine, as testing.T's does.
type fatalRecorder struct {
	testing.TB
	failed string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestAdvance_RefusesPastMaxTime: Advance never moves the clock past the
// last instant the engine stores, nor backwards.
func TestAdvance_RefusesPastMaxTime(t *testing.T) {
	db, m := enginetest.New(t, nil)
	for _, d := range []time.Duration{coldstore.MaxTime.Sub(m.Now()) + time.Microsecond, time.Duration(math.MaxInt64), -time.Hour} {
		m.Set(enginetest.Epoch)
		if d == time.Duration(math.MaxInt64) {
			m.Set(time.Date(9800, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		before := m.Now()
		rec := &fatalRecorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			enginetest.Advance(rec, db, m, d)
		}()
		<-done
		require.Contains(t, rec.failed, "to 9999-12-31", "Advance(%v)", d)
		require.Equal(t, before, m.Now(), "the clock did not move")
	}
	m.Set(time.Date(9800, 1, 1, 0, 0, 0, 0, time.UTC))
	enginetest.Advance(t, db, m, coldstore.MaxTime.Sub(m.Now()))
	require.Equal(t, coldstore.MaxTime, m.Now(), "up to MaxTime itself")
}

// NewInMemory is the same double without a file: the seed's story holds,
// and the cleanup checks and closes.
func TestNewInMemory(t *testing.T) {
	rec := &recorder{TB: t}
	db, m := enginetest.NewInMemory(rec, nil)
	require.Equal(t, enginetest.Epoch, m.Now())
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err := db.Put(ctx, "bkt", "k", strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	_, err = db.Get(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	res, err := db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	require.Equal(t, engine.Accepted, res.Status)
	_, err = db.Restore(ctx, "bkt", "k", nil)
	require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress)
	enginetest.Advance(rec, db, m, 4*time.Hour)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	for _, f := range rec.cleanups {
		f()
	}
	require.Empty(t, rec.failed)
	_, err = db.Head(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrClosed, "the cleanup closed it")
}
