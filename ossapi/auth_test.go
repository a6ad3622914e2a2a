package ossapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

func signedServer(t *testing.T) (string, *clock.Mock) {
	t.Helper()
	db, m := enginetest.New(t, nil)
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m, Keys: map[string]string{"ak": "secret"}}))
	t.Cleanup(srv.Close)
	return srv.URL, m
}

func v2Client(url, id, secret string, v oss.SignatureVersionType) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret)).
		WithRegion("cn-hangzhou").WithEndpoint(url).WithUsePathStyle(true).WithSignatureVersion(v)
	return oss.NewClient(cfg)
}

// exercise runs a few signed operations of every kind of request: service,
// bucket with a sub-resource, object with a body, headers and a query.
func exercise(t *testing.T, c *oss.Client, bucket string) {
	t.Helper()
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(bucket)})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("dir/a b+c"), StorageClass: oss.StorageClassArchive,
		Metadata: map[string]string{"who": "me"}, Body: strings.NewReader("x")})
	require.NoError(t, err)
	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("dir/a b+c")})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode)
	_, err = c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(bucket), Prefix: oss.Ptr("dir/"), MaxKeys: 5})
	require.NoError(t, err)
	_, err = c.ListBuckets(ctx, &oss.ListBucketsRequest{})
	require.NoError(t, err)
	_, err = c.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: oss.Ptr(bucket)})
	serviceError(t, err, "NoSuchLifecycle", 404)
}

func TestAuth_SDKv2(t *testing.T) {
	url, _ := signedServer(t)
	exercise(t, v2Client(url, "ak", "secret", oss.SignatureVersionV4), "sig-v4")
	exercise(t, v2Client(url, "ak", "secret", oss.SignatureVersionV1), "sig-v1")

	for _, v := range []oss.SignatureVersionType{oss.SignatureVersionV4, oss.SignatureVersionV1} {
		_, err := v2Client(url, "ak", "wrong", v).ListBuckets(ctx, &oss.ListBucketsRequest{})
		serviceError(t, err, "SignatureDoesNotMatch", 403)
		_, err = v2Client(url, "nobody", "secret", v).ListBuckets(ctx, &oss.ListBucketsRequest{})
		serviceError(t, err, "InvalidAccessKeyId", 403)
	}
	resp, err := http.Get(url + "/sig-v4/dir/a%20b%2Bc")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode, "anonymous requests are refused")
}

func TestAuth_SDKv1AndPresignedURL(t *testing.T) {
	url, m := signedServer(t)
	client, err := ossv1.New(url, "ak", "secret", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	require.NoError(t, client.CreateBucket("old"))
	b, err := client.Bucket("old")
	require.NoError(t, err)
	require.NoError(t, b.PutObject("k", strings.NewReader("hello")))

	// A presigned GET (V1 query string) works until it expires; the
	// server's clock is the mock, set to the signing time first.
	m.Set(time.Now())
	signed, err := b.SignURL("k", ossv1.HTTPGet, 60)
	require.NoError(t, err)
	resp, err := http.Get(signed)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(body))
	require.Equal(t, "hello", string(body))
	m.Add(2 * time.Minute)
	resp, err = http.Get(signed)
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
	require.Contains(t, string(body), "expired")

	bad, err := ossv1.New(url, "ak", "nope", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	_, err = bad.ListBuckets()
	v1Error(t, err, "SignatureDoesNotMatch", 403)
}
