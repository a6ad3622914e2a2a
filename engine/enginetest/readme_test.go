package enginetest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// The README's test-double example, kept compiling and passing here.
func TestThumbnailerWaitsForRestore(t *testing.T) {
	db, clk := enginetest.New(t, nil) // temp file, mock clock at 2024-01-01, Check on cleanup
	ctx := context.Background()
	require.NoError(t, db.CreateBucket(ctx, "photos", nil))
	_, err := db.Put(ctx, "photos", "a.jpg", strings.NewReader("jpeg"),
		&engine.PutOptions{StorageClass: storageclass.ColdArchive})
	require.NoError(t, err)

	res, err := db.Restore(ctx, "photos", "a.jpg", &engine.RestoreOptions{Tier: storageclass.TierExpedited})
	require.NoError(t, err)
	require.Equal(t, 202, res.Status.HTTPStatus())
	_, err = db.Restore(ctx, "photos", "a.jpg", nil)
	require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress) // 409

	enginetest.Advance(t, db, clk, time.Hour) // Expedited: within an hour; no sleep
	_, err = db.Get(ctx, "photos", "a.jpg")
	require.NoError(t, err)
}
