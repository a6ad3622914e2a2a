package storageclass

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore"
)

// Day is 24 hours, the unit of restore days and minimum durations.
const Day = 24 * time.Hour

// Latency is how long a restore takes: at least Min, at most Max.
type Latency struct {
	Min, Max time.Duration
}

// Rules are what a storage class means.
type Rules struct {
	// Rank orders classes from warm to cold: Standard 0 < IA 1 < Archive 2 <
	// ColdArchive 3 < DeepColdArchive 4. Lifecycle only moves to a higher rank.
	Rank int
	// AccessTimeTarget is true when a lifecycle transition counted from the
	// last access (IsAccessTime) may move objects into the class. OSS
	// allows IA and Archive, and refuses ColdArchive and DeepColdArchive.
	AccessTimeTarget bool
	// NeedsRestore is true when a read needs a completed restore first.
	NeedsRestore bool
	// Tiers holds the restore tiers the class offers and their latency. It is
	// empty for a class that needs a restore but has no tiers (Archive): its
	// latency is RestoreLatency.
	Tiers map[Tier]Latency
	// RestoreLatency is the latency of a restore of a class without tiers.
	RestoreLatency Latency
	// DefaultTier is the tier used when a restore names none; "" when the
	// class has no tiers.
	DefaultTier Tier
	// MinRestoreDays and MaxRestoreDays bound a restore's Days;
	// DefaultRestoreDays is used when a restore names none. MaxRestoreDays is
	// also the longest a restored copy may live after it is ready.
	MinRestoreDays, MaxRestoreDays, DefaultRestoreDays int
	// MinStorageDuration is charged in full when an object leaves the class
	// earlier (deleted, overwritten or moved).
	MinStorageDuration time.Duration
	// MinDurationFromEntry counts the minimum duration from when the object
	// entered the class (ClassSince); otherwise it counts from its
	// LastModified, which a lifecycle transition keeps. OSS counts IA and
	// Archive from LastModified, ColdArchive and DeepColdArchive from the
	// conversion (research/semantics.md §1, [A10]).
	MinDurationFromEntry bool
	// MinBillableSize is the smallest size storage is billed for.
	MinBillableSize int64
	// RetrievalOnRead is true when every read of an object of the class is
	// billed as a retrieval of its size (OSS IA; S3 STANDARD_IA,
	// ONEZONE_IA, GLACIER_IR).
	RetrievalOnRead bool
	// Price is what the class costs.
	Price Price
}

// Latency returns the latency of a restore with tier t, and false when the
// class offers no such tier. For a class without tiers only t == "" is
// offered.
func (r Rules) Latency(t Tier) (Latency, bool) {
	if !r.NeedsRestore {
		return Latency{}, false
	}
	if len(r.Tiers) == 0 {
		return r.RestoreLatency, t == ""
	}
	l, ok := r.Tiers[t]
	return l, ok
}

// Catalog is an immutable set of storage classes, their rules, and the
// currency of their prices. It is the one source of the classes' names and
// order: ParseClass, lifecycle evaluation and bills all ask it.
type Catalog struct {
	rules    map[Class]Rules
	currency string
}

// NewCatalog returns a catalog of the given rules (copied), naming no
// currency (WithCurrency names one). It returns an error wrapping
// coldstore.ErrInvalidArgument when there are no classes, a class name is
// empty, two names differ
// only in case (ParseClass could not tell them apart), or a class that
// needs a restore has no latency or an inconsistent day range.
func NewCatalog(rules map[Class]Rules) (*Catalog, error) {
	if len(rules) == 0 {
		return nil, &coldstore.OpError{Op: "NewCatalog", Detail: "no classes", Err: coldstore.ErrInvalidArgument}
	}
	c := &Catalog{rules: make(map[Class]Rules, len(rules))}
	folded := make(map[string]Class, len(rules))
	for cl, r := range rules {
		if cl == "" {
			return nil, &coldstore.OpError{Op: "NewCatalog", Detail: "a class with an empty name", Err: coldstore.ErrInvalidArgument}
		}
		if other, dup := folded[strings.ToLower(string(cl))]; dup {
			return nil, &coldstore.OpError{Op: "NewCatalog", Detail: fmt.Sprintf("classes %s and %s differ only in case", min(cl, other), max(cl, other)), Err: coldstore.ErrInvalidArgument}
		}
		folded[strings.ToLower(string(cl))] = cl
		if r.NeedsRestore {
			bad := r.MinRestoreDays < 1 || r.MaxRestoreDays < r.MinRestoreDays ||
				r.DefaultRestoreDays < r.MinRestoreDays || r.DefaultRestoreDays > r.MaxRestoreDays
			if len(r.Tiers) == 0 {
				bad = bad || r.RestoreLatency.Max <= 0 || r.DefaultTier != ""
			} else {
				_, ok := r.Tiers[r.DefaultTier]
				bad = bad || !ok
			}
			if bad {
				return nil, &coldstore.OpError{Op: "NewCatalog", Detail: fmt.Sprintf("class %s: inconsistent restore rules", cl), Err: coldstore.ErrInvalidArgument}
			}
		}
		r.Tiers = maps.Clone(r.Tiers)
		r.Price = r.Price.clone()
		c.rules[cl] = r
	}
	return c, nil
}

// Rules returns the rules of class cl. The returned maps are copies. It
// returns an error wrapping coldstore.ErrInvalidArgument when the catalog
// has no such class.
func (c *Catalog) Rules(cl Class) (Rules, error) {
	r, ok := c.rules[cl]
	if !ok {
		return Rules{}, &coldstore.OpError{Op: "Rules", Detail: fmt.Sprintf("unknown storage class %q", cl), Err: coldstore.ErrInvalidArgument}
	}
	r.Tiers = maps.Clone(r.Tiers)
	r.Price = r.Price.clone()
	return r, nil
}

// Classes returns the catalog's classes from warm to cold; classes of
// equal rank in name order.
func (c *Catalog) Classes() []Class {
	out := slices.Collect(maps.Keys(c.rules))
	slices.SortFunc(out, func(a, b Class) int {
		return cmp.Or(cmp.Compare(c.rules[a].Rank, c.rules[b].Rank), cmp.Compare(a, b))
	})
	return out
}

// Default returns the class a bucket and its objects get when none is
// named: the warmest, the first of Classes.
func (c *Catalog) Default() Class { return c.Classes()[0] }

// Rank returns the rank of class cl (Rules.Rank), and false when the
// catalog has no such class. Unlike Rules it copies nothing.
func (c *Catalog) Rank(cl Class) (int, bool) {
	r, ok := c.rules[cl]
	return r.Rank, ok
}

// MinBillableSize returns the minimum billable size of class cl
// (Rules.MinBillableSize), and false when the catalog has no such class.
// Unlike Rules it copies nothing.
func (c *Catalog) MinBillableSize(cl Class) (int64, bool) {
	r, ok := c.rules[cl]
	return r.MinBillableSize, ok
}

// ParseClass returns the catalog's class named s, ignoring case
// ("coldarchive" is ColdArchive in OSS()). It returns an error wrapping
// coldstore.ErrInvalidArgument for an empty name or one the catalog lacks.
func (c *Catalog) ParseClass(s string) (Class, error) {
	if _, ok := c.rules[Class(s)]; ok {
		return Class(s), nil
	}
	for cl := range c.rules {
		if strings.EqualFold(s, string(cl)) {
			return cl, nil
		}
	}
	return "", &coldstore.OpError{Op: "ParseClass", Detail: fmt.Sprintf("unknown storage class %q", s), Err: coldstore.ErrInvalidArgument}
}

// Currency returns the currency of the catalog's prices, as an ISO 4217
// code ("CNY" for OSS()); "" when the catalog names none.
func (c *Catalog) Currency() string { return c.currency }

// WithCurrency returns a catalog with the classes and rules of c whose
// prices are in currency, conventionally an ISO 4217 code such as "USD".
// c itself is unchanged.
func (c *Catalog) WithCurrency(currency string) *Catalog {
	return &Catalog{rules: c.rules, currency: currency}
}

// KiB is 1024 bytes.
const KiB = 1024

var oss = mustCatalog(map[Class]Rules{
	Standard: {Rank: 0},
	IA: {
		Rank:               1,
		AccessTimeTarget:   true,
		MinStorageDuration: 30 * Day,
		MinBillableSize:    64 * KiB,
		RetrievalOnRead:    true,
	},
	// Archive has no tiers: sending one is MalformedXML in OSS. Its restore
	// takes about a minute in the current documents and up to 4 hours in
	// the older ones; the engine's default policy takes the maximum.
	Archive: {
		Rank:               2,
		AccessTimeTarget:   true,
		NeedsRestore:       true,
		RestoreLatency:     Latency{Min: time.Minute, Max: 4 * time.Hour},
		MinRestoreDays:     1,
		MaxRestoreDays:     7,
		DefaultRestoreDays: 1,
		MinStorageDuration: 60 * Day,
		MinBillableSize:    64 * KiB,
	},
	// ColdArchive: Expedited within 1 h, Standard 2-5 h, Bulk 5-12 h. The
	// lower bound of Expedited is not documented; one minute is our choice.
	ColdArchive: {
		Rank:         3,
		NeedsRestore: true,
		Tiers: map[Tier]Latency{
			TierExpedited: {Min: time.Minute, Max: time.Hour},
			TierStandard:  {Min: 2 * time.Hour, Max: 5 * time.Hour},
			TierBulk:      {Min: 5 * time.Hour, Max: 12 * time.Hour},
		},
		DefaultTier:          TierStandard,
		MinRestoreDays:       1,
		MaxRestoreDays:       365,
		DefaultRestoreDays:   1,
		MinStorageDuration:   180 * Day,
		MinDurationFromEntry: true,
		MinBillableSize:      64 * KiB,
	},
	// DeepColdArchive: Expedited within 12 h, Standard within 48 h, no Bulk.
	// Lower bounds are not documented; 1 h and 12 h are our choice. The 64
	// KiB minimum billable size is unconfirmed for this class and assumed
	// equal to ColdArchive's.
	DeepColdArchive: {
		Rank:         4,
		NeedsRestore: true,
		Tiers: map[Tier]Latency{
			TierExpedited: {Min: time.Hour, Max: 12 * time.Hour},
			TierStandard:  {Min: 12 * time.Hour, Max: 48 * time.Hour},
		},
		DefaultTier:          TierStandard,
		MinRestoreDays:       1,
		MaxRestoreDays:       365,
		DefaultRestoreDays:   1,
		MinStorageDuration:   180 * Day,
		MinDurationFromEntry: true,
		MinBillableSize:      64 * KiB,
	},
})

func mustCatalog(rules map[Class]Rules) *Catalog {
	for c, p := range ossPrices {
		r := rules[c]
		r.Price = p
		rules[c] = r
	}
	c, err := NewCatalog(rules)
	if err != nil {
		panic(err)
	}
	return c.WithCurrency(ossCurrency)
}

// OSS returns the catalog of Alibaba Cloud OSS (research/semantics.md §1):
// the default of the engine. The catalog is shared and immutable.
func OSS() *Catalog { return oss }
