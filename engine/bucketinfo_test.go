package engine_test

import (
	"fmt"
	"strings"
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
	require.Equal(t, engine.BucketInfo{Name: "cold", StorageClass: storageclass.ColdArchive, Created: enginetest.Epoch, ACL: engine.ACLPrivate}, b)
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

// A bucket keeps the tags it is given, and loses them on an empty set.
func TestSetBucketTags(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	tags := map[string]string{"team": "a", "env": "prod"}
	require.NoError(t, db.SetBucketTags(ctx, "bkt", tags))
	tags["team"] = "b" // the caller's map is not kept
	b, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "a", "env": "prod"}, b.Tags)
	all, err := db.ListBuckets(ctx)
	require.NoError(t, err)
	require.Equal(t, b, all[0])

	many := map[string]string{}
	for i := range engine.MaxBucketTags + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	for _, bad := range []map[string]string{many, {"": "v"}, {strings.Repeat("k", engine.MaxBucketTagKeyLen+1): "v"}, {"k": strings.Repeat("v", engine.MaxBucketTagValueLen+1)}} {
		require.ErrorIs(t, db.SetBucketTags(ctx, "bkt", bad), coldstore.ErrInvalidArgument)
	}
	b, err = db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Len(t, b.Tags, 2, "refused tags change nothing")

	require.NoError(t, db.SetBucketTags(ctx, "bkt", nil))
	b, err = db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Nil(t, b.Tags)
	require.ErrorIs(t, db.SetBucketTags(ctx, "missing", nil), coldstore.ErrNoSuchBucket)
	u, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, int64(1), u.Requests["PutBucketTags"])
	require.Equal(t, int64(1), u.Requests["DeleteBucketTags"])
}
