package lifecycle_test

import (
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// glacierish is the OSS catalog's Standard, IA and Archive plus a class
// colder than Archive that OSS does not know, with a larger minimum
// billable size.
func glacierish(t *testing.T) *storageclass.Catalog {
	t.Helper()
	rules := map[storageclass.Class]storageclass.Rules{}
	for _, c := range []storageclass.Class{storageclass.Standard, storageclass.IA, storageclass.Archive} {
		r, err := storageclass.OSS().Rules(c)
		require.NoError(t, err)
		rules[c] = r
	}
	rules["Glacierish"] = storageclass.Rules{Rank: 7, NeedsRestore: true,
		RestoreLatency: storageclass.Latency{Min: time.Hour, Max: 3 * time.Hour},
		MinRestoreDays: 1, MaxRestoreDays: 30, DefaultRestoreDays: 1, MinBillableSize: 128 << 10}
	cat, err := storageclass.NewCatalog(rules)
	require.NoError(t, err)
	return cat
}

func TestRanksFromCatalog(t *testing.T) {
	cat := glacierish(t)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "deep", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 10, StorageClass: storageclass.Archive}, {Days: 20, StorageClass: "Glacierish"}}}}}
	require.NoError(t, c.Validate(cat))
	o := lifecycle.Object{Key: "k", Size: 1 << 20, Class: storageclass.Standard, LastModified: t0, ClassSince: t0}

	toArchive := lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: storageclass.Archive, RuleID: "deep"}
	toGlacierish := lifecycle.Action{Kind: lifecycle.ActionTransition, StorageClass: "Glacierish", RuleID: "deep"}
	require.Equal(t, toArchive, c.EvaluateIn(cat, o, t0.Add(10*day)))
	require.Equal(t, toGlacierish, c.EvaluateIn(cat, o, t0.Add(20*day)), "the coldest by the catalog's rank wins")
	require.Equal(t, t0.Add(10*day), c.NextDueIn(cat, o))

	o.Class = storageclass.Archive
	require.Equal(t, toGlacierish, c.EvaluateIn(cat, o, t0.Add(20*day)), "Archive to the colder catalog class")
	require.Equal(t, t0.Add(20*day), c.NextDueIn(cat, o))
	// The OSS catalog has no Glacierish: Evaluate and NextDue never move to it.
	require.Equal(t, lifecycle.Action{}, c.Evaluate(o, t0.Add(20*day)))
	require.True(t, c.NextDue(o).IsZero())

	o.Class = "Glacierish"
	require.Equal(t, lifecycle.Action{}, c.EvaluateIn(cat, o, t0.Add(30*day)), "nothing is colder")
	require.True(t, c.NextDueIn(cat, o).IsZero())

	o.Class = storageclass.ColdArchive
	require.Equal(t, lifecycle.Action{}, c.EvaluateIn(cat, o, t0.Add(30*day)), "a class the catalog lacks never transitions")
	require.True(t, c.NextDueIn(cat, o).IsZero())
}

func TestRankOrderIsTheCatalogs(t *testing.T) {
	// A catalog ranking ColdArchive below Archive: the coldest due
	// transition is Archive there, ColdArchive in OSS.
	cat, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{
		storageclass.Standard: {Rank: 0}, storageclass.ColdArchive: {Rank: 1}, storageclass.Archive: {Rank: 2},
	})
	require.NoError(t, err)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 10, StorageClass: storageclass.ColdArchive}, {Days: 20, StorageClass: storageclass.Archive}}}}}
	require.NoError(t, c.Validate(cat))
	require.Error(t, c.Validate(storageclass.OSS()), "Days must rise with the OSS rank")
	o := lifecycle.Object{Key: "k", Size: 1 << 20, Class: storageclass.Standard, LastModified: t0}
	require.Equal(t, storageclass.Archive, c.EvaluateIn(cat, o, t0.Add(30*day)).StorageClass)
	require.Equal(t, storageclass.ColdArchive, c.Evaluate(o, t0.Add(30*day)).StorageClass)
	o.Class = storageclass.ColdArchive
	require.Equal(t, storageclass.Archive, c.EvaluateIn(cat, o, t0.Add(30*day)).StorageClass)
	require.Equal(t, lifecycle.ActionNone, c.Evaluate(o, t0.Add(30*day)).Kind)
}

func TestSmallFileFromCatalog(t *testing.T) {
	cat := glacierish(t)
	free, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{
		storageclass.Standard: {Rank: 0}, "Cheap": {Rank: 1},
	})
	require.NoError(t, err)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := t0.Add(2 * day)
	rule := func(class storageclass.Class, allow bool) *lifecycle.Configuration {
		return &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true,
			Transitions: []lifecycle.Transition{{Days: 1, StorageClass: class, AllowSmallFile: allow}}}}}
	}
	obj := func(size int64) lifecycle.Object {
		return lifecycle.Object{Key: "k", Size: size, Class: storageclass.Standard, LastModified: t0}
	}
	cases := []struct {
		name  string
		cat   *storageclass.Catalog
		cfg   *lifecycle.Configuration
		size  int64
		moved bool
	}{
		{"under the target's 128 KiB", cat, rule("Glacierish", false), 128<<10 - 1, false},
		{"at the target's 128 KiB", cat, rule("Glacierish", false), 128 << 10, true},
		{"under it, allowed", cat, rule("Glacierish", true), 1, true},
		{"over IA's 64 KiB, under Glacierish's", cat, rule(storageclass.IA, false), 100 << 10, true},
		{"under IA's 64 KiB", cat, rule(storageclass.IA, false), 64<<10 - 1, false},
		{"a class without a minimum", free, rule("Cheap", false), 1, true},
	}
	for _, tc := range cases {
		require.NoError(t, tc.cfg.Validate(tc.cat), tc.name)
		got := tc.cfg.EvaluateIn(tc.cat, obj(tc.size), at)
		require.Equal(t, tc.moved, got.Kind == lifecycle.ActionTransition, tc.name)
		require.Equal(t, tc.moved, !tc.cfg.NextDueIn(tc.cat, obj(tc.size)).IsZero(), tc.name)
	}
}

func TestValidateWithCatalog(t *testing.T) {
	cat := glacierish(t)
	ok := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 1, StorageClass: "Glacierish"}}}}}
	require.NoError(t, ok.Validate(cat))
	require.ErrorIs(t, ok.Validate(storageclass.OSS()), coldstore.ErrInvalidArgument, "OSS has no Glacierish")

	access := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 1, StorageClass: "Glacierish", IsAccessTime: true}}}}}
	err := access.Validate(cat)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	require.ErrorContains(t, err, "only IA or Archive")

	// AccessTimeTarget in the catalog's rules lets access-time rules in.
	r, err := cat.Rules("Glacierish")
	require.NoError(t, err)
	r.AccessTimeTarget = true
	open, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{storageclass.Standard: {}, "Glacierish": r})
	require.NoError(t, err)
	require.NoError(t, access.Validate(open))
	none, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{storageclass.Standard: {}, "Cold": {Rank: 1}})
	require.NoError(t, err)
	access.Rules[0].Transitions[0].StorageClass = "Cold"
	require.ErrorContains(t, access.Validate(none), "no class of the catalog takes one")

	// The warmest class is the catalog's lowest rank, whatever its number.
	warm, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{"Hot": {Rank: 5}, "Cold": {Rank: 6}})
	require.NoError(t, err)
	toHot := &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "r", Enabled: true,
		Transitions: []lifecycle.Transition{{Days: 1, StorageClass: "Hot"}}}}}
	require.ErrorContains(t, toHot.Validate(warm), "warmest class")
	toHot.Rules[0].Transitions[0].StorageClass = "Cold"
	require.NoError(t, toHot.Validate(warm))
}

func TestParseXMLIn(t *testing.T) {
	cat := glacierish(t)
	doc := []byte(`<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status>
<Transition><Days>2</Days><StorageClass>glacierish</StorageClass></Transition>
<Transition><Days>1</Days><StorageClass>archive</StorageClass></Transition>
</Rule></LifecycleConfiguration>`)
	c, err := lifecycle.ParseXMLIn(cat, doc)
	require.NoError(t, err)
	require.Equal(t, storageclass.Class("Glacierish"), c.Rules[0].Transitions[0].StorageClass, "the catalog's name")
	require.Equal(t, storageclass.Archive, c.Rules[0].Transitions[1].StorageClass)
	require.NoError(t, c.Validate(cat))

	oss, err := lifecycle.ParseXML(doc)
	require.NoError(t, err)
	require.Equal(t, storageclass.Class("glacierish"), oss.Rules[0].Transitions[0].StorageClass, "kept as written: OSS has no such class")
	require.Equal(t, storageclass.Archive, oss.Rules[0].Transitions[1].StorageClass)
	require.ErrorIs(t, oss.Validate(cat), coldstore.ErrInvalidArgument, "glacierish is not the catalog's name")

	_, err = lifecycle.ParseXMLIn(cat, []byte("<LifecycleConfiguration><Rule>"))
	require.ErrorIs(t, err, coldstore.ErrMalformedXML)
}
