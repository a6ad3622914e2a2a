package engine

import (
	"fmt"
	"maps"
	"slices"

	"github.com/coldstore-dev/coldstore/storageclass"
)

// Bill is a Usage priced line by line.
type Bill struct {
	Currency string
	Lines    []BillLine
	Total    float64
	// Unpriced lists the classes used that the catalog has no price for;
	// their lines are zero.
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

// Cost prices u with cat: storage and early deletion at the class's
// storage price (byte-hours to GB-months of 30 days), retrieval bytes at
// the class's retrieval price of their tier, restores at the retrieval
// request price of their tier, and requests at the Standard class's request price.
func (u Usage) Cost(cat *storageclass.Catalog) Bill {
	b := Bill{Currency: storageclass.Currency}
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
	for _, c := range sortedClasses(u.StorageByteHours, u.EarlyDeleteByteHours, u.RetrievalBytes, u.Restores) {
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
	std := rules(storageclass.Standard)
	q := float64(requests) / 1e4
	add(BillLine{Item: "requests", Quantity: q, Unit: "10k requests", Amount: q * std.Price.Per10kRequests})
	for c := range unpriced {
		b.Unpriced = append(b.Unpriced, c)
	}
	slices.Sort(b.Unpriced)
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

// sortedClasses returns the classes that appear in any of the maps, in
// rank order of the OSS names.
func sortedClasses(a, b map[storageclass.Class]float64, c map[storageclass.Class]map[storageclass.Tier]int64, d map[storageclass.Class]int64) []storageclass.Class {
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
	out := make([]storageclass.Class, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
