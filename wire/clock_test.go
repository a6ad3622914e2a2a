package wire_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

func serveClock(t *testing.T, c *wire.MockClock, method, rawQuery string) (*httptest.ResponseRecorder, int, error) {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	status, err := c.Serve(w, httptest.NewRequest(method, wire.ClockPath+"?"+rawQuery, nil), q)
	return w, status, err
}

// TestMockClock: GET tells the time, POST advances it; a bad or
// too-large advance is 400 and moves nothing; the caller answers the
// errors.
func TestMockClock(t *testing.T) {
	m := clock.NewMock()
	m.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	c := &wire.MockClock{Clock: m}

	w, status, err := serveClock(t, c, "GET", "")
	require.NoError(t, err)
	require.Equal(t, 200, status)
	require.Equal(t, "2024-01-01T00:00:00Z\n", w.Body.String())
	require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
	w, status, err = serveClock(t, c, "HEAD", "")
	require.NoError(t, err)
	require.Equal(t, 200, status)
	require.Zero(t, w.Body.Len(), "a body on HEAD")

	w, status, err = serveClock(t, c, "POST", "advance=4h30m")
	require.NoError(t, err)
	require.Equal(t, 200, status)
	require.Equal(t, "2024-01-01T04:30:00Z\n", w.Body.String())
	require.Equal(t, time.Date(2024, 1, 1, 4, 30, 0, 0, time.UTC), m.Now().UTC())

	for _, adv := range []string{"soon", "-1h", ""} {
		w, status, err = serveClock(t, c, "POST", "advance="+adv)
		require.NoError(t, err)
		require.Equal(t, 400, status, adv)
		require.Equal(t, 400, w.Code)
	}
	m.Set(coldstore.MaxTime.Add(-time.Hour))
	w, status, _ = serveClock(t, c, "POST", "advance=1h1ns")
	require.Equal(t, 400, status)
	require.True(t, strings.Contains(w.Body.String(), "9999-12-31"), w.Body.String())
	require.Equal(t, coldstore.MaxTime.Add(-time.Hour), m.Now(), "the clock moved")
	_, status, _ = serveClock(t, c, "POST", "advance=1h")
	require.Equal(t, 200, status)
	require.Equal(t, coldstore.MaxTime, m.Now())

	w, status, err = serveClock(t, c, "DELETE", "")
	require.ErrorIs(t, err, wire.ErrMethodNotAllowed)
	require.Zero(t, status)
	require.False(t, w.Flushed || w.Body.Len() > 0 || len(w.Header()) > 0, "wrote an answer")

	w, _, err = serveClock(t, &wire.MockClock{Clock: clock.New()}, "GET", "")
	require.ErrorIs(t, err, wire.ErrNotImplemented)
	require.Zero(t, w.Body.Len())
}
