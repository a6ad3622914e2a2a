package ossapi_test

import (
	"bytes"
	"hash/crc64"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/require"
)

var crcECMA = crc64.MakeTable(crc64.ECMA)

// TestSDKv2_AppendObject: appends through the SDK's AppendObject, with
// its CRC-64 check on, and its AppendOnlyFile.
func TestSDKv2_AppendObject(t *testing.T) {
	c, _, _, _ := serve(t)
	b, k := oss.Ptr("bkt"), oss.Ptr("log")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	res, err := c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: k, Position: oss.Ptr(int64(0)),
		Body: strings.NewReader("first;"), InitHashCRC64: oss.Ptr("0"), ContentType: oss.Ptr("text/plain"),
		Metadata: map[string]string{"who": "me"}, StorageClass: oss.StorageClassIA})
	require.NoError(t, err)
	require.Equal(t, int64(6), res.NextPosition)
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // crosses the inline limit and a chunk
	res, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: k, Position: oss.Ptr(res.NextPosition),
		Body: bytes.NewReader(big), InitHashCRC64: res.HashCRC64, Metadata: map[string]string{"who": "not taken"}})
	require.NoError(t, err)
	all := append([]byte("first;"), big...)
	require.Equal(t, int64(len(all)), res.NextPosition)
	require.Equal(t, strconv.FormatUint(crc64.Checksum(all, crcECMA), 10), oss.ToString(res.HashCRC64))

	// A wrong position: 409 and where to append.
	_, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: k, Position: oss.Ptr(int64(3)), Body: strings.NewReader("x")})
	serviceError(t, err, "PositionNotEqualToLength", 409)
	var se *oss.ServiceError
	require.ErrorAs(t, err, &se)
	require.Equal(t, strconv.Itoa(len(all)), se.Headers.Get("x-oss-next-append-position"))

	head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, "Appendable", oss.ToString(head.ObjectType))
	require.Equal(t, int64(len(all)), head.ContentLength)
	require.Equal(t, strconv.Itoa(len(all)), head.Headers.Get("x-oss-next-append-position"))
	require.Equal(t, "me", head.Metadata["who"])
	require.Equal(t, "IA", oss.ToString(head.StorageClass))
	require.Equal(t, "text/plain", oss.ToString(head.ContentType))

	// AppendOnlyFile continues the object, checking CRCs.
	f, err := c.AppendFile(ctx, "bkt", "log")
	require.NoError(t, err)
	n, err := f.Write([]byte("more"))
	require.NoError(t, err)
	require.Equal(t, 4, n)
	_, err = f.WriteFrom(strings.NewReader(" and more"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	all = append(all, "more and more"...)
	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: k})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, all, body)
	// A ranged read of the appended content.
	got, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: b, Key: k, Range: oss.Ptr("bytes=262140-262150")})
	require.NoError(t, err)
	body, err = io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, all[262140:262151], body)

	// A new AppendOnlyFile creates the object.
	f, err = c.AppendFile(ctx, "bkt", "fresh")
	require.NoError(t, err)
	_, err = f.Write([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	// Not appendable: a Normal object, untouched.
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("normal"), Body: strings.NewReader("plain")})
	require.NoError(t, err)
	_, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: oss.Ptr("normal"), Position: oss.Ptr(int64(5)), Body: strings.NewReader("x")})
	serviceError(t, err, "ObjectNotAppendable", 409)
	_, err = c.AppendFile(ctx, "bkt", "normal")
	require.Error(t, err)
	// ColdArchive: refused.
	_, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: oss.Ptr("cold"), Position: oss.Ptr(int64(0)),
		Body: strings.NewReader("x"), StorageClass: oss.StorageClassColdArchive})
	serviceError(t, err, "InvalidArgument", 400)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("cold")})
	serviceError(t, err, "NoSuchKey", 404)
}

// TestSDKv1_AppendObject: the older SDK's AppendObject, with its options
// on the first append only, and its CRC check.
func TestSDKv1_AppendObject(t *testing.T) {
	b, _, _, _ := serveV1(t)
	next, err := b.AppendObject("poem", strings.NewReader("昨夜雨疏风骤，"), 0, ossv1.Meta("my", "myprop"))
	require.NoError(t, err)
	next, err = b.AppendObject("poem", strings.NewReader("浓睡不消残酒。"), next, ossv1.Meta("my", "other"), ossv1.Meta("mine", "x"))
	require.NoError(t, err)
	meta, err := b.GetObjectDetailedMeta("poem")
	require.NoError(t, err)
	require.Equal(t, "Appendable", meta.Get("X-Oss-Object-Type"))
	require.Equal(t, "myprop", meta.Get("X-Oss-Meta-My"))
	require.Equal(t, "", meta.Get("X-Oss-Meta-Mine"))
	require.Equal(t, strconv.FormatInt(next, 10), meta.Get("X-Oss-Next-Append-Position"))
	r, err := b.GetObject("poem")
	require.NoError(t, err)
	body, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, "昨夜雨疏风骤，浓睡不消残酒。", string(body))
	// DoAppendObject checks the CRC-64 of the whole when given the last.
	res, err := b.DoAppendObject(&ossv1.AppendObjectRequest{ObjectKey: "poem", Reader: strings.NewReader("!"), Position: next},
		[]ossv1.Option{ossv1.InitCRC(crc64.Checksum(body, crcECMA))})
	require.NoError(t, err)
	require.Equal(t, next+1, res.NextPosition)
	_, err = b.AppendObject("poem", strings.NewReader("again"), 0)
	v1Error(t, err, "PositionNotEqualToLength", 409)
}

// TestAppendObject_BadRequests: a position missing, negative or not a
// number, a body that does not match its Content-MD5: the documented
// error, nothing stored.
func TestAppendObject_BadRequests(t *testing.T) {
	h, _ := walkServer(t)
	require.Equal(t, 200, do(t, h, "POST", "/bkt/log?append&position=0", "abc", nil).Code)
	before := state(t, h)
	for _, c := range []struct {
		target, code string
		status       int
		hdr          map[string]string
	}{
		{"/bkt/log?append", "InvalidArgument", 400, nil},
		{"/bkt/log?append&position=", "InvalidArgument", 400, nil},
		{"/bkt/log?append&position=-1", "InvalidArgument", 400, nil},
		{"/bkt/log?append&position=three", "InvalidArgument", 400, nil},
		{"/bkt/log?append&position=0x3", "InvalidArgument", 400, nil},
		{"/bkt/log?append&position=3", "InvalidDigest", 400, map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}},
		{"/bkt/log?append&position=3", "InvalidArgument", 400, map[string]string{"x-oss-storage-class": "Glacier"}},
		{"/bkt/log?append&position=2", "PositionNotEqualToLength", 409, nil},
		{"/bkt/obj?append&position=18", "ObjectNotAppendable", 409, nil},
		{"/bkt/new?append&position=1", "PositionNotEqualToLength", 409, nil},
	} {
		w := do(t, h, "POST", c.target, "xyz", c.hdr)
		require.Equal(t, c.status, w.Code, "%s: %s", c.target, w.Body.String())
		require.Equal(t, c.code, errorOf(t, w).Code, c.target)
		if c.code == "PositionNotEqualToLength" {
			want := "3"
			if strings.Contains(c.target, "new") {
				want = "0"
			}
			require.Equal(t, want, w.Header().Get("x-oss-next-append-position"), c.target)
		}
		require.Equal(t, before, state(t, h), c.target)
		require.Equal(t, "abc", do(t, h, "GET", "/bkt/log", "", nil).Body.String())
	}
	w := do(t, h, "POST", "/bkt/log?append&position=3", "def", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "6", w.Header().Get("x-oss-next-append-position"))
	require.Equal(t, strconv.FormatUint(crc64.Checksum([]byte("abcdef"), crcECMA), 10), w.Header().Get("x-oss-hash-crc64ecma"))
	require.Equal(t, `"E80B5017098950FC58AAD83C8C14978E"`, w.Header().Get("ETag"))
}

// TestSDKv2_CopyOfAppendableRefused: OSS cannot copy an appendable object;
// the copy is refused and nothing is written.
func TestSDKv2_CopyOfAppendableRefused(t *testing.T) {
	c, _, _, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	_, err = c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: b, Key: oss.Ptr("log"), Position: oss.Ptr(int64(0)), Body: strings.NewReader("line\n")})
	require.NoError(t, err)
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("copy"), SourceKey: oss.Ptr("log")})
	serviceError(t, err, "OperationNotSupported", 400)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("copy")})
	serviceError(t, err, "NoSuchKey", 404)
	_, err = c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: b, Key: oss.Ptr("log"), SourceKey: oss.Ptr("log"), StorageClass: oss.StorageClassIA})
	serviceError(t, err, "OperationNotSupported", 400)
	h, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: oss.Ptr("log")})
	require.NoError(t, err)
	require.Equal(t, "Standard", *h.StorageClass)
}
