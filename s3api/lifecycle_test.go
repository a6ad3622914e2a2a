package s3api_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// TestSDK_Lifecycle: a configuration put and read back through
// aws-sdk-go-v2, run by the engine: objects move at the midnight after
// LastModified + Days, small ones stay (S3's 128 KB default), and the
// configuration is gone after DeleteBucketLifecycle.
func TestSDK_Lifecycle(t *testing.T) {
	c, m, db, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	apiError(t, err, "NoSuchLifecycleConfiguration", 404)

	m.Add(10 * time.Hour) // 01-01 10:00
	for key, size := range map[string]int{"logs/big": 200 << 10, "logs/small": 10, "keep/big": 200 << 10} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: bytes.NewReader(make([]byte, size))})
		require.NoError(t, err)
	}
	put, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("archive-logs"), Status: types.ExpirationStatusEnabled,
			Filter:      &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}},
		}}}})
	require.NoError(t, err)
	require.Equal(t, types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k, put.TransitionDefaultMinimumObjectSize)
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, got.Rules, 1)
	require.Equal(t, "archive-logs", aws.ToString(got.Rules[0].ID))
	require.Equal(t, "logs/", aws.ToString(got.Rules[0].Filter.Prefix))
	require.Equal(t, types.TransitionStorageClassGlacier, got.Rules[0].Transitions[0].StorageClass)

	// 01-01 10:00 + 1 day = 01-02 10:00, rounded up: 01-03 00:00.
	m.Set(time.Date(2024, 1, 2, 23, 59, 0, 0, time.UTC))
	_, err = db.RunLifecycle(ctx)
	require.NoError(t, err)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("logs/big")})
	require.NoError(t, err)
	require.Empty(t, h.StorageClass, "not before the midnight")
	m.Set(time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC))
	res, err := db.RunLifecycle(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Transitioned, "the big log only: the small one is under 128 KB, the other outside the prefix")
	oi, err := db.Head(ctx, "bkt", "logs/big")
	require.NoError(t, err)
	require.Equal(t, storageclass.S3Glacier, oi.StorageClass)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("logs/big")})
	apiError(t, err, "InvalidObjectState", 403)

	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("bad"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(0)},
		}}}})
	require.Error(t, err, "Expiration Days 0")
	got, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, "archive-logs", aws.ToString(got.Rules[0].ID), "a refused configuration changes nothing")

	_, err = c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	apiError(t, err, "NoSuchLifecycleConfiguration", 404)
}
