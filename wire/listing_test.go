package wire_test

import (
	"net/url"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(raw)
	require.NoError(t, err)
	return v
}

// TestParseListQuery: v1 starts after the marker; v2 after the
// continuation token's key, else start-after; max-keys defaults and is
// bounded.
func TestParseListQuery(t *testing.T) {
	q, err := wire.ParseListQuery("b", query(t, "prefix=a%2F&delimiter=%2F&marker=a%2F1&start-after=zzz"), 100, 1000)
	require.NoError(t, err)
	require.Equal(t, wire.ListQuery{Prefix: "a/", Delimiter: "/", MaxKeys: 100, Marker: "a/1", After: "a/1"}, q)

	q, err = wire.ParseListQuery("b", query(t, "list-type=2&start-after=a&max-keys=0&encoding-type=url&marker=m"), 100, 1000)
	require.NoError(t, err)
	require.Equal(t, wire.ListQuery{V2: true, MaxKeys: 0, StartAfter: "a", After: "a", URLEncoding: true}, q)

	for _, raw := range []string{"max-keys=1001", "max-keys=-1", "max-keys=ten", "list-type=2&continuation-token=%21%21"} {
		_, err := wire.ParseListQuery("b", query(t, raw), 100, 1000)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, raw)
		var oe *coldstore.OpError
		require.ErrorAs(t, err, &oe)
		require.Equal(t, "b", oe.Bucket)
	}
	q, err = wire.ParseListQuery("b", query(t, "max-keys=1000"), 100, 1000)
	require.NoError(t, err)
	require.Equal(t, 1000, q.MaxKeys)
	require.Equal(t, 1000, q.Limit())
}

// TestListQuery_Page: a truncated page points at the next one (a v1
// marker encoded as the keys are, a v2 token that ParseListQuery reads
// back to the same key); max-keys=0 lists nothing and is not truncated,
// whatever matched.
func TestListQuery_Page(t *testing.T) {
	v1 := wire.ListQuery{MaxKeys: 2, URLEncoding: true}
	require.Equal(t, wire.Page{Truncated: true, NextMarker: "a+b%2F", KeyCount: 2}, v1.Page(2, true, "a b/"))
	require.Equal(t, wire.Page{KeyCount: 1}, v1.Page(1, false, "x"))
	require.Equal(t, "a+b", v1.Encode("a b"))
	require.Equal(t, "a b", wire.ListQuery{}.Encode("a b"))

	v2 := wire.ListQuery{V2: true, MaxKeys: 2}
	p := v2.Page(2, true, "k/é 1")
	require.True(t, p.Truncated)
	require.Empty(t, p.NextMarker)
	next, err := wire.ParseListQuery("b", url.Values{"list-type": {"2"}, "continuation-token": {p.NextContinuationToken}, "start-after": {"z"}}, 100, 1000)
	require.NoError(t, err)
	require.Equal(t, "k/é 1", next.After, "the token does not lead to where the page ended")

	zero := wire.ListQuery{V2: true, MaxKeys: 0}
	require.Equal(t, 1, zero.Limit())
	require.Equal(t, wire.Page{}, zero.Page(1, true, "a"))
	require.Equal(t, wire.Page{}, zero.Page(0, false, ""))
}

// A listing repeats Marker (V1, even empty) or the StartAfter and
// ContinuationToken it was given (V2), encoded as asked.
func TestListQuery_Echo(t *testing.T) {
	v1, err := wire.ParseListQuery("b", url.Values{"marker": {"a b"}, "encoding-type": {"url"}}, 100, 1000)
	require.NoError(t, err)
	e := v1.Echo()
	require.Equal(t, "a+b", *e.Marker)
	require.Nil(t, e.StartAfter)
	v1, err = wire.ParseListQuery("b", url.Values{}, 100, 1000)
	require.NoError(t, err)
	require.Equal(t, "", *v1.Echo().Marker, "V1 always writes its Marker")
	v2, err := wire.ParseListQuery("b", url.Values{"list-type": {"2"}, "start-after": {"k"}}, 100, 1000)
	require.NoError(t, err)
	e = v2.Echo()
	require.Nil(t, e.Marker)
	require.Equal(t, "k", *e.StartAfter)
	require.Nil(t, e.ContinuationToken)
}
