package wire_test

import (
	"net/url"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestParseQuery: none is nil, and reads as empty; a query string as
// url.ParseQuery reads it; a malformed one is InvalidArgument.
func TestParseQuery(t *testing.T) {
	v, err := wire.ParseQuery("s3api", "")
	require.NoError(t, err)
	require.Nil(t, v)
	require.Empty(t, v.Get("restore"))
	require.False(t, v.Has("restore"))

	v, err = wire.ParseQuery("s3api", "restore&versionId=a%20b&x=1&x=2")
	require.NoError(t, err)
	require.Equal(t, url.Values{"restore": {""}, "versionId": {"a b"}, "x": {"1", "2"}}, v)

	_, err = wire.ParseQuery("ossapi", "a=%zz")
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	var oe *coldstore.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "ossapi", oe.Op)
}
