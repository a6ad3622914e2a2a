package ossapi_test

import (
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/stretchr/testify/require"
)

// TestSDKv2_ACLOnEveryWrite: x-oss-object-acl sets the ACL of an object
// however it is created: PutObject, AppendObject, PutSymlink, and the
// multipart upload's completion (where SDK v2 sends it).
func TestSDKv2_ACLOnEveryWrite(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("put"), Body: strings.NewReader("x"), Acl: oss.ObjectACLPublicRead})
	require.NoError(t, err)
	_, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: oss.Ptr("append"), Position: oss.Ptr(int64(0)),
		Body: strings.NewReader("x"), Acl: oss.ObjectACLPublicReadWrite})
	require.NoError(t, err)
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("link"), Target: oss.Ptr("put"), Acl: oss.ObjectACLPrivate})
	require.NoError(t, err)
	init, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: oss.Ptr("mp")})
	require.NoError(t, err)
	part, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: oss.Ptr("mp"), UploadId: init.UploadId, PartNumber: 1, Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: b, Key: oss.Ptr("mp"), UploadId: init.UploadId, Acl: oss.ObjectACLPublicRead,
		CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: []oss.UploadPart{{PartNumber: 1, ETag: part.ETag}}}})
	require.NoError(t, err)
	for key, want := range map[string]string{"put": "public-read", "append": "public-read-write", "link": "private", "mp": "public-read"} {
		acl, err := c.GetObjectAcl(ctx, &oss.GetObjectAclRequest{Bucket: b, Key: oss.Ptr(key)})
		require.NoError(t, err)
		require.Equal(t, want, oss.ToString(acl.ACL), key)
	}
	_, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: oss.Ptr("bad"), Position: oss.Ptr(int64(0)),
		Body: strings.NewReader("x"), Acl: "everyone"})
	serviceError(t, err, "InvalidArgument", 400)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("bad")})
	serviceError(t, err, "NoSuchKey", 404)
}
