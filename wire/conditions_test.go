package wire_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestPreconditions: RFC 9110's order (If-Match before
// If-Unmodified-Since, If-None-Match before If-Modified-Since), ETags
// quoted or not, weak or not, in any case; times to the second;
// unparseable dates ignored.
func TestPreconditions(t *testing.T) {
	lm := time.Date(2024, 1, 1, 12, 0, 0, 500_000_000, time.UTC) // .5 s: compared as 12:00:00
	at := func(d time.Duration) string { return lm.Add(d).Format(http.TimeFormat) }
	const tag = "abc123"
	cases := []struct {
		hdr  map[string]string
		want int
	}{
		{map[string]string{}, 0},
		{map[string]string{"If-Match": `"ABC123"`}, 0},
		{map[string]string{"If-Match": `W/"abc123"`}, 0},
		{map[string]string{"If-Match": `"x", abc123`}, 0},
		{map[string]string{"If-Match": "*"}, 0},
		{map[string]string{"If-Match": `"x"`}, 412},
		{map[string]string{"If-Match": `"abc123"`, "If-Unmodified-Since": at(-time.Hour)}, 0},
		{map[string]string{"If-Unmodified-Since": at(-time.Hour)}, 412},
		{map[string]string{"If-Unmodified-Since": at(0)}, 0},
		{map[string]string{"If-Unmodified-Since": "yesterday"}, 0},
		{map[string]string{"If-None-Match": `"abc123"`}, 304},
		{map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": at(time.Hour)}, 0},
		{map[string]string{"If-Modified-Since": at(0)}, 304},
		{map[string]string{"If-Modified-Since": at(-time.Second)}, 0},
		{map[string]string{"If-Match": `"x"`, "If-None-Match": `"abc123"`}, 412},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		require.Equal(t, c.want, wire.Preconditions(h, tag, lm), "%v", c.hdr)
	}
}

// TestIfRange: a strong ETag that names the object, or its date to the
// second.
func TestIfRange(t *testing.T) {
	lm := time.Date(2024, 1, 1, 12, 0, 0, 500_000_000, time.UTC)
	for v, want := range map[string]bool{
		`"ABC123"`:                 true,
		`abc123`:                   true,
		`W/"abc123"`:               false,
		`"other"`:                  false,
		lm.Format(http.TimeFormat): true,
		lm.Add(time.Second).Format(http.TimeFormat): false,
	} {
		require.Equal(t, want, wire.IfRange(v, "abc123", lm), v)
	}
}

// TestPreconditions_Lists: a condition in several header lines is one
// list.
func TestPreconditions_Lists(t *testing.T) {
	lm := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		hdr  http.Header
		want int
	}{
		{http.Header{"If-None-Match": {`"other"`, `"abc"`}}, http.StatusNotModified},
		{http.Header{"If-Match": {`"other"`, `"abc"`}}, 0},
		{http.Header{"If-Match": {`"other"`}}, http.StatusPreconditionFailed},
		{http.Header{"If-None-Match": {`"other"`}, "If-Modified-Since": {"Mon, 01 Jan 2024 00:00:00 GMT"}}, 0},
	} {
		require.Equal(t, c.want, wire.Preconditions(c.hdr, "abc", lm), "%v", c.hdr)
	}
}
