package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// SetTags replaces an object's tags and nothing else; a lifecycle rule that
// selects by tag follows them.
func TestSetTags(t *testing.T) {
	db, clk := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	before, err := db.Put(ctx, "bkt", "k", strings.NewReader("body"), nil)
	require.NoError(t, err)
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "cold", Enabled: true,
		Tags: map[string]string{"tier": "cold"}, Transitions: []lifecycle.Transition{{Days: 1, StorageClass: storageclass.IA, AllowSmallFile: true}}}}}))

	clk.Add(2 * 24 * time.Hour)
	res, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Zero(t, res.Transitioned, "untagged: the rule does not apply")

	tags := map[string]string{"tier": "cold", "team": "a"}
	oi, err := db.SetTags(ctx, "bkt", "k", tags)
	require.NoError(t, err)
	require.Equal(t, tags, oi.Tags)
	require.Equal(t, before.LastModified, oi.LastModified, "tagging is not a write of the object")
	tags["tier"] = "warm" // the caller's map is not kept
	head, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, "cold", head.Tags["tier"])

	res, err = db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned, "tagged: due at once (day 1 passed)")

	oi, err = db.SetTags(ctx, "bkt", "k", nil)
	require.NoError(t, err)
	require.Nil(t, oi.Tags)
	u, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, int64(1), u.Requests["PutObjectTagging"])
	require.Equal(t, int64(1), u.Requests["DeleteObjectTagging"])

	_, err = db.Put(ctx, "bkt", "a", strings.NewReader("cold"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	_, err = db.SetTags(ctx, "bkt", "a", map[string]string{"x": "y"})
	require.NoError(t, err, "an archived object's tags change without a restore")

	many := map[string]string{}
	for i := range engine.MaxTags + 1 {
		many[string(rune('a'+i))] = "v"
	}
	for _, bad := range []map[string]string{many, {"": "v"}, {strings.Repeat("k", engine.MaxTagKeyLen+1): "v"}, {"k": strings.Repeat("v", engine.MaxTagValueLen+1)}} {
		_, err = db.SetTags(ctx, "bkt", "a", bad)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	}
	head, err = db.Head(ctx, "bkt", "a")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"x": "y"}, head.Tags, "a refused SetTags changes nothing")
	_, err = db.SetTags(ctx, "bkt", "missing", nil)
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
}
