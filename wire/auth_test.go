package wire_test

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

var (
	errUnknown   = errors.New("unknown key")
	errMismatch  = errors.New("mismatch")
	errAnonymous = errors.New("anonymous")
	errMalformed = errors.New("malformed")
)

// call is what a scheme's Check was called with.
type call struct {
	scheme, auth string
}

// verifier has three schemes that record their calls: two of the
// Authorization header (V4 before V1, whose prefix is a prefix of V4's)
// and one of the query string.
func verifier(keys map[string]string, calls *[]call) *wire.Verifier[string] {
	check := func(name string) func(string, string) error {
		return func(_ string, auth string) error {
			*calls = append(*calls, call{name, auth})
			return nil
		}
	}
	wall := clock.NewMock()
	wall.Set(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	return &wire.Verifier[string]{
		Keys: keys, WallClock: wall, MaxSkew: 15 * time.Minute,
		Schemes: []wire.Scheme[string]{
			{Authorization: "SIG4 ", Check: check("v4")},
			{Authorization: "SIG", Check: check("v1")},
			{Params: []string{"sig", "sig-version"}, Check: check("query")},
		},
		UnknownKey: errUnknown, Mismatch: errMismatch, Anonymous: errAnonymous, Malformed: errMalformed,
	}
}

// TestAuthenticate: no keys admits all; the Authorization header picks
// its scheme by prefix, in order, and any other header is malformed even
// with a signed query; a query picks its scheme by any of its params;
// nothing is anonymous.
func TestAuthenticate(t *testing.T) {
	cases := []struct {
		auth, query string
		want        error
		called      []call
	}{
		{"SIG4 Credential=x", "", nil, []call{{"v4", "Credential=x"}}},
		{"SIG id:sig", "sig=1", nil, []call{{"v1", " id:sig"}}},
		{"Bearer x", "sig=1", errMalformed, nil},
		{"", "sig-version=2", nil, []call{{"query", ""}}},
		{"", "sig=", errAnonymous, nil},
		{"", "", errAnonymous, nil},
	}
	for _, c := range cases {
		var calls []call
		v := verifier(map[string]string{"ak": "sk"}, &calls)
		r := httptest.NewRequest("GET", "/b/k?"+c.query, nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		q, err := url.ParseQuery(c.query)
		require.NoError(t, err)
		require.Equal(t, c.want, v.Authenticate("req", r, q), "%q %q", c.auth, c.query)
		require.Equal(t, c.called, calls, "%q %q", c.auth, c.query)

		calls = nil
		require.NoError(t, verifier(nil, &calls).Authenticate("req", r, q), "without keys every request is admitted")
		require.Empty(t, calls)
	}
}

// TestVerifier_Checks: the key lookup, the comparison of signatures, the
// skew and the expiry, on the wall clock.
func TestVerifier_Checks(t *testing.T) {
	v := verifier(map[string]string{"ak": "sk"}, new([]call))
	s, err := v.Secret("ak")
	require.NoError(t, err)
	require.Equal(t, "sk", s)
	_, err = v.Secret("nobody")
	require.Equal(t, errUnknown, err)

	var asked []string
	want := func(sigs ...string) func(func(string) bool) {
		return func(yield func(string) bool) {
			for _, s := range sigs {
				asked = append(asked, s)
				if !yield(s) {
					return
				}
			}
		}
	}
	require.NoError(t, v.Match("b2", want("a1", "b2", "c3")))
	require.Equal(t, []string{"a1", "b2"}, asked, "asked for signatures after one matched")
	require.Equal(t, errMismatch, v.Match("b", want("a1", "b2")))
	require.Equal(t, errMismatch, v.Match("", want()))

	now := v.WallClock.Now()
	for _, d := range []time.Duration{0, 15 * time.Minute, -15 * time.Minute} {
		require.NoError(t, v.CheckDate(now.Add(d)), d)
	}
	for _, d := range []time.Duration{15*time.Minute + time.Second, -15*time.Minute - time.Nanosecond} {
		err := v.CheckDate(now.Add(d))
		require.ErrorIs(t, err, wire.ErrRequestTimeTooSkewed, d)
		require.Contains(t, err.Error(), "server time 2024-01-01T00:00:00Z")
	}

	require.NoError(t, v.CheckPresigned(now.Add(-time.Hour), now), "valid through its last instant")
	require.ErrorIs(t, v.CheckPresigned(now.Add(-time.Hour), now.Add(-time.Nanosecond)), wire.ErrRequestExpired)
	require.NoError(t, v.CheckPresigned(time.Time{}, now.Add(time.Hour)), "no date: only the expiry counts")
	require.NoError(t, v.CheckPresigned(now.Add(15*time.Minute), now.Add(time.Hour)))
	require.ErrorIs(t, v.CheckPresigned(now.Add(16*time.Minute), now.Add(time.Hour)), wire.ErrRequestTimeTooSkewed, "signed in the future")
	require.NoError(t, v.CheckPresigned(now.Add(-48*time.Hour), now.Add(time.Hour)), "an old date is no skew for a presigned URL")
}

// TestAuthenticate_Order: the schemes of the header are tried before
// those of the query whatever their place in the list, and among
// themselves in the list's order.
func TestAuthenticate_Order(t *testing.T) {
	var calls []call
	v := verifier(map[string]string{"ak": "sk"}, &calls)
	v.Schemes = slices.Clone(v.Schemes)
	slices.Reverse(v.Schemes)
	r := httptest.NewRequest("GET", "/?sig=1", nil)
	r.Header.Set("Authorization", "SIG4 x")
	require.NoError(t, v.Authenticate("req", r, url.Values{"sig": {"1"}}))
	require.Equal(t, []call{{"v1", "4 x"}}, calls, "the reversed list tries V1's shorter prefix first")
}
