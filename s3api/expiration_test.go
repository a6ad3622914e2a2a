package s3api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"
)

// TestSDK_ExpirationHeader: an object a lifecycle expiration rule covers
// carries x-amz-expiration on PutObject, HeadObject and GetObject, with
// the expiry's midnight UTC and the rule's ID URL-encoded; minio-go reads
// the date and the rule from it; an object no rule expires, or a rule
// that only transitions, carries none; the header follows a change of
// configuration.
func TestSDK_ExpirationHeader(t *testing.T) {
	c, m, _, url := serve(t, "SECRET")
	b := bucketWithRules(t, c,
		types.LifecycleRule{ID: aws.String("drop logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(3)}},
		types.LifecycleRule{ID: aws.String("cold"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("img/")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}})
	m.Add(10 * time.Hour) // 01-01 10:00: 3 days on, 01-04 10:00, rounded up to 01-05 00:00
	want := `expiry-date="Fri, 05 Jan 2024 00:00:00 GMT", rule-id="drop%20logs"`

	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("logs/a"), Body: strings.NewReader("log")})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToString(put.Expiration))
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("logs/a")})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToString(head.Expiration))
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("logs/a")})
	require.NoError(t, err)
	get.Body.Close()
	require.Equal(t, want, aws.ToString(get.Expiration))

	mc, err := minio.New(strings.TrimPrefix(url, "http://"), &minio.Options{Creds: miniocreds.NewStaticV4("AKID", "SECRET", ""), Region: "us-east-1"})
	require.NoError(t, err)
	st, err := mc.StatObject(ctx, "bkt", "logs/a", minio.StatObjectOptions{})
	require.NoError(t, err)
	require.Equal(t, time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), st.Expiration.UTC())
	require.Equal(t, "drop%20logs", st.ExpirationRuleID)

	for _, key := range []string{"img/b", "other"} {
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader("x")})
		require.NoError(t, err)
		head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key)})
		require.NoError(t, err)
		require.Nil(t, head.Expiration, key)
	}

	// A copy into the rule's prefix, and an upload completed there, carry
	// it too.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("logs/copy"), CopySource: aws.String("bkt/other")})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToString(cp.Expiration))
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("logs/mp")})
	require.NoError(t, err)
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("logs/mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")})
	require.NoError(t, err)
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("logs/mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToString(done.Expiration))

	_, err = c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("logs/a")})
	require.NoError(t, err)
	require.Nil(t, head.Expiration, "no configuration, no expiration")
}

// TestSDK_AbortHeaders: an upload a lifecycle rule's
// AbortIncompleteMultipartUpload covers carries x-amz-abort-date (the
// initiation plus the days, to the next midnight UTC) and
// x-amz-abort-rule-id on CreateMultipartUpload and ListParts, read by
// aws-sdk-go-v2 as AbortDate and AbortRuleId; an upload outside the rule
// carries neither.
func TestSDK_AbortHeaders(t *testing.T) {
	c, m, _, _ := serve(t, "SECRET")
	b := bucketWithRules(t, c,
		types.LifecycleRule{ID: aws.String("tidy"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}})
	m.Add(10 * time.Hour) // 01-01 10:00: two days on, 01-03 10:00, rounded up to 01-04 00:00
	want := time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("tmp/big")})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToTime(up.AbortDate).UTC())
	require.Equal(t, "tidy", aws.ToString(up.AbortRuleId))
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("tmp/big"), UploadId: up.UploadId})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToTime(parts.AbortDate).UTC())
	require.Equal(t, "tidy", aws.ToString(parts.AbortRuleId))

	other, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("keep/big")})
	require.NoError(t, err)
	require.Nil(t, other.AbortDate)
	require.Nil(t, other.AbortRuleId)
}

// bucketWithRules creates bucket "bkt" with a lifecycle configuration of
// rules and returns its name.
func bucketWithRules(t *testing.T, c *s3.Client, rules ...types.LifecycleRule) *string {
	t.Helper()
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	require.NoError(t, err)
	return b
}
