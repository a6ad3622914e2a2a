package storageclass

// Price is what a class costs, in the catalog's currency. List prices are
// filled in with metering (issue 4); until then OSS() carries zeros, so a
// bill computed from it is zero, never invented.
type Price struct {
	StorageGBMonth float64          // storage, per GB-month of billable size
	Retrieval      map[Tier]float64 // per GB restored or read, by tier ("" for a class without tiers)
	Per10kRequests float64          // per 10,000 requests
}
