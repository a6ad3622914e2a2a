package storageclass

import "time"

// The Amazon S3 storage classes (x-amz-storage-class), warmest first.
const (
	S3Standard           Class = "STANDARD"
	S3StandardIA         Class = "STANDARD_IA"
	S3IntelligentTiering Class = "INTELLIGENT_TIERING"
	S3OneZoneIA          Class = "ONEZONE_IA"
	S3GlacierIR          Class = "GLACIER_IR"
	S3Glacier            Class = "GLACIER"
	S3DeepArchive        Class = "DEEP_ARCHIVE"
)

// s3 is the catalog of Amazon S3 (research/s3.md §2, sourced there):
//
//   - Ranks follow the lifecycle waterfall, STANDARD → STANDARD_IA →
//     INTELLIGENT_TIERING → ONEZONE_IA → GLACIER_IR → GLACIER →
//     DEEP_ARCHIVE. S3 also refuses ONEZONE_IA → GLACIER_IR, which a rank
//     cannot say: lifecycle here allows it.
//   - Minimum durations: STANDARD_IA and ONEZONE_IA 30 days, GLACIER_IR and
//     GLACIER 90, DEEP_ARCHIVE 180, counted from entry into the class;
//     STANDARD and INTELLIGENT_TIERING none.
//   - Minimum billable sizes: 128 KB for STANDARD_IA, ONEZONE_IA and
//     GLACIER_IR. GLACIER and DEEP_ARCHIVE bill a 40 KB overhead per object
//     (32 KB at the class's rate, 8 KB at STANDARD's), which one minimum
//     size cannot say: none is applied.
//   - Reads of STANDARD_IA, ONEZONE_IA and GLACIER_IR are retrievals.
//   - GLACIER restores: Expedited 1-5 minutes, Standard 3-5 hours, Bulk
//     5-12 hours; DEEP_ARCHIVE: Standard within 12 hours, Bulk within 48,
//     no Expedited. Their lower bounds are ours: 1 hour and 12 hours.
//     Standard is the default tier.
//   - Restore Days: at least 1, required (the dialect refuses a restore
//     without them). S3 documents no maximum; 36,500 (a century) is ours.
//   - INTELLIGENT_TIERING objects are modelled in their frequent access
//     tier only: they need no restore (the opt-in archive tiers are not
//     modelled).
//
// No AWS price table was read into this project: every class is Unpriced.
// Build a catalog with NewCatalog to price them.
var s3 = func() *Catalog {
	glacierDays := func(r Rules) Rules {
		r.NeedsRestore = true
		r.DefaultTier = TierStandard
		r.MinRestoreDays, r.MaxRestoreDays, r.DefaultRestoreDays = 1, 36500, 1
		return r
	}
	c, err := NewCatalog(map[Class]Rules{
		S3Standard: {Rank: 0, Price: Price{Unpriced: true}},
		S3StandardIA: {Rank: 1, MinStorageDuration: 30 * Day, MinDurationFromEntry: true,
			MinBillableSize: 128 * KiB, RetrievalOnRead: true, Price: Price{Unpriced: true}},
		S3IntelligentTiering: {Rank: 2, Price: Price{Unpriced: true}},
		S3OneZoneIA: {Rank: 3, MinStorageDuration: 30 * Day, MinDurationFromEntry: true,
			MinBillableSize: 128 * KiB, RetrievalOnRead: true, Price: Price{Unpriced: true}},
		S3GlacierIR: {Rank: 4, MinStorageDuration: 90 * Day, MinDurationFromEntry: true,
			MinBillableSize: 128 * KiB, RetrievalOnRead: true, Price: Price{Unpriced: true}},
		S3Glacier: glacierDays(Rules{Rank: 5, MinStorageDuration: 90 * Day, MinDurationFromEntry: true,
			Tiers: map[Tier]Latency{
				TierExpedited: {Min: time.Minute, Max: 5 * time.Minute},
				TierStandard:  {Min: 3 * time.Hour, Max: 5 * time.Hour},
				TierBulk:      {Min: 5 * time.Hour, Max: 12 * time.Hour},
			}, Price: Price{Unpriced: true}}),
		S3DeepArchive: glacierDays(Rules{Rank: 6, MinStorageDuration: 180 * Day, MinDurationFromEntry: true,
			Tiers: map[Tier]Latency{
				TierStandard: {Min: time.Hour, Max: 12 * time.Hour},
				TierBulk:     {Min: 12 * time.Hour, Max: 48 * time.Hour},
			}, Price: Price{Unpriced: true}}),
	})
	if err != nil {
		panic(err)
	}
	return c.WithCurrency("USD")
}()

// S3 returns the catalog of Amazon S3: its seven storage classes and their
// rules, unpriced. The catalog is shared and immutable.
func S3() *Catalog { return s3 }
