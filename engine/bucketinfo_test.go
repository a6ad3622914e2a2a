package engine_test

import (
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func TestBucket(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "cold", &engine.BucketOptions{StorageClass: storageclass.ColdArchive}))
	b, err := db.Bucket(ctx, "cold")
	require.NoError(t, err)
	require.Equal(t, engine.BucketInfo{Name: "cold", StorageClass: storageclass.ColdArchive, Created: enginetest.Epoch}, b)
	require.NoError(t, db.SetAccessMonitor(ctx, "cold", true))
	b, err = db.Bucket(ctx, "cold")
	require.NoError(t, err)
	require.True(t, b.AccessMonitor)
	all, err := db.ListBuckets(ctx)
	require.NoError(t, err)
	require.Equal(t, []engine.BucketInfo{b}, all)

	_, err = db.Bucket(ctx, "missing")
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	_, err = db.Bucket(ctx, "Bad_Name")
	require.ErrorIs(t, err, coldstore.ErrInvalidBucketName)
	require.NoError(t, db.Close())
	_, err = db.Bucket(ctx, "cold")
	require.ErrorIs(t, err, coldstore.ErrClosed)
}
