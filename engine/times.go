package engine

import (
	"encoding/binary"
	"time"

	"github.com/coldstore-dev/coldstore"
)

// Stored instants are 8 bytes big-endian: microseconds since
// 0001-01-01T00:00:00Z, Go's zero time, which is 0 and means "none". Every
// instant of [coldstore.MinTime, coldstore.MaxTime] fits with room to spare
// (an int64 of microseconds spans 292,000 years), and big-endian keeps index
// keys in time order. Schema 2 stored Unix nanoseconds, which end in 2262;
// Open migrates it (migrate.go).

// year1Unix is the Unix second of 0001-01-01T00:00:00Z.
const year1Unix = -62135596800

// putTime encodes t, which lies in the range or is zero.
func putTime(b []byte, t time.Time) {
	var n int64
	if !t.IsZero() {
		n = (t.Unix()-year1Unix)*1e6 + int64(t.Nanosecond()/1e3)
	}
	binary.BigEndian.PutUint64(b, uint64(n))
}

func getTime(b []byte) time.Time { return timeOf(int64(binary.BigEndian.Uint64(b))) }

// timeOf decodes what putTime wrote.
func timeOf(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n/1e6+year1Unix, n%1e6*1e3).UTC()
}

// now reads the clock as the engine stores it: UTC, to the microsecond.
func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// checkClock refuses a write while the clock reads outside the range of
// instants the engine stores: what it would record could not be read back.
func checkClock(op, bucket, key string, now time.Time) error {
	if !coldstore.InTimeRange(now) {
		return fail(op, bucket, key, coldstore.ErrInvalidArgument, "the clock reads %s, outside [%s, %s]",
			now.Format(time.RFC3339Nano), coldstore.MinTime.Format(time.RFC3339), coldstore.MaxTime.Format(time.RFC3339Nano))
	}
	return nil
}
