package engine

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/coldstore-dev/coldstore/storageclass"
)

// Bill is a Usage priced line by line.
type Bill struct {
	// Currency is the currency of every amount: the catalog's
	// (Catalog.Currency), "" when it names none.
	Currency string
	// Lines holds the priced quantities, class by class from warm to cold
	// in the catalog's rank, then the requests.
	Lines []BillLine
	Total float64
	// Unpriced lists, in the same order, the classes used that the catalog
	// has no price for (Price.Unpriced, or not in the catalog); their lines
	// are zero.
	Unpriced []storageclass.Class
}

// BillLine is one priced quantity.
type BillLine struct {
	Item     string             // "storage", "early deletion", "retrieval", "retrieval requests", "requests"
	Class    storageclass.Class // "" for requests
	Tier     storageclass.Tier  // retrieval only
	Quantity float64            // in Unit
	Unit     string             // "GB-month", "GB", "10k requests"
	Amount   float64            // Quantity times the unit price
}

const (
	gb            = 1 << 30
	hoursPerMonth = 30 * 24 // OSS converts GB-month prices with 30-day months
)

// Cost prices u with cat, in cat's currency: storage and early deletion at
// the class's storage price (byte-hours to GB-months of 30 days), retrieval
// bytes at the class's retrieval price of their tier, restores at the
// retrieval request price of their tier, and requests at the request price
// of cat's warmest class (Standard in OSS). Lines come class by class in
// cat's rank, warm to cold; classes cat lacks come last, by name.
func (u Usage) Cost(cat *storageclass.Catalog) Bill {
	b := Bill{Currency: cat.Currency()}
	unpriced := map[storageclass.Class]bool{}
	rules := func(c storageclass.Class) storageclass.Rules {
		r, err := cat.Rules(c)
		if err != nil || r.Price.Unpriced {
			unpriced[c] = true
		}
		return r
	}
	add := func(l BillLine) {
		if l.Quantity == 0 {
			return
		}
		b.Lines = append(b.Lines, l)
		b.Total += l.Amount
	}
	for _, c := range byRank(cat, u.StorageByteHours, u.EarlyDeleteByteHours, u.RetrievalBytes, u.Restores) {
		r := rules(c)
		months := u.StorageByteHours[c] / gb / hoursPerMonth
		add(BillLine{Item: "storage", Class: c, Quantity: months, Unit: "GB-month", Amount: months * r.Price.StorageGBMonth})
		early := u.EarlyDeleteByteHours[c] / gb / hoursPerMonth
		add(BillLine{Item: "early deletion", Class: c, Quantity: early, Unit: "GB-month", Amount: early * r.Price.StorageGBMonth})
		tiers := u.RetrievalBytes[c]
		for _, t := range slices.Sorted(maps.Keys(tiers)) {
			q := float64(tiers[t]) / gb
			add(BillLine{Item: "retrieval", Class: c, Tier: t, Quantity: q, Unit: "GB", Amount: q * r.Price.Retrieval[t]})
		}
		byTier := u.RestoresByTier[c]
		for _, t := range slices.Sorted(maps.Keys(byTier)) {
			q := float64(byTier[t]) / 1e4
			add(BillLine{Item: "retrieval requests", Class: c, Tier: t, Quantity: q, Unit: "10k requests", Amount: q * r.Price.RetrievalPer10k[t]})
		}
	}
	var requests int64
	for _, n := range u.Requests {
		requests += n
	}
	if classes := cat.Classes(); requests > 0 && len(classes) > 0 {
		q := float64(requests) / 1e4
		add(BillLine{Item: "requests", Quantity: q, Unit: "10k requests", Amount: q * rules(classes[0]).Price.Per10kRequests})
	}
	b.Unpriced = sortByRank(cat, slices.Collect(maps.Keys(unpriced)))
	return b
}

// String formats the bill as a table.
func (b Bill) String() string {
	s := ""
	for _, l := range b.Lines {
		what := l.Item
		if l.Class != "" {
			what += " " + string(l.Class)
		}
		if l.Tier != "" {
			what += " " + string(l.Tier)
		}
		s += fmt.Sprintf("%-40s %14.6f %-12s %12.6f %s\n", what, l.Quantity, l.Unit, l.Amount, b.Currency)
	}
	s += fmt.Sprintf("%-40s %14s %-12s %12.6f %s\n", "total", "", "", b.Total, b.Currency)
	if len(b.Unpriced) > 0 {
		s += fmt.Sprintf("unpriced: %v\n", b.Unpriced)
	}
	return s
}

// byRank returns the classes that appear in any of the maps, sorted by
// sortByRank.
func byRank(cat *storageclass.Catalog, a, b map[storageclass.Class]float64, c map[storageclass.Class]map[storageclass.Tier]int64, d map[storageclass.Class]int64) []storageclass.Class {
	seen := map[storageclass.Class]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	for k := range c {
		seen[k] = true
	}
	for k := range d {
		seen[k] = true
	}
	return sortByRank(cat, slices.Collect(maps.Keys(seen)))
}

// sortByRank sorts classes from warm to cold by cat's rank, those of equal
// rank by name, and those cat lacks last, by name. It returns classes.
func sortByRank(cat *storageclass.Catalog, classes []storageclass.Class) []storageclass.Class {
	slices.SortFunc(classes, func(a, b storageclass.Class) int {
		ra, oka := cat.Rank(a)
		rb, okb := cat.Rank(b)
		switch {
		case oka != okb && oka:
			return -1
		case oka != okb:
			return 1
		}
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a, b))
	})
	return classes
}
