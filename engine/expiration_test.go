package engine_test

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// Put, Head and Get tell the expiration a lifecycle rule sets for the
// object; none where no rule covers it or no configuration is set.
func TestObjectInfo_Expiration(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{
		{ID: "tmp", Prefix: "tmp/", Enabled: true, Expiration: &lifecycle.Expiration{Days: 2}},
	}}))
	want := engine.LifecycleExpiration{Date: f.m.Now().Add(48 * time.Hour), RuleID: "tmp"}
	oi, err := f.db.Put(ctx, "bkt", "tmp/a", strings.NewReader("a"), nil)
	require.NoError(t, err)
	require.Equal(t, want, oi.Expiration)
	require.Equal(t, want, f.head("tmp/a").Expiration)
	obj, err := f.db.Get(ctx, "bkt", "tmp/a")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, obj)
	require.NoError(t, obj.Close())
	require.Equal(t, want, obj.Info().Expiration)

	f.put("keep", storageclass.Standard, "k")
	require.Zero(t, f.head("keep").Expiration)
	require.NoError(t, f.db.DeleteBucketLifecycle(ctx, "bkt"))
	require.Zero(t, f.head("tmp/a").Expiration)
}

// A reopened database finds the configurations it holds: the expiration
// is told from the first Head on.
func TestObjectInfo_ExpirationAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", &lifecycle.Configuration{Rules: []lifecycle.Rule{
		{ID: "all", Enabled: true, Expiration: &lifecycle.Expiration{Days: 1}}}}))
	_, err = db.Put(ctx, "bkt", "k", strings.NewReader("x"), nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	db, err = engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, engine.LifecycleExpiration{Date: enginetest.Epoch.Add(24 * time.Hour), RuleID: "all"}, oi.Expiration)
}
