package s3api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"
)

// payloads records the x-amz-content-sha256 of the PUTs h serves.
type payloads struct {
	h    http.Handler
	mu   sync.Mutex
	seen []string
}

func (p *payloads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		p.mu.Lock()
		p.seen = append(p.seen, r.Header.Get("x-amz-content-sha256"))
		p.mu.Unlock()
	}
	p.h.ServeHTTP(w, r)
}

func (p *payloads) saw(mode string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.seen, mode)
}

// TestSDK_TLSTrailingChecksums: over TLS aws-sdk-go-v2 sends its bodies
// aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER, with the CRC-32 in the
// trailer: decoded, checked, and stored without the framing.
func TestSDK_TLSTrailingChecksums(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	rec := &payloads{h: s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})}
	srv := httptest.NewTLSServer(rec)
	t.Cleanup(srv.Close)
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), Retryer: aws.NopRetryer{},
		HTTPClient: srv.Client(), RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported})
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	body := someBytes(5, 300000)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: bytes.NewReader(body),
		StorageClass: types.StorageClassStandardIa, ContentEncoding: aws.String("gzip")})
	require.NoError(t, err)
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), oi.Size, "the framing is not stored")
	require.Equal(t, md5hex(string(body)), oi.ETag)
	require.Equal(t, "gzip", oi.Headers["Content-Encoding"], "aws-chunked is the request's, not the object's")
	require.True(t, rec.saw("STREAMING-UNSIGNED-PAYLOAD-TRAILER"), "the SDK sent its trailer form: %v", rec.seen)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	require.NoError(t, err)
	all, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, all))
}

// TestMinio_SignedChunks: minio-go over HTTP signs every chunk
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); the chain of signatures is checked,
// and the archive story holds through its client.
func TestMinio_SignedChunks(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	rec := &payloads{h: s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	mc, err := minio.New(strings.TrimPrefix(srv.URL, "http://"), &minio.Options{Creds: miniocreds.NewStaticV4("AKID", "SECRET", ""), Region: "us-east-1"})
	require.NoError(t, err)
	require.NoError(t, mc.MakeBucket(ctx, "bkt", minio.MakeBucketOptions{}))
	body := someBytes(6, 200000)
	_, err = mc.PutObject(ctx, "bkt", "cold", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{StorageClass: "GLACIER"})
	require.NoError(t, err)
	oi, err := db.Head(ctx, "bkt", "cold")
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), oi.Size)
	require.True(t, rec.saw("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), "minio-go signed its chunks: %v", rec.seen)
	st, err := mc.StatObject(ctx, "bkt", "cold", minio.StatObjectOptions{})
	require.NoError(t, err, "minio-go parses x-amz-restore strictly; there is none yet")
	require.False(t, st.Restore != nil && st.Restore.OngoingRestore)
	obj, err := mc.GetObject(ctx, "bkt", "cold", minio.GetObjectOptions{})
	require.NoError(t, err)
	_, err = io.ReadAll(obj)
	require.Error(t, err)
	require.Equal(t, "InvalidObjectState", minio.ToErrorResponse(err).Code)
	require.NoError(t, mc.RestoreObject(ctx, "bkt", "cold", "", minio.RestoreRequest{Days: ptrInt(1), GlacierJobParameters: &minio.GlacierJobParameters{Tier: minio.TierExpedited}}))
	m.Add(5 * 60 * 1e9)
	st, err = mc.StatObject(ctx, "bkt", "cold", minio.StatObjectOptions{})
	require.NoError(t, err)
	require.NotNil(t, st.Restore)
	require.False(t, st.Restore.OngoingRestore)
	require.Equal(t, "2024-01-03T00:00:00Z", st.Restore.ExpiryTime.UTC().Format("2006-01-02T15:04:05Z"))
	obj, err = mc.GetObject(ctx, "bkt", "cold", minio.GetObjectOptions{})
	require.NoError(t, err)
	all, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, all))
	var listed []minio.ObjectInfo
	for o := range mc.ListObjects(ctx, "bkt", minio.ListObjectsOptions{WithRestoreStatus: true}) {
		require.NoError(t, o.Err)
		listed = append(listed, o)
	}
	require.Len(t, listed, 1)
	require.NotNil(t, listed[0].Restore, "RestoreStatus, asked for")
	require.False(t, listed[0].Restore.OngoingRestore)
	require.Equal(t, time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), listed[0].Restore.ExpiryTime.UTC())

	// Above 16 MiB minio-go uploads in parts, each chunk signed.
	big := someBytes(7, 17<<20)
	info, err := mc.PutObject(ctx, "bkt", "big", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{StorageClass: "DEEP_ARCHIVE"})
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(info.ETag, "-2"), info.ETag)
	oi, err = db.Head(ctx, "bkt", "big")
	require.NoError(t, err)
	require.Equal(t, int64(len(big)), oi.Size)
	require.Equal(t, storageclass.S3DeepArchive, oi.StorageClass)
	lc := lifecycle.NewConfiguration()
	lc.Rules = []lifecycle.Rule{{ID: "deep", Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: "logs/"},
		Transition: lifecycle.Transition{Days: 30, StorageClass: "DEEP_ARCHIVE"}}}
	require.NoError(t, mc.SetBucketLifecycle(ctx, "bkt", lc))
	got, err := mc.GetBucketLifecycle(ctx, "bkt")
	require.NoError(t, err)
	require.Equal(t, "deep", got.Rules[0].ID)
	require.Equal(t, "DEEP_ARCHIVE", got.Rules[0].Transition.StorageClass)

	// A chunk signed with another key is refused, and nothing is stored.
	bad, err := minio.New(strings.TrimPrefix(srv.URL, "http://"), &minio.Options{Creds: miniocreds.NewStaticV4("AKID", "WRONG", ""), Region: "us-east-1"})
	require.NoError(t, err)
	_, err = bad.PutObject(ctx, "bkt", "forged", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{})
	require.Error(t, err)
	_, err = db.Head(ctx, "bkt", "forged")
	require.Error(t, err)
}

func ptrInt(v int) *int { return &v }

// TestChunked_Forged: a body whose chunk signatures do not chain from the
// request's signature is refused with nothing stored; so are a broken
// frame and a length that is not the decoded one.
func TestChunked_Forged(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	unsigned := map[string]string{"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
		"x-amz-trailer": "x-amz-checksum-crc32", "x-amz-decoded-content-length": "9"}
	good := "9\r\n123456789\r\n0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n"
	w := do(t, h, "PUT", "/bkt/ok", good, unsigned)
	require.Equal(t, 200, w.Code, w.Body.String())
	for name, body := range map[string]string{
		"bad checksum":    "9\r\n123456789\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
		"no trailer":      "9\r\n123456789\r\n0\r\n\r\n",
		"short chunk":     "9\r\n12345678",
		"bad size":        "z\r\n123456789\r\n0\r\n\r\n",
		"no CRLF":         "9\r\n123456789XX0\r\n\r\n",
		"length mismatch": "4\r\n1234\r\n0\r\nx-amz-checksum-crc32:m+PVTg==\r\n\r\n",
	} {
		w := do(t, h, "PUT", "/bkt/k", body, unsigned)
		require.Equal(t, 400, w.Code, "%s: %s", name, w.Body.String())
		require.Equal(t, 404, do(t, h, "HEAD", "/bkt/k", "", nil).Code, "%s stored nothing", name)
	}
}

// TestMinio_SignedTrailer: minio-go with trailing headers signs its chunks
// and its trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, the CRC-32C
// in the trailer): both are checked; another key is refused.
func TestMinio_SignedTrailer(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	rec := &payloads{h: s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	client := func(secret string) *minio.Client {
		mc, err := minio.New(strings.TrimPrefix(srv.URL, "http://"), &minio.Options{Creds: miniocreds.NewStaticV4("AKID", secret, ""),
			Region: "us-east-1", TrailingHeaders: true})
		require.NoError(t, err)
		return mc
	}
	mc := client("SECRET")
	require.NoError(t, mc.MakeBucket(ctx, "bkt", minio.MakeBucketOptions{}))
	body := someBytes(8, 150000)
	_, err := mc.PutObject(ctx, "bkt", "k", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C})
	require.NoError(t, err)
	require.True(t, rec.saw("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"), "minio-go signed its trailer: %v", rec.seen)
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, md5hex(string(body)), oi.ETag)
	_, err = client("WRONG").PutObject(ctx, "bkt", "forged", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C})
	require.Error(t, err)
	_, err = db.Head(ctx, "bkt", "forged")
	require.Error(t, err)
}
