package ossapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

// serve starts an OSS server over a test-double database and returns an
// OSS Go SDK v2 client of it.
func serve(t *testing.T) (*oss.Client, *clock.Mock, *engine.DB, string) {
	t.Helper()
	db, m := enginetest.New(t, nil)
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m}))
	t.Cleanup(srv.Close)
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider("ak", "sk")).
		WithRegion("cn-hangzhou").
		WithEndpoint(srv.URL).
		WithUsePathStyle(true)
	return oss.NewClient(cfg), m, db, srv.URL
}

// serviceError asserts err is an OSS service error with code and status.
func serviceError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var se *oss.ServiceError
	require.True(t, errors.As(err, &se), "not a service error: %v", err)
	require.Equal(t, code, se.Code)
	require.Equal(t, status, se.StatusCode)
	require.NotEmpty(t, se.RequestID)
}

// TestSDKv2_SeedStory: the archive story, through the real SDK.
func TestSDKv2_SeedStory(t *testing.T) {
	c, m, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("photos")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg"),
		StorageClass: oss.StorageClassArchive, Body: strings.NewReader("sand and sea")})
	require.NoError(t, err)

	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	serviceError(t, err, "InvalidObjectState", 403)

	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg"),
		RestoreRequest: &oss.RestoreRequest{Days: 2}})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode)

	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	serviceError(t, err, "RestoreAlreadyInProgress", 409)

	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="true"`, oss.ToString(head.Restore))
	require.Equal(t, "Archive", oss.ToString(head.StorageClass))

	m.Add(4 * time.Hour)
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"`, oss.ToString(head.Restore))

	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	got.Body.Close()
	require.Equal(t, "sand and sea", string(body))
	require.Equal(t, `ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"`, oss.ToString(got.Restore))

	res, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg"),
		RestoreRequest: &oss.RestoreRequest{Days: 1}})
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="false", expiry-date="Thu, 04 Jan 2024 04:00:00 GMT"`, oss.ToString(head.Restore))

	m.Add(3 * 24 * time.Hour)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	serviceError(t, err, "InvalidObjectState", 403)
	head, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("photos"), Key: oss.Ptr("2019/beach.jpg")})
	require.NoError(t, err)
	require.Nil(t, head.Restore, "no x-oss-restore once expired")
}

func TestSDKv2_ColdArchiveTiers(t *testing.T) {
	c, m, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("cold"),
		CreateBucketConfiguration: &oss.CreateBucketConfiguration{StorageClass: oss.StorageClassColdArchive}})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("k"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("k")})
	require.NoError(t, err)
	require.Equal(t, "ColdArchive", oss.ToString(head.StorageClass), "the bucket's default class")

	// A restore with no body: 202 at the default tier.
	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("k")})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode)
	require.Equal(t, "Standard", oss.ToString(res.RestorePriority))
	res, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("k"),
		RestoreRequest: &oss.RestoreRequest{Days: 1, JobParameters: &oss.JobParameters{Tier: oss.Ptr("Expedited")}}})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode, "a faster tier is accepted")
	m.Add(time.Hour)
	_, err = c.CleanRestoredObject(ctx, &oss.CleanRestoredObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("k")})
	require.NoError(t, err)
	_, err = c.CleanRestoredObject(ctx, &oss.CleanRestoredObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("k")})
	serviceError(t, err, "ArchiveRestoreFileStale", 409)

	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("s"), StorageClass: oss.StorageClassStandard, Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("s")})
	serviceError(t, err, "OperationNotSupported", 400)
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("cold"), Key: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchKey", 404)
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("nobucket"), Key: oss.Ptr("k")})
	serviceError(t, err, "NoSuchBucket", 404)
}

func TestSDKv2_ObjectsAndListings(t *testing.T) {
	c, _, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	for _, k := range []string{"a/1", "a/2", "b/x y", "c"} {
		_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr(k), Body: strings.NewReader("0123456789-" + k),
			Metadata: map[string]string{"owner": "me"}, ContentType: oss.Ptr("text/plain")})
		require.NoError(t, err)
	}
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("z"), StorageClass: oss.StorageClassArchive, Body: strings.NewReader("cold")})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("z")})
	require.NoError(t, err)

	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a/1"), Range: oss.Ptr("bytes=2-5")})
	require.NoError(t, err)
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	require.Equal(t, "2345", string(body))
	require.Equal(t, 206, got.StatusCode)
	require.Equal(t, "me", got.Metadata["Owner"]+got.Metadata["owner"])

	v2, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("bkt"), Delimiter: oss.Ptr("/")})
	require.NoError(t, err)
	var keys, prefixes []string
	for _, o := range v2.Contents {
		keys = append(keys, oss.ToString(o.Key))
		if oss.ToString(o.Key) == "z" {
			require.Equal(t, `ongoing-request="true"`, oss.ToString(o.RestoreInfo))
			require.Equal(t, "Archive", oss.ToString(o.StorageClass))
		}
	}
	for _, p := range v2.CommonPrefixes {
		prefixes = append(prefixes, oss.ToString(p.Prefix))
	}
	require.Equal(t, []string{"c", "z"}, keys)
	require.Equal(t, []string{"a/", "b/"}, prefixes)

	page, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("bkt"), MaxKeys: 2})
	require.NoError(t, err)
	require.True(t, page.IsTruncated)
	require.Len(t, page.Contents, 2)
	next, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("bkt"), MaxKeys: 10, ContinuationToken: page.NextContinuationToken})
	require.NoError(t, err)
	require.Len(t, next.Contents, 3)
	require.Equal(t, "b/x y", oss.ToString(next.Contents[0].Key))

	// Paging one entry at a time with a delimiter visits each common prefix
	// and key once, in V2 (continuation tokens) and V1 (markers).
	want := []string{"a/", "b/", "c", "z"}
	require.Equal(t, want, pageAll(t, func(next *string) ([]oss.ObjectProperties, []oss.CommonPrefix, *string) {
		p, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("bkt"), Delimiter: oss.Ptr("/"), MaxKeys: 1, ContinuationToken: next})
		require.NoError(t, err)
		if !p.IsTruncated {
			return p.Contents, p.CommonPrefixes, nil
		}
		return p.Contents, p.CommonPrefixes, p.NextContinuationToken
	}))
	require.Equal(t, want, pageAll(t, func(next *string) ([]oss.ObjectProperties, []oss.CommonPrefix, *string) {
		p, err := c.ListObjects(ctx, &oss.ListObjectsRequest{Bucket: oss.Ptr("bkt"), Delimiter: oss.Ptr("/"), MaxKeys: 1, Marker: next})
		require.NoError(t, err)
		if !p.IsTruncated {
			return p.Contents, p.CommonPrefixes, nil
		}
		return p.Contents, p.CommonPrefixes, p.NextMarker
	}))

	v1, err := c.ListObjects(ctx, &oss.ListObjectsRequest{Bucket: oss.Ptr("bkt"), Prefix: oss.Ptr("a/")})
	require.NoError(t, err)
	require.Len(t, v1.Contents, 2)

	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("copy"), SourceKey: oss.Ptr("b/x y"), StorageClass: oss.StorageClassIA})
	require.NoError(t, err)
	h, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("copy")})
	require.NoError(t, err)
	require.Equal(t, "IA", oss.ToString(h.StorageClass))
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("copy2"), SourceKey: oss.Ptr("z")})
	serviceError(t, err, "InvalidObjectState", 403)

	del, err := c.DeleteMultipleObjects(ctx, &oss.DeleteMultipleObjectsRequest{Bucket: oss.Ptr("bkt"),
		Objects: []oss.DeleteObject{{Key: oss.Ptr("a/1")}, {Key: oss.Ptr("b/x y")}}})
	require.NoError(t, err)
	require.Len(t, del.DeletedObjects, 2)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("a/1")})
	var se *oss.ServiceError
	require.True(t, errors.As(err, &se))
	require.Equal(t, 404, se.StatusCode)

	_, err = c.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: oss.Ptr("bkt")})
	serviceError(t, err, "BucketNotEmpty", 409)
}

// TestSDKv2_DownloaderRanges: the SDK's Downloader fetches a body of
// several chunks, kept in a file, in ranges of 1 MiB + 7 bytes, three at
// once, each straddling chunks, and checks the whole against the
// x-oss-hash-crc64ecma of its HEAD; GetObject reads a range that starts
// and ends inside chunks. The bytes are the body's.
func TestSDKv2_DownloaderRanges(t *testing.T) {
	c, _, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	body := make([]byte, 3<<20+123)
	_, _ = rand.NewChaCha8([32]byte{3}).Read(body)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big"), Body: bytes.NewReader(body)})
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "big")
	res, err := c.NewDownloader().DownloadFile(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big")}, path,
		func(o *oss.DownloaderOptions) { o.PartSize, o.ParallelNum = 1<<20+7, 3 })
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), res.Written)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, got), "the download's bytes are the body's")

	r, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big"), Range: oss.Ptr("bytes=300000-1700000")})
	require.NoError(t, err)
	part, err := io.ReadAll(r.Body)
	r.Body.Close()
	require.NoError(t, err)
	require.Equal(t, 206, r.StatusCode)
	require.True(t, bytes.Equal(body[300000:1700001], part), "the range's bytes")
}

func TestSDKv2_Lifecycle(t *testing.T) {
	c, _, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("logs")})
	require.NoError(t, err)
	_, err = c.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: oss.Ptr("logs")})
	serviceError(t, err, "NoSuchLifecycle", 404)
	rule := oss.LifecycleRule{ID: oss.Ptr("tier"), Prefix: oss.Ptr("app/"), Status: oss.Ptr("Enabled"),
		Transitions: []oss.LifecycleRuleTransition{{Days: oss.Ptr(int32(30)), StorageClass: oss.StorageClassIA}, {Days: oss.Ptr(int32(60)), StorageClass: oss.StorageClassArchive}},
		Expiration:  &oss.LifecycleRuleExpiration{Days: oss.Ptr(int32(365))}}
	_, err = c.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: oss.Ptr("logs"),
		LifecycleConfiguration: &oss.LifecycleConfiguration{Rules: []oss.LifecycleRule{rule}}})
	require.NoError(t, err)
	got, err := c.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: oss.Ptr("logs")})
	require.NoError(t, err)
	require.Len(t, got.LifecycleConfiguration.Rules, 1)
	r := got.LifecycleConfiguration.Rules[0]
	require.Equal(t, "tier", oss.ToString(r.ID))
	require.Equal(t, "app/", oss.ToString(r.Prefix))
	require.Equal(t, int32(60), *r.Transitions[1].Days)
	require.Equal(t, oss.StorageClassArchive, r.Transitions[1].StorageClass)
	require.Equal(t, int32(365), *r.Expiration.Days)

	bad := rule
	bad.Expiration = &oss.LifecycleRuleExpiration{Days: oss.Ptr(int32(10))}
	_, err = c.PutBucketLifecycle(ctx, &oss.PutBucketLifecycleRequest{Bucket: oss.Ptr("logs"),
		LifecycleConfiguration: &oss.LifecycleConfiguration{Rules: []oss.LifecycleRule{bad}}})
	serviceError(t, err, "InvalidArgument", 400)
	_, err = c.DeleteBucketLifecycle(ctx, &oss.DeleteBucketLifecycleRequest{Bucket: oss.Ptr("logs")})
	require.NoError(t, err)
	_, err = c.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: oss.Ptr("logs")})
	serviceError(t, err, "NoSuchLifecycle", 404)

	lb, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{})
	require.NoError(t, err)
	require.Len(t, lb.Buckets, 1)
	require.Equal(t, "logs", oss.ToString(lb.Buckets[0].Name))
}

// pageAll follows a listing page by page (at most 10), returning the keys
// and common prefixes in the order seen; page returns nil as the next
// token on the last page.
func pageAll(t *testing.T, page func(next *string) ([]oss.ObjectProperties, []oss.CommonPrefix, *string)) []string {
	t.Helper()
	var seen []string
	var next *string
	for range 10 {
		objs, prefixes, token := page(next)
		for _, o := range objs {
			seen = append(seen, oss.ToString(o.Key))
		}
		for _, cp := range prefixes {
			seen = append(seen, oss.ToString(cp.Prefix))
		}
		if token == nil {
			break
		}
		next = token
	}
	return seen
}

// TestSDKv2_ListOwner: ListObjects names each object's owner;
// ListObjectsV2 only with fetch-owner=true, false by default.
func TestSDKv2_ListOwner(t *testing.T) {
	c, _, _, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k"), Body: strings.NewReader("v")})
	require.NoError(t, err)
	v1, err := c.ListObjects(ctx, &oss.ListObjectsRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	require.Len(t, v1.Contents, 1)
	require.NotNil(t, v1.Contents[0].Owner)
	v2, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	require.Len(t, v2.Contents, 1)
	require.Nil(t, v2.Contents[0].Owner)
	v2, err = c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("bkt"), FetchOwner: true})
	require.NoError(t, err)
	require.Len(t, v2.Contents, 1)
	require.NotNil(t, v2.Contents[0].Owner)
	require.Equal(t, "coldstore", oss.ToString(v2.Contents[0].Owner.ID))
}

// TestSDKv2_AccessMonitor: PutBucketAccessMonitor switches the bucket's
// access tracking, GetBucketAccessMonitor and GetBucketInfo say so, and a
// lifecycle rule by last access is taken only while it is on; switching it
// off under such a rule is refused.
func TestSDKv2_AccessMonitor(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	status := func() string {
		t.Helper()
		got, err := c.GetBucketAccessMonitor(ctx, &oss.GetBucketAccessMonitorRequest{Bucket: b})
		require.NoError(t, err)
		return string(got.AccessMonitorConfiguration.Status)
	}
	require.Equal(t, "Disabled", status())
	accessRule := &oss.PutBucketLifecycleRequest{Bucket: b, LifecycleConfiguration: &oss.LifecycleConfiguration{Rules: []oss.LifecycleRule{{
		ID: oss.Ptr("cold-unread"), Prefix: oss.Ptr("logs/"), Status: oss.Ptr("Enabled"),
		Transitions: []oss.LifecycleRuleTransition{{Days: oss.Ptr(int32(30)), StorageClass: oss.StorageClassIA, IsAccessTime: oss.Ptr(true)}}}}}}
	_, err = c.PutBucketLifecycle(ctx, accessRule)
	serviceError(t, err, "InvalidArgument", 400)

	_, err = c.PutBucketAccessMonitor(ctx, &oss.PutBucketAccessMonitorRequest{Bucket: b, AccessMonitorConfiguration: &oss.AccessMonitorConfiguration{Status: oss.AccessMonitorStatusEnabled}})
	require.NoError(t, err)
	require.Equal(t, "Enabled", status())
	info, err := c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: b})
	require.NoError(t, err)
	require.Equal(t, "Enabled", oss.ToString(info.BucketInfo.AccessMonitor))
	_, err = c.PutBucketLifecycle(ctx, accessRule)
	require.NoError(t, err)
	_, err = c.PutBucketAccessMonitor(ctx, &oss.PutBucketAccessMonitorRequest{Bucket: b, AccessMonitorConfiguration: &oss.AccessMonitorConfiguration{Status: oss.AccessMonitorStatusDisabled}})
	serviceError(t, err, "InvalidArgument", 400)
	require.Equal(t, "Enabled", status())
	_, err = c.PutBucketAccessMonitor(ctx, &oss.PutBucketAccessMonitorRequest{Bucket: b, AccessMonitorConfiguration: &oss.AccessMonitorConfiguration{Status: "On"}})
	serviceError(t, err, "MalformedXML", 400)
}
