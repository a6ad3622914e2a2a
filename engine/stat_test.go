package engine_test

import (
	"bytes"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// BucketStat counts what the bucket holds now, per class: sizes as they
// are and as billed, which agree with the meter's.
func TestBucketStat(t *testing.T) {
	db, clk := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	put := func(key string, size int, class storageclass.Class) {
		_, err := db.Put(ctx, "bkt", key, bytes.NewReader(make([]byte, size)), &engine.PutOptions{StorageClass: class})
		require.NoError(t, err)
	}
	put("a", 10, storageclass.Standard)
	put("b", 100, storageclass.Standard)
	put("c", 1000, storageclass.IA)
	put("d", 300<<10, storageclass.Archive)
	put("e", 5, storageclass.Archive)
	_, err := db.Restore(ctx, "bkt", "d", nil) // an expiry index entry: not an object
	require.NoError(t, err)
	require.NoError(t, db.Delete(ctx, "bkt", "b"))
	enginetest.Advance(t, db, clk, day)

	st, err := db.BucketStat(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, clk.Now(), st.At)
	require.Equal(t, map[storageclass.Class]int64{storageclass.Standard: 1, storageclass.IA: 1, storageclass.Archive: 2}, st.Objects)
	require.Equal(t, map[storageclass.Class]int64{storageclass.Standard: 10, storageclass.IA: 1000, storageclass.Archive: 300<<10 + 5}, st.Bytes)
	require.Equal(t, map[storageclass.Class]int64{storageclass.Standard: 10, storageclass.IA: 64 << 10, storageclass.Archive: 300<<10 + 64<<10}, st.BillableBytes)
	u, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, u.Objects, st.Objects, "as the meter counts")
	require.Equal(t, u.Bytes, st.BillableBytes, "as the meter bills")

	require.NoError(t, db.CreateBucket(ctx, "empty", nil))
	st, err = db.BucketStat(ctx, "empty")
	require.NoError(t, err)
	require.Empty(t, st.Objects)
	_, err = db.BucketStat(ctx, "missing")
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	_, err = db.BucketStat(ctx, "Bad_Name")
	require.ErrorIs(t, err, coldstore.ErrInvalidBucketName)
}
