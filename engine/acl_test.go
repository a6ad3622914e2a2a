package engine_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// A bucket is private unless created or set otherwise; its ACL is
// returned by Bucket and ListBuckets and counted as PutBucketAcl.
func TestBucketACL(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "plain", nil))
	require.NoError(t, db.CreateBucket(ctx, "open", &engine.BucketOptions{ACL: engine.ACLPublicRead}))
	require.NoError(t, db.CreateBucket(ctx, "shut", &engine.BucketOptions{ACL: engine.ACLPrivate}))
	for name, want := range map[string]string{"plain": engine.ACLPrivate, "open": engine.ACLPublicRead, "shut": engine.ACLPrivate} {
		b, err := db.Bucket(ctx, name)
		require.NoError(t, err)
		require.Equal(t, want, b.ACL, name)
	}

	require.NoError(t, db.SetBucketACL(ctx, "plain", engine.ACLPublicReadWrite))
	b, err := db.Bucket(ctx, "plain")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicReadWrite, b.ACL)
	all, err := db.ListBuckets(ctx)
	require.NoError(t, err)
	require.Equal(t, b, all[1])
	require.NoError(t, db.SetBucketACL(ctx, "plain", engine.ACLPrivate))
	b, err = db.Bucket(ctx, "plain")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPrivate, b.ACL)

	u, err := db.Usage(ctx, "plain")
	require.NoError(t, err)
	require.Equal(t, int64(2), u.Requests["PutBucketAcl"])

	require.ErrorIs(t, db.SetBucketACL(ctx, "missing", engine.ACLPrivate), coldstore.ErrNoSuchBucket)
	require.ErrorIs(t, db.SetBucketACL(ctx, "Bad_Name", engine.ACLPrivate), coldstore.ErrInvalidBucketName)
}

// A bucket ACL that is not one (an object's default, another word, none)
// is ErrInvalidArgument and changes nothing: not the bucket, not its
// meter; a CreateBucket with one creates nothing.
func TestBucketACL_Invalid(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", &engine.BucketOptions{ACL: engine.ACLPublicRead}))
	before, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	usage, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	for _, bad := range []string{"", engine.ACLDefault, "public", "Private", "public-read "} {
		err := db.SetBucketACL(ctx, "bkt", bad)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%q", bad)
		var oe *coldstore.OpError
		require.ErrorAs(t, err, &oe)
		require.Equal(t, "SetBucketACL", oe.Op)
	}
	after, err := db.Bucket(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, before, after)
	usageAfter, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, usage.Requests, usageAfter.Requests)

	for _, bad := range []string{engine.ACLDefault, "public"} {
		require.ErrorIs(t, db.CreateBucket(ctx, "other", &engine.BucketOptions{ACL: bad}), coldstore.ErrInvalidArgument)
	}
	_, err = db.Bucket(ctx, "other")
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket, "a refused CreateBucket creates nothing")
}

// An object's ACL comes from Put (default when not given) and
// SetObjectACL; it changes nothing else and is counted as PutObjectACL.
func TestObjectACL(t *testing.T) {
	db, clk := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	oi, err := db.Put(ctx, "bkt", "plain", strings.NewReader("body"), nil)
	require.NoError(t, err)
	require.Equal(t, "", oi.ACL, "default: the bucket's")
	oi, err = db.Put(ctx, "bkt", "dflt", strings.NewReader("body"), &engine.PutOptions{ACL: engine.ACLDefault})
	require.NoError(t, err)
	require.Equal(t, "", oi.ACL, "default is kept as none")
	oi, err = db.Put(ctx, "bkt", "open", strings.NewReader("body"), &engine.PutOptions{ACL: engine.ACLPublicRead})
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicRead, oi.ACL)
	head, err := db.Head(ctx, "bkt", "open")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicRead, head.ACL)

	clk.Add(1000)
	before, err := db.Head(ctx, "bkt", "plain")
	require.NoError(t, err)
	oi, err = db.SetObjectACL(ctx, "bkt", "plain", engine.ACLPublicReadWrite)
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicReadWrite, oi.ACL)
	head, err = db.Head(ctx, "bkt", "plain")
	require.NoError(t, err)
	require.Equal(t, oi, head)
	want := before
	want.ACL = engine.ACLPublicReadWrite
	require.Equal(t, want, head, "nothing else changes, LastModified included")

	for _, acl := range []string{engine.ACLDefault, ""} {
		oi, err = db.SetObjectACL(ctx, "bkt", "plain", acl)
		require.NoError(t, err)
		require.Equal(t, "", oi.ACL)
	}
	u, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, int64(3), u.Requests["PutObjectACL"])

	_, err = db.Put(ctx, "bkt", "cold", strings.NewReader("cold"), &engine.PutOptions{StorageClass: storageclass.Archive})
	require.NoError(t, err)
	oi, err = db.SetObjectACL(ctx, "bkt", "cold", engine.ACLPrivate)
	require.NoError(t, err, "an archived object's ACL changes without a restore")
	require.Equal(t, engine.ACLPrivate, oi.ACL)

	_, err = db.SetObjectACL(ctx, "bkt", "missing", engine.ACLPrivate)
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	_, err = db.SetObjectACL(ctx, "nobkt", "k", engine.ACLPrivate)
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	_, err = db.SetObjectACL(ctx, "bkt", "", engine.ACLPrivate)
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectName)
	require.NoError(t, db.Check(ctx))
}

// An object ACL that is not one is ErrInvalidArgument: SetObjectACL
// changes nothing, and a Put stores nothing (the old object stays).
func TestObjectACL_Invalid(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	_, err := db.Put(ctx, "bkt", "k", strings.NewReader("old"), &engine.PutOptions{ACL: engine.ACLPublicRead})
	require.NoError(t, err)
	before, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	usage, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	for _, bad := range []string{"public", "Default", "PRIVATE", " private"} {
		_, err := db.SetObjectACL(ctx, "bkt", "k", bad)
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%q", bad)
		_, err = db.Put(ctx, "bkt", "k", strings.NewReader("new"), &engine.PutOptions{ACL: bad})
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%q", bad)
		_, err = db.Put(ctx, "bkt", "fresh", strings.NewReader("new"), &engine.PutOptions{ACL: bad})
		require.ErrorIs(t, err, coldstore.ErrInvalidArgument, "%q", bad)
	}
	after, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, before, after)
	_, err = db.Head(ctx, "bkt", "fresh")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	usageAfter, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	usage.Requests["HeadObject"]++ // the Head above
	require.Equal(t, usage.Requests, usageAfter.Requests)
}

// EffectiveACL is the object's own ACL, else the bucket's; it counts no
// request.
func TestEffectiveACL(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", &engine.BucketOptions{ACL: engine.ACLPublicRead}))
	_, err := db.Put(ctx, "bkt", "follows", strings.NewReader("x"), nil)
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "shut", strings.NewReader("x"), &engine.PutOptions{ACL: engine.ACLPrivate})
	require.NoError(t, err)
	_, err = db.Put(ctx, "bkt", "open", strings.NewReader("x"), &engine.PutOptions{ACL: engine.ACLPublicReadWrite})
	require.NoError(t, err)
	usage, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	for key, want := range map[string]string{"": engine.ACLPublicRead, "follows": engine.ACLPublicRead, "missing": engine.ACLPublicRead,
		"shut": engine.ACLPrivate, "open": engine.ACLPublicReadWrite} {
		got, err := db.EffectiveACL(ctx, "bkt", key)
		require.NoError(t, err)
		require.Equal(t, want, got, key)
	}
	require.NoError(t, db.SetBucketACL(ctx, "bkt", engine.ACLPrivate))
	got, err := db.EffectiveACL(ctx, "bkt", "follows")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPrivate, got, "a default object follows its bucket's changes")
	got, err = db.EffectiveACL(ctx, "bkt", "open")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicReadWrite, got, "an object's own ACL wins over its bucket's")
	after, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	usage.Requests["PutBucketAcl"]++
	require.Equal(t, usage.Requests, after.Requests, "EffectiveACL counts nothing")

	_, err = db.EffectiveACL(ctx, "nobkt", "k")
	require.ErrorIs(t, err, coldstore.ErrNoSuchBucket)
	_, err = db.EffectiveACL(ctx, "Bad_Name", "")
	require.ErrorIs(t, err, coldstore.ErrInvalidBucketName)
	require.NoError(t, db.Close())
	_, err = db.EffectiveACL(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrClosed)
}

// ACLs of buckets and objects survive a reopen, with the tags beside
// them.
func TestACL_SurvivesReopen(t *testing.T) {
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "open", &engine.BucketOptions{ACL: engine.ACLPublicReadWrite}))
	require.NoError(t, db.CreateBucket(ctx, "tagged", nil))
	require.NoError(t, db.SetBucketTags(ctx, "tagged", map[string]string{"team": "a"}))
	require.NoError(t, db.SetBucketACL(ctx, "tagged", engine.ACLPublicRead))
	_, err = db.Put(ctx, "open", "k", strings.NewReader("x"), &engine.PutOptions{ACL: engine.ACLPrivate})
	require.NoError(t, err)
	buckets, err := db.ListBuckets(ctx)
	require.NoError(t, err)
	head, err := db.Head(ctx, "open", "k")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Check(ctx))
	got, err := db.ListBuckets(ctx)
	require.NoError(t, err)
	require.Equal(t, buckets, got)
	require.Equal(t, engine.ACLPublicReadWrite, got[0].ACL)
	require.Equal(t, engine.ACLPublicRead, got[1].ACL)
	require.Equal(t, map[string]string{"team": "a"}, got[1].Tags)
	gotHead, err := db.Head(ctx, "open", "k")
	require.NoError(t, err)
	require.Equal(t, head, gotHead)
	require.Equal(t, engine.ACLPrivate, gotHead.ACL)
}

// The ACL constants are the words OSS uses, and IsBucketACL and
// IsObjectACL know them apart.
func TestIsACL(t *testing.T) {
	require.Equal(t, []string{"private", "public-read", "public-read-write", "default"},
		[]string{engine.ACLPrivate, engine.ACLPublicRead, engine.ACLPublicReadWrite, engine.ACLDefault})
	for _, acl := range []string{engine.ACLPrivate, engine.ACLPublicRead, engine.ACLPublicReadWrite} {
		require.True(t, engine.IsBucketACL(acl), acl)
		require.True(t, engine.IsObjectACL(acl), acl)
	}
	require.False(t, engine.IsBucketACL(engine.ACLDefault))
	require.True(t, engine.IsObjectACL(engine.ACLDefault))
	for _, bad := range []string{"", "public", "Private"} {
		require.False(t, engine.IsBucketACL(bad), bad)
		require.False(t, engine.IsObjectACL(bad), bad)
	}
}

// A multipart upload initiated with an ACL completes into an object with
// it; one initiated with a bad ACL is refused and starts nothing.
func TestObjectACL_Multipart(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	up, err := db.InitiateUpload(ctx, "bkt", "big", &engine.PutOptions{ACL: engine.ACLPublicRead})
	require.NoError(t, err)
	part, err := db.UploadPart(ctx, "bkt", "big", up.UploadID, 1, strings.NewReader("only part"))
	require.NoError(t, err)
	oi, err := db.CompleteUpload(ctx, "bkt", "big", up.UploadID, []engine.CompletedPart{{Number: 1, ETag: part.ETag}}, nil)
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicRead, oi.ACL)
	head, err := db.Head(ctx, "bkt", "big")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicRead, head.ACL)
	require.Equal(t, engine.TypeMultipart, head.Type)

	_, err = db.InitiateUpload(ctx, "bkt", "other", &engine.PutOptions{ACL: "public"})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	uploads, err := db.ListUploads(ctx, "bkt", nil)
	require.NoError(t, err)
	require.Empty(t, uploads.Uploads, "a refused initiation starts nothing")
	require.NoError(t, db.Check(ctx))
}

// CompleteUpload's ACL, when given, replaces the one the upload was
// initiated with; a bad one is refused and completes nothing.
func TestObjectACL_CompleteUpload(t *testing.T) {
	db, _ := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	up, err := db.InitiateUpload(ctx, "bkt", "big", &engine.PutOptions{ACL: engine.ACLPublicRead})
	require.NoError(t, err)
	part, err := db.UploadPart(ctx, "bkt", "big", up.UploadID, 1, strings.NewReader("only part"))
	require.NoError(t, err)
	parts := []engine.CompletedPart{{Number: 1, ETag: part.ETag}}
	_, err = db.CompleteUpload(ctx, "bkt", "big", up.UploadID, parts, &engine.CompleteOptions{ACL: "public"})
	require.ErrorIs(t, err, coldstore.ErrInvalidArgument)
	_, err = db.Head(ctx, "bkt", "big")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey, "a refused completion completes nothing")
	oi, err := db.CompleteUpload(ctx, "bkt", "big", up.UploadID, parts, &engine.CompleteOptions{ACL: engine.ACLDefault})
	require.NoError(t, err)
	require.Equal(t, "", oi.ACL, "default replaces the initiation's public-read")
}
