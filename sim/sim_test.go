package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func tiering(ia, archive int) *lifecycle.Configuration {
	return &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "tier", Enabled: true, Transitions: []lifecycle.Transition{
		{Days: ia, StorageClass: storageclass.IA}, {Days: archive, StorageClass: storageclass.Archive}}}}}
}

// TestClosedForm: N objects of one size, no reads, IA at 30 days and
// Archive at 60, for 90 days: the bill is computable by hand.
func TestClosedForm(t *testing.T) {
	const n, size = 200, 1 << 20
	rep, err := Run(context.Background(), Config{
		Name:     "tiering",
		Workload: Workload{Objects: n, Size: Size{Fixed: size}, Seed: 7},
		Policy:   tiering(30, 60),
		Days:     90,
	})
	require.NoError(t, err)
	perClass := float64(n * size * 30 * 24) // byte-hours of 30 days
	require.Equal(t, map[storageclass.Class]float64{
		storageclass.Standard: perClass, storageclass.IA: perClass, storageclass.Archive: perClass,
	}, rep.Usage.StorageByteHours)
	require.Empty(t, rep.Usage.EarlyDeleteByteHours, "IA leaves at its 30-day minimum")
	require.Equal(t, map[string]int64{"PutBucket": 1, "PutBucketLifecycle": 1, "PutObject": n, "CommitTransition": 2 * n}, rep.Usage.Requests)
	require.Equal(t, map[storageclass.Class]int64{storageclass.Archive: n}, rep.Usage.Objects)

	gbMonths := float64(n*size) / (1 << 30) // each class holds them one 30-day month
	want := gbMonths*0.033 + gbMonths*0.08 + gbMonths*0.12 + float64(1+1+n+2*n)/1e4*0.01
	require.InDelta(t, want, rep.Bill.Total, 1e-12)
	require.Len(t, rep.Series, 90)
	require.Equal(t, int64(n), rep.Series[29].Objects[storageclass.IA], "day 30: all IA")
	require.Equal(t, int64(n), rep.Series[59].Objects[storageclass.Archive], "day 60: all Archive")
	require.Equal(t, int64(n), rep.Series[28].Objects[storageclass.Standard], "day 29: still Standard")
}

func small() Config {
	w := Default()
	w.Objects, w.ArrivalsPerDay, w.ReadsPerDay = 300, 20, 60
	w.Size = Size{Median: 96 << 10, Spread: 0.2}
	w.DeleteAfterDays = 25
	return Config{Name: "archive", Workload: w, Policy: tiering(3, 6), Days: 30}
}

func TestDeterministic(t *testing.T) {
	a, err := Run(context.Background(), small())
	require.NoError(t, err)
	b, err := Run(context.Background(), small())
	require.NoError(t, err)
	ja, err := json.Marshal(a)
	require.NoError(t, err)
	jb, err := json.Marshal(b)
	require.NoError(t, err)
	require.Equal(t, string(ja), string(jb), "the same seed gives the same report, byte for byte")
	require.Positive(t, a.Reads)
	require.Positive(t, a.ReadsDelayed, "reads met archived objects")
	require.Positive(t, a.Restores)
	require.Positive(t, a.RestoreWait.Count)
	require.LessOrEqual(t, a.RestoreWait.P50, a.RestoreWait.P99)

	other := small()
	other.Workload.Seed = 99
	c, err := Run(context.Background(), other)
	require.NoError(t, err)
	jc, _ := json.Marshal(c)
	require.NotEqual(t, string(ja), string(jc), "another seed, another run")
}

func TestCompareAndOutputs(t *testing.T) {
	base := small()
	base.Days = 10
	reps, err := Compare(context.Background(), base, []Policy{{Name: "standard"}, {Name: "archive", Config: tiering(3, 6)}})
	require.NoError(t, err)
	require.Len(t, reps, 2)
	require.Zero(t, reps[0].Restores, "all Standard: no restore")
	require.Positive(t, reps[1].Restores)
	require.Less(t, reps[1].Usage.StorageByteHours[storageclass.Standard], reps[0].Usage.StorageByteHours[storageclass.Standard])

	var table bytes.Buffer
	require.NoError(t, WriteTable(&table, reps))
	require.Contains(t, table.String(), "standard")
	require.Contains(t, table.String(), "p99 delay")
	var csv bytes.Buffer
	require.NoError(t, WriteCSV(&csv, reps))
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	require.Len(t, lines, 1+2*10)
	require.True(t, strings.HasPrefix(lines[0], "policy,day,cost,objects_Standard"))
}

// TestCatalogOfItsOwn: a run with a catalog that has a class OSS lacks
// moves objects into it, and the reports name its classes and currency.
func TestCatalogOfItsOwn(t *testing.T) {
	rules := map[storageclass.Class]storageclass.Rules{}
	for _, c := range []storageclass.Class{storageclass.Standard, storageclass.Archive} {
		r, err := storageclass.OSS().Rules(c)
		require.NoError(t, err)
		rules[c] = r
	}
	rules["Glacierish"] = storageclass.Rules{Rank: 9, NeedsRestore: true,
		RestoreLatency: storageclass.Latency{Min: time.Hour, Max: 6 * time.Hour},
		MinRestoreDays: 1, MaxRestoreDays: 30, DefaultRestoreDays: 1,
		Price: storageclass.Price{StorageGBMonth: 0.004}}
	cat, err := storageclass.NewCatalog(rules)
	require.NoError(t, err)
	cfg := small()
	cfg.Days = 8
	cfg.Catalog = cat.WithCurrency("USD")
	cfg.Policy = &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "deep", Enabled: true, Transitions: []lifecycle.Transition{
		{Days: 3, StorageClass: "Glacierish", AllowSmallFile: true}}}}}
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, []storageclass.Class{storageclass.Standard, storageclass.Archive, "Glacierish"}, rep.Classes)
	require.Positive(t, rep.Usage.Objects["Glacierish"])
	require.Equal(t, "USD", rep.Bill.Currency)

	var table, csv bytes.Buffer
	require.NoError(t, WriteTable(&table, []*Report{rep}))
	require.Contains(t, table.String(), "(USD; 8 days)")
	require.NoError(t, WriteCSV(&csv, []*Report{rep}))
	head, _, _ := strings.Cut(csv.String(), "\n")
	require.Equal(t, "policy,day,cost,objects_Standard,bytes_Standard,objects_Archive,bytes_Archive,objects_Glacierish,bytes_Glacierish", head)
}

// TestRun_Refusals: a step that does not divide a day, and a workload no
// user can have, are refused before anything runs, by Run and by Compare.
func TestRun_Refusals(t *testing.T) {
	ok := Config{Workload: Default(), Days: 1}
	for name, cfg := range map[string]Config{
		"step 7h":       {Workload: ok.Workload, Days: 1, Step: 7 * time.Hour},
		"step 25h":      {Workload: ok.Workload, Days: 1, Step: 25 * time.Hour},
		"days 0":        {Workload: ok.Workload},
		"objects -1":    {Workload: func() Workload { w := ok.Workload; w.Objects = -1; return w }(), Days: 1},
		"zipf 0.5":      {Workload: func() Workload { w := ok.Workload; w.Zipf = 0.5; return w }(), Days: 1},
		"reads NaN":     {Workload: func() Workload { w := ok.Workload; w.ReadsPerDay = math.NaN(); return w }(), Days: 1},
		"median -1":     {Workload: func() Workload { w := ok.Workload; w.Size.Median = -1; return w }(), Days: 1},
		"restoreDays -": {Workload: func() Workload { w := ok.Workload; w.RestoreDays = -1; return w }(), Days: 1},
	} {
		_, err := Run(context.Background(), cfg)
		require.Error(t, err, name)
		_, err = Compare(context.Background(), cfg, []Policy{{Name: "standard"}})
		require.Error(t, err, name)
	}
	require.NoError(t, ok.Workload.Validate())
	w := ok.Workload
	w.Zipf = 0
	require.NoError(t, w.Validate(), "Zipf 0 is uniform")
	_, err := Run(context.Background(), Config{Workload: Workload{Objects: 3, Size: Size{Fixed: 10}}, Days: 1, Step: 6 * time.Hour})
	require.NoError(t, err, "a step that divides a day")
}
