package s3api

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"strings"

	"github.com/coldstore-dev/coldstore"
)

// crc64NVME is the table of CRC-64/NVME (x-amz-checksum-crc64nvme): the
// reflected polynomial 0x9a6c9329ac4bc9b5, with the pre- and
// post-inversion Go's crc64 applies.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// checksums are the x-amz-checksum-* algorithms S3 verifies, by the
// header's suffix, with their hashes.
var checksums = map[string]func() hash.Hash{
	"crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"crc64nvme": func() hash.Hash { return crc64.New(crc64NVME) },
	"sha1":      sha1.New,
	"sha256":    sha256.New,
}

// checkedBody is a request body checked, as it is read, against what the
// request says of it: Content-MD5 (BadDigest), a hex x-amz-content-sha256
// (XAmzContentSHA256Mismatch), and an x-amz-checksum-* (BadDigest). A
// mismatch fails the read at the end of the body, so the engine stores
// nothing.
type checkedBody struct {
	r          io.Reader
	md5        hash.Hash // always: the answer's ETag needs none, the check does
	wantMD5    []byte
	sha        hash.Hash
	wantSHA    []byte
	sum        hash.Hash
	sumName    string // the algorithm's header suffix, e.g. "crc32"
	wantSum    []byte
	sumEncoded string // the header's value, echoed in the answer
}

// checkedRequestBody reads the request's claims about its body. It
// returns InvalidDigest for a Content-MD5 that is not base64 of 16 bytes,
// InvalidArgument for an x-amz-content-sha256 that is neither hex nor a
// known keyword, or a checksum header that is not base64 of its
// algorithm's size, or several checksum headers; and 501 NotImplemented
// for an aws-chunked body (STREAMING-* payloads), which this server does
// not decode yet.
func checkedRequestBody(q *request, op string) (*checkedBody, error) {
	b := &checkedBody{r: q.body, md5: md5.New()}
	bad := func(detail string) error {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: detail, Err: coldstore.ErrInvalidArgument}
	}
	if m := q.r.Header.Get("Content-MD5"); m != "" {
		want, err := base64.StdEncoding.DecodeString(m)
		if err != nil || len(want) != md5.Size {
			return nil, errInvalidDigest
		}
		b.wantMD5 = want
	}
	switch s := q.r.Header.Get("x-amz-content-sha256"); {
	case s == "" || s == "UNSIGNED-PAYLOAD":
	case strings.HasPrefix(s, "STREAMING-") || strings.Contains(q.r.Header.Get("Content-Encoding"), "aws-chunked"):
		return nil, notImplemented(q, "an aws-chunked body ("+s+")")
	default:
		want, err := hex.DecodeString(s)
		if err != nil || len(want) != sha256.Size {
			return nil, bad("x-amz-content-sha256 is neither UNSIGNED-PAYLOAD nor a hex SHA-256")
		}
		b.wantSHA, b.sha = want, sha256.New()
	}
	for name, h := range checksums {
		v := q.r.Header.Get("x-amz-checksum-" + name)
		if v == "" {
			continue
		}
		if b.sum != nil {
			return nil, bad("more than one x-amz-checksum header")
		}
		want, err := base64.StdEncoding.DecodeString(v)
		b.sum, b.sumName, b.wantSum, b.sumEncoded = h(), name, want, v
		if err != nil || len(want) != b.sum.Size() {
			return nil, bad("x-amz-checksum-" + name + " is not base64 of " + name)
		}
	}
	return b, nil
}

func (c *checkedBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.md5.Write(p[:n])
	if c.sha != nil {
		c.sha.Write(p[:n])
	}
	if c.sum != nil {
		c.sum.Write(p[:n])
	}
	if err == io.EOF {
		if c.wantMD5 != nil && !bytes.Equal(c.md5.Sum(nil), c.wantMD5) {
			return n, errBadDigest
		}
		if c.wantSHA != nil && !bytes.Equal(c.sha.Sum(nil), c.wantSHA) {
			return n, errSHA256Mismatch
		}
		if c.sum != nil && !bytes.Equal(c.sum.Sum(nil), c.wantSum) {
			return n, &coldstore.OpError{Err: errBadDigest, Message: "The " + strings.ToUpper(c.sumName) + " you specified did not match the calculated checksum."}
		}
	}
	return n, err
}

// echo writes the verified checksum back, as S3 answers a PUT that sent
// one.
func (c *checkedBody) echo(q *request) {
	if c.sum != nil {
		q.header("x-amz-checksum-"+c.sumName, c.sumEncoded)
	}
}
