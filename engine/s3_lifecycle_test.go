package engine_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// s3LifecycleDoc is an S3 PutBucketLifecycleConfiguration body in the form
// aws-sdk-go-v2 sends (members in alphabetical order).
const s3LifecycleDoc = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
	`<Rule><Expiration><Days>10</Days></Expiration><Filter><Prefix>logs/</Prefix></Filter><ID>archive</ID><Status>Enabled</Status>` +
	`<Transition><Days>3</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>` +
	`<Rule><Filter><Prefix>docs/</Prefix></Filter><ID>ia</ID><Status>Enabled</Status>` +
	`<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition></Rule>` +
	`<Rule><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>` +
	`<Filter><Prefix>tmp/</Prefix></Filter><ID>uploads</ID><Status>Enabled</Status></Rule>` +
	`</LifecycleConfiguration>`

// TestS3Lifecycle_MidnightUTC: an S3 configuration, stored and run by the
// engine, acts at the midnight UTC after LastModified (or the initiation)
// plus Days, not before; small objects transition only where
// varies_by_storage_class lets them (GLACIER, not STANDARD_IA).
func TestS3Lifecycle_MidnightUTC(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	m.Set(time.Date(2024, 1, 1, 10, 30, 0, 0, time.UTC))
	big := bytes.Repeat([]byte("x"), 200<<10)
	for key, body := range map[string][]byte{"logs/big": big, "logs/small": []byte("tiny"), "docs/big": big, "docs/small": []byte("tiny")} {
		_, err := db.Put(ctx, "bkt", key, bytes.NewReader(body), nil)
		require.NoError(t, err)
	}
	up, err := db.InitiateUpload(ctx, "bkt", "tmp/upload", nil)
	require.NoError(t, err)
	kept, err := db.InitiateUpload(ctx, "bkt", "keep/upload", nil)
	require.NoError(t, err)

	cfg, err := lifecycle.ParseS3XML(db.Catalog(), []byte(s3LifecycleDoc))
	require.NoError(t, err)
	cfg.TransitionDefaultMinimumObjectSize, err = lifecycle.ParseMinimumObjectSize("varies_by_storage_class")
	require.NoError(t, err)
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", cfg))
	got, err := db.GetBucketLifecycle(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, lifecycle.DialectS3, got.Dialect, "the stored configuration keeps its dialect")
	require.Equal(t, lifecycle.VariesByStorageClass, got.TransitionDefaultMinimumObjectSize)
	require.Equal(t, cfg, got)

	class := func(key string) storageclass.Class {
		t.Helper()
		oi, err := db.Head(ctx, "bkt", key)
		require.NoError(t, err)
		return oi.StorageClass
	}
	run := func(at time.Time) engine.LifecycleResult {
		t.Helper()
		m.Set(at)
		res, err := db.RunLifecycle(ctx)
		require.NoError(t, err)
		return res
	}
	midnight := func(month time.Month, day int) time.Time { return time.Date(2024, month, day, 0, 0, 0, 0, time.UTC) }

	// The upload: initiated 01-01 10:30, 2 days, so 01-04 00:00.
	res := run(time.Date(2024, 1, 3, 10, 30, 0, 0, time.UTC))
	require.Zero(t, res.Aborted, "not at initiation + 2 days")
	require.Equal(t, midnight(1, 4), res.Next)
	res = run(midnight(1, 4).Add(-time.Nanosecond))
	require.Zero(t, res.Aborted)
	res = run(midnight(1, 4))
	require.Equal(t, 1, res.Aborted)
	ul, err := db.ListUploads(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Len(t, ul.Uploads, 1)
	require.Equal(t, kept.UploadID, ul.Uploads[0].UploadID, "outside the rule's prefix")
	require.NotEqual(t, up.UploadID, kept.UploadID)

	// The transition to GLACIER: 01-01 10:30 + 3 days, so 01-05 00:00.
	res = run(midnight(1, 5).Add(-time.Nanosecond))
	require.Zero(t, res.Transitioned)
	require.Equal(t, storageclass.S3Standard, class("logs/big"))
	res = run(midnight(1, 5))
	require.Equal(t, 2, res.Transitioned, "the small object too: varies_by_storage_class lets it go to GLACIER")
	require.Equal(t, storageclass.S3Glacier, class("logs/big"))
	require.Equal(t, storageclass.S3Glacier, class("logs/small"))

	// The expiration: 01-01 10:30 + 10 days, so 01-12 00:00.
	res = run(midnight(1, 12).Add(-time.Nanosecond))
	require.Zero(t, res.Expired)
	res = run(midnight(1, 12))
	require.Equal(t, 2, res.Expired)
	_, err = db.Head(ctx, "bkt", "logs/big")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)

	// STANDARD_IA after 30 days, 02-01 00:00; never for the small one.
	res = run(midnight(2, 1).Add(-time.Nanosecond))
	require.Zero(t, res.Transitioned)
	res = run(midnight(2, 1))
	require.Equal(t, 1, res.Transitioned)
	require.Equal(t, storageclass.S3StandardIA, class("docs/big"))
	require.Equal(t, storageclass.S3Standard, class("docs/small"), "under 128 KiB: no STANDARD_IA")
	require.True(t, res.Next.IsZero(), "nothing left to do")
}

// TestS3Lifecycle_Date: a Date rule acts on its date on objects written
// before it, and at once on objects written after it.
func TestS3Lifecycle_Date(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err := db.Put(ctx, "bkt", "old", bytes.NewReader(bytes.Repeat([]byte("x"), 200<<10)), nil)
	require.NoError(t, err)
	cfg, err := lifecycle.ParseS3XML(db.Catalog(), []byte(`<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status>`+
		`<Transition><Date>2024-03-01T00:00:00Z</Date><StorageClass>DEEP_ARCHIVE</StorageClass></Transition></Rule></LifecycleConfiguration>`))
	require.NoError(t, err)
	require.NoError(t, db.PutBucketLifecycle(ctx, "bkt", cfg))

	m.Set(time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC))
	res, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Zero(t, res.Transitioned)
	m.Set(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	res, err = db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned)

	m.Set(time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC))
	_, err = db.Put(ctx, "bkt", "new", bytes.NewReader(bytes.Repeat([]byte("y"), 200<<10)), nil)
	require.NoError(t, err)
	res, err = db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned, "written after the date: due at once")
	for _, key := range []string{"old", "new"} {
		oi, err := db.Head(ctx, "bkt", key)
		require.NoError(t, err)
		require.Equal(t, storageclass.S3DeepArchive, oi.StorageClass, key)
	}
}

// An S3 configuration is validated by S3's rules in PutBucketLifecycle.
func TestS3Lifecycle_Refused(t *testing.T) {
	db, _ := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	cfg, err := lifecycle.ParseS3XML(db.Catalog(), []byte(`<LifecycleConfiguration><Rule><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>`+
		`<Transition><Days>7</Days><StorageClass>STANDARD_IA</StorageClass></Transition></Rule></LifecycleConfiguration>`))
	require.NoError(t, err)
	err = db.PutBucketLifecycle(ctx, "bkt", cfg)
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	require.ErrorContains(t, err, "fewer than 30")
	var oe *coldstore.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'", oe.Message)
	_, err = db.GetBucketLifecycle(ctx, "bkt")
	require.ErrorIs(t, err, coldstore.ErrNoSuchLifecycle)

	// S3 answers InvalidRequest for some refusals; the engine keeps the code.
	cfg.Rules[0].Transitions = nil
	err = db.PutBucketLifecycle(ctx, "bkt", cfg)
	require.ErrorIs(t, err, coldstore.ErrInvalidRequest)
	require.NotErrorIs(t, err, coldstore.ErrInvalidArgument)
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "At least one action needs to be specified in a rule", oe.Message)
	require.Equal(t, "PutBucketLifecycle", oe.Op)
	require.Equal(t, "bkt", oe.Bucket)
}
