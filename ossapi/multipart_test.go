package ossapi_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// someBytes returns n reproducible bytes.
func someBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// partsETag is the ETag OSS gives an object completed of these parts.
func partsETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, strings.ToUpper(hex.EncodeToString(s[:])), len(parts))
}

func getAll(t *testing.T, c *oss.Client, key string) ([]byte, *oss.GetObjectResult) {
	t.Helper()
	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr(key)})
	require.NoError(t, err)
	defer got.Body.Close()
	b, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	return b, got
}

// TestMultipart_SDKv2Uploader: the SDK's uploader sends a body larger than
// its 6 MiB part size in parts, checking each part's CRC-64 and the
// whole's; the object reads back whole, of type Multipart, in its class.
func TestMultipart_SDKv2Uploader(t *testing.T) {
	c, _, db, _ := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")})
	require.NoError(t, err)
	body := someBytes(1, 13<<20+5)
	u := c.NewUploader()
	res, err := u.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("big.bin")}, bytes.NewReader(body))
	require.NoError(t, err)
	require.Equal(t, partsETag(body[:6<<20], body[6<<20:12<<20], body[12<<20:]), *res.ETag, "three parts of 6 MiB, 6 MiB and the rest")
	got, gr := getAll(t, c, "big.bin")
	require.True(t, bytes.Equal(body, got))
	require.Equal(t, "Multipart", *gr.ObjectType)
	require.Equal(t, strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10), *gr.HashCRC64)

	// An Archive upload lands archived.
	_, err = u.UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("cold.bin"), StorageClass: oss.StorageClassArchive}, bytes.NewReader(body[:7<<20]))
	require.NoError(t, err)
	h, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("cold.bin")})
	require.NoError(t, err)
	require.Equal(t, "Archive", *h.StorageClass)
	require.Equal(t, "Multipart", *h.ObjectType)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("cold.bin")})
	serviceError(t, err, "InvalidObjectState", 403)
	require.NoError(t, db.Check(ctx))
}

// TestMultipart_SDKv2Calls: each operation through the SDK, the listings
// with paging, part copies, and the refusals OSS documents, each of which
// changes nothing.
func TestMultipart_SDKv2Calls(t *testing.T) {
	c, _, db, _ := serve(t)
	b := oss.Ptr("bkt")
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: b})
	require.NoError(t, err)
	src := someBytes(2, 400000)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("src"), Body: bytes.NewReader(src)})
	require.NoError(t, err)

	k := oss.Ptr("dir/obj key")
	init, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: k, StorageClass: oss.StorageClassIA,
		Metadata: map[string]string{"m": "v"}, ContentType: oss.Ptr("text/plain")})
	require.NoError(t, err)
	require.Equal(t, "dir/obj key", *init.Key, "the SDK decodes the url-encoded key")
	id := init.UploadId
	p1 := someBytes(3, engine.MinPartSize)
	up1, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: k, UploadId: id, PartNumber: 1, Body: bytes.NewReader(p1)})
	require.NoError(t, err)
	cp, err := c.UploadPartCopy(ctx, &oss.UploadPartCopyRequest{Bucket: b, Key: k, UploadId: id, PartNumber: 2,
		SourceKey: oss.Ptr("src"), Range: oss.Ptr("bytes=1000-300999")})
	require.NoError(t, err)
	p3 := []byte("tail")
	up3, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: k, UploadId: id, PartNumber: 3, Body: bytes.NewReader(p3)})
	require.NoError(t, err)

	lp, err := c.ListParts(ctx, &oss.ListPartsRequest{Bucket: b, Key: k, UploadId: id, MaxParts: 2})
	require.NoError(t, err)
	require.True(t, lp.IsTruncated)
	require.Len(t, lp.Parts, 2)
	require.Equal(t, int64(engine.MinPartSize), lp.Parts[0].Size)
	lp, err = c.ListParts(ctx, &oss.ListPartsRequest{Bucket: b, Key: k, UploadId: id, PartNumberMarker: lp.NextPartNumberMarker})
	require.NoError(t, err)
	require.Len(t, lp.Parts, 1)
	require.Equal(t, int32(3), lp.Parts[0].PartNumber)
	require.Equal(t, "IA", *lp.StorageClass)

	other, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: oss.Ptr("z")})
	require.NoError(t, err)
	var keys []string
	p := c.NewListMultipartUploadsPaginator(&oss.ListMultipartUploadsRequest{Bucket: b, MaxUploads: 1})
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, u := range page.Uploads {
			keys = append(keys, *u.Key)
		}
	}
	require.Equal(t, []string{"dir/obj key", "z"}, keys)
	lu, err := c.ListMultipartUploads(ctx, &oss.ListMultipartUploadsRequest{Bucket: b, Delimiter: oss.Ptr("/")})
	require.NoError(t, err)
	require.Len(t, lu.Uploads, 1, "dir/ is a common prefix (the SDK does not parse them)")
	require.Equal(t, "z", *lu.Uploads[0].Key)
	_, err = c.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: b, Key: oss.Ptr("z"), UploadId: other.UploadId})
	require.NoError(t, err)

	parts := []oss.UploadPart{{PartNumber: 1, ETag: up1.ETag}, {PartNumber: 2, ETag: cp.ETag}, {PartNumber: 3, ETag: up3.ETag}}
	complete := func(parts []oss.UploadPart, id *string) error {
		_, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: b, Key: k, UploadId: id,
			CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: parts}})
		return err
	}
	for _, bad := range []struct {
		parts      []oss.UploadPart
		id         *string
		code       string
		statusCode int
	}{
		{[]oss.UploadPart{parts[0], {PartNumber: 2, ETag: up1.ETag}, parts[2]}, id, "InvalidPart", 400},
		{[]oss.UploadPart{parts[0], parts[1], {PartNumber: 4, ETag: up3.ETag}}, id, "InvalidPart", 400},
		{[]oss.UploadPart{parts[0], parts[0], parts[2]}, id, "InvalidPartOrder", 400}, // the SDK sorts the list, but keeps repeats
		{[]oss.UploadPart{parts[2], {PartNumber: 5, ETag: up3.ETag}}, id, "InvalidPart", 400},
		{parts, oss.Ptr("0000000000000000"), "NoSuchUpload", 404},
	} {
		serviceError(t, complete(bad.parts, bad.id), bad.code, bad.statusCode)
	}
	_, err = c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: k, UploadId: oss.Ptr("nope"), PartNumber: 1, Body: bytes.NewReader(p3)})
	serviceError(t, err, "NoSuchUpload", 404)
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: b, Key: k})
	serviceError(t, err, "NoSuchKey", 404)

	res, err := c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: b, Key: k, UploadId: id,
		CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	want := bytes.Join([][]byte{p1, src[1000:301000], p3}, nil)
	require.Equal(t, partsETag(p1, src[1000:301000], p3), *res.ETag)
	require.Equal(t, "dir/obj key", *res.Key)
	require.Equal(t, strconv.FormatUint(crc64.Checksum(want, crc64.MakeTable(crc64.ECMA)), 10), *res.HashCRC64)
	got, gr := getAll(t, c, "dir/obj key")
	require.True(t, bytes.Equal(want, got))
	require.Equal(t, "v", gr.Metadata["m"])
	require.Equal(t, "text/plain", *gr.ContentType)
	require.Equal(t, "IA", *gr.StorageClass)
	_, err = c.AbortMultipartUpload(ctx, &oss.AbortMultipartUploadRequest{Bucket: b, Key: k, UploadId: id})
	serviceError(t, err, "NoSuchUpload", 404)

	// x-oss-complete-all: every part, in order; a small part not last is
	// refused.
	all, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: oss.Ptr("all")})
	require.NoError(t, err)
	for n, part := range [][]byte{[]byte("small"), []byte("last")} {
		_, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: oss.Ptr("all"), UploadId: all.UploadId, PartNumber: int32(n + 1), Body: bytes.NewReader(part)})
		require.NoError(t, err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: b, Key: oss.Ptr("all"), UploadId: all.UploadId, CompleteAll: oss.Ptr("yes")})
	serviceError(t, err, "EntityTooSmall", 400)
	_, err = c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: b, Key: oss.Ptr("all"), UploadId: all.UploadId, PartNumber: 1, Body: bytes.NewReader(p1)})
	require.NoError(t, err)
	_, err = c.CompleteMultipartUpload(ctx, &oss.CompleteMultipartUploadRequest{Bucket: b, Key: oss.Ptr("all"), UploadId: all.UploadId, CompleteAll: oss.Ptr("yes")})
	require.NoError(t, err)
	got, _ = getAll(t, c, "all")
	require.Equal(t, append(append([]byte{}, p1...), "last"...), got)

	// A part copy from an archived source is refused.
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: b, Key: oss.Ptr("cold"), Body: strings.NewReader("frozen"), StorageClass: oss.StorageClassArchive})
	require.NoError(t, err)
	up, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: b, Key: oss.Ptr("copy")})
	require.NoError(t, err)
	_, err = c.UploadPartCopy(ctx, &oss.UploadPartCopyRequest{Bucket: b, Key: oss.Ptr("copy"), UploadId: up.UploadId, PartNumber: 1, SourceKey: oss.Ptr("cold")})
	serviceError(t, err, "InvalidObjectState", 403)
	lp, err = c.ListParts(ctx, &oss.ListPartsRequest{Bucket: b, Key: oss.Ptr("copy"), UploadId: up.UploadId})
	require.NoError(t, err)
	require.Empty(t, lp.Parts, "nothing stored")

	// An upload left unfinished leaves nothing visible, and keeps the bucket.
	lr, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: b, Prefix: oss.Ptr("copy")})
	require.NoError(t, err)
	require.Empty(t, lr.Contents)
	_, err = c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: b, Key: oss.Ptr("cold")})
	require.NoError(t, err)
	require.NoError(t, db.Check(ctx))
}

// TestMultipart_WireRefusals: what the SDKs do not send but a client may:
// part numbers out of range, malformed completion bodies and ranges.
// Each is refused with OSS's error and changes nothing.
func TestMultipart_WireRefusals(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/src", "source", nil).Code)
	w := do(t, h, "POST", "/bkt/k?uploads", "", nil)
	require.Equal(t, 200, w.Code)
	var init struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &init))
	id := init.UploadId
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k?partNumber=1&uploadId="+id, "part one", nil).Code)
	before := do(t, h, "GET", "/bkt/k?uploadId="+id, "", nil).Body.String()
	for _, c := range []struct {
		method, target, body string
		hdr                  map[string]string
		status               int
		code                 string
	}{
		{"PUT", "/bkt/k?partNumber=0&uploadId=" + id, "x", nil, 400, "InvalidArgument"},
		{"PUT", "/bkt/k?partNumber=10001&uploadId=" + id, "x", nil, 400, "InvalidArgument"},
		{"PUT", "/bkt/k?partNumber=one&uploadId=" + id, "x", nil, 400, "InvalidArgument"},
		{"PUT", "/bkt/k?partNumber=1&uploadId=" + id, "x", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "InvalidDigest"},
		{"PUT", "/bkt/k?partNumber=1&uploadId=" + id, "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-copy-source-range": "bytes=3-1"}, 400, "InvalidArgument"},
		{"PUT", "/bkt/k?partNumber=1&uploadId=" + id, "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-copy-source-range": "bytes=0-99"}, 400, "InvalidArgument"},
		{"PUT", "/bkt/k?partNumber=1&uploadId=" + id, "", map[string]string{"x-oss-copy-source": "/bkt/none"}, 404, "NoSuchKey"},
		{"POST", "/bkt/k?uploadId=" + id, "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>", nil, 400, "MalformedXML"},
		{"POST", "/bkt/k?uploadId=" + id, "<Other/>", nil, 400, "MalformedXML"},
		{"POST", "/bkt/k?uploadId=" + id, "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>x</ETag></Part><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>", nil, 400, "InvalidPartOrder"},
		{"POST", "/bkt/k?uploadId=" + id, "", nil, 400, "MalformedXML"},
		{"POST", "/bkt/k?uploadId=" + id, "<CompleteMultipartUpload/>", nil, 400, "InvalidArgument"},
		{"POST", "/bkt/k?uploadId=" + id, "<CompleteMultipartUpload/>", map[string]string{"x-oss-complete-all": "yes"}, 400, "InvalidArgument"},
		{"POST", "/bkt/k?uploadId=" + id, "", map[string]string{"x-oss-complete-all": "no"}, 400, "InvalidArgument"},
		{"GET", "/bkt/k?uploadId=" + id + "&max-parts=1001", "", nil, 400, "InvalidArgument"},
		{"GET", "/bkt?uploads&max-uploads=0", "", nil, 400, "InvalidArgument"},
		{"POST", "/nobkt/k?uploads", "", nil, 404, "NoSuchBucket"},
		{"POST", "/bkt/k?uploads", "", map[string]string{"x-oss-storage-class": "Frozen"}, 400, "InvalidArgument"},
		{"DELETE", "/bkt/k?uploadId=nope", "", nil, 404, "NoSuchUpload"},
		{"PUT", "/bkt/k?uploads", "", nil, 405, "MethodNotAllowed"},
	} {
		w := do(t, h, c.method, c.target, c.body, c.hdr)
		require.Equal(t, c.status, w.Code, "%s %s: %s", c.method, c.target, w.Body.String())
		require.Equal(t, c.code, errorOf(t, w).Code, "%s %s", c.method, c.target)
		require.Equal(t, before, do(t, h, "GET", "/bkt/k?uploadId="+id, "", nil).Body.String(), "%s %s changed the upload", c.method, c.target)
	}
	u, err := db.Usage(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, int64(1), u.MultipartParts)
	require.Equal(t, int64(len("part one")), u.MultipartBytes["Standard"])
}

// TestMultipart_SDKv1UploadFile: the older SDK's UploadFile, in parallel
// parts with a checkpoint file, and its listing calls.
func TestMultipart_SDKv1UploadFile(t *testing.T) {
	b, _, _, db := serveV1(t)
	body := someBytes(4, 1<<20+12345)
	path := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(path, body, 0o600))
	require.NoError(t, b.UploadFile("up/file", path, 200<<10, ossv1.Routines(3), ossv1.Checkpoint(true, path+".cp"),
		ossv1.ObjectStorageClass(ossv1.StorageColdArchive)))
	meta, err := b.GetObjectDetailedMeta("up/file")
	require.NoError(t, err)
	require.Equal(t, "ColdArchive", meta.Get("x-oss-storage-class"))
	require.Equal(t, "Multipart", meta.Get("x-oss-object-type"))
	require.Equal(t, strconv.Itoa(len(body)), meta.Get("Content-Length"))

	require.NoError(t, b.UploadFile("up/plain", path, 100<<10, ossv1.Routines(2)))
	r, err := b.GetObject("up/plain")
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	r.Close()
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, got))

	imur, err := b.InitiateMultipartUpload("left")
	require.NoError(t, err)
	_, err = b.UploadPart(imur, bytes.NewReader(body[:200<<10]), 200<<10, 1)
	require.NoError(t, err)
	lmu, err := b.ListMultipartUploads()
	require.NoError(t, err)
	require.Len(t, lmu.Uploads, 1)
	require.Equal(t, "left", lmu.Uploads[0].Key)
	lp, err := b.ListUploadedParts(imur)
	require.NoError(t, err)
	require.Len(t, lp.UploadedParts, 1)
	require.NoError(t, b.AbortMultipartUpload(imur))
	require.NoError(t, db.Check(ctx))
}
