package engine_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

const mib = 1 << 20

func rule(id, prefix string, exp int, ts ...lifecycle.Transition) lifecycle.Rule {
	r := lifecycle.Rule{ID: id, Prefix: prefix, Enabled: true, Transitions: ts}
	if exp > 0 {
		r.Expiration = &lifecycle.Expiration{Days: exp}
	}
	return r
}

func to(class storageclass.Class, days int) lifecycle.Transition {
	return lifecycle.Transition{Days: days, StorageClass: class}
}

func (f *fixture) putSize(key string, class storageclass.Class, size int) engine.ObjectInfo {
	f.t.Helper()
	oi, err := f.db.Put(ctx, "bkt", key, bytes.NewReader(make([]byte, size)), &engine.PutOptions{StorageClass: class})
	require.NoError(f.t, err)
	return oi
}

func (f *fixture) lifecycle(rules ...lifecycle.Rule) {
	f.t.Helper()
	require.NoError(f.t, f.db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: rules}))
}

// at moves the clock to start + d and runs the lifecycle.
func (f *fixture) at(start time.Time, d time.Duration) engine.LifecycleResult {
	f.t.Helper()
	f.m.Set(start.Add(d))
	res, err := f.db.RunLifecycle(ctx)
	require.NoError(f.t, err)
	return res
}

func TestBucketLifecycleCRUD(t *testing.T) {
	f := newFixture(t)
	_, err := f.db.GetBucketLifecycle(ctx, "bkt")
	require.ErrorIs(t, err, coldstore.ErrNoSuchLifecycle)
	require.Equal(t, 404, coldstore.HTTPStatus(err))

	cfg := &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("", "logs/", 365, to(storageclass.IA, 30)), rule("named", "tmp/", 1)}}
	require.NoError(t, f.db.PutBucketLifecycle(ctx, "bkt", cfg))
	require.Equal(t, "", cfg.Rules[0].ID, "the caller's configuration is not changed")
	got, err := f.db.GetBucketLifecycle(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, "rule-1", got.Rules[0].ID, "an empty ID is named")
	require.Equal(t, "named", got.Rules[1].ID)
	require.Equal(t, cfg.Rules[0].Transitions, got.Rules[0].Transitions)

	// A name it would give is taken by another rule: it gives another, and
	// the configuration read back is put again as it is.
	taken := &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("", "a/", 10), rule("rule-1", "b/", 10), rule("", "c/", 10), rule("rule-3-1", "d/", 10)}}
	require.NoError(t, f.db.PutBucketLifecycle(ctx, "bkt", taken))
	back, err := f.db.GetBucketLifecycle(ctx, "bkt")
	require.NoError(t, err)
	var ids []string
	for _, r := range back.Rules {
		ids = append(ids, r.ID)
	}
	require.Equal(t, []string{"rule-1-1", "rule-1", "rule-3", "rule-3-1"}, ids)
	require.NoError(t, f.db.PutBucketLifecycle(ctx, "bkt", back), "read back, put again")
	require.NoError(t, f.db.PutBucketLifecycle(ctx, "bkt", cfg))

	bad := &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("x", "", 10, to(storageclass.IA, 30))}}
	require.ErrorIs(t, f.db.PutBucketLifecycle(ctx, "bkt", bad), coldstore.ErrInvalidArgument)
	require.ErrorIs(t, f.db.PutBucketLifecycle(ctx, "bkt", nil), coldstore.ErrInvalidArgument)
	access := &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("a", "", 0, lifecycle.Transition{Days: 3, StorageClass: storageclass.IA, IsAccessTime: true})}}
	require.ErrorIs(t, f.db.PutBucketLifecycle(ctx, "bkt", access), coldstore.ErrInvalidArgument, "access monitor is off")
	require.ErrorIs(t, f.db.PutBucketLifecycle(ctx, "nobucket", cfg), coldstore.ErrNoSuchBucket)
	got2, err := f.db.GetBucketLifecycle(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, got, got2, "refused configurations change nothing")

	require.NoError(t, f.db.DeleteBucketLifecycle(ctx, "bkt"))
	_, err = f.db.GetBucketLifecycle(ctx, "bkt")
	require.ErrorIs(t, err, coldstore.ErrNoSuchLifecycle)
	require.NoError(t, f.db.DeleteBucketLifecycle(ctx, "bkt"), "deleting none succeeds")
	require.ErrorIs(t, f.db.DeleteBucketLifecycle(ctx, "nobucket"), coldstore.ErrNoSuchBucket)
}

func TestRunLifecycle_Transitions(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("logs/a", storageclass.Standard, mib)
	f.putSize("logs/small", storageclass.Standard, 100) // under 64 KiB: stays
	f.putSize("other/a", storageclass.Standard, mib)
	f.lifecycle(rule("tier", "logs/", 400, to(storageclass.IA, 10), to(storageclass.Archive, 30), to(storageclass.ColdArchive, 90)))

	res := f.at(start, 10*day-time.Second)
	require.Equal(t, engine.LifecycleResult{Next: start.Add(10 * day)}, res)
	res = f.at(start, 10*day)
	require.Equal(t, 1, res.Transitioned)
	require.True(t, res.Next.Equal(start.Add(30*day)), "%v", res.Next)
	oi := f.head("logs/a")
	require.Equal(t, storageclass.IA, oi.StorageClass)
	require.True(t, oi.ClassSince.Equal(start.Add(10*day)))
	require.True(t, oi.LastModified.Equal(start), "a transition keeps LastModified")

	// Late: both Archive and ColdArchive are due; the coldest wins.
	res = f.at(start, 100*day)
	require.Equal(t, 1, res.Transitioned)
	require.Equal(t, storageclass.ColdArchive, f.head("logs/a").StorageClass)
	require.Equal(t, engine.Archived, f.head("logs/a").Restore.State)
	require.Equal(t, storageclass.Standard, f.head("logs/small").StorageClass)
	require.Equal(t, storageclass.Standard, f.head("other/a").StorageClass)

	// Expiration deletes, small objects included.
	res = f.at(start, 400*day)
	require.Equal(t, 2, res.Expired)
	require.True(t, res.Next.IsZero())
	_, err := f.db.Head(ctx, "bkt", "logs/a")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	f.head("other/a")
}

func TestRunLifecycle_RulesChangeReplans(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("a", storageclass.Standard, mib)
	f.lifecycle(rule("r", "", 0, to(storageclass.IA, 30)))
	f.lifecycle(rule("r", "", 0, to(storageclass.Archive, 5)))
	require.Equal(t, 1, f.at(start, 5*day).Transitioned)
	require.Equal(t, storageclass.Archive, f.head("a").StorageClass)

	f.putSize("b", storageclass.Standard, mib)
	require.NoError(t, f.db.DeleteBucketLifecycle(ctx, "bkt"))
	require.Zero(t, f.at(start, 100*day).Transitioned)
	require.Equal(t, storageclass.Standard, f.head("b").StorageClass)
}

func TestRunLifecycle_WaitsForRestore(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("a", storageclass.Archive, mib)
	res, err := f.db.Restore(ctx, "bkt", "a", &engine.RestoreOptions{Days: 5})
	require.NoError(t, err)
	f.lifecycle(rule("r", "", 0, to(storageclass.ColdArchive, 1)))
	lc := f.at(start, 2*day)
	require.Zero(t, lc.Transitioned, "the restored copy is not cut short")
	require.True(t, lc.Next.Equal(res.Restore.ExpiresAt))
	require.Equal(t, engine.Restored, f.head("a").Restore.State)
	lc = f.at(start, res.Restore.ExpiresAt.Sub(start))
	require.Equal(t, 1, lc.Transitioned)
	oi := f.head("a")
	require.Equal(t, storageclass.ColdArchive, oi.StorageClass)
	require.Equal(t, engine.Archived, oi.Restore.State)
}

func TestRunLifecycle_ExpirationDoesNotWait(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("a", storageclass.ColdArchive, mib)
	_, err := f.db.Restore(ctx, "bkt", "a", &engine.RestoreOptions{Days: 30})
	require.NoError(t, err)
	f.lifecycle(rule("r", "", 3, to(storageclass.DeepColdArchive, 1)))
	require.Zero(t, f.at(start, day).Transitioned)
	require.Equal(t, 1, f.at(start, 3*day).Expired)
}

func TestAccessTime(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("p/a", storageclass.Standard, mib)
	f.putSize("p/b", storageclass.Standard, mib)
	f.m.Add(2 * day)
	require.NoError(t, f.db.SetAccessMonitor(ctx, "bkt", true))
	monitorOn := f.m.Now()
	f.lifecycle(rule("a", "p/", 0, lifecycle.Transition{Days: 30, StorageClass: storageclass.IA, IsAccessTime: true, ReturnToStdWhenVisit: true}))
	require.ErrorIs(t, f.db.SetAccessMonitor(ctx, "bkt", false), coldstore.ErrInvalidArgument, "rules need it")

	// p/a is read at day 20: its 30 days restart then.
	f.m.Set(start.Add(20 * day))
	_, err := f.read("p/a")
	require.NoError(t, err)
	f.m.Add(time.Hour)
	_, err = f.read("p/a") // a second read within 24 h records nothing
	require.NoError(t, err)

	res := f.at(monitorOn, 30*day) // p/b: 30 days after the monitor came on
	require.Equal(t, 1, res.Transitioned)
	require.Equal(t, storageclass.IA, f.head("p/b").StorageClass)
	require.Equal(t, storageclass.Standard, f.head("p/a").StorageClass)
	require.True(t, res.Next.Equal(start.Add(50*day)), "%v", res.Next)
	require.Equal(t, 1, f.at(start, 50*day).Transitioned)
	require.Equal(t, storageclass.IA, f.head("p/a").StorageClass)

	// ReturnToStdWhenVisit: reading an IA object brings it back to Standard.
	obj, err := f.db.Get(ctx, "bkt", "p/b")
	require.NoError(t, err)
	obj.Close()
	require.Equal(t, storageclass.Standard, obj.Info().StorageClass)
	require.Equal(t, storageclass.Standard, f.head("p/b").StorageClass)
	require.True(t, f.head("p/b").ClassSince.Equal(f.m.Now()))
}

func TestLifecycle_BackgroundLoop(t *testing.T) {
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	db, err := engine.Open(filepath.Join(t.TempDir(), "c.db"), &engine.Options{Clock: m, SweepInterval: 1000 * time.Hour})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "a", bytes.NewReader(make([]byte, mib)), nil)
	require.NoError(t, err)
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("r", "", 0, to(storageclass.IA, 3))}}))
	// The loop learns of the due time from the write and sleeps until it;
	// moving the clock past it makes the loop apply it, with no call here.
	require.Eventually(t, func() bool {
		m.Add(time.Hour)
		oi, err := db.Head(ctx, "bkt", "a")
		return err == nil && oi.StorageClass == storageclass.IA
	}, 10*time.Second, time.Millisecond)
	require.False(t, m.Now().Before(enginetest.Epoch.Add(3*day)))
	require.NoError(t, db.Check(ctx))
}

// TestRunLifecycle_OnlyDue: with many objects not due, a pass touches only
// the due ones (the count is exact, and the rest keep their class).
func TestRunLifecycle_OnlyDue(t *testing.T) {
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	db, _ := enginetest.New(t, &engine.Options{Clock: m, NoSync: true})
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	for i := range 300 {
		class := storageclass.Standard
		if i%3 == 0 {
			class = storageclass.IA
		}
		_, err := db.Put(ctx, "bkt", fmt.Sprintf("k%03d", i), bytes.NewReader(make([]byte, 70<<10)), &engine.PutOptions{StorageClass: class})
		require.NoError(t, err)
		m.Add(time.Minute)
	}
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("r", "", 0, to(storageclass.IA, 1))}}))
	m.Set(enginetest.Epoch.Add(day + 99*time.Minute)) // the first 100 puts are a day old
	res, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 100-34, res.Transitioned, "only the due Standard objects")
	require.True(t, res.Next.Equal(enginetest.Epoch.Add(day+100*time.Minute)), "%v", res.Next)
}

// TestRunLifecycle_AppendableStaysOutOfColdArchive: a rule that moves
// objects to ColdArchive and DeepColdArchive leaves an appendable object
// where it is (OSS never makes one either), and it can still be appended
// to; a rule to IA moves it.
func TestRunLifecycle_AppendableStaysOutOfColdArchive(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.appendAll("log", []byte("x"))
	f.put("plain", storageclass.Standard, "y")
	f.lifecycle(lifecycle.Rule{ID: "cold", Enabled: true, Transitions: []lifecycle.Transition{
		{Days: 1, StorageClass: storageclass.ColdArchive, AllowSmallFile: true},
		{Days: 2, StorageClass: storageclass.DeepColdArchive, AllowSmallFile: true}}})
	f.at(start, 72*time.Hour)
	oi, err := f.db.Head(ctx, "bkt", "log")
	require.NoError(t, err)
	require.Equal(t, storageclass.Standard, oi.StorageClass)
	require.Equal(t, engine.TypeAppendable, oi.Type)
	oi, err = f.db.Head(ctx, "bkt", "plain")
	require.NoError(t, err)
	require.Equal(t, storageclass.DeepColdArchive, oi.StorageClass, "another object goes")
	_, err = f.db.Append(ctx, "bkt", "log", 1, bytes.NewReader([]byte("z")), nil)
	require.NoError(t, err)

	f.lifecycle(lifecycle.Rule{ID: "ia", Enabled: true, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA, AllowSmallFile: true}}})
	f.at(start, 200*time.Hour)
	oi, err = f.db.Head(ctx, "bkt", "log")
	require.NoError(t, err)
	require.Equal(t, storageclass.IA, oi.StorageClass)
	require.NoError(t, f.db.Check(ctx))
}
