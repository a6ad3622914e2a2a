package engine_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

const hoursPerDay = 24

func (f *fixture) usage() engine.Usage {
	f.t.Helper()
	u, err := f.db.Usage(ctx, "bkt")
	require.NoError(f.t, err)
	return u
}

// The first worked example of the OSS documentation (research/semantics.md
// §6): Standard, to IA at day 10, to Archive at day 30, deleted at day 35:
// charged 25 more Archive days (Archive's 60 days count from LastModified).
func TestUsage_WorkedExample_IAThenArchive(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("logs/a", storageclass.Standard, mib)
	f.lifecycle(rule("r", "logs/", 0, to(storageclass.IA, 10), to(storageclass.Archive, 30)))
	require.Equal(t, 1, f.at(start, 10*day).Transitioned)
	require.Equal(t, 1, f.at(start, 30*day).Transitioned)
	f.m.Set(start.Add(35 * day))
	require.NoError(t, f.db.Delete(ctx, "bkt", "logs/a"))
	f.m.Add(100 * day) // nothing accrues after the delete

	u := f.usage()
	require.Equal(t, map[storageclass.Class]float64{
		storageclass.Standard: mib * 10 * hoursPerDay,
		storageclass.IA:       mib * 20 * hoursPerDay,
		storageclass.Archive:  mib * 5 * hoursPerDay,
	}, u.StorageByteHours)
	require.Equal(t, map[storageclass.Class]float64{storageclass.Archive: mib * 25 * hoursPerDay}, u.EarlyDeleteByteHours,
		"25 more Archive days; IA left at day 30, its minimum")
	require.Equal(t, int64(1), u.Requests["PutObject"])
	require.Equal(t, int64(2), u.Requests["CommitTransition"])
	require.Equal(t, int64(1), u.Requests["DeleteObject"])
	require.True(t, u.From.Equal(start))
	require.True(t, u.To.Equal(f.m.Now()))
}

// The second: Standard to ColdArchive at day 10, deleted at day 11: 179
// more days (ColdArchive's 180 count from the transition).
func TestUsage_WorkedExample_ColdArchive(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("a", storageclass.Standard, mib)
	f.lifecycle(rule("r", "", 0, to(storageclass.ColdArchive, 10)))
	require.Equal(t, 1, f.at(start, 10*day).Transitioned)
	f.m.Set(start.Add(11 * day))
	require.NoError(t, f.db.Delete(ctx, "bkt", "a"))
	u := f.usage()
	require.Equal(t, map[storageclass.Class]float64{storageclass.ColdArchive: mib * 179 * hoursPerDay}, u.EarlyDeleteByteHours)
	require.Equal(t, float64(mib*1*hoursPerDay), u.StorageByteHours[storageclass.ColdArchive])
}

func TestUsage_MinimumBillableSizeAndOverwrite(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	f.putSize("small", storageclass.IA, 100)     // billed as 64 KiB
	f.putSize("std", storageclass.Standard, 100) // billed as is
	f.m.Set(start.Add(10 * day))
	f.putSize("small", storageclass.IA, 200) // an overwrite: 20 more IA days
	f.m.Set(start.Add(40 * day))
	u := f.usage()
	require.Equal(t, float64(64<<10)*40*hoursPerDay, u.StorageByteHours[storageclass.IA])
	require.Equal(t, float64(100)*40*hoursPerDay, u.StorageByteHours[storageclass.Standard])
	require.Equal(t, float64(64<<10)*20*hoursPerDay, u.EarlyDeleteByteHours[storageclass.IA])
}

func TestUsage_RetrievalOnlyOn202(t *testing.T) {
	f := newFixture(t)
	f.putSize("ca", storageclass.ColdArchive, mib)
	f.putSize("ar", storageclass.Archive, 1000)
	f.putSize("ia", storageclass.IA, 5000)

	_, err := f.db.Restore(ctx, "bkt", "ca", &engine.RestoreOptions{Tier: storageclass.TierBulk})
	require.NoError(t, err)
	_, err = f.db.Restore(ctx, "bkt", "ca", nil) // 409
	require.Error(t, err)
	_, err = f.db.Restore(ctx, "bkt", "ca", &engine.RestoreOptions{Tier: storageclass.TierExpedited}) // upgrade: 202, no charge
	require.NoError(t, err)
	_, err = f.db.Restore(ctx, "bkt", "ar", nil)
	require.NoError(t, err)
	f.m.Add(4 * time.Hour)
	_, err = f.db.Restore(ctx, "bkt", "ar", nil) // restored: 200, no charge
	require.NoError(t, err)
	for range 3 {
		_, err = f.read("ia")
		require.NoError(t, err)
	}
	_, err = f.read("ar")
	require.NoError(t, err)

	u := f.usage()
	require.Equal(t, map[storageclass.Class]map[storageclass.Tier]int64{
		storageclass.ColdArchive: {storageclass.TierBulk: mib},
		storageclass.Archive:     {"": 1000},
		storageclass.IA:          {"": 3 * 5000},
	}, u.RetrievalBytes)
	require.Equal(t, map[storageclass.Class]int64{storageclass.ColdArchive: 1, storageclass.Archive: 1}, u.Restores)
	require.Equal(t, int64(4), u.Requests["RestoreObject"], "202, 202 (upgrade), 202, 200; the 409 is not billed")
	require.Equal(t, int64(4), u.Requests["GetObject"])
}

func TestUsage_Cost(t *testing.T) {
	f := newFixture(t)
	start := f.m.Now()
	const gib = 1 << 30
	f.putSize("a", storageclass.ColdArchive, gib/4)
	_, err := f.db.Restore(ctx, "bkt", "a", &engine.RestoreOptions{Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	f.m.Set(start.Add(30 * day))
	u := f.usage()
	bill := u.Cost(storageclass.OSS())
	require.Equal(t, "CNY", bill.Currency)
	want := map[string]float64{
		"storage ColdArchive":                      0.25 * 0.015, // a quarter GB for a 30-day month
		"retrieval ColdArchive Expedited":          0.25 * 0.2,
		"retrieval requests ColdArchive Expedited": 1e-4 * 30,
		"requests": 3e-4 * 0.01, // PutBucket, PutObject, RestoreObject
	}
	got := map[string]float64{}
	for _, l := range bill.Lines {
		name := l.Item
		if l.Class != "" {
			name += " " + string(l.Class)
		}
		if l.Tier != "" {
			name += " " + string(l.Tier)
		}
		got[name] = l.Amount
	}
	require.Len(t, got, len(want), "%v", bill)
	total := 0.0
	for k, v := range want {
		require.InDelta(t, v, got[k], 1e-12, k)
		total += v
	}
	require.InDelta(t, total, bill.Total, 1e-12)
	require.Empty(t, bill.Unpriced)
	require.Contains(t, bill.String(), "total")

	f.putSize("d", storageclass.DeepColdArchive, 10)
	f.m.Add(day)
	require.Equal(t, []storageclass.Class{storageclass.DeepColdArchive}, f.usage().Cost(storageclass.OSS()).Unpriced)
}

func TestUsage_SurvivesReopenWithReads(t *testing.T) {
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(make([]byte, 10)), nil)
	require.NoError(t, err)
	for range 5 {
		_, err = db.Head(ctx, "bkt", "k")
		require.NoError(t, err)
	}
	_, err = db.List(ctx, "bkt", nil)
	require.NoError(t, err)
	before, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, int64(5), before.Requests["HeadObject"])
	require.NoError(t, db.Close()) // stores the reads counted in memory

	db, err = engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	after, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.NoError(t, db.Check(ctx))
}
