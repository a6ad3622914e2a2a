package ossapi_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// serveV1 starts an OSS server over a test-double database with bucket
// "bkt", made through an OSS Go SDK v1 client of it, and returns the
// bucket's handle, the client, the server's handler and the database.
func serveV1(t *testing.T) (*ossv1.Bucket, *ossv1.Client, http.Handler, *engine.DB) {
	t.Helper()
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client, err := ossv1.New(srv.URL, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	require.NoError(t, client.CreateBucket("bkt"))
	b, err := client.Bucket("bkt")
	require.NoError(t, err)
	return b, client, h, db
}

// TestSDKv1_SeedStory: the archive story through the older OSS Go SDK.
func TestSDKv1_SeedStory(t *testing.T) {
	db, m := enginetest.New(t, nil)
	srv := httptest.NewServer(ossapi.New(db, nil))
	t.Cleanup(srv.Close)
	client, err := ossv1.New(srv.URL, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	require.NoError(t, client.CreateBucket("photos"))
	b, err := client.Bucket("photos")
	require.NoError(t, err)
	require.NoError(t, b.PutObject("beach.jpg", strings.NewReader("sand"), ossv1.ObjectStorageClass(ossv1.StorageColdArchive)))

	_, err = b.GetObject("beach.jpg")
	v1Error(t, err, "InvalidObjectState", 403)
	require.NoError(t, b.RestoreObjectDetail("beach.jpg", ossv1.RestoreConfiguration{Days: 2, Tier: "Expedited"}))
	err = b.RestoreObject("beach.jpg")
	v1Error(t, err, "RestoreAlreadyInProgress", 409)
	meta, err := b.GetObjectDetailedMeta("beach.jpg")
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="true"`, meta.Get("X-Oss-Restore"))
	require.Equal(t, "ColdArchive", meta.Get("X-Oss-Storage-Class"))

	m.Add(time.Hour) // Expedited: within an hour
	r, err := b.GetObject("beach.jpg")
	require.NoError(t, err)
	body, _ := io.ReadAll(r)
	r.Close()
	require.Equal(t, "sand", string(body))
	m.Add(3 * 24 * time.Hour)
	_, err = b.GetObject("beach.jpg")
	v1Error(t, err, "InvalidObjectState", 403)

	lor, err := b.ListObjects()
	require.NoError(t, err)
	require.Len(t, lor.Objects, 1)
	require.Equal(t, "ColdArchive", lor.Objects[0].StorageClass)
}

func v1Error(t *testing.T, err error, code string, status int) {
	t.Helper()
	var se ossv1.ServiceError
	require.True(t, errors.As(err, &se), "not a service error: %v", err)
	require.Equal(t, code, se.Code)
	require.Equal(t, status, se.StatusCode)
}

// TestSDKv1_DeleteObjectsOddKeys: the SDK sends DeleteMultipleObjects with
// encoding-type=url and every key as it is; the server deletes those keys,
// not their URL-decodings ("a+b" is not "a b"; "100%" is a key, not a bad
// escape), and answers them URL-encoded, which the SDK decodes.
func TestSDKv1_DeleteObjectsOddKeys(t *testing.T) {
	b, _, _, _ := serveV1(t)
	keys := []string{"x/a b", "x/a+b", "x/100%.txt", "x/%41", "x/A", "x/ü 中"}
	for _, k := range keys {
		require.NoError(t, b.PutObject(k, strings.NewReader(k)))
	}
	del, err := b.DeleteObjects([]string{"x/a+b", "x/100%.txt", "x/%41", "x/ü 中"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"x/a+b", "x/100%.txt", "x/%41", "x/ü 中"}, del.DeletedObjects)
	left, err := b.ListObjects(ossv1.Prefix("x/"))
	require.NoError(t, err)
	var names []string
	for _, o := range left.Objects {
		names = append(names, o.Key)
	}
	require.Equal(t, []string{"x/A", "x/a b"}, names)

	quiet, err := b.DeleteObjects([]string{"x/a b"}, ossv1.DeleteObjectsQuiet(true))
	require.NoError(t, err)
	require.Empty(t, quiet.DeletedObjects)
	ok, err := b.IsObjectExist("x/a b")
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = b.IsObjectExist("x/A")
	require.NoError(t, err)
	require.True(t, ok)
}

// TestSDKv1_CopyOddKeys: the SDK encodes x-oss-copy-source with
// url.QueryEscape, a space as '+'. CopyObject, SetObjectMeta (a copy onto
// itself) and UploadPartCopy read the source they name, beside a key that
// differs only by '+' against ' ', and keys with '%' and characters
// outside ASCII.
func TestSDKv1_CopyOddKeys(t *testing.T) {
	b, _, _, _ := serveV1(t)
	keys := []string{"a b", "a+b", "100%.txt", "ü 中/x"}
	for _, k := range keys {
		require.NoError(t, b.PutObject(k, strings.NewReader("body of "+k)))
	}
	read := func(k string) string {
		t.Helper()
		r, err := b.GetObject(k)
		require.NoError(t, err)
		defer r.Close()
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		return string(got)
	}
	for i, k := range keys {
		dst := "copy" + strconv.Itoa(i)
		_, err := b.CopyObject(k, dst)
		require.NoError(t, err, k)
		require.Equal(t, "body of "+k, read(dst), k)
	}

	require.NoError(t, b.SetObjectMeta("a b", ossv1.Meta("k", "v")))
	meta, err := b.GetObjectDetailedMeta("a b")
	require.NoError(t, err)
	require.Equal(t, "v", meta.Get("X-Oss-Meta-K"))
	require.Equal(t, "body of a b", read("a b"))
	meta, err = b.GetObjectDetailedMeta("a+b")
	require.NoError(t, err)
	require.Empty(t, meta.Get("X-Oss-Meta-K"))

	big := strings.Repeat("x", 200<<10) // a part but the last is 100 KiB or more
	require.NoError(t, b.PutObject("big a", strings.NewReader(big)))
	require.NoError(t, b.PutObject("big+a", strings.NewReader(strings.ToUpper(big))))
	imur, err := b.InitiateMultipartUpload("joined")
	require.NoError(t, err)
	var parts []ossv1.UploadPart
	for i, k := range []string{"big a", "a+b"} {
		r, err := b.GetObjectDetailedMeta(k)
		require.NoError(t, err)
		size, err := strconv.ParseInt(r.Get("Content-Length"), 10, 64)
		require.NoError(t, err)
		p, err := b.UploadPartCopy(imur, "bkt", k, 0, size, i+1)
		require.NoError(t, err, k)
		parts = append(parts, p)
	}
	_, err = b.CompleteMultipartUpload(imur, parts)
	require.NoError(t, err)
	require.Equal(t, big+"body of a+b", read("joined"))
}
