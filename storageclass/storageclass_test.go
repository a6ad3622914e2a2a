package storageclass_test

import (
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

const day = 24 * time.Hour

func TestOSS(t *testing.T) {
	cat := storageclass.OSS()
	type row struct {
		rank                  int
		restore               bool
		minDur                time.Duration
		minBill               int64
		minDays, maxDays, def int
		defTier               storageclass.Tier
		tiers                 map[storageclass.Tier]storageclass.Latency
	}
	h := time.Hour
	want := map[storageclass.Class]row{
		storageclass.Standard: {rank: 0},
		storageclass.IA:       {rank: 1, minDur: 30 * day, minBill: 64 << 10},
		storageclass.Archive:  {2, true, 60 * day, 64 << 10, 1, 7, 1, "", nil},
		storageclass.ColdArchive: {3, true, 180 * day, 64 << 10, 1, 365, 1, storageclass.TierStandard, map[storageclass.Tier]storageclass.Latency{
			storageclass.TierExpedited: {Min: time.Minute, Max: h}, storageclass.TierStandard: {Min: 2 * h, Max: 5 * h}, storageclass.TierBulk: {Min: 5 * h, Max: 12 * h}}},
		storageclass.DeepColdArchive: {4, true, 180 * day, 64 << 10, 1, 365, 1, storageclass.TierStandard, map[storageclass.Tier]storageclass.Latency{
			storageclass.TierExpedited: {Min: h, Max: 12 * h}, storageclass.TierStandard: {Min: 12 * h, Max: 48 * h}}},
	}
	require.Equal(t, []storageclass.Class{storageclass.Standard, storageclass.IA, storageclass.Archive, storageclass.ColdArchive, storageclass.DeepColdArchive}, cat.Classes())
	for c, w := range want {
		r, err := cat.Rules(c)
		require.NoError(t, err)
		require.Equal(t, w.rank, r.Rank, c)
		require.Equal(t, w.restore, r.NeedsRestore, c)
		require.Equal(t, w.minDur, r.MinStorageDuration, c)
		require.Equal(t, w.minBill, r.MinBillableSize, c)
		require.Equal(t, w.minDays, r.MinRestoreDays, c)
		require.Equal(t, w.maxDays, r.MaxRestoreDays, c)
		require.Equal(t, w.def, r.DefaultRestoreDays, c)
		require.Equal(t, w.defTier, r.DefaultTier, c)
		require.Equal(t, len(w.tiers), len(r.Tiers), c)
		for tier, l := range w.tiers {
			require.Equal(t, l, r.Tiers[tier], "%s %s", c, tier)
		}
	}
	ar, _ := cat.Rules(storageclass.Archive)
	l, ok := ar.Latency("")
	require.True(t, ok)
	require.Equal(t, storageclass.Latency{Min: time.Minute, Max: 4 * h}, l)
	_, ok = ar.Latency(storageclass.TierExpedited)
	require.False(t, ok, "Archive has no tiers")
	dr, _ := cat.Rules(storageclass.DeepColdArchive)
	_, ok = dr.Latency(storageclass.TierBulk)
	require.False(t, ok, "DeepColdArchive has no Bulk")
	st, _ := cat.Rules(storageclass.Standard)
	_, ok = st.Latency("")
	require.False(t, ok, "Standard is never restored")

	_, err := cat.Rules("Glacier")
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)

	for _, c := range cat.Classes() {
		r, _ := cat.Rules(c)
		require.Equal(t, c == storageclass.IA || c == storageclass.Archive, r.AccessTimeTarget, c)
		rank, ok := cat.Rank(c)
		require.True(t, ok)
		require.Equal(t, r.Rank, rank, c)
		size, ok := cat.MinBillableSize(c)
		require.True(t, ok)
		require.Equal(t, r.MinBillableSize, size, c)
	}
	_, ok = cat.Rank("Glacier")
	require.False(t, ok)
	_, ok = cat.MinBillableSize("Glacier")
	require.False(t, ok)
	require.Equal(t, "CNY", cat.Currency())
}

func TestCatalogImmutable(t *testing.T) {
	r, err := storageclass.OSS().Rules(storageclass.ColdArchive)
	require.NoError(t, err)
	r.Tiers[storageclass.TierBulk] = storageclass.Latency{}
	r2, _ := storageclass.OSS().Rules(storageclass.ColdArchive)
	require.Equal(t, 12*time.Hour, r2.Tiers[storageclass.TierBulk].Max)
}

func TestNewCatalog(t *testing.T) {
	fast := map[storageclass.Class]storageclass.Rules{
		"Hot":  {Rank: 0},
		"Cold": {Rank: 1, NeedsRestore: true, RestoreLatency: storageclass.Latency{Max: time.Second}, MinRestoreDays: 1, MaxRestoreDays: 2, DefaultRestoreDays: 1},
	}
	cat, err := storageclass.NewCatalog(fast)
	require.NoError(t, err)
	require.Equal(t, []storageclass.Class{"Hot", "Cold"}, cat.Classes())
	bad := map[storageclass.Class]storageclass.Rules{
		"Cold": {NeedsRestore: true, MinRestoreDays: 1, MaxRestoreDays: 2, DefaultRestoreDays: 1},
	}
	_, err = storageclass.NewCatalog(bad)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "no latency")
	bad["Cold"] = storageclass.Rules{NeedsRestore: true, Tiers: map[storageclass.Tier]storageclass.Latency{storageclass.TierBulk: {Max: 1}}, DefaultTier: storageclass.TierStandard, MinRestoreDays: 1, MaxRestoreDays: 2, DefaultRestoreDays: 1}
	_, err = storageclass.NewCatalog(bad)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "default tier not offered")
	_, err = storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{"": {}})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "empty name")
	_, err = storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{"Cold": {Rank: 1}, "COLD": {Rank: 2}})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "names equal but for case")
}

func TestClassesOfEqualRank(t *testing.T) {
	cat, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{"b": {Rank: 1}, "a": {Rank: 1}, "z": {Rank: 0}})
	require.NoError(t, err)
	for range 10 {
		require.Equal(t, []storageclass.Class{"z", "a", "b"}, cat.Classes())
	}
}

func TestCatalogCurrency(t *testing.T) {
	cat, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{"Hot": {}})
	require.NoError(t, err)
	require.Equal(t, "", cat.Currency(), "NewCatalog names no currency")
	usd := cat.WithCurrency("USD")
	require.Equal(t, "USD", usd.Currency())
	require.Equal(t, "", cat.Currency(), "WithCurrency leaves its receiver alone")
	require.Equal(t, cat.Classes(), usd.Classes())
	eur := storageclass.OSS().WithCurrency("EUR")
	require.Equal(t, "EUR", eur.Currency())
	require.Equal(t, "CNY", storageclass.OSS().Currency())
	require.Equal(t, storageclass.OSS().Classes(), eur.Classes())
}

func TestCatalogParseClass(t *testing.T) {
	cat, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{
		storageclass.Standard: {Rank: 0},
		"Glacierish":          {Rank: 5},
	})
	require.NoError(t, err)
	for in, want := range map[string]storageclass.Class{
		"Glacierish": "Glacierish", "glacierish": "Glacierish", "GLACIERISH": "Glacierish", "standard": storageclass.Standard,
	} {
		got, err := cat.ParseClass(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "Archive", "Glacierish ", "Glacier"} {
		_, err := cat.ParseClass(in)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%q", in)
	}
	// The package-level ParseClass is the OSS catalog's.
	_, err = storageclass.ParseClass("Glacierish")
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	got, err := storageclass.OSS().ParseClass("deepcoldarchive")
	require.NoError(t, err)
	require.Equal(t, storageclass.DeepColdArchive, got)
}

func TestParse(t *testing.T) {
	for in, want := range map[string]storageclass.Class{
		"Standard": storageclass.Standard, "standard": storageclass.Standard, "ia": storageclass.IA,
		"ARCHIVE": storageclass.Archive, "coldarchive": storageclass.ColdArchive, "DeepColdArchive": storageclass.DeepColdArchive,
	} {
		got, err := storageclass.ParseClass(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, in := range []string{"", "GLACIER", "Cold Archive", "Standard "} {
		_, err := storageclass.ParseClass(in)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%q", in)
	}
	tier, err := storageclass.ParseTier("bulk")
	require.NoError(t, err)
	require.Equal(t, storageclass.TierBulk, tier)
	_, err = storageclass.ParseTier("fast")
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
}

func TestTierOrder(t *testing.T) {
	require.True(t, storageclass.TierExpedited.FasterThan(storageclass.TierStandard))
	require.True(t, storageclass.TierStandard.FasterThan(storageclass.TierBulk))
	require.False(t, storageclass.TierBulk.FasterThan(storageclass.TierBulk))
	require.False(t, storageclass.TierBulk.FasterThan(storageclass.TierExpedited))
	require.False(t, storageclass.Tier("").FasterThan(storageclass.TierBulk))
	require.False(t, storageclass.TierExpedited.FasterThan(""))
}

func TestS3Catalog(t *testing.T) {
	c := storageclass.S3()
	require.Equal(t, []storageclass.Class{storageclass.S3Standard, storageclass.S3StandardIA, storageclass.S3IntelligentTiering, storageclass.S3OneZoneIA, storageclass.S3GlacierIR, storageclass.S3Glacier, storageclass.S3DeepArchive}, c.Classes())
	require.Equal(t, storageclass.S3Standard, c.Default())
	require.Equal(t, "USD", c.Currency())
	for cl, want := range map[storageclass.Class]struct {
		restore bool
		min     time.Duration
		size    int64
		onRead  bool
	}{
		storageclass.S3Standard:           {},
		storageclass.S3StandardIA:         {min: 30 * storageclass.Day, size: 128 * storageclass.KiB, onRead: true},
		storageclass.S3IntelligentTiering: {},
		storageclass.S3OneZoneIA:          {min: 30 * storageclass.Day, size: 128 * storageclass.KiB, onRead: true},
		storageclass.S3GlacierIR:          {min: 90 * storageclass.Day, size: 128 * storageclass.KiB, onRead: true},
		storageclass.S3Glacier:            {restore: true, min: 90 * storageclass.Day},
		storageclass.S3DeepArchive:        {restore: true, min: 180 * storageclass.Day},
	} {
		r, err := c.Rules(cl)
		require.NoError(t, err)
		require.Equal(t, want.restore, r.NeedsRestore, cl)
		require.Equal(t, want.min, r.MinStorageDuration, cl)
		require.Equal(t, want.size, r.MinBillableSize, cl)
		require.Equal(t, want.onRead, r.RetrievalOnRead, cl)
		require.True(t, r.Price.Unpriced, cl)
	}
	g, _ := c.Rules(storageclass.S3Glacier)
	require.Equal(t, storageclass.Latency{Min: time.Minute, Max: 5 * time.Minute}, g.Tiers[storageclass.TierExpedited])
	require.Equal(t, storageclass.TierStandard, g.DefaultTier)
	d, _ := c.Rules(storageclass.S3DeepArchive)
	_, expedited := d.Tiers[storageclass.TierExpedited]
	require.False(t, expedited, "DEEP_ARCHIVE has no Expedited tier")
	require.Equal(t, storageclass.Latency{Min: 12 * time.Hour, Max: 48 * time.Hour}, d.Tiers[storageclass.TierBulk])
	cl, err := c.ParseClass("glacier")
	require.NoError(t, err)
	require.Equal(t, storageclass.S3Glacier, cl)
	_, err = c.ParseClass("Archive")
	require.Error(t, err, "an OSS class is no S3 class")
	_, err = storageclass.NewCatalog(nil)
	require.Error(t, err, "a catalog has a class")
}
