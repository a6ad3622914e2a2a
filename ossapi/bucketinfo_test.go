package ossapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// ListBuckets pages as OSS does: prefix, marker, max-keys (100 when
// absent), NextMarker while truncated; the SDK's paginator walks it.
func TestSDKv2_ListBucketsPaging(t *testing.T) {
	c, _, db, _ := serve(t)
	var names []string
	for i := range 7 {
		names = append(names, fmt.Sprintf("b-%02d", i))
		require.NoError(t, db.CreateBucket(ctx, names[i], nil))
	}
	require.NoError(t, db.CreateBucket(ctx, "other", nil))

	res, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{Prefix: oss.Ptr("b-"), MaxKeys: 3})
	require.NoError(t, err)
	require.True(t, res.IsTruncated)
	require.Equal(t, "b-02", oss.ToString(res.NextMarker))
	require.Equal(t, "b-", oss.ToString(res.Prefix))
	require.Equal(t, int32(3), res.MaxKeys)

	var got []string
	p := c.NewListBucketsPaginator(&oss.ListBucketsRequest{Prefix: oss.Ptr("b-")}, func(o *oss.PaginatorOptions) { o.Limit = 2 })
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Buckets), 2)
		for _, b := range page.Buckets {
			got = append(got, oss.ToString(b.Name))
			require.Equal(t, "oss-coldstore", oss.ToString(b.Location))
			require.Equal(t, "Standard", oss.ToString(b.StorageClass))
		}
	}
	require.Equal(t, names, got)

	res, err = c.ListBuckets(ctx, &oss.ListBucketsRequest{Marker: oss.Ptr("b-05")})
	require.NoError(t, err)
	require.False(t, res.IsTruncated)
	require.Len(t, res.Buckets, 2, "b-06 and other")
	require.Equal(t, "other", oss.ToString(res.Buckets[1].Name))

	for _, bad := range []int32{1001} {
		_, err = c.ListBuckets(ctx, &oss.ListBucketsRequest{MaxKeys: bad})
		serviceError(t, err, "InvalidArgument", 400)
	}
}

// A whole list carries no paging elements; a bad max-keys is refused; a
// filter the server cannot apply is 501, not ignored.
func TestHandler_ListBuckets(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	for i := range 101 {
		require.NoError(t, db.CreateBucket(ctx, fmt.Sprintf("bkt-%03d", i), nil))
	}
	w := do(t, h, "GET", "/?prefix=bkt-00", "", nil)
	require.Equal(t, 200, w.Code)
	require.NotContains(t, w.Body.String(), "IsTruncated", "all returned: no paging elements")
	require.Equal(t, 10, strings.Count(w.Body.String(), "<Bucket>"))
	w = do(t, h, "GET", "/", "", nil)
	require.Equal(t, 100, strings.Count(w.Body.String(), "<Bucket>"), "100 by default")
	require.Contains(t, w.Body.String(), "<IsTruncated>true</IsTruncated><NextMarker>bkt-099</NextMarker>")
	for _, q := range []string{"max-keys=0", "max-keys=1001", "max-keys=abc", "max-keys=-1"} {
		w := do(t, h, "GET", "/?"+q, "", nil)
		require.Equal(t, 400, w.Code, q)
		require.Equal(t, "InvalidArgument", errorOf(t, w).Code)
	}
	require.NoError(t, db.SetBucketTags(ctx, "bkt-003", map[string]string{"team": "a"}))
	require.NoError(t, db.SetBucketTags(ctx, "bkt-007", map[string]string{"team": "b"}))
	for q, want := range map[string]int{"tag-key=team": 2, "tag-key=team&tag-value=b": 1, "tag-key=nobody": 0} {
		w := do(t, h, "GET", "/?"+q, "", nil)
		require.Equal(t, 200, w.Code, q)
		require.Equal(t, want, strings.Count(w.Body.String(), "<Bucket>"), q)
	}
	w = do(t, h, "GET", "/?tag-value=b", "", nil)
	require.Equal(t, 400, w.Code, "a value without a key")
	w = do(t, h, "GET", "/", "", map[string]string{"x-oss-resource-group-id": "rg-1"})
	require.Equal(t, 501, w.Code)
}

// GetBucketInfo, GetBucketLocation and GetBucketVersioning through both
// SDKs; each is NoSuchBucket for a bucket that does not exist.
func TestSDK_BucketInfo(t *testing.T) {
	c, _, db, url := serve(t)
	require.NoError(t, db.CreateBucket(ctx, "cold", &engine.BucketOptions{StorageClass: storageclass.Archive}))
	require.NoError(t, db.SetAccessMonitor(ctx, "cold", true))

	info, err := c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: oss.Ptr("cold")})
	require.NoError(t, err)
	b := info.BucketInfo
	require.Equal(t, "cold", oss.ToString(b.Name))
	require.Equal(t, "Archive", oss.ToString(b.StorageClass))
	require.Equal(t, "oss-coldstore", oss.ToString(b.Location))
	require.Equal(t, "private", oss.ToString(b.ACL))
	require.Equal(t, "Enabled", oss.ToString(b.AccessMonitor))
	require.Equal(t, "LRS", oss.ToString(b.DataRedundancyType))
	require.Equal(t, enginetest.Epoch, *b.CreationDate)
	require.Equal(t, "coldstore", oss.ToString(b.Owner.ID))

	loc, err := c.GetBucketLocation(ctx, &oss.GetBucketLocationRequest{Bucket: oss.Ptr("cold")})
	require.NoError(t, err)
	require.Equal(t, "oss-coldstore", oss.ToString(loc.LocationConstraint))

	ver, err := c.GetBucketVersioning(ctx, &oss.GetBucketVersioningRequest{Bucket: oss.Ptr("cold")})
	require.NoError(t, err)
	require.Nil(t, ver.VersionStatus, "never enabled")

	_, err = c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchBucket", 404)
	_, err = c.GetBucketLocation(ctx, &oss.GetBucketLocationRequest{Bucket: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchBucket", 404)
	_, err = c.GetBucketVersioning(ctx, &oss.GetBucketVersioningRequest{Bucket: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchBucket", 404)

	v1, err := ossv1.New(url, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	i1, err := v1.GetBucketInfo("cold")
	require.NoError(t, err)
	require.Equal(t, "Archive", i1.BucketInfo.StorageClass)
	require.Equal(t, "oss-coldstore", i1.BucketInfo.Location)
	require.Equal(t, "private", i1.BucketInfo.ACL)
	l1, err := v1.GetBucketLocation("cold")
	require.NoError(t, err)
	require.Equal(t, "oss-coldstore", l1)
	require.NoError(t, db.CreateBucket(ctx, "warm", nil))
	lb, err := v1.ListBuckets(ossv1.MaxKeys(1))
	require.NoError(t, err)
	require.True(t, lb.IsTruncated)
	require.Equal(t, "cold", lb.NextMarker)
}

// GetBucketStat through both SDKs: counts and sizes per class, billed and
// actual, totals, and the instant of the count.
func TestSDK_BucketStat(t *testing.T) {
	c, m, db, url := serve(t)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	for key, o := range map[string]struct {
		size  int
		class storageclass.Class
	}{"s": {10, storageclass.Standard}, "i": {1000, storageclass.IA}, "a": {100 << 10, storageclass.Archive},
		"c": {7, storageclass.ColdArchive}, "d": {9, storageclass.DeepColdArchive}} {
		_, err := db.Put(ctx, "bkt", key, strings.NewReader(strings.Repeat("x", o.size)), &engine.PutOptions{StorageClass: o.class})
		require.NoError(t, err)
	}
	st, err := c.GetBucketStat(ctx, &oss.GetBucketStatRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	require.Equal(t, int64(5), st.ObjectCount)
	require.Equal(t, int64(10+1000+100<<10+7+9), st.Storage)
	require.Equal(t, m.Now().Unix(), st.LastModifiedTime)
	require.Equal(t, int64(10), st.StandardStorage)
	require.Equal(t, int64(1), st.StandardObjectCount)
	require.Equal(t, int64(64<<10), st.InfrequentAccessStorage, "billed: 64 KiB at least")
	require.Equal(t, int64(1000), st.InfrequentAccessRealStorage)
	require.Equal(t, int64(100<<10), st.ArchiveStorage)
	require.Equal(t, int64(100<<10), st.ArchiveRealStorage)
	require.Equal(t, int64(1), st.ColdArchiveObjectCount)
	require.Equal(t, int64(7), st.ColdArchiveRealStorage)
	require.Equal(t, int64(1), st.DeepColdArchiveObjectCount)
	require.Equal(t, int64(9), st.DeepColdArchiveRealStorage)
	require.Zero(t, st.MultipartUploadCount)

	// Uploads in progress count with their parts, not as objects.
	up, err := db.InitiateUpload(ctx, "bkt", "mp", nil)
	require.NoError(t, err)
	for n, size := range []int{300, 200} {
		_, err := db.UploadPart(ctx, "bkt", "mp", up.UploadID, n+1, strings.NewReader(strings.Repeat("p", size)))
		require.NoError(t, err)
	}
	_, err = db.InitiateUpload(ctx, "bkt", "other", nil)
	require.NoError(t, err)
	st, err = c.GetBucketStat(ctx, &oss.GetBucketStatRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	require.Equal(t, int64(2), st.MultipartUploadCount)
	require.Equal(t, int64(2), st.MultipartPartCount)
	require.Equal(t, int64(5), st.ObjectCount)
	w := do(t, ossapi.New(db, nil), "GET", "/bkt?stat", "", nil)
	require.Contains(t, w.Body.String(), "<MultipartPartStorage>500</MultipartPartStorage>", "the SDK does not parse it")

	_, err = c.GetBucketStat(ctx, &oss.GetBucketStatRequest{Bucket: oss.Ptr("missing")})
	serviceError(t, err, "NoSuchBucket", 404)

	v1, err := ossv1.New(url, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	s1, err := v1.GetBucketStat("bkt")
	require.NoError(t, err)
	require.Equal(t, int64(5), s1.ObjectCount)
	require.Equal(t, int64(1000), s1.InfrequentAccessRealStorage)
}
