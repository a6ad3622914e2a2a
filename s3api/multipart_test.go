package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

func someBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// partsETag is S3's ETag of an object completed of these parts.
func partsETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), len(parts))
}

// TestSDK_TransferManager: aws-sdk-go-v2's transfer manager uploads a body
// over its 16 MiB threshold in 8 MiB parts, with its default checksums; a
// DEEP_ARCHIVE upload lands archived, and its parts are refused as a copy
// source until restored.
func TestSDK_TransferManager(t *testing.T) {
	c, _, db, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	body := someBytes(1, 17<<20+3)
	tm := transfermanager.New(c)
	out, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: b, Key: aws.String("big.bin"), Body: bytes.NewReader(body)})
	require.NoError(t, err)
	require.Equal(t, partsETag(body[:8<<20], body[8<<20:16<<20], body[16<<20:]), aws.ToString(out.ETag))
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("big.bin")})
	require.NoError(t, err)
	all, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, all))

	// The transfer manager downloads by part (GET ?partNumber=), in parallel.
	w := &writerAt{}
	dl, err := tm.DownloadObject(ctx, &transfermanager.DownloadObjectInput{Bucket: b, Key: aws.String("big.bin"), WriterAt: w})
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), aws.ToInt64(dl.ContentLength))
	require.True(t, bytes.Equal(body, w.bytes()))
	p2, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("big.bin"), PartNumber: aws.Int32(2)})
	require.NoError(t, err)
	require.Equal(t, int32(3), aws.ToInt32(p2.PartsCount))
	require.Equal(t, "bytes 8388608-16777215/17825795", aws.ToString(p2.ContentRange))
	part2, err := io.ReadAll(p2.Body)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body[8<<20:16<<20], part2))
	hp, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("big.bin"), PartNumber: aws.Int32(3)})
	require.NoError(t, err)
	require.Equal(t, int64(len(body)-16<<20), aws.ToInt64(hp.ContentLength))
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("big.bin"), PartNumber: aws.Int32(4)})
	apiError(t, err, "InvalidPartNumber", 416)

	_, err = tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: b, Key: aws.String("cold.bin"), Body: bytes.NewReader(body), StorageClass: tmtypes.StorageClassDeepArchive})
	require.NoError(t, err)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("cold.bin")})
	require.NoError(t, err)
	require.Equal(t, types.StorageClassDeepArchive, h.StorageClass)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("copy")})
	require.NoError(t, err)
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("copy"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("bkt/cold.bin"), CopySourceRange: aws.String("bytes=0-99")})
	apiError(t, err, "InvalidObjectState", 403)
	require.NoError(t, db.Check(ctx))
}

// TestSDK_MultipartCalls: each call, the listings, part copies and S3's
// refusals, each of which changes nothing.
func TestSDK_MultipartCalls(t *testing.T) {
	c, _, _, _ := serve(t, "SECRET")
	b := aws.String("bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	require.NoError(t, err)
	src := someBytes(2, 300000)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("src"), Body: bytes.NewReader(src)})
	require.NoError(t, err)
	k := aws.String("dir/obj")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k, StorageClass: types.StorageClassGlacier, Metadata: map[string]string{"m": "v"}})
	require.NoError(t, err)
	p1 := someBytes(3, 5<<20)
	u1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)})
	require.NoError(t, err)
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(2),
		CopySource: aws.String("bkt/src"), CopySourceRange: aws.String("bytes=100-199")})
	require.NoError(t, err)
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: k, UploadId: up.UploadId})
	require.NoError(t, err)
	require.Len(t, lp.Parts, 2)
	require.Equal(t, int64(100), aws.ToInt64(lp.Parts[1].Size))
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, lu.Uploads, 1)
	require.Equal(t, types.StorageClassGlacier, lu.Uploads[0].StorageClass)

	complete := func(parts ...types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	apiError(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: cp.CopyPartResult.ETag}), "InvalidPart", 400)
	small, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(3), Body: bytes.NewReader(someBytes(4, 5<<20-1))})
	require.NoError(t, err)
	// Every part but the last is at least 5 MiB: part 2 (100 bytes) is not last here.
	apiError(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: u1.ETag}, types.CompletedPart{PartNumber: aws.Int32(2), ETag: cp.CopyPartResult.ETag},
		types.CompletedPart{PartNumber: aws.Int32(3), ETag: small.ETag}), "EntityTooSmall", 400)
	apiError(t, complete(types.CompletedPart{PartNumber: aws.Int32(2), ETag: cp.CopyPartResult.ETag}, types.CompletedPart{PartNumber: aws.Int32(1), ETag: u1.ETag}), "InvalidPartOrder", 400)
	require.NoError(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: u1.ETag}, types.CompletedPart{PartNumber: aws.Int32(2), ETag: cp.CopyPartResult.ETag}))
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	require.NoError(t, err)
	require.Equal(t, types.StorageClassGlacier, h.StorageClass, "a GLACIER upload completes archived")
	require.Equal(t, partsETag(p1, src[100:200]), aws.ToString(h.ETag))
	require.Equal(t, "v", h.Metadata["m"])
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId})
	apiError(t, err, "NoSuchUpload", 404)
}

// writerAt collects what a download writes at its offsets.
type writerAt struct {
	mu sync.Mutex
	m  map[int64][]byte
}

func (w *writerAt) WriteAt(p []byte, off int64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[int64][]byte{}
	}
	w.m[off] = append([]byte(nil), p...)
	return len(p), nil
}

func (w *writerAt) bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	offs := make([]int64, 0, len(w.m))
	for o := range w.m {
		offs = append(offs, o)
	}
	slices.Sort(offs)
	var out []byte
	for _, o := range offs {
		if int64(len(out)) != o {
			return nil // a gap or an overlap: not the object
		}
		out = append(out, w.m[o]...)
	}
	return out
}
