package ossapi_test

import (
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/stretchr/testify/require"
)

// x-oss-forbid-overwrite: true refuses to replace an object, by PutObject
// or CopyObject, with 409 FileAlreadyExists, and changes nothing; it
// creates one that does not exist; of racing Puts of a new key, one wins.
func TestSDKv2_ForbidOverwrite(t *testing.T) {
	c, _, _, url := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	put := func(key, body string, forbid *string) error {
		_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr(key), ForbidOverwrite: forbid, Body: strings.NewReader(body)})
		return err
	}
	read := func(key string) string {
		got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: oss.Ptr(key)})
		require.NoError(t, err)
		body, err := io.ReadAll(got.Body)
		require.NoError(t, err)
		return string(body)
	}
	require.NoError(t, put("k", "first", oss.Ptr("true")), "a new key")
	serviceError(t, put("k", "second", oss.Ptr("true")), "FileAlreadyExists", 409)
	require.Equal(t, "first", read("k"))
	require.NoError(t, put("k", "third", oss.Ptr("false")))
	require.Equal(t, "third", read("k"))

	require.NoError(t, put("src", "source", nil))
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("k"), SourceKey: oss.Ptr("src"), ForbidOverwrite: oss.Ptr("true")})
	serviceError(t, err, "FileAlreadyExists", 409)
	require.Equal(t, "third", read("k"))
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("src"), SourceKey: oss.Ptr("src"), ForbidOverwrite: oss.Ptr("true"), StorageClass: oss.StorageClassIA})
	serviceError(t, err, "FileAlreadyExists", 409)
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("new"), SourceKey: oss.Ptr("src"), ForbidOverwrite: oss.Ptr("true")})
	require.NoError(t, err)
	require.Equal(t, "source", read("new"))

	// Racing creators of one key: exactly one succeeds.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = put("race", strings.Repeat("x", i+1), oss.Ptr("true")) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		serviceError(t, err, "FileAlreadyExists", 409)
	}
	require.Equal(t, 1, won)

	db2 := v2Strict(url) // the header's value is read as OSS reads it
	_, err = db2.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("k"), ForbidOverwrite: oss.Ptr(" TRUE "), Body: strings.NewReader("x")})
	serviceError(t, err, "FileAlreadyExists", 409)
}
