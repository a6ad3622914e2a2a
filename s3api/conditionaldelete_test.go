package s3api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

// TestSDK_ConditionalDelete: aws-sdk-go-v2's DeleteObject with IfMatch and
// DeleteObjects with an ETag per object, as S3 answers them: another ETag
// is 412 PreconditionFailed (DeleteObjects: that key's Error) and the
// object stays; the right one, or "*", deletes; an absent key is 404
// NoSuchKey; the conditions of directory buckets are 501 with nothing
// deleted.
func TestSDK_ConditionalDelete(t *testing.T) {
	c, _, db, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	put := func(key string) string {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader(key)})
		require.NoError(t, err)
		return aws.ToString(out.ETag)
	}
	etag := put("k")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
	apiError(t, err, "PreconditionFailed", 412)
	_, err = db.Head(ctx, "bkt", "k")
	require.NoError(t, err, "still there")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatchSize: aws.Int64(1)})
	apiError(t, err, "NotImplemented", 501)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatchLastModifiedTime: aws.Time(time.Now())})
	apiError(t, err, "NotImplemented", 501)
	_, err = db.Head(ctx, "bkt", "k")
	require.NoError(t, err, "still there")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String(etag)})
	require.NoError(t, err)
	_, err = db.Head(ctx, "bkt", "k")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String("*")})
	apiError(t, err, "NoSuchKey", 404)
	put("k")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), IfMatch: aws.String("*")})
	require.NoError(t, err, `"*": while it exists`)

	a, bb := put("a"), put("b")
	put("c")
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), ETag: aws.String(a)},
		{Key: aws.String("b"), ETag: aws.String(a)}, // b's is another
		{Key: aws.String("c")},
		{Key: aws.String("gone"), ETag: aws.String(bb)},
	}}})
	require.NoError(t, err)
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	require.ElementsMatch(t, []string{"a", "c"}, deleted)
	codes := map[string]string{}
	for _, e := range out.Errors {
		codes[aws.ToString(e.Key)] = aws.ToString(e.Code)
	}
	require.Equal(t, map[string]string{"b": "PreconditionFailed", "gone": "NoSuchKey"}, codes)
	_, err = db.Head(ctx, "bkt", "b")
	require.NoError(t, err, "b stays")

	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("b")}, {Key: aws.String("b"), Size: aws.Int64(1)},
	}}})
	apiError(t, err, "NotImplemented", 501)
	_, err = db.Head(ctx, "bkt", "b")
	require.NoError(t, err, "nothing deleted")
}
