package engine_test

import (
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// An object keeps the standard headers it was put with, through a change
// of class, and refuses others.
func TestPut_Headers(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	hdr := map[string]string{"Cache-Control": "no-cache", "Content-Disposition": `attachment; filename="a.txt"`,
		"Content-Encoding": "gzip", "Content-Language": "en", "Expires": "Wed, 21 Oct 2015 07:28:00 GMT"}
	oi, err := db.Put(ctx, "bkt", "k", strings.NewReader("body"), &engine.PutOptions{Headers: hdr})
	require.NoError(t, err)
	require.Equal(t, hdr, oi.Headers)
	hdr["Cache-Control"] = "changed" // the caller's map is not kept
	head, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, "no-cache", head.Headers["Cache-Control"])
	require.Len(t, head.Headers, 5)
	oi, err = db.SetStorageClass(ctx, "bkt", "k", storageclass.IA)
	require.NoError(t, err)
	require.Equal(t, head.Headers, oi.Headers)
	obj, err := db.Get(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, head.Headers, obj.Info().Headers)
	require.NoError(t, obj.Close())

	oi, err = db.Put(ctx, "bkt", "plain", strings.NewReader("x"), nil)
	require.NoError(t, err)
	require.Nil(t, oi.Headers)

	for _, bad := range []map[string]string{{"X-Custom": "v"}, {"cache-control": "v"}, {"Expires": strings.Repeat("x", engine.MaxMetadataSize)}} {
		_, err = db.Put(ctx, "bkt", "k", strings.NewReader("other"), &engine.PutOptions{Headers: bad})
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%v", bad)
	}
	head, err = db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, int64(4), head.Size, "refused Puts change nothing")
}
