package storageclass

import "maps"

// Price is what a class costs, in the catalog's currency (Catalog.Currency).
type Price struct {
	// StorageGBMonth is charged per GB (2^30 bytes) of billable size per
	// month of 30 days (OSS bills hourly at this price / 30 / 24).
	StorageGBMonth float64
	// Retrieval is charged per GB restored (archive classes, by tier; ""
	// for a class without tiers) or read (IA, tier "").
	Retrieval map[Tier]float64
	// RetrievalPer10k is charged per 10,000 restore requests, by tier.
	RetrievalPer10k map[Tier]float64
	// Per10kRequests is charged per 10,000 requests (PUT and GET alike).
	Per10kRequests float64
	// Unpriced is true when no public price was found for the class: its
	// lines in a bill are zero, and the bill says so.
	Unpriced bool
}

// Currency is the currency of the OSS() catalog's prices.
//
// Deprecated: use the Currency method of the catalog that holds the prices;
// OSS().Currency() is this value.
const Currency = ossCurrency

// ossCurrency is the currency of ossPrices.
const ossCurrency = "CNY"

// OSS list prices, pay-as-you-go, locally redundant storage, Chinese
// mainland regions (China (Hangzhou) and the like), in CNY. Sources, read
// 2026-11-25:
//   - Standard 0.12/GB-month: help.aliyun.com/en/oss/storage-fees (the
//     page's own example: 0.12 / 30 / 24 per GB-hour);
//   - IA 0.08, Archive 0.033, ColdArchive 0.015 per GB-month; retrieval IA
//     0.0325, Archive 0.06 per GB; requests 0.01 (Standard) and 0.1 (IA and
//     colder) per 10,000: the OSS price table as transcribed at
//     kandaoni.com/news/26917.html;
//   - ColdArchive retrieval Expedited 0.2, Standard 0.06, Bulk 0.03 per GB,
//     and 30, 3, 0.3 per 10,000 retrieval requests:
//     developer.aliyun.com/ask/631608.
//
// No public DeepColdArchive price was found: it is Unpriced. Build a
// catalog with NewCatalog to price it, or to use another region.
var ossPrices = map[Class]Price{
	Standard: {StorageGBMonth: 0.12, Per10kRequests: 0.01},
	IA:       {StorageGBMonth: 0.08, Retrieval: map[Tier]float64{"": 0.0325}, Per10kRequests: 0.1},
	Archive:  {StorageGBMonth: 0.033, Retrieval: map[Tier]float64{"": 0.06}, Per10kRequests: 0.1},
	ColdArchive: {
		StorageGBMonth:  0.015,
		Retrieval:       map[Tier]float64{TierExpedited: 0.2, TierStandard: 0.06, TierBulk: 0.03},
		RetrievalPer10k: map[Tier]float64{TierExpedited: 30, TierStandard: 3, TierBulk: 0.3},
		Per10kRequests:  0.1,
	},
	DeepColdArchive: {Unpriced: true},
}

func (p Price) clone() Price {
	p.Retrieval = maps.Clone(p.Retrieval)
	p.RetrievalPer10k = maps.Clone(p.RetrievalPer10k)
	return p
}
