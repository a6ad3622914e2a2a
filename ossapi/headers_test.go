package ossapi_test

import (
	"io"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// The standard headers of a PutObject are stored and returned by HEAD and
// GET; response-* overrides win on GET; CopyObject keeps them (COPY) or
// takes the request's (REPLACE).
func TestSDKv2_StoredHeaders(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("k"), Body: strings.NewReader("body"),
		CacheControl: oss.Ptr("no-cache"), ContentDisposition: oss.Ptr(`attachment; filename="k.txt"`),
		Expires: oss.Ptr("Wed, 21 Oct 2015 07:28:00 GMT")})
	require.NoError(t, err)
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("k")})
	require.NoError(t, err)
	require.Equal(t, "no-cache", oss.ToString(head.CacheControl))
	require.Equal(t, `attachment; filename="k.txt"`, oss.ToString(head.ContentDisposition))
	require.Equal(t, "Wed, 21 Oct 2015 07:28:00 GMT", oss.ToString(head.Expires))

	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: oss.Ptr("k"), ResponseCacheControl: oss.Ptr("max-age=60")})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, "body", string(body))
	require.Equal(t, "max-age=60", got.Headers.Get("Cache-Control"), "the override wins")
	require.Equal(t, `attachment; filename="k.txt"`, got.Headers.Get("Content-Disposition"))

	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("copy"), SourceKey: oss.Ptr("k")})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("copy")})
	require.NoError(t, err)
	require.Equal(t, "no-cache", oss.ToString(head.CacheControl), "COPY keeps the source's")
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("replaced"), SourceKey: oss.Ptr("k"),
		MetadataDirective: oss.Ptr("REPLACE"), CacheControl: oss.Ptr("private")})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("replaced")})
	require.NoError(t, err)
	require.Equal(t, "private", oss.ToString(head.CacheControl), "REPLACE takes the request's")
	require.Nil(t, head.ContentDisposition)
}

// Content-Encoding and Content-Language are stored as sent (a client
// that decodes gzip itself would hide the first from an SDK test).
func TestHandler_StoredEncoding(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "x", map[string]string{"Content-Encoding": "gzip", "Content-Language": "fr"}).Code)
	for _, method := range []string{"HEAD", "GET"} {
		w := do(t, h, method, "/bkt/k", "", nil)
		require.Equal(t, "gzip", w.Header().Get("Content-Encoding"), method)
		require.Equal(t, "fr", w.Header().Get("Content-Language"), method)
	}
	w := do(t, h, "GET", "/bkt/k?response-content-language=de", "", nil)
	require.Equal(t, "de", w.Header().Get("Content-Language"))
}
