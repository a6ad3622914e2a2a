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
	"strconv"
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
	md5        hash.Hash // with Content-MD5 only: the engine computes the ETag's own
	wantMD5    []byte
	sha        hash.Hash
	wantSHA    []byte
	sum        hash.Hash
	sumName    string // the algorithm's header suffix, e.g. "crc32"
	wantSum    []byte
	sumEncoded string // the header's value, echoed in the answer
	// chunked is the aws-chunked decoder whose trailer carries the
	// checksum (sumName, wantSum unknown until the end), nil otherwise.
	chunked *chunkedBody
	hashes  bodyHashes // md5, sha and sum, those that are set
}

// checkedRequestBody reads the request's claims about its body, and
// decodes an aws-chunked one (chunked.go). It returns InvalidDigest for a
// Content-MD5 that is not base64 of 16 bytes, InvalidArgument for an
// x-amz-content-sha256 that is neither hex nor a known keyword, a
// checksum header that is not base64 of its algorithm's size, several
// checksum headers, or an x-amz-trailer that names no checksum S3 knows.
func checkedRequestBody(q *request, op string) (*checkedBody, error) {
	b := &checkedBody{r: q.body}
	bad := func(detail string) error {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: detail, Err: coldstore.ErrInvalidArgument}
	}
	if vs, sent := q.r.Header["Content-Md5"]; sent {
		m := strings.Join(vs, ",") // sent empty, or twice: not a digest
		want, err := base64.StdEncoding.DecodeString(m)
		if err != nil || len(want) != md5.Size {
			return nil, errInvalidDigest
		}
		b.wantMD5, b.md5 = want, md5.New()
	}
	switch s := q.r.Header.Get("x-amz-content-sha256"); {
	case s == "" || s == "UNSIGNED-PAYLOAD":
	case s == streamingSigned || s == streamingUnsignedTrail || s == streamingSignedTrailer:
		c, err := newChunkedBody(q, s, q.sig)
		if err != nil {
			return nil, err
		}
		b.r = c
		if t := q.r.Header.Get("x-amz-trailer"); t != "" {
			name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-")
			h, known := checksums[name]
			if !ok || !known {
				return nil, bad("x-amz-trailer " + strconv.Quote(t) + " names no checksum")
			}
			b.sum, b.sumName, b.chunked = h(), name, c
		}
	case strings.HasPrefix(s, "STREAMING-"):
		return nil, notImplemented(q, "the payload "+s)
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
		if q.objectChecksum {
			if err := checkObjectChecksum(q, op, name, v, h().Size()); err != nil {
				return nil, err
			}
			continue
		}
		if b.sum != nil || b.chunked != nil {
			return nil, bad("more than one x-amz-checksum header")
		}
		want, err := base64.StdEncoding.DecodeString(v)
		b.sum, b.sumName, b.wantSum, b.sumEncoded = h(), name, want, v
		if err != nil || len(want) != b.sum.Size() {
			return nil, &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-checksum-" + name + " is not base64 of " + name,
				Err: coldstore.ErrInvalidRequest, Message: "Value for x-amz-checksum-" + name + " header is invalid."}
		}
	}
	for _, h := range []hash.Hash{b.md5, b.sha, b.sum} {
		if h != nil {
			b.hashes.add(h)
		}
	}
	return b, nil
}

// bodyLength refuses an object's or a part's body whose length the
// request does not give, as S3 does: neither a Content-Length nor
// aws-chunked framing (x-amz-content-sha256 STREAMING-…, which
// x-amz-decoded-content-length sizes) is 411 MissingContentLength, and a
// plain Transfer-Encoding: chunked 501 NotImplemented.
func bodyLength(q *request) error {
	streaming := strings.HasPrefix(q.r.Header.Get("x-amz-content-sha256"), "STREAMING-")
	switch {
	case len(q.r.TransferEncoding) > 0 && !streaming:
		return notImplemented(q, "header transfer-encoding: "+strings.Join(q.r.TransferEncoding, ","))
	case len(q.r.TransferEncoding) == 0 && q.r.Header["Content-Length"] == nil && q.r.ContentLength <= 0 && q.r.ProtoMajor < 2:
		return &coldstore.OpError{Bucket: q.bucket, Key: q.key, Detail: "no Content-Length", Err: errMissingLength}
	}
	return nil
}

// checkObjectChecksum checks the form of an x-amz-checksum-name header
// that names an object's checksum rather than the request body's: base64
// of size bytes, followed for a checksum of parts (S3's COMPOSITE) by "-"
// and their count. Its value is not compared: this server keeps no
// checksums of parts to compare it with.
func checkObjectChecksum(q *request, op, name, v string, size int) error {
	sum, parts, composite := strings.Cut(v, "-")
	want, err := base64.StdEncoding.DecodeString(sum)
	if composite {
		if n, perr := strconv.Atoi(parts); perr != nil || n < 1 || n > 10000 {
			err = strconv.ErrSyntax
		}
	}
	if err != nil || len(want) != size {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Key: q.key, Detail: "x-amz-checksum-" + name + " is not base64 of " + name,
			Err: coldstore.ErrInvalidRequest, Message: "Value for x-amz-checksum-" + name + " header is invalid."}
	}
	return nil
}

// behind moves the hashing to a goroutine of its own when the request
// declares a body of hashBehindMin bytes or more (bodyHashes), for an
// object's or a part's body; close must follow.
func (c *checkedBody) behind(q *request) {
	if q.r.ContentLength >= hashBehindMin {
		c.hashes.start()
	}
}

// close ends what behind started.
func (c *checkedBody) close() { c.hashes.stop() }

func (c *checkedBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.hashes.write(p[:n])
	if err == io.EOF {
		c.hashes.wait()
		if c.wantMD5 != nil && !bytes.Equal(c.md5.Sum(nil), c.wantMD5) {
			return n, errBadDigest
		}
		if c.wantSHA != nil && !bytes.Equal(c.sha.Sum(nil), c.wantSHA) {
			return n, errSHA256Mismatch
		}
		if c.chunked != nil {
			v, ok := c.chunked.trailerChecksum("x-amz-checksum-" + c.sumName)
			want, err := base64.StdEncoding.DecodeString(v)
			if !ok || err != nil || len(want) != c.sum.Size() {
				return n, &coldstore.OpError{Err: coldstore.ErrInvalidRequest, Message: "Value for x-amz-checksum-" + c.sumName + " trailing header is invalid."}
			}
			c.wantSum, c.sumEncoded = want, v
		}
		if c.sum != nil && !bytes.Equal(c.sum.Sum(nil), c.wantSum) {
			return n, &coldstore.OpError{Err: errBadDigest, Message: "The " + strings.ToUpper(c.sumName) + " you specified did not match the calculated checksum."}
		}
	}
	return n, err
}

// echo writes the verified checksum back, as S3 answers a PUT or an
// UploadPart that sent one; for an object's body (whole), with its type,
// the whole object's, which S3 gives a PUT and not a part.
func (c *checkedBody) echo(q *request, whole bool) {
	if c.sum != nil {
		q.header("x-amz-checksum-"+c.sumName, c.sumEncoded)
		if whole {
			q.header("x-amz-checksum-type", "FULL_OBJECT")
		}
	}
}

// required refuses a body that neither Content-MD5 nor a checksum covers,
// where S3 requires one (DeleteObjects, PutBucketLifecycleConfiguration):
// 400 InvalidRequest.
func (c *checkedBody) required(q *request, op string) error {
	if c.wantMD5 == nil && c.sum == nil {
		return &coldstore.OpError{Op: op, Bucket: q.bucket, Detail: "neither Content-MD5 nor x-amz-checksum-*",
			Err: coldstore.ErrInvalidRequest, Message: "Missing required header for this request: Content-MD5"}
	}
	return nil
}
