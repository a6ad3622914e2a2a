package ossapi_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/require"
)

// TestSDKv2_Symlink: PutSymlink, GetSymlink, and reads through the link.
func TestSDKv2_Symlink(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	put, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("target.txt"), Body: strings.NewReader("the target"), ContentType: oss.Ptr("text/plain")})
	require.NoError(t, err)
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("link"), Target: oss.Ptr("target.txt"),
		Metadata: map[string]string{"role": "link"}})
	require.NoError(t, err)
	got, err := c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: b, Key: oss.Ptr("link")})
	require.NoError(t, err)
	require.Equal(t, "target.txt", oss.ToString(got.Target))
	require.Equal(t, "link", got.Metadata["role"])
	require.NotEqual(t, oss.ToString(put.ETag), oss.ToString(got.ETag))

	// GET and HEAD through the link: the target's bytes, length, ETag and
	// CRC; the link's type and metadata.
	obj, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: oss.Ptr("link")})
	require.NoError(t, err)
	body, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	require.Equal(t, "the target", string(body))
	require.Equal(t, oss.ToString(put.ETag), oss.ToString(obj.ETag))
	require.Equal(t, oss.ToString(put.HashCRC64), oss.ToString(obj.HashCRC64))
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("link")})
	require.NoError(t, err)
	require.Equal(t, int64(10), head.ContentLength)
	require.Equal(t, "Symlink", oss.ToString(head.ObjectType))
	require.Equal(t, "link", head.Metadata["role"])
	require.Equal(t, oss.ToString(put.ETag), oss.ToString(head.ETag))

	// Listings show the link.
	list, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: b})
	require.NoError(t, err)
	types := map[string]string{}
	for _, o := range list.Contents {
		types[oss.ToString(o.Key)] = oss.ToString(o.Type)
	}
	require.Equal(t, map[string]string{"link": "Symlink", "target.txt": "Normal"}, types)

	// A link to nothing, a link to a link, GetSymlink of a Normal object.
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("dangling"), Target: oss.Ptr("nothing")})
	require.NoError(t, err)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: oss.Ptr("dangling")})
	serviceError(t, err, "SymlinkTargetNotExist", 404)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("dangling")})
	serviceError(t, err, "SymlinkTargetNotExist", 404)
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("twice"), Target: oss.Ptr("link")})
	require.NoError(t, err)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: oss.Ptr("twice")})
	serviceError(t, err, "InvalidTargetType", 400)
	_, err = c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: b, Key: oss.Ptr("target.txt")})
	serviceError(t, err, "NotSymlink", 400)
	_, err = c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: b, Key: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchKey", 404)
	// Forbid overwrite.
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("link"), Target: oss.Ptr("other"), ForbidOverwrite: oss.Ptr("true")})
	serviceError(t, err, "FileAlreadyExists", 409)
	// Deleting the link leaves the target.
	_, err = c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: b, Key: oss.Ptr("link")})
	require.NoError(t, err)
	_, err = c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: b, Key: oss.Ptr("link")})
	serviceError(t, err, "NoSuchKey", 404)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("target.txt")})
	require.NoError(t, err)
}

// TestSDKv1_Symlink: the older SDK, which URL-encodes the target
// (url.QueryEscape) and decodes what GetSymlink answers.
func TestSDKv1_Symlink(t *testing.T) {
	b, _, _, _ := serveV1(t)
	const target = "dir/a b+c%d 中文.txt"
	_, err := b.GetSymlink("link")
	v1Error(t, err, "NoSuchKey", 404)
	require.NoError(t, b.PutSymlink("link", target))
	require.NoError(t, b.PutObject(target, strings.NewReader("target")))
	meta, err := b.GetSymlink("link")
	require.NoError(t, err)
	require.Equal(t, target, meta.Get(ossv1.HTTPHeaderOssSymlinkTarget))
	r, err := b.GetObject("link")
	require.NoError(t, err)
	body, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, "target", string(body))
	lor, err := b.ListObjects()
	require.NoError(t, err)
	for _, o := range lor.Objects {
		if o.Key == "link" {
			require.Equal(t, "Symlink", o.Type)
		}
	}
	_, err = b.GetSymlink(target)
	v1Error(t, err, "NotSymlink", 400)
	// A PutObject replaces the link.
	require.NoError(t, b.PutObject("link", strings.NewReader("src")))
	r, err = b.GetObject("link")
	require.NoError(t, err)
	body, _ = io.ReadAll(r)
	r.Close()
	require.Equal(t, "src", string(body))
}

// TestPutSymlink_BadRequests: no target, a target that is not URL-encoded
// or not a key: 400, nothing changed.
func TestPutSymlink_BadRequests(t *testing.T) {
	h, _ := walkServer(t)
	before := state(t, h)
	for _, c := range []struct {
		hdr  map[string]string
		code string
	}{
		{nil, "InvalidArgument"},
		{map[string]string{"x-oss-symlink-target": "%zz"}, "InvalidArgument"},
		{map[string]string{"x-oss-symlink-target": "%2Fabs"}, "InvalidArgument"},
		{map[string]string{"x-oss-symlink-target": "t", "x-oss-storage-class": "Glacier"}, "InvalidArgument"},
		{map[string]string{"x-oss-symlink-target": "t", "x-oss-forbid-overwrite": "true"}, "FileAlreadyExists"},
	} {
		w := do(t, h, "PUT", "/bkt/obj?symlink", "", c.hdr)
		require.Equal(t, c.code, errorOf(t, w).Code, "%v: %s", c.hdr, w.Body.String())
		require.Equal(t, before, state(t, h), c.hdr)
	}
	w := do(t, h, "PUT", "/bkt/obj?symlink", "", nil)
	require.Equal(t, "0043-00000001", w.Header().Get("x-oss-ec"))
	// The target is answered URL-encoded, '/' kept.
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/l?symlink", "", map[string]string{"x-oss-symlink-target": "dir%2Fa%20b%2Bc"}).Code)
	w = do(t, h, "GET", "/bkt/l?symlink", "", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "dir/a%20b%2Bc", w.Header().Get("x-oss-symlink-target"))
	require.Equal(t, "0", w.Header().Get("Content-Length"))
}

// TestSDKv2_CopyOfLink: CopyObject from a symbolic link copies the link,
// not its target (OSS: "only the symbolic link is copied"): the copy is a
// link to the same key, with the link's metadata, or the request's with
// REPLACE; the target is not read, so an archived or missing one does not
// matter. UploadPartCopy from a link is refused (400 InvalidArgument, EC
// 0042-00000308) and stores no part.
func TestSDKv2_CopyOfLink(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	for _, name := range []string{"bkt", "other"} {
		_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(name)})
		require.NoError(t, err)
	}
	_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("cold"), Body: strings.NewReader("frozen"), StorageClass: oss.StorageClassColdArchive})
	require.NoError(t, err)
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("link"), Target: oss.Ptr("cold"), Metadata: map[string]string{"role": "link"}})
	require.NoError(t, err)
	_, err = c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: b, Key: oss.Ptr("dangling"), Target: oss.Ptr("nothing")})
	require.NoError(t, err)

	for _, tc := range []struct{ src, dstBucket, dst, target string }{
		{"link", "bkt", "copy", "cold"},
		{"dangling", "bkt", "copy2", "nothing"},
		{"link", "other", "across", "cold"},
	} {
		_, err := c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr(tc.dstBucket), Key: oss.Ptr(tc.dst), SourceBucket: b, SourceKey: oss.Ptr(tc.src)})
		require.NoError(t, err, tc.src)
		got, err := c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: oss.Ptr(tc.dstBucket), Key: oss.Ptr(tc.dst)})
		require.NoError(t, err, tc.dst)
		require.Equal(t, tc.target, oss.ToString(got.Target))
	}
	got, err := c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: b, Key: oss.Ptr("copy")})
	require.NoError(t, err)
	require.Equal(t, "link", got.Metadata["role"])
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: oss.Ptr("copy")})
	serviceError(t, err, "InvalidObjectState", 403) // read through the copied link: the target is still archived
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("other"), Key: oss.Ptr("across")})
	serviceError(t, err, "SymlinkTargetNotExist", 404) // "cold" of the other bucket

	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("link"), SourceKey: oss.Ptr("link"),
		MetadataDirective: oss.Ptr("REPLACE"), Metadata: map[string]string{"role": "renamed"}})
	require.NoError(t, err)
	got, err = c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: b, Key: oss.Ptr("link")})
	require.NoError(t, err)
	require.Equal(t, "cold", oss.ToString(got.Target))
	require.Equal(t, "renamed", got.Metadata["role"])
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("link"), SourceKey: oss.Ptr("link"), ForbidOverwrite: oss.Ptr("true")})
	serviceError(t, err, "FileAlreadyExists", 409)

	up, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: oss.Ptr("joined")})
	require.NoError(t, err)
	_, err = c.UploadPartCopy(ctx, &oss.UploadPartCopyRequest{Bucket: b, Key: oss.Ptr("joined"), UploadId: up.UploadId, PartNumber: 1, SourceKey: oss.Ptr("link")})
	serviceError(t, err, "InvalidArgument", 400)
	var se *oss.ServiceError
	require.True(t, errors.As(err, &se))
	require.Equal(t, "0042-00000308", se.EC)
	parts, err := c.ListParts(ctx, &oss.ListPartsRequest{Bucket: b, Key: oss.Ptr("joined"), UploadId: up.UploadId})
	require.NoError(t, err)
	require.Empty(t, parts.Parts)
}
