package instant

import (
	"math"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

func TestAddDays(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 12, 0, 0, 5000, time.UTC)
	got, ok := AddDays(t0, 30)
	require.True(t, ok)
	require.Equal(t, t0.Add(30*Day), got)

	// Past what time.Duration holds (106,751 days), still exact.
	got, ok = AddDays(t0, 999_999)
	require.True(t, ok)
	require.Equal(t, 4761, got.Year())
	require.True(t, got.After(t0))

	for _, days := range []int64{2_932_897, 4_000_001, math.MaxInt64, math.MinInt64} {
		got, ok = AddDays(t0, days)
		require.False(t, ok, "days %d", days)
		require.Equal(t, coldstore.MaxTime, got)
	}
}

func TestAdd(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	got, ok := Add(t0, time.Hour)
	require.True(t, ok)
	require.Equal(t, t0.Add(time.Hour), got)
	near := coldstore.MaxTime.Add(-time.Hour)
	got, ok = Add(near, 2*time.Hour)
	require.False(t, ok)
	require.Equal(t, coldstore.MaxTime, got)
	got, ok = Add(t0, time.Duration(math.MaxInt64))
	require.True(t, ok, "292 years from 2024 is inside the range")
	require.True(t, got.After(t0))
}

func TestAddDaysMidnightUTC(t *testing.T) {
	// S3's example: created 2014-01-15 10:30 UTC, 3 days: 2014-01-19 00:00 UTC.
	got, ok := AddDaysMidnightUTC(time.Date(2014, 1, 15, 10, 30, 0, 0, time.UTC), 3)
	require.True(t, ok)
	require.Equal(t, time.Date(2014, 1, 19, 0, 0, 0, 0, time.UTC), got)

	// A sum on a midnight stays; a nanosecond past goes to the next one.
	mid := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	got, ok = AddDaysMidnightUTC(mid, 1)
	require.True(t, ok)
	require.Equal(t, mid.Add(Day), got)
	got, ok = AddDaysMidnightUTC(mid.Add(time.Nanosecond), 0)
	require.True(t, ok)
	require.Equal(t, mid.Add(Day), got)

	// Midnight UTC, not local midnight: 23:00 at UTC-1 is 00:00 UTC.
	west := time.FixedZone("W", -3600)
	got, ok = AddDaysMidnightUTC(time.Date(2024, 2, 29, 23, 0, 0, 0, west), 0)
	require.True(t, ok)
	require.Equal(t, mid, got)
	require.Equal(t, time.UTC, got.Location())

	got, ok = AddDaysMidnightUTC(mid, math.MaxInt64)
	require.False(t, ok)
	require.Equal(t, coldstore.MaxTime, got)
	got, ok = AddDaysMidnightUTC(coldstore.MaxTime.Add(-time.Hour), 0)
	require.False(t, ok, "the midnight after is past MaxTime")
	require.Equal(t, coldstore.MaxTime, got)
}
