package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

// serve starts an S3 server over an S3 test double that verifies
// signatures with the key AKID/SECRET, and returns an aws-sdk-go-v2 client
// of it signing with secret.
func serve(t *testing.T, secret string) (*s3.Client, *clock.Mock, *engine.DB, string) {
	t.Helper()
	db, m := enginetest.NewS3(t, nil)
	srv := httptest.NewServer(s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}}))
	t.Cleanup(srv.Close)
	return client(srv.URL, secret), m, db, srv.URL
}

func client(url, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// apiError asserts err is S3's error code with the HTTP status.
func apiError(t *testing.T, err error, code string, status int) {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), ae.ErrorMessage())
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re))
	require.Equal(t, status, re.HTTPStatusCode())
}

// TestSDK_ArchiveStory: the archive story through aws-sdk-go-v2, signed:
// upload as GLACIER, GET refused, restore 202 then 409, HEAD ongoing, the
// clock moved, HEAD with the midnight expiry, download, a second restore
// 200 with the expiry from now, listing with RestoreStatus, expiry,
// refused again.
func TestSDK_ArchiveStory(t *testing.T) {
	c, m, _, _ := serve(t, "SECRET")
	b := aws.String("photos")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err, "us-east-1 answers a second CreateBucket of one's own bucket 200")
	k := aws.String("2019/beach.jpg")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader([]byte("sand and sea")), StorageClass: types.StorageClassGlacier,
		Metadata: map[string]string{"who": "me"}})
	require.NoError(t, err)
	require.Equal(t, `"`+md5hex("sand and sea")+`"`, aws.ToString(put.ETag))

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	apiError(t, err, "InvalidObjectState", 403)
	var ae smithy.APIError
	errors.As(err, &ae)
	require.Equal(t, "The operation is not valid for the object's storage class", ae.ErrorMessage())
	var ios *types.InvalidObjectState
	require.True(t, errors.As(err, &ios), "the SDK reads S3's modelled error")
	require.Equal(t, types.StorageClassGlacier, ios.StorageClass)

	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, types.StorageClassGlacier, h.StorageClass)
	require.Nil(t, h.Restore)
	require.Equal(t, "me", h.Metadata["who"])

	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: k, RestoreRequest: &types.RestoreRequest{}})
	apiError(t, err, "MalformedXML", 400)
	restore := &types.RestoreRequest{Days: aws.Int32(2), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: k, RestoreRequest: restore})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: k, RestoreRequest: restore})
	apiError(t, err, "RestoreAlreadyInProgress", 409)
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="true"`, aws.ToString(h.Restore))
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	apiError(t, err, "InvalidObjectState", 403)

	m.Add(5 * time.Hour) // Standard: 5 hours; then 2 days to the next midnight
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="false", expiry-date="Thu, 04 Jan 2024 00:00:00 GMT"`, aws.ToString(h.Restore))
	require.Equal(t, types.StorageClassGlacier, h.StorageClass, "a restored object keeps its class")
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, "sand and sea", string(body))
	require.Equal(t, `ongoing-request="false", expiry-date="Thu, 04 Jan 2024 00:00:00 GMT"`, aws.ToString(got.Restore))

	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: k, RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1)}})
	require.NoError(t, err, "200: restored already")
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="false", expiry-date="Wed, 03 Jan 2024 00:00:00 GMT"`, aws.ToString(h.Restore), "from now, rounded up: shorter")

	lr, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}})
	require.NoError(t, err)
	require.Len(t, lr.Contents, 1)
	require.Equal(t, types.ObjectStorageClassGlacier, lr.Contents[0].StorageClass)
	require.NotNil(t, lr.Contents[0].RestoreStatus)
	require.False(t, aws.ToBool(lr.Contents[0].RestoreStatus.IsRestoreInProgress))
	require.Equal(t, time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), aws.ToTime(lr.Contents[0].RestoreStatus.RestoreExpiryDate))
	lr, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	require.NoError(t, err)
	require.Nil(t, lr.Contents[0].RestoreStatus, "only when asked for")

	m.Add(43 * time.Hour) // 01-03 00:00: the copy is gone
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	apiError(t, err, "InvalidObjectState", 403)
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Nil(t, h.Restore)

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy"), CopySource: aws.String("photos/2019/beach.jpg")})
	apiError(t, err, "InvalidObjectState", 403)
	errors.As(err, &ae)
	require.Equal(t, "Operation is not valid for the source object's storage class", ae.ErrorMessage())
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("copy")})
	apiError(t, err, "NotFound", 404)
}

// TestSDK_Restores: the refusals of RestoreObject and the classes.
func TestSDK_Restores(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	for key, class := range map[string]types.StorageClass{"std": "", "ia": types.StorageClassStandardIa, "ir": types.StorageClassGlacierIr, "deep": types.StorageClassDeepArchive} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader(key), StorageClass: class})
		require.NoError(t, err)
	}
	days := &types.RestoreRequest{Days: aws.Int32(1)}
	for _, key := range []string{"std", "ia", "ir"} {
		_, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: aws.String(key), RestoreRequest: days})
		apiError(t, err, "InvalidObjectState", 403)
		var ae smithy.APIError
		errors.As(err, &ae)
		require.Equal(t, "Restore is not allowed for the object's current storage class", ae.ErrorMessage())
	}
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: aws.String("deep"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierExpedited}}})
	apiError(t, err, "InvalidArgument", 400)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("std")})
	require.NoError(t, err)
	require.Empty(t, h.StorageClass, "STANDARD is not named")
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("ir")})
	require.NoError(t, err, "GLACIER_IR reads at once")
	got.Body.Close()
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("x"), Body: strings.NewReader("x"), StorageClass: "Archive"})
	apiError(t, err, "InvalidStorageClass", 400)
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: aws.String("missing"), RestoreRequest: days})
	apiError(t, err, "NoSuchKey", 404)

	// Keys the signature must encode: spaces, '+', '%', non-ASCII, '='.
	for _, key := range []string{"a b+c/d%e.txt", "dir/été =x", "~tilde/(paren)"} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader(key), StorageClass: types.StorageClassGlacier})
		require.NoError(t, err, key)
		_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: aws.String(key), RestoreRequest: days})
		require.NoError(t, err, key)
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key)})
		require.NoError(t, err, key)
		require.Equal(t, `ongoing-request="true"`, aws.ToString(h.Restore), key)
	}
	lr, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("dir/"), StartAfter: aws.String("a b")})
	require.NoError(t, err)
	require.Len(t, lr.Contents, 1)
	require.Equal(t, "dir/été =x", aws.ToString(lr.Contents[0].Key))
}

// TestSDK_Signatures: a wrong secret is refused, and nothing is stored.
func TestSDK_Signatures(t *testing.T) {
	c, _, db, url := serve(t, "SECRET")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	bad := client(url, "WRONG")
	_, err = bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("x")})
	apiError(t, err, "SignatureDoesNotMatch", 403)
	_, err = db.Head(ctx, "bkt", "k")
	require.Error(t, err, "nothing stored")
	p := s3.NewPresignClient(c)
	req, err := p.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("presigned")})
	require.NoError(t, err)
	resp, err := httpGet(req.URL)
	require.NoError(t, err)
	require.Equal(t, "presigned", resp)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// httpGet reads url with a plain GET, failing on a status other than 200.
func httpGet(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET: %s: %s", resp.Status, b)
	}
	return string(b), err
}

// TestSDK_Skew: a request signed more than 15 minutes from the wall clock
// is refused with RequestTimeTooSkewed; within, it is served. The
// database's mock clock plays no part.
func TestSDK_Skew(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	wall := clock.NewMock()
	wall.Set(time.Now())
	srv := httptest.NewServer(s3api.New(db, &s3api.Options{Clock: m, WallClock: wall, Keys: map[string]string{"AKID": "SECRET"}}))
	t.Cleanup(srv.Close)
	c := client(srv.URL, "SECRET")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	wall.Add(16 * time.Minute)
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{})
	apiError(t, err, "RequestTimeTooSkewed", 403)
	wall.Add(-2 * time.Minute)
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
}

// TestSDK_CopyOntoItself: a copy of an object onto itself that names a
// storage class, its own included, writes a new object, as S3 does: a new
// Last-Modified, and the lifecycle's days count from it. An archived
// source must be restored first, whatever the class named; restored, it
// goes warmer, or, copied into its own class, is archived again. Without a
// class or REPLACE the copy is refused.
func TestSDK_CopyOntoItself(t *testing.T) {
	c, m, db, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
		Rules: []types.LifecycleRule{{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}})
	require.NoError(t, err)
	for _, k := range []string{"touched", "left"} {
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(k), Body: strings.NewReader(k)})
		require.NoError(t, err)
	}
	before, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("touched")})
	require.NoError(t, err)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("left"), CopySource: aws.String("bkt/left")})
	apiError(t, err, "InvalidRequest", 400)

	m.Add(26 * time.Hour) // the next day: its expiry moves a day on
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("touched"), CopySource: aws.String("bkt/touched"), StorageClass: types.StorageClassStandard})
	require.NoError(t, err)
	require.Equal(t, before.LastModified.Add(26*time.Hour), *cp.CopyObjectResult.LastModified)
	after, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("touched")})
	require.NoError(t, err)
	require.Equal(t, *cp.CopyObjectResult.LastModified, *after.LastModified)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("touched")})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, "touched", string(body))

	m.Add(24 * time.Hour) // past the midnight after "left"'s day, before the one after the copy's
	_, err = db.RunLifecycle(ctx)
	require.NoError(t, err)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("left")})
	apiError(t, err, "NotFound", 404)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("touched")})
	require.NoError(t, err, "its day counts from the copy")

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("cold"), Body: strings.NewReader("frozen"), StorageClass: types.StorageClassGlacier})
	require.NoError(t, err)
	for _, class := range []types.StorageClass{types.StorageClassGlacier, types.StorageClassDeepArchive, types.StorageClassStandard} {
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("cold"), CopySource: aws.String("bkt/cold"), StorageClass: class})
		apiError(t, err, "InvalidObjectState", 403)
	}
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: aws.String("cold"), RestoreRequest: &types.RestoreRequest{Days: aws.Int32(2)}})
	require.NoError(t, err)
	m.Add(6 * time.Hour)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("cold"), CopySource: aws.String("bkt/cold"), StorageClass: types.StorageClassGlacier})
	require.NoError(t, err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("cold")})
	apiError(t, err, "InvalidObjectState", 403) // the copy is a new archived object
}

// TestSDK_ListBucketsPages: ListBuckets filtered by prefix and by region,
// in pages of max-buckets followed by their continuation tokens (the SDK's
// paginator), and refusing a max-buckets outside 1-10,000 or a token that
// is not one of its own.
func TestSDK_ListBucketsPages(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	for _, name := range []string{"logs-a", "logs-b", "logs-c", "media", "logs-d"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		require.NoError(t, err)
	}
	names := func(out *s3.ListBucketsOutput) []string {
		var n []string
		for _, b := range out.Buckets {
			n = append(n, aws.ToString(b.Name))
		}
		return n
	}
	all, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Equal(t, []string{"logs-a", "logs-b", "logs-c", "logs-d", "media"}, names(all))
	require.Nil(t, all.ContinuationToken)
	require.Nil(t, all.Prefix)

	var pages [][]string
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{Prefix: aws.String("logs-"), MaxBuckets: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.Equal(t, "logs-", aws.ToString(out.Prefix))
		pages = append(pages, names(out))
	}
	require.Equal(t, [][]string{{"logs-a", "logs-b", "logs-c"}, {"logs-d"}}, pages)

	here, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("us-east-1")})
	require.NoError(t, err)
	require.Len(t, here.Buckets, 5)
	elsewhere, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")})
	require.NoError(t, err)
	require.Empty(t, elsewhere.Buckets)

	for _, in := range []*s3.ListBucketsInput{{MaxBuckets: aws.Int32(0)}, {MaxBuckets: aws.Int32(10001)}, {ContinuationToken: aws.String("not base64!")}} {
		_, err := c.ListBuckets(ctx, in)
		apiError(t, err, "InvalidArgument", 400)
	}
}

// TestSDK_ListMaxKeysZero: max-keys=0 lists nothing and is not truncated,
// in both listings, as S3 answers it.
func TestSDK_ListMaxKeysZero(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	for _, k := range []string{"bar", "baz", "foo"} {
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(k), Body: strings.NewReader(k)})
		require.NoError(t, err)
	}
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b, MaxKeys: aws.Int32(0)})
	require.NoError(t, err)
	require.Empty(t, v1.Contents)
	require.False(t, aws.ToBool(v1.IsTruncated))
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(0)})
	require.NoError(t, err)
	require.Empty(t, v2.Contents)
	require.False(t, aws.ToBool(v2.IsTruncated))
	require.Nil(t, v2.NextContinuationToken)
}

// TestSDK_TooManyTags: more than 10 tags on an object is 400 BadRequest
// "Object tags cannot be greater than 10", as S3 answers, by
// PutObjectTagging and by PutObject's x-amz-tagging; 10 are taken.
func TestSDK_TooManyTags(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("v")})
	require.NoError(t, err)
	set := func(n int) ([]types.Tag, string) {
		var tags []types.Tag
		var q []string
		for i := range n {
			tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
			q = append(q, fmt.Sprintf("k%d=v", i))
		}
		return tags, strings.Join(q, "&")
	}
	eleven, elevenQuery := set(11)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: &types.Tagging{TagSet: eleven}})
	apiError(t, err, "BadRequest", 400)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, "Object tags cannot be greater than 10", ae.ErrorMessage())
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k2"), Body: strings.NewReader("v"), Tagging: aws.String(elevenQuery)})
	apiError(t, err, "BadRequest", 400)
	ten, _ := set(10)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: &types.Tagging{TagSet: ten}})
	require.NoError(t, err)

	// A key over 128 characters, a value over 256: InvalidTag, as S3
	// answers (InvalidArgument before); at the limits, taken; nothing
	// changes on a refusal.
	for _, tc := range []struct{ key, value, msg string }{
		{strings.Repeat("k", 129), "v", "The TagKey you have provided is invalid"},
		{"k", strings.Repeat("v", 257), "The TagValue you have provided is invalid"},
	} {
		_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(tc.key), Value: aws.String(tc.value)}}}})
		apiError(t, err, "InvalidTag", 400)
		require.True(t, errors.As(err, &ae))
		require.Equal(t, tc.msg, ae.ErrorMessage())
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k3"), Body: strings.NewReader("v"), Tagging: aws.String(tc.key + "=" + tc.value)})
		apiError(t, err, "InvalidTag", 400)
	}
	got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")})
	require.NoError(t, err)
	require.Len(t, got.TagSet, 10, "unchanged")
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(strings.Repeat("k", 128)), Value: aws.String(strings.Repeat("v", 256))}}}})
	require.NoError(t, err)
}

// TestSDK_CopyEvent: a CopyObject's event is a copy's, S3's
// ObjectCreated:Copy, and a PutObject's a Put's.
func TestSDK_CopyEvent(t *testing.T) {
	c, _, db, _ := serve(t, "SECRET")
	sub := db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventObjectCreated}})
	defer sub.Close()
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("src"), Body: strings.NewReader("v")})
	require.NoError(t, err)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst"), CopySource: aws.String("bkt/src")})
	require.NoError(t, err)
	for _, want := range []struct{ key, name string }{{"src", "ObjectCreated:Put"}, {"dst", "ObjectCreated:Copy"}} {
		e, err := sub.Next(ctx)
		require.NoError(t, err)
		require.Equal(t, want.key, e.Key)
		require.Equal(t, want.name, wire.EventName(&e))
	}
}

// TestSDK_CompleteRetried: a CompleteMultipartUpload repeated after it
// succeeded (an SDK retrying a lost answer) answers 200 with the same
// ETag while the object is the one those parts made; once the key holds
// another object, or with other parts, the upload is gone: NoSuchUpload.
func TestSDK_CompleteRetried(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	b, k := aws.String("bkt"), aws.String("big")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i, body := range []string{strings.Repeat("a", 5<<20), "tail"} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(body)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag})
	}
	complete := func(list []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: list}})
	}
	first, err := complete(parts)
	require.NoError(t, err)
	again, err := complete(parts)
	require.NoError(t, err, "a retried Complete")
	require.Equal(t, aws.ToString(first.ETag), aws.ToString(again.ETag))
	_, err = complete(parts[:1])
	apiError(t, err, "NoSuchUpload", 404)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("replaced")})
	require.NoError(t, err)
	_, err = complete(parts)
	apiError(t, err, "NoSuchUpload", 404)
}

// TestSDK_ACLsDisabled: a bucket here has its ACLs disabled, as S3 creates
// them: GetBucketAcl and GetObjectAcl give the owner's full control;
// PutObjectAcl and PutBucketAcl take the canned ACLs S3 takes on such a
// bucket, changing nothing, and refuse any other, or a grant document,
// with AccessControlListNotSupported.
func TestSDK_ACLsDisabled(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	b, k := aws.String("bkt"), aws.String("k")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("v")})
	require.NoError(t, err)
	oa, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Len(t, oa.Grants, 1)
	require.Equal(t, types.PermissionFullControl, oa.Grants[0].Permission)
	require.Equal(t, aws.ToString(oa.Owner.ID), aws.ToString(oa.Grants[0].Grantee.ID))
	ba, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, ba.Grants, 1)
	_, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("missing")})
	apiError(t, err, "NoSuchKey", 404)

	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLBucketOwnerFullControl})
	require.NoError(t, err)
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead})
	apiError(t, err, "AccessControlListNotSupported", 400)
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, AccessControlPolicy: &types.AccessControlPolicy{Owner: ba.Owner, Grants: ba.Grants}})
	apiError(t, err, "AccessControlListNotSupported", 400)
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate})
	require.NoError(t, err)
}
