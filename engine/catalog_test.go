package engine_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// glacierish is a catalog of OSS's Standard, IA and Archive plus
// Glacierish, an archive class colder than Archive that OSS does not have,
// priced in USD.
func glacierish(t *testing.T) *storageclass.Catalog {
	t.Helper()
	rules := map[storageclass.Class]storageclass.Rules{}
	for _, c := range []storageclass.Class{storageclass.Standard, storageclass.IA, storageclass.Archive} {
		r, err := storageclass.OSS().Rules(c)
		require.NoError(t, err)
		rules[c] = r
	}
	rules["Glacierish"] = storageclass.Rules{
		Rank:               9,
		NeedsRestore:       true,
		RestoreLatency:     storageclass.Latency{Min: time.Hour, Max: 6 * time.Hour},
		MinRestoreDays:     1,
		MaxRestoreDays:     30,
		DefaultRestoreDays: 2,
		MinStorageDuration: 90 * day,
		MinBillableSize:    64 << 10,
		Price: storageclass.Price{
			StorageGBMonth:  0.004,
			Retrieval:       map[storageclass.Tier]float64{"": 0.1},
			RetrievalPer10k: map[storageclass.Tier]float64{"": 5},
			Per10kRequests:  0.5,
		},
	}
	cat, err := storageclass.NewCatalog(rules)
	require.NoError(t, err)
	return cat.WithCurrency("USD")
}

// TestCatalogClass follows a class that only the DB's catalog knows through
// a lifecycle transition, a restore and the bill.
func TestCatalogClass(t *testing.T) {
	cat := glacierish(t)
	db, clk := enginetest.New(t, &engine.Options{Catalog: cat})
	require.NoError(t, db.CreateBucket(ctx, "cold", nil))
	body := bytes.Repeat([]byte("g"), mib)
	_, err := db.Put(ctx, "cold", "logs/a", bytes.NewReader(body), nil)
	require.NoError(t, err)

	cfg, err := lifecycle.ParseXMLIn(cat, []byte(`<LifecycleConfiguration><Rule><ID>deep</ID><Prefix>logs/</Prefix><Status>Enabled</Status>
<Transition><Days>10</Days><StorageClass>Archive</StorageClass></Transition>
<Transition><Days>30</Days><StorageClass>glacierish</StorageClass></Transition>
</Rule></LifecycleConfiguration>`))
	require.NoError(t, err)
	require.NoError(t, db.PutBucketLifecycle(ctx, "cold", cfg))

	enginetest.Advance(t, db, clk, 10*day)
	res, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned)
	require.Equal(t, enginetest.Epoch.Add(30*day), res.Next, "the Glacierish transition is planned")
	enginetest.Advance(t, db, clk, 20*day)
	res, err = db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned)
	require.True(t, res.Next.IsZero(), "nothing is colder than Glacierish")
	oi, err := db.Head(ctx, "cold", "logs/a")
	require.NoError(t, err)
	require.Equal(t, storageclass.Class("Glacierish"), oi.StorageClass)
	require.Equal(t, engine.Archived, oi.Restore.State)
	_, err = db.Get(ctx, "cold", "logs/a")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)

	// Restore: 202, readable once the catalog's latency (its Max) has passed.
	rr, err := db.Restore(ctx, "cold", "logs/a", nil)
	require.NoError(t, err)
	require.Equal(t, 202, rr.Status.HTTPStatus())
	require.Equal(t, clk.Now().Add(6*time.Hour), rr.Restore.ReadyAt)
	require.Equal(t, rr.Restore.ReadyAt.Add(2*day), rr.Restore.ExpiresAt, "the catalog's DefaultRestoreDays")
	enginetest.Advance(t, db, clk, 6*time.Hour-time.Second)
	_, err = db.Get(ctx, "cold", "logs/a")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState, "still restoring")
	enginetest.Advance(t, db, clk, time.Second)
	obj, err := db.Get(ctx, "cold", "logs/a")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.Equal(t, body, got)
	_, err = db.Restore(ctx, "cold", "logs/a", &engine.RestoreOptions{Days: 31})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "the catalog's MaxRestoreDays")

	// The bill: in the catalog's currency, Glacierish at its prices, and
	// the lines in the catalog's rank order.
	u, err := db.Usage(ctx, "cold")
	require.NoError(t, err)
	bill := u.Cost(cat)
	require.Equal(t, "USD", bill.Currency)
	require.Empty(t, bill.Unpriced)
	const gb = 1 << 30
	lines := map[string]engine.BillLine{}
	var order []storageclass.Class
	for _, l := range bill.Lines {
		lines[l.Item+" "+string(l.Class)] = l
		if l.Class != "" && (len(order) == 0 || order[len(order)-1] != l.Class) {
			order = append(order, l.Class)
		}
	}
	require.Equal(t, []storageclass.Class{storageclass.Standard, storageclass.Archive, "Glacierish"}, order, "%v", bill)
	storage := lines["storage Glacierish"]
	require.InDelta(t, u.StorageByteHours["Glacierish"]/gb/(30*24), storage.Quantity, 1e-15)
	require.Greater(t, storage.Quantity, 0.0)
	require.InDelta(t, storage.Quantity*0.004, storage.Amount, 1e-15)
	retrieval := lines["retrieval Glacierish"]
	require.InDelta(t, float64(mib)/gb, retrieval.Quantity, 1e-15)
	require.InDelta(t, float64(mib)/gb*0.1, retrieval.Amount, 1e-15)
	require.InDelta(t, 1e-4*5, lines["retrieval requests Glacierish"].Amount, 1e-15)
	requests := bill.Lines[len(bill.Lines)-1]
	require.Equal(t, "requests", requests.Item)
	require.InDelta(t, requests.Quantity*0.01, requests.Amount, 1e-15, "at the warmest class's request price")
	require.Contains(t, bill.String(), "USD")
}

// TestBillLinesByRank: a bill lists classes from warm to cold in the
// catalog's rank, whatever their names, and a class the catalog lacks last.
func TestBillLinesByRank(t *testing.T) {
	cat, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{
		"Zeta": {Rank: 0, Price: storageclass.Price{StorageGBMonth: 1}},
		"Beta": {Rank: 1, Price: storageclass.Price{StorageGBMonth: 1}},
		"Alfa": {Rank: 2, Price: storageclass.Price{StorageGBMonth: 1}},
	})
	require.NoError(t, err)
	u := engine.Usage{StorageByteHours: map[storageclass.Class]float64{"Alfa": 1, "Beta": 1, "Zeta": 1, "Gone": 1, "Also": 1}}
	bill := u.Cost(cat)
	var order []storageclass.Class
	for _, l := range bill.Lines {
		order = append(order, l.Class)
	}
	require.Equal(t, []storageclass.Class{"Zeta", "Beta", "Alfa", "Also", "Gone"}, order)
	require.Equal(t, []storageclass.Class{"Also", "Gone"}, bill.Unpriced)
	require.Equal(t, "", bill.Currency, "the catalog names no currency")
	require.Equal(t, "EUR", u.Cost(cat.WithCurrency("EUR")).Currency)
}

// TestCatalogNamesKept: a class whose name OSS spells otherwise ("ia" in
// a catalog, IA in OSS) keeps the catalog's spelling through the stored
// configuration, so objects put after it still transition.
func TestCatalogNamesKept(t *testing.T) {
	cat, err := storageclass.NewCatalog(map[storageclass.Class]storageclass.Rules{
		storageclass.Standard: {Rank: 0}, "ia": {Rank: 1},
	})
	require.NoError(t, err)
	db, clk := enginetest.New(t, &engine.Options{Catalog: cat})
	require.NoError(t, db.CreateBucket(ctx, "b-1", nil))
	cfg := &lifecycle.Configuration{Rules: []lifecycle.Rule{rule("r", "", 0, to("ia", 1))}}
	require.NoError(t, db.PutBucketLifecycle(ctx, "b-1", cfg))
	got, err := db.GetBucketLifecycle(ctx, "b-1")
	require.NoError(t, err)
	require.Equal(t, storageclass.Class("ia"), got.Rules[0].Transitions[0].StorageClass)
	_, err = db.Put(ctx, "b-1", "k", bytes.NewReader(make([]byte, 10)), nil)
	require.NoError(t, err)
	enginetest.Advance(t, db, clk, day)
	res, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned)
	oi, err := db.Head(ctx, "b-1", "k")
	require.NoError(t, err)
	require.Equal(t, storageclass.Class("ia"), oi.StorageClass)
}
