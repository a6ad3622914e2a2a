// Package storageclass holds the storage classes and restore tiers of an
// archive service and the rules of each: which needs a restore, how long a
// restore takes per tier, how many days a restored copy may live, the minimum
// storage duration and billable size, and prices. It is pure data: no I/O,
// no clock.
package storageclass

import (
	"fmt"
	"strings"

	"github.com/coldstore-dev/coldstore"
)

// Class is a storage class, named as OSS names it in x-oss-storage-class.
type Class string

// The OSS storage classes, warmest first.
const (
	Standard        Class = "Standard"
	IA              Class = "IA"
	Archive         Class = "Archive"
	ColdArchive     Class = "ColdArchive"
	DeepColdArchive Class = "DeepColdArchive"
)

// Tier is a restore priority (OSS JobParameters/Tier).
type Tier string

// The restore tiers, fastest first.
const (
	TierExpedited Tier = "Expedited"
	TierStandard  Tier = "Standard"
	TierBulk      Tier = "Bulk"
)

var tiers = []Tier{TierExpedited, TierStandard, TierBulk}

// ParseClass returns the OSS class named s, ignoring case ("coldarchive" is
// ColdArchive): OSS().ParseClass(s). It returns an error wrapping
// coldstore.ErrInvalidArgument for an empty name or one OSS lacks. A
// program with a catalog of its own parses with (*Catalog).ParseClass.
func ParseClass(s string) (Class, error) { return oss.ParseClass(s) }

// ParseTier returns the tier named s, ignoring case. It returns an error
// wrapping coldstore.ErrInvalidArgument for an empty or unknown name.
func ParseTier(s string) (Tier, error) {
	for _, t := range tiers {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", &coldstore.OpError{Op: "ParseTier", Detail: fmt.Sprintf("unknown restore tier %q", s), Err: coldstore.ErrInvalidArgument}
}

// Speed orders tiers: 0 for Expedited, 1 for Standard, 2 for Bulk, and -1
// for anything else. A lower speed is a faster tier.
func (t Tier) Speed() int {
	for i, u := range tiers {
		if t == u {
			return i
		}
	}
	return -1
}

// FasterThan reports whether t is a known tier faster than u.
func (t Tier) FasterThan(u Tier) bool {
	return t.Speed() >= 0 && u.Speed() >= 0 && t.Speed() < u.Speed()
}
