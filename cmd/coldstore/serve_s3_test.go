package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestServe_S3: serve -api s3 speaks S3 with Glacier's rules to
// aws-sdk-go-v2, on the mock clock; the database keeps its dialect, and
// serve -api oss refuses it, saying why.
func TestServe_S3(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s3.db")
	s := startServe(t, "-db", path, "-clock", "mock", "-api", "s3", "-keys", "AKID:SECRET")
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), Retryer: aws.NopRetryer{}})
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("cold"), StorageClass: types.StorageClassDeepArchive})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierBulk}}})
	require.NoError(t, err)
	status, _ := s.do(t, "POST", "/-/clock?advance=48h", "")
	require.Equal(t, 403, status, "the clock needs a signature with -keys")
	code, _ := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())

	s = startServe(t, "-db", path, "-clock", "mock", "-api", "s3")
	status, _ = s.do(t, "POST", "/-/clock?advance=48h", "")
	require.Equal(t, 200, status)
	c = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("any", "any", ""), Retryer: aws.NopRetryer{}})
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="false", expiry-date="Thu, 04 Jan 2024 00:00:00 GMT"`, aws.ToString(h.Restore), "Bulk: 48 hours, then a day to the midnight")
	code, _ = s.shutdown(t)
	require.Equal(t, 0, code)

	var out, errb strings.Builder
	require.Equal(t, 1, serveContext(ctx, []string{"-addr", "127.0.0.1:0", "-db", path}, &out, &errb))
	require.Contains(t, errb.String(), "dialect")
}
