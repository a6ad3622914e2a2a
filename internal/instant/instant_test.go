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
