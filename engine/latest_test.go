package engine_test

import (
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

func TestLatestInstant(t *testing.T) {
	db, m := enginetest.New(t, nil)
	got, err := db.LatestInstant(ctx)
	require.NoError(t, err)
	require.True(t, got.IsZero(), "a new database has seen nothing")

	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	f := &fixture{t: t, db: db, m: m}
	got, err = db.LatestInstant(ctx)
	require.NoError(t, err)
	require.Equal(t, enginetest.Epoch, got, "the bucket's creation")

	m.Add(time.Hour)
	f.put("a", storageclass.Archive, "x")
	m.Add(time.Hour)
	f.put("b", storageclass.Standard, "y")
	got, err = db.LatestInstant(ctx)
	require.NoError(t, err)
	require.Equal(t, enginetest.Epoch.Add(2*time.Hour), got, "the last Put")

	m.Add(5 * time.Hour)
	_, err = db.Restore(ctx, "bkt", "a", nil)
	require.NoError(t, err)
	m.Add(30 * day) // nothing recorded meanwhile
	got, err = db.LatestInstant(ctx)
	require.NoError(t, err)
	require.Equal(t, enginetest.Epoch.Add(7*time.Hour), got, "the restore request, not its future expiry")
}
