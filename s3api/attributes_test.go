package s3api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestSDK_GetObjectAttributes: aws-sdk-go-v2's GetObjectAttributes, as S3
// answers it for objects stored without an additional checksum: the ETag
// unquoted, StorageClass (STANDARD too), ObjectSize, Last-Modified; an
// archived object not restored answers too; ObjectParts only for an
// object completed from a multipart upload, its count alone; no Checksum;
// only what was asked; an unknown attribute, or none, 400 InvalidArgument;
// a missing key 404 NoSuchKey.
func TestSDK_GetObjectAttributes(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("small"), Body: strings.NewReader("hello world"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	require.NoError(t, err)
	all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
		types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}
	got, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("small"), ObjectAttributes: all})
	require.NoError(t, err)
	require.Equal(t, strings.Trim(*put.ETag, `"`), aws.ToString(got.ETag), "unquoted")
	require.Equal(t, types.StorageClassStandard, got.StorageClass)
	require.Equal(t, int64(11), aws.ToInt64(got.ObjectSize))
	require.NotNil(t, got.LastModified)
	require.Nil(t, got.ObjectParts, "not a multipart object")
	require.Nil(t, got.Checksum, "none kept")

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("cold"), Body: strings.NewReader("ice"), StorageClass: types.StorageClassDeepArchive})
	require.NoError(t, err)
	got, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("cold"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesStorageClass}})
	require.NoError(t, err, "archived and not restored: its attributes still answer")
	require.Equal(t, types.StorageClassDeepArchive, got.StorageClass)
	require.Nil(t, got.ETag, "only what was asked")
	require.Nil(t, got.ObjectSize)

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), StorageClass: types.StorageClassGlacier})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i := int32(1); i <= 3; i++ {
		body := bytes.Repeat([]byte{byte('a' + i)}, 5<<20)
		if i == 3 {
			body = body[:100]
		}
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: bytes.NewReader(body)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: p.ETag})
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	got, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("big"), ObjectAttributes: all,
		MaxParts: aws.Int32(1), PartNumberMarker: aws.String("1")})
	require.NoError(t, err)
	require.NotNil(t, got.ObjectParts)
	require.Equal(t, int32(3), aws.ToInt32(got.ObjectParts.TotalPartsCount))
	require.Empty(t, got.ObjectParts.Parts, "parts are listed only for uploads with additional checksums")
	require.Equal(t, strings.Trim(*done.ETag, `"`), aws.ToString(got.ETag))
	require.True(t, strings.HasSuffix(aws.ToString(got.ETag), "-3"))
	require.Equal(t, types.StorageClassGlacier, got.StorageClass)
	require.Equal(t, int64(10<<20+100), aws.ToInt64(got.ObjectSize))

	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("small"),
		ObjectAttributes: []types.ObjectAttributes{"Owner"}})
	apiError(t, err, "InvalidArgument", 400)
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("small"), ObjectAttributes: []types.ObjectAttributes{}})
	apiError(t, err, "InvalidArgument", 400)
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("nothing"), ObjectAttributes: all})
	apiError(t, err, "NoSuchKey", 404)
}
