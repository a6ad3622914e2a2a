package ossapi_test

import (
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/stretchr/testify/require"
)

// TestSDKv2_GetObjectMeta: the object's validators and size, for an
// archived object too (no content is read), and 404 for a missing one.
func TestSDKv2_GetObjectMeta(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	put, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("cold"), Body: strings.NewReader("frozen bytes"),
		StorageClass: oss.StorageClassColdArchive, Metadata: map[string]string{"m": "v"}})
	require.NoError(t, err)
	meta, err := c.GetObjectMeta(ctx, &oss.GetObjectMetaRequest{Bucket: b, Key: oss.Ptr("cold")})
	require.NoError(t, err)
	require.Equal(t, int64(len("frozen bytes")), meta.ContentLength)
	require.Equal(t, *put.ETag, *meta.ETag)
	require.Equal(t, *put.HashCRC64, *meta.HashCRC64)
	require.NotNil(t, meta.LastModified)
	require.Empty(t, meta.Headers.Get("x-oss-meta-m"), "no user metadata")
	_, err = c.GetObjectMeta(ctx, &oss.GetObjectMetaRequest{Bucket: b, Key: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchKey", 404)
}
