package coldstore

import "time"

// The instants coldstore can store: every time it records (LastModified,
// restore times, lifecycle due times, a bucket's creation) and every date
// a caller gives it (a lifecycle CreatedBeforeDate) lies in [MinTime,
// MaxTime]. An instant outside is refused with an error wrapping
// ErrInvalidArgument, and a clock that reads outside the range makes writes
// fail the same way; time arithmetic that would pass MaxTime saturates
// (see the lifecycle and engine docs for what a saturated instant means:
// never). Stored instants keep microseconds.
var (
	// MinTime is the Unix epoch, 1970-01-01T00:00:00Z.
	MinTime = time.Unix(0, 0).UTC()
	// MaxTime is the last microsecond of year 9999, the last instant the
	// date formats of HTTP and XML can write.
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// InTimeRange reports whether t lies in [MinTime, MaxTime].
func InTimeRange(t time.Time) bool {
	return !t.Before(MinTime) && !t.After(MaxTime)
}
