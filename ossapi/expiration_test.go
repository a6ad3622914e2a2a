package ossapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/stretchr/testify/require"
)

// TestSDKv2_ExpirationHeader: an object a lifecycle expiration rule
// covers carries x-oss-expiration on HeadObject and GetObject (the OSS Go
// SDK v2's Expiration), its date the exact instant OSS's days count to;
// an object the rule does not cover carries none.
func TestSDKv2_ExpirationHeader(t *testing.T) {
	c, m, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("logs")})
	require.NoError(t, err)
	_, err = c.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: oss.Ptr("logs"),
		LifecycleConfiguration: &oss.LifecycleConfiguration{Rules: []oss.LifecycleRule{{ID: oss.Ptr("year"), Prefix: oss.Ptr("app/"),
			Status: oss.Ptr("Enabled"), Expiration: &oss.LifecycleRuleExpiration{Days: oss.Ptr(int32(365))}}}}})
	require.NoError(t, err)
	m.Add(10 * time.Hour) // 2024-01-01 10:00; 365 days on: 2024-12-31 10:00 (a leap year)
	for _, key := range []string{"app/a", "web/b"} {
		_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("logs"), Key: oss.Ptr(key), Body: strings.NewReader("x")})
		require.NoError(t, err)
	}
	want := `expiry-date="Tue, 31 Dec 2024 10:00:00 GMT", rule-id="year"`
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("logs"), Key: oss.Ptr("app/a")})
	require.NoError(t, err)
	require.Equal(t, want, oss.ToString(head.Expiration))
	get, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("logs"), Key: oss.Ptr("app/a")})
	require.NoError(t, err)
	get.Body.Close()
	require.Equal(t, want, oss.ToString(get.Expiration))
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("logs"), Key: oss.Ptr("web/b")})
	require.NoError(t, err)
	require.Nil(t, head.Expiration)
}
