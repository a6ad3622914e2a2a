package engine_test

import (
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// DeleteIfMatch removes the object only when the condition takes its
// ETag; another is ErrPreconditionFailed and an absent key ErrNoSuchKey,
// with nothing removed or counted; no condition is ErrInvalidArgument.
func TestDeleteIfMatch(t *testing.T) {
	f := newFixture(t)
	oi := f.put("k", storageclass.Standard, "body")
	before, err := f.db.Usage(ctx, "bkt")
	require.NoError(t, err)
	err = f.db.DeleteIfMatch(ctx, "bkt", "k", func(etag string) bool { return etag == "other" })
	require.ErrorIs(t, err, coldstore.ErrPreconditionFailed)
	after, err := f.db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, before, after, "a refused delete is not counted")
	require.Equal(t, oi.ETag, f.head("k").ETag, "still there")
	require.ErrorIs(t, f.db.DeleteIfMatch(ctx, "bkt", "k", nil), coldstore.ErrInvalidArgument)
	var seen string
	require.NoError(t, f.db.DeleteIfMatch(ctx, "bkt", "k", func(etag string) bool { seen = etag; return true }))
	require.Equal(t, oi.ETag, seen)
	_, err = f.db.Head(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	require.ErrorIs(t, f.db.DeleteIfMatch(ctx, "bkt", "k", func(string) bool { return true }), coldstore.ErrNoSuchKey)
}
