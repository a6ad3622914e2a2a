package engine_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

var archiveClasses = []storageclass.Class{storageclass.Archive, storageclass.ColdArchive, storageclass.DeepColdArchive}

// TestStateMachine walks every row of spec §4.1 for every archive class:
// Get, Head and Restore in each state, and the state after.
func TestStateMachine(t *testing.T) {
	type want struct {
		state    engine.RestoreState
		get      error // nil: content
		restore  error // nil: succeeds with status
		status   engine.RestoreStatusCode
		afterRes engine.RestoreState
	}
	rows := []struct {
		state string
		want  want
	}{
		{"archived", want{engine.Archived, coldstore.ErrInvalidObjectState, nil, engine.Accepted, engine.Restoring}},
		{"restoring", want{engine.Restoring, coldstore.ErrInvalidObjectState, coldstore.ErrRestoreAlreadyInProgress, 0, engine.Restoring}},
		{"restored", want{engine.Restored, nil, nil, engine.AlreadyRestored, engine.Restored}},
		{"expired", want{engine.Archived, coldstore.ErrInvalidObjectState, nil, engine.Accepted, engine.Restoring}},
		{"swept", want{engine.Archived, coldstore.ErrInvalidObjectState, nil, engine.Accepted, engine.Restoring}},
	}
	for _, class := range archiveClasses {
		for _, row := range rows {
			t.Run(fmt.Sprintf("%s/%s", class, row.state), func(t *testing.T) {
				f := newFixture(t)
				f.reach("k", class, row.state)
				before := f.head("k")
				require.Equal(t, row.want.state, before.Restore.State)
				require.Equal(t, class, before.StorageClass)

				body, err := f.read("k")
				if row.want.get != nil {
					require.ErrorIs(t, err, row.want.get)
					require.Equal(t, 403, coldstore.HTTPStatus(err))
				} else {
					require.NoError(t, err)
					require.Equal(t, "content of k", body)
				}

				res, err := f.db.Restore(ctx, "bkt", "k", nil)
				after := f.head("k")
				if row.want.restore != nil {
					require.ErrorIs(t, err, row.want.restore)
					require.Equal(t, before, after, "a refused restore changes nothing")
				} else {
					require.NoError(t, err)
					require.Equal(t, row.want.status, res.Status)
					require.Equal(t, after.Restore, res.Restore)
				}
				require.Equal(t, row.want.afterRes, after.Restore.State)
				require.Equal(t, class, after.StorageClass, "restore never changes the class")
			})
		}
	}
}

func TestRestore_AcceptedTimes(t *testing.T) {
	for _, tc := range []struct {
		class storageclass.Class
		opts  *engine.RestoreOptions
		tier  storageclass.Tier
		lat   time.Duration
		days  int
	}{
		{storageclass.Archive, nil, "", 4 * time.Hour, 1},
		{storageclass.Archive, &engine.RestoreOptions{Days: 7}, "", 4 * time.Hour, 7},
		{storageclass.ColdArchive, nil, storageclass.TierStandard, 5 * time.Hour, 1},
		{storageclass.ColdArchive, &engine.RestoreOptions{Days: 365, Tier: storageclass.TierExpedited}, storageclass.TierExpedited, time.Hour, 365},
		{storageclass.ColdArchive, &engine.RestoreOptions{Tier: storageclass.TierBulk}, storageclass.TierBulk, 12 * time.Hour, 1},
		{storageclass.DeepColdArchive, nil, storageclass.TierStandard, 48 * time.Hour, 1},
		{storageclass.DeepColdArchive, &engine.RestoreOptions{Days: 30, Tier: storageclass.TierExpedited}, storageclass.TierExpedited, 12 * time.Hour, 30},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.class, tc.opts), func(t *testing.T) {
			f := newFixture(t)
			f.put("k", tc.class, "x")
			f.m.Add(time.Minute)
			now := f.m.Now()
			res, err := f.db.Restore(ctx, "bkt", "k", tc.opts)
			require.NoError(t, err)
			require.Equal(t, engine.Accepted, res.Status)
			require.Equal(t, 202, res.Status.HTTPStatus())
			st := res.Restore
			require.Equal(t, engine.Restoring, st.State)
			require.Equal(t, tc.tier, st.Tier)
			require.True(t, st.RequestedAt.Equal(now))
			require.True(t, st.ReadyAt.Equal(now.Add(tc.lat)), "ReadyAt %v", st.ReadyAt)
			require.True(t, st.ExpiresAt.Equal(now.Add(tc.lat).Add(time.Duration(tc.days)*day)), "ExpiresAt %v", st.ExpiresAt)

			// One nanosecond before ReadyAt it is restoring; at ReadyAt restored;
			// at ExpiresAt archived again.
			f.m.Set(st.ReadyAt.Add(-1))
			require.Equal(t, engine.Restoring, f.head("k").Restore.State)
			f.m.Set(st.ReadyAt)
			require.Equal(t, engine.Restored, f.head("k").Restore.State)
			f.m.Set(st.ExpiresAt.Add(-1))
			require.Equal(t, engine.Restored, f.head("k").Restore.State)
			f.m.Set(st.ExpiresAt)
			require.Equal(t, engine.Archived, f.head("k").Restore.State)
		})
	}
}

func TestRestore_ProlongCapped(t *testing.T) {
	for _, tc := range []struct {
		class   storageclass.Class
		maxDays int
	}{{storageclass.Archive, 7}, {storageclass.ColdArchive, 365}, {storageclass.DeepColdArchive, 365}} {
		t.Run(string(tc.class), func(t *testing.T) {
			f := newFixture(t)
			f.reach("k", tc.class, "restored")
			st := f.head("k").Restore
			res, err := f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 2})
			require.NoError(t, err)
			require.Equal(t, engine.AlreadyRestored, res.Status)
			require.Equal(t, 200, res.Status.HTTPStatus())
			require.True(t, res.Restore.ExpiresAt.Equal(st.ExpiresAt.Add(2*day)), "prolonged by the days asked")
			require.True(t, res.Restore.ReadyAt.Equal(st.ReadyAt), "ReadyAt stays")

			res, err = f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: tc.maxDays})
			require.NoError(t, err)
			require.True(t, res.Restore.ExpiresAt.Equal(st.ReadyAt.Add(time.Duration(tc.maxDays)*day)), "capped at ReadyAt + MaxRestoreDays: %v", res.Restore.ExpiresAt)
			require.True(t, f.head("k").Restore.ExpiresAt.Equal(res.Restore.ExpiresAt))
		})
	}
}

func TestRestore_TierUpgrade(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.ColdArchive, "x")
	start := f.m.Now()
	res, err := f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Days: 3, Tier: storageclass.TierBulk})
	require.NoError(t, err)
	require.True(t, res.Restore.ReadyAt.Equal(start.Add(12*time.Hour)))

	f.m.Add(time.Hour)
	// Same or slower tier, or none: 409, nothing changes.
	for _, tier := range []storageclass.Tier{"", storageclass.TierBulk} {
		_, err = f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Tier: tier})
		require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress, "tier %q", tier)
		require.Equal(t, 409, coldstore.HTTPStatus(err))
	}
	// Faster: accepted, ready earlier, same lifetime.
	res, err = f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Tier: storageclass.TierStandard})
	require.NoError(t, err)
	require.Equal(t, engine.Accepted, res.Status)
	require.Equal(t, storageclass.TierStandard, res.Restore.Tier)
	require.True(t, res.Restore.ReadyAt.Equal(start.Add(time.Hour+5*time.Hour)), "ReadyAt %v", res.Restore.ReadyAt)
	require.True(t, res.Restore.ExpiresAt.Equal(res.Restore.ReadyAt.Add(3*day)))
	require.True(t, res.Restore.RequestedAt.Equal(start), "the request time is the first one")
	_, err = f.db.Restore(ctx, "bkt", "k", &engine.RestoreOptions{Tier: storageclass.TierStandard})
	require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress)

	// Archive has no tiers: a tier is MalformedXML even while restoring.
	f.put("a", storageclass.Archive, "x")
	_, err = f.db.Restore(ctx, "bkt", "a", nil)
	require.NoError(t, err)
	_, err = f.db.Restore(ctx, "bkt", "a", &engine.RestoreOptions{Tier: storageclass.TierExpedited})
	require.ErrorIs(t, err, coldstore.ErrMalformedXML)
}

func TestRestore_BadArgumentsChangeNothing(t *testing.T) {
	cases := []struct {
		class storageclass.Class
		opts  engine.RestoreOptions
		want  *coldstore.Error
	}{
		{storageclass.Archive, engine.RestoreOptions{Days: 8}, coldstore.ErrInvalidArgument},
		{storageclass.Archive, engine.RestoreOptions{Days: -1}, coldstore.ErrInvalidArgument},
		{storageclass.Archive, engine.RestoreOptions{Tier: storageclass.TierStandard}, coldstore.ErrMalformedXML},
		{storageclass.ColdArchive, engine.RestoreOptions{Days: 366}, coldstore.ErrInvalidArgument},
		{storageclass.ColdArchive, engine.RestoreOptions{Tier: "Turbo"}, coldstore.ErrInvalidArgument},
		{storageclass.DeepColdArchive, engine.RestoreOptions{Tier: storageclass.TierBulk}, coldstore.ErrInvalidArgument},
		{storageclass.DeepColdArchive, engine.RestoreOptions{Days: 400, Tier: storageclass.TierStandard}, coldstore.ErrInvalidArgument},
		{storageclass.Standard, engine.RestoreOptions{}, coldstore.ErrOperationNotSupported},
		{storageclass.IA, engine.RestoreOptions{Days: 1}, coldstore.ErrOperationNotSupported},
	}
	for _, state := range []string{"archived", "restoring", "restored"} {
		for _, tc := range cases {
			if !containsClass(archiveClasses, tc.class) && state != "archived" {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s/%+v", state, tc.class, tc.opts), func(t *testing.T) {
				f := newFixture(t)
				f.reach("k", tc.class, state)
				before := f.head("k")
				_, err := f.db.Restore(ctx, "bkt", "k", &tc.opts)
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, 400, coldstore.HTTPStatus(err))
				var oe *coldstore.OpError
				require.True(t, errors.As(err, &oe))
				require.Equal(t, "Restore", oe.Op)
				require.Equal(t, "k", oe.Key)
				require.Equal(t, before, f.head("k"))
			})
		}
	}
}

func containsClass(cs []storageclass.Class, c storageclass.Class) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func TestRestore_Missing(t *testing.T) {
	f := newFixture(t)
	_, err := f.db.Restore(ctx, "bkt", "nope", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	require.Equal(t, 404, coldstore.HTTPStatus(err))
	_, err = f.db.Restore(ctx, "nobucket", "k", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
}

func TestRestore_ConcurrentOneAccepted(t *testing.T) {
	for round := range 20 {
		f := newFixture(t)
		key := fmt.Sprintf("k%d", round)
		f.put(key, storageclass.ColdArchive, "x")
		const n = 16
		var wg sync.WaitGroup
		results := make(chan error, n)
		accepted := make(chan struct{}, n)
		for range n {
			wg.Go(func() {
				res, err := f.db.Restore(ctx, "bkt", key, nil)
				if err == nil && res.Status == engine.Accepted {
					accepted <- struct{}{}
				}
				results <- err
			})
		}
		wg.Wait()
		close(results)
		refused := 0
		for err := range results {
			if err != nil {
				require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress)
				refused++
			}
		}
		require.Len(t, accepted, 1)
		require.Equal(t, n-1, refused)
	}
}

func TestCleanRestored(t *testing.T) {
	for _, class := range archiveClasses {
		t.Run(string(class), func(t *testing.T) {
			f := newFixture(t)
			f.reach("restored", class, "restored")
			require.NoError(t, f.db.CleanRestored(ctx, "bkt", "restored"))
			require.Equal(t, engine.Archived, f.head("restored").Restore.State)
			_, err := f.read("restored")
			require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
			err = f.db.CleanRestored(ctx, "bkt", "restored")
			require.ErrorIs(t, err, coldstore.ErrArchiveRestoreFileStale, "twice in a row: stale")

			f.reach("restoring", class, "restoring")
			before := f.head("restoring")
			err = f.db.CleanRestored(ctx, "bkt", "restoring")
			require.ErrorIs(t, err, coldstore.ErrArchiveRestoreNotFinished)
			require.Equal(t, 409, coldstore.HTTPStatus(err))
			require.Equal(t, before, f.head("restoring"))

			f.reach("archived", class, "archived")
			require.ErrorIs(t, f.db.CleanRestored(ctx, "bkt", "archived"), coldstore.ErrArchiveRestoreFileStale)
			f.reach("expired", class, "expired")
			require.ErrorIs(t, f.db.CleanRestored(ctx, "bkt", "expired"), coldstore.ErrArchiveRestoreFileStale)
		})
	}
	f := newFixture(t)
	f.put("s", storageclass.Standard, "x")
	require.ErrorIs(t, f.db.CleanRestored(ctx, "bkt", "s"), coldstore.ErrOperationNotSupported)
	require.ErrorIs(t, f.db.CleanRestored(ctx, "bkt", "none"), coldstore.ErrNoSuchKey)
}

func TestHeader(t *testing.T) {
	at := time.Date(2017, 4, 16, 8, 12, 33, 0, time.UTC)
	cases := []struct {
		st   engine.RestoreStatus
		want string
	}{
		{engine.RestoreStatus{State: engine.NotArchived}, ""},
		{engine.RestoreStatus{State: engine.Archived}, ""},
		{engine.RestoreStatus{State: engine.Restoring, ExpiresAt: at}, `ongoing-request="true"`},
		{engine.RestoreStatus{State: engine.Restored, ExpiresAt: at}, `ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"`},
		{engine.RestoreStatus{State: engine.Restored, ExpiresAt: time.Date(2024, 11, 8, 16, 15, 52, 0, time.FixedZone("CST", 8*3600))}, `ongoing-request="false", expiry-date="Fri, 08 Nov 2024 08:15:52 GMT"`},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, tc.st.Header())
	}
}

func TestHeader_FromHead(t *testing.T) {
	f := newFixture(t)
	f.put("k", storageclass.Archive, "x")
	require.Equal(t, "", f.head("k").Restore.Header())
	_, err := f.db.Restore(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="true"`, f.head("k").Restore.Header())
	f.m.Add(4 * time.Hour)
	// 2024-01-01 00:00 + 4h ready, +1 day expiry.
	require.Equal(t, `ongoing-request="false", expiry-date="Tue, 02 Jan 2024 04:00:00 GMT"`, f.head("k").Restore.Header())
	f.m.Add(day)
	require.Equal(t, "", f.head("k").Restore.Header())
}
