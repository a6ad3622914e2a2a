package ossapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

func tagging(pairs ...string) *oss.Tagging {
	var tags []oss.Tag
	for i := 0; i < len(pairs); i += 2 {
		tags = append(tags, oss.Tag{Key: oss.Ptr(pairs[i]), Value: oss.Ptr(pairs[i+1])})
	}
	return &oss.Tagging{TagSet: &oss.TagSet{Tags: tags}}
}

// Object tagging through both SDKs: put, get (by key), delete; the count
// on HEAD; bad documents refused with nothing changed.
func TestSDK_ObjectTagging(t *testing.T) {
	c, _, _, url := serve(t)
	b, k := oss.Ptr("bkt"), oss.Ptr("obj")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: k, Body: strings.NewReader("x"), Tagging: oss.Ptr("old=1")})
	require.NoError(t, err)

	_, err = c.PutObjectTagging(ctx, &oss.PutObjectTaggingRequest{Bucket: b, Key: k, Tagging: tagging("team", "a", "env", "prod")})
	require.NoError(t, err)
	got, err := c.GetObjectTagging(ctx, &oss.GetObjectTaggingRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Len(t, got.Tags, 2)
	require.Equal(t, "env", oss.ToString(got.Tags[0].Key), "sorted by key; the old tag is gone")
	require.Equal(t, "prod", oss.ToString(got.Tags[0].Value))
	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, int32(2), head.TaggingCount)

	for _, bad := range []*oss.Tagging{
		tagging("a", "1", "a", "2"), // a key twice
		tagging("", "v"),            // an empty key
		tagging("k1", "v", "k2", "v", "k3", "v", "k4", "v", "k5", "v", "k6", "v", "k7", "v", "k8", "v", "k9", "v", "k10", "v", "k11", "v"),
		tagging(strings.Repeat("k", 129), "v"),
	} {
		_, err = c.PutObjectTagging(ctx, &oss.PutObjectTaggingRequest{Bucket: b, Key: k, Tagging: bad})
		serviceError(t, err, "InvalidArgument", 400)
	}
	got, err = c.GetObjectTagging(ctx, &oss.GetObjectTaggingRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Len(t, got.Tags, 2, "a refused document changes nothing")

	_, err = c.PutObjectTagging(ctx, &oss.PutObjectTaggingRequest{Bucket: b, Key: oss.Ptr("missing"), Tagging: tagging("a", "b")})
	serviceError(t, err, "NoSuchKey", 404)

	v1, err := ossv1.New(url, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	vb, err := v1.Bucket("bkt")
	require.NoError(t, err)
	r1, err := vb.GetObjectTagging("obj")
	require.NoError(t, err)
	require.Len(t, r1.Tags, 2)
	require.NoError(t, vb.DeleteObjectTagging("obj"))
	got, err = c.GetObjectTagging(ctx, &oss.GetObjectTaggingRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Empty(t, got.Tags)
}

// A tagging document with another root, or none, is MalformedXML.
func TestHandler_TaggingMalformed(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "x", nil).Code)
	for _, body := range []string{"", "<Tags><TagSet/></Tags>", "<Tagging><TagSet><Tag><Key>a</Key>"} {
		w := do(t, h, "PUT", "/bkt/k?tagging", body, nil)
		require.Equal(t, 400, w.Code, body)
		require.Equal(t, "MalformedXML", errorOf(t, w).Code, body)
	}
	w := do(t, h, "DELETE", "/bkt/k?tagging", "", nil)
	require.Equal(t, 204, w.Code)
}

// Bucket tags through both SDKs; ListBuckets filters by them.
func TestSDK_BucketTags(t *testing.T) {
	c, _, _, url := serve(t)
	for _, name := range []string{"tagged", "plain"} {
		_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(name)})
		require.NoError(t, err)
	}
	_, err := c.PutBucketTags(ctx, &oss.PutBucketTagsRequest{Bucket: oss.Ptr("tagged"), Tagging: tagging("team", "a", "env", "prod")})
	require.NoError(t, err)
	got, err := c.GetBucketTags(ctx, &oss.GetBucketTagsRequest{Bucket: oss.Ptr("tagged")})
	require.NoError(t, err)
	require.Len(t, got.Tagging.TagSet.Tags, 2)
	require.Equal(t, "env", oss.ToString(got.Tagging.TagSet.Tags[0].Key))
	none, err := c.GetBucketTags(ctx, &oss.GetBucketTagsRequest{Bucket: oss.Ptr("plain")})
	require.NoError(t, err)
	require.Empty(t, none.Tagging.TagSet.Tags)

	lb, err := c.ListBuckets(ctx, &oss.ListBucketsRequest{TagKey: oss.Ptr("team"), TagValue: oss.Ptr("a")})
	require.NoError(t, err)
	require.Len(t, lb.Buckets, 1)
	require.Equal(t, "tagged", oss.ToString(lb.Buckets[0].Name))

	_, err = c.PutBucketTags(ctx, &oss.PutBucketTagsRequest{Bucket: oss.Ptr("tagged"), Tagging: tagging("a", "1", "a", "2")})
	serviceError(t, err, "InvalidArgument", 400)
	_, err = c.PutBucketTags(ctx, &oss.PutBucketTagsRequest{Bucket: oss.Ptr("missing"), Tagging: tagging("a", "1")})
	serviceError(t, err, "NoSuchBucket", 404)

	v1, err := ossv1.New(url, "ak", "sk", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	r1, err := v1.GetBucketTagging("tagged")
	require.NoError(t, err)
	require.Len(t, r1.Tags, 2)
	require.NoError(t, v1.DeleteBucketTagging("tagged"))
	got, err = c.GetBucketTags(ctx, &oss.GetBucketTagsRequest{Bucket: oss.Ptr("tagged")})
	require.NoError(t, err)
	require.Empty(t, got.Tagging.TagSet.Tags)
}

// TestObjectTagCharacters: an object's tag key or value with a character
// OSS does not allow (only letters a-z A-Z, digits, space, + - = . _ : /)
// is 400 InvalidArgument with OSS's EC, in PutObjectTagging and in
// x-oss-tagging; so are a pair with a second '=' and a key given twice in
// the header; nothing is stored. Bucket tags keep their own rules.
func TestObjectTagCharacters(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "x", nil).Code)
	doc := func(k, v string) string {
		return "<Tagging><TagSet><Tag><Key>" + k + "</Key><Value>" + v + "</Value></Tag></TagSet></Tagging>"
	}
	for _, c := range []struct{ k, v, ec string }{
		{"a@b", "v", "0010-00000212"}, {"k", "a#b", "0010-00000217"}, {"k", "a&amp;b", "0010-00000217"},
		{"中文", "v", "0010-00000212"}, {"k", "a,b", "0010-00000217"}, {"k", "a\tb", "0010-00000217"},
	} {
		w := do(t, h, "PUT", "/bkt/k?tagging", doc(c.k, c.v), nil)
		require.Equal(t, 400, w.Code, "%q=%q: %s", c.k, c.v, w.Body.String())
		require.Equal(t, "InvalidArgument", errorOf(t, w).Code)
		require.Contains(t, w.Body.String(), "<EC>"+c.ec+"</EC>")
	}
	ok := "a-b_c.d:e/f+g=h i"
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k?tagging", doc(ok, ok), nil).Code, "every character OSS allows")

	for _, header := range []string{"aa=bb=cc", "a=1&a=2", "k=a%40b", "a%23b=v", "k=%zz"} {
		w := do(t, h, "PUT", "/bkt/h", "x", map[string]string{"x-oss-tagging": header})
		require.Equal(t, 400, w.Code, "%s: %s", header, w.Body.String())
		require.Equal(t, "InvalidArgument", errorOf(t, w).Code, header)
		require.Equal(t, 404, do(t, h, "HEAD", "/bkt/h", "", nil).Code, "nothing stored for %s", header)
	}
	w := do(t, h, "PUT", "/bkt/h", "x", map[string]string{"x-oss-tagging": "a=1&b&&c=x%20y%2Bz"})
	require.Equal(t, 200, w.Code, w.Body.String())
	oi, err := db.Head(context.Background(), "bkt", "h")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "", "c": "x y+z"}, oi.Tags)

	require.Equal(t, 200, do(t, h, "PUT", "/bkt?tagging", doc("部门", "研发"), nil).Code, "a bucket's tags are not held to the object's characters")
	for _, c := range []struct{ key, ec string }{{"Aliyun-abc", "0010-00000207"}, {"https://x", "0010-00000207"}, {"HTTP://x", "0010-00000207"}, {"acs:abc", "0010-00000002"}} {
		w := do(t, h, "PUT", "/bkt?tagging", doc(c.key, "v"), nil)
		require.Equal(t, 400, w.Code, c.key)
		require.Contains(t, w.Body.String(), "<EC>"+c.ec+"</EC>", c.key)
	}
	w = do(t, h, "GET", "/bkt?tagging", "", nil)
	require.Contains(t, w.Body.String(), "部门", "the refused ones changed nothing")
}
