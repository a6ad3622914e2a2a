package s3api_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/stretchr/testify/require"
)

// TestPut_LargeBodyChecked: a body large enough for its sums to be
// computed beside the engine (bodyHashes, 512 KiB and more) is checked as
// a small one is: a wrong x-amz-content-sha256, Content-MD5 or
// x-amz-checksum-* fails the PUT or the part and stores nothing; the
// right ones store the body whole.
func TestPut_LargeBodyChecked(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	r := rand.New(rand.NewPCG(7, 8))
	b := make([]byte, 3<<20+5) // more pieces than bodyHashes holds at once
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	body := string(b)
	sha := sha256.Sum256(b)
	sum := md5.Sum(b)
	crc := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
	crcB64 := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	right := map[string]string{
		"x-amz-content-sha256":  hex.EncodeToString(sha[:]),
		"Content-MD5":           base64.StdEncoding.EncodeToString(sum[:]),
		"x-amz-checksum-crc32c": crcB64,
	}
	for name, c := range map[string]struct{ header, value, code string }{
		"sha256": {"x-amz-content-sha256", strings.Repeat("0", 64), "XAmzContentSHA256Mismatch"},
		"md5":    {"Content-MD5", base64.StdEncoding.EncodeToString(make([]byte, 16)), "BadDigest"},
		"crc32c": {"x-amz-checksum-crc32c", "AAAAAA==", "BadDigest"},
	} {
		hdr := map[string]string{}
		for k, v := range right {
			hdr[k] = v
		}
		hdr[c.header] = c.value
		w := do(t, h, "PUT", "/bkt/big", body, hdr)
		require.Equal(t, 400, w.Code, name)
		require.Equal(t, c.code, errorOf(t, w).Code, name)
		require.Equal(t, 404, do(t, h, "HEAD", "/bkt/big", "", nil).Code, "%s: nothing stored", name)
	}
	w := do(t, h, "PUT", "/bkt/big", body, right)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, crcB64, w.Header().Get("x-amz-checksum-crc32c"))
	w = do(t, h, "GET", "/bkt/big", "", nil)
	require.Equal(t, 200, w.Code)
	require.True(t, w.Body.String() == body, "the body whole")

	w = do(t, h, "POST", "/bkt/part?uploads", "", nil)
	require.Equal(t, 200, w.Code)
	id := between(w.Body.String(), "<UploadId>", "</UploadId>")
	w = do(t, h, "PUT", "/bkt/part?partNumber=1&uploadId="+id, body, map[string]string{"x-amz-content-sha256": strings.Repeat("0", 64)})
	require.Equal(t, "XAmzContentSHA256Mismatch", errorOf(t, w).Code)
	w = do(t, h, "GET", "/bkt/part?uploadId="+id, "", nil)
	require.Equal(t, 200, w.Code)
	require.NotContains(t, w.Body.String(), "<Part>", "no part stored")
	w = do(t, h, "PUT", "/bkt/part?partNumber=1&uploadId="+id, body, right)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, `"`+hex.EncodeToString(sum[:])+`"`, w.Header().Get("ETag"))
}

func between(s, from, to string) string {
	_, s, _ = strings.Cut(s, from)
	s, _, _ = strings.Cut(s, to)
	return s
}
