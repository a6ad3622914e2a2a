package lifecycle_test

import (
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// Every field of a configuration survives the engine's encoding, class
// names as written included.
func TestMarshalBinary_RoundTrip(t *testing.T) {
	gt, lt := int64(100), int64(1<<30)
	c := &lifecycle.Configuration{Rules: []lifecycle.Rule{
		{ID: "all", Prefix: "logs/", Tags: map[string]string{"k": "v", "a": "b"}, Enabled: true,
			Filter: &lifecycle.Filter{ObjectSizeGreaterThan: &gt, ObjectSizeLessThan: &lt,
				Not: []lifecycle.Not{{Prefix: "logs/keep", Tag: &lifecycle.Tag{Key: "x", Value: "y"}}}},
			Transitions: []lifecycle.Transition{
				{Days: 30, StorageClass: storageclass.IA, IsAccessTime: true, ReturnToStdWhenVisit: true, AllowSmallFile: true},
				{CreatedBefore: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), StorageClass: "glacierish"}},
			Expiration:                   &lifecycle.Expiration{Days: 400, ExpiredObjectDeleteMarker: true},
			AbortMultipartUpload:         &lifecycle.AbortMultipartUpload{Days: 3},
			NoncurrentVersionTransitions: []lifecycle.NoncurrentVersionTransition{{NoncurrentDays: 5, StorageClass: storageclass.Archive, AllowSmallFile: true}},
			NoncurrentVersionExpiration:  &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 9}},
		{ID: "off", Expiration: &lifecycle.Expiration{CreatedBefore: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}},
	}}
	b, err := c.MarshalBinary()
	require.NoError(t, err)
	require.NotEqual(t, byte('<'), b[0], "not XML")
	var got lifecycle.Configuration
	require.NoError(t, got.UnmarshalBinary(b))
	require.Equal(t, *c, got)
	again, err := got.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, b, again, "the encoding is deterministic")
}

func TestUnmarshalBinary_Refuses(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("<LifecycleConfiguration/>"), {2, '{', '}'}, {1, '{'}} {
		var c lifecycle.Configuration
		require.ErrorIs(t, c.UnmarshalBinary(b), coldstore.ErrInvalidArgument, "%q", b)
	}
}
