package engine_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// TestS3_ArchiveStory: the engine with the S3 dialect, through the story
// an S3 user lives: upload as GLACIER, read refused, restore 202 then 409,
// the copy readable once ready and until the midnight after its Days,
// restored again with an expiry from now, then refused again.
func TestS3_ArchiveStory(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "photos", nil))
	b, err := db.Bucket(ctx, "photos")
	require.NoError(t, err)
	require.Equal(t, storageclass.S3Standard, b.StorageClass, "S3's warmest class by default")

	oi, err := db.Put(ctx, "photos", "beach.jpg", strings.NewReader("sand"), &engine.PutOptions{StorageClass: storageclass.S3Glacier})
	require.NoError(t, err)
	require.Equal(t, engine.Archived, oi.Restore.State)
	_, err = db.Get(ctx, "photos", "beach.jpg")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	require.ErrorContains(t, err, "archived")

	_, err = db.Restore(ctx, "photos", "beach.jpg", nil)
	require.ErrorIs(t, err, coldstore.ErrMalformedXML, "S3 requires Days")
	res, err := db.Restore(ctx, "photos", "beach.jpg", &engine.RestoreOptions{Days: 2})
	require.NoError(t, err)
	require.Equal(t, engine.Accepted, res.Status)
	_, err = db.Restore(ctx, "photos", "beach.jpg", &engine.RestoreOptions{Days: 2})
	require.ErrorIs(t, err, coldstore.ErrRestoreAlreadyInProgress)

	// enginetest.Epoch is 2024-01-01 00:00 UTC: Standard takes 5 hours,
	// then 2 days, rounded up to the next midnight.
	m.Add(5 * time.Hour)
	oi, err = db.Head(ctx, "photos", "beach.jpg")
	require.NoError(t, err)
	require.Equal(t, engine.Restored, oi.Restore.State)
	require.Equal(t, time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC), oi.Restore.ExpiresAt)
	require.Equal(t, storageclass.S3Glacier, oi.StorageClass, "a restored object keeps its class")
	obj, err := db.Get(ctx, "photos", "beach.jpg")
	require.NoError(t, err)
	got, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.NoError(t, obj.Close())
	require.Equal(t, "sand", string(got))

	res, err = db.Restore(ctx, "photos", "beach.jpg", &engine.RestoreOptions{Days: 1})
	require.NoError(t, err)
	require.Equal(t, engine.AlreadyRestored, res.Status)
	oi, err = db.Head(ctx, "photos", "beach.jpg")
	require.NoError(t, err)
	require.Equal(t, time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), oi.Restore.ExpiresAt, "from now (01-01 05:00) + 1 day, rounded up: it shortened")

	enginetest.Advance(t, db, m, 43*time.Hour-time.Nanosecond)
	_, err = db.Head(ctx, "photos", "beach.jpg")
	require.NoError(t, err)
	obj, err = db.Get(ctx, "photos", "beach.jpg")
	require.NoError(t, err, "readable until the midnight")
	require.NoError(t, obj.Close())
	enginetest.Advance(t, db, m, time.Nanosecond)
	_, err = db.Get(ctx, "photos", "beach.jpg")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState, "expired at midnight")

	// Classes that need no restore are refused with S3's 403.
	_, err = db.Put(ctx, "photos", "ir", bytes.NewReader([]byte("instant")), &engine.PutOptions{StorageClass: storageclass.S3GlacierIR})
	require.NoError(t, err)
	_, err = db.Restore(ctx, "photos", "ir", &engine.RestoreOptions{Days: 1})
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	require.Equal(t, 403, coldstore.HTTPStatus(err))
	obj, err = db.Get(ctx, "photos", "ir")
	require.NoError(t, err, "GLACIER_IR reads at once")
	require.NoError(t, obj.Close())
	u, err := db.Usage(ctx, "photos")
	require.NoError(t, err)
	require.Equal(t, int64(len("instant")), u.RetrievalBytes[storageclass.S3GlacierIR][""], "a GLACIER_IR read is a retrieval")
	_, err = db.Put(ctx, "photos", "x", strings.NewReader("x"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "OSS's classes are not S3's")
}

// TestS3_MinPartSize: a database of the S3 dialect holds every part but the
// last to S3's 5 MiB; OSS's 100 KB is not enough.
func TestS3_MinPartSize(t *testing.T) {
	db, _ := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	complete := func(first int) error {
		up, err := db.InitiateUpload(ctx, "bkt", "k", nil)
		require.NoError(t, err)
		var list []engine.CompletedPart
		for n, size := range []int{first, 1} {
			p, err := db.UploadPart(ctx, "bkt", "k", up.UploadID, n+1, bytes.NewReader(make([]byte, size)))
			require.NoError(t, err)
			list = append(list, engine.CompletedPart{Number: n + 1, ETag: p.ETag})
		}
		_, err = db.CompleteUpload(ctx, "bkt", "k", up.UploadID, list, nil)
		return err
	}
	require.ErrorIs(t, complete(engine.MinPartSize), coldstore.ErrEntityTooSmall)
	require.ErrorIs(t, complete(5<<20-1), coldstore.ErrEntityTooSmall)
	require.NoError(t, complete(5<<20))
}
