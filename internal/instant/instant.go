// Package instant does the time arithmetic of coldstore within the range of
// instants it stores, [coldstore.MinTime, coldstore.MaxTime]: sums that
// would pass the range saturate instead of wrapping (time.Duration holds
// only 292 years; Days of a lifecycle rule may ask for thousands).
package instant

import (
	"time"

	"github.com/coldstore-dev/coldstore"
)

// Day is the unit of Days in lifecycle rules and restores.
const Day = 24 * time.Hour

const secondsPerDay = 86400

// AddDays returns the instant days days after t, and true; or
// coldstore.MaxTime and false when that instant is past MaxTime (or before
// MinTime), which callers read as "never". It never overflows, whatever
// days is.
func AddDays(t time.Time, days int64) (time.Time, bool) {
	const maxSpan = 4_000_000 // days: more than MinTime to MaxTime
	if days > maxSpan || days < -maxSpan {
		return coldstore.MaxTime, false
	}
	s := time.Unix(t.Unix()+days*secondsPerDay, int64(t.Nanosecond())).In(t.Location())
	if !coldstore.InTimeRange(s) {
		return coldstore.MaxTime, false
	}
	return s, true
}

// Add returns t+d, and true; or coldstore.MaxTime and false when the sum is
// past MaxTime. t must lie in the range and d must not be negative.
func Add(t time.Time, d time.Duration) (time.Time, bool) {
	if d > coldstore.MaxTime.Sub(t) { // Sub saturates at the largest Duration
		return coldstore.MaxTime, false
	}
	return t.Add(d), true
}

// AddDaysMidnightUTC is AddDays rounded up to the next 00:00 UTC: the sum
// itself when it falls on a midnight UTC, else the midnight after it. It
// is how S3 counts the Days of lifecycle actions and restores. ok is false,
// and the result coldstore.MaxTime, past MaxTime.
func AddDaysMidnightUTC(t time.Time, days int64) (time.Time, bool) {
	s, ok := AddDays(t, days)
	if !ok {
		return s, false
	}
	s = s.UTC()
	if mid := s.Truncate(Day); !mid.Equal(s) {
		return Add(mid, Day)
	}
	return s, true
}
