package s3api

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
)

// The aws-chunked body encoding (research/s3.md §10), in its three forms,
// selected by x-amz-content-sha256:
//
//	STREAMING-AWS4-HMAC-SHA256-PAYLOAD          <hex size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n\r\n
//	STREAMING-UNSIGNED-PAYLOAD-TRAILER          <hex size>\r\n<data>\r\n ... 0\r\n<trailer>:<value>\r\n\r\n
//	STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed chunks, then the trailer and x-amz-trailer-signature:<sig>
//
// The object is the chunks' data, x-amz-decoded-content-length bytes; the
// framing is never stored. With keys, each chunk signature chains from the
// request's seed signature: HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" date
// "\n" scope "\n" previous "\n" hex(SHA256("")) "\n" hex(SHA256(data))),
// and the trailer's HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" date "\n" scope
// "\n" previous "\n" hex(SHA256(trailer lines))). The trailer names the
// checksum (x-amz-trailer) that the body is checked against as a checksum
// header would be.

const (
	streamingSigned        = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingUnsignedTrail = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	maxChunkLine           = 4096
	emptySHA256            = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	malformedFrame         = "the aws-chunked body is malformed"
)

// errIncompleteChunked is the answer to an aws-chunked body whose framing
// is broken: S3's IncompleteBody.
var errIncompleteChunked = &coldstore.Error{Code: "IncompleteBody", Status: 400, Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}

// signer is what a verified SigV4 request leaves for its chunks: the
// signing key, the scope, the timestamp and the request's signature.
type signer struct {
	key              *wire.SigningKey
	scope, timestamp string
	seed             string
}

// chunkedBody decodes an aws-chunked body as it is read.
type chunkedBody struct {
	r         *bufio.Reader
	signed    bool
	trailer   bool
	sig       *signer // nil: no keys, signatures are not checked
	prev      string  // the previous signature in the chain
	left      int64   // bytes of the current chunk not yet read
	done      bool
	decoded   int64 // data bytes so far
	want      int64 // x-amz-decoded-content-length; -1 when absent
	trailers  map[string]string
	chunkData bytes.Buffer // the current chunk's data, for its signature
	// pendingSig is the signature the current chunk's header gave.
	pendingSig string
	// trailerSigned says the trailer carried x-amz-trailer-signature.
	trailerSigned bool
	err           error
}

// newChunkedBody returns the decoder of q's aws-chunked body with payload
// mode mode (one of the STREAMING-* values).
func newChunkedBody(q *request, mode string, sig *signer) (*chunkedBody, error) {
	c := &chunkedBody{r: bufio.NewReaderSize(q.body, 64<<10), signed: mode != streamingUnsignedTrail,
		trailer: mode != streamingSigned, sig: sig, want: -1}
	if sig != nil {
		c.prev = sig.seed
	}
	if v := q.r.Header.Get("x-amz-decoded-content-length"); v != "" {
		n, ok := wire.ParseDigits(v)
		if !ok {
			return nil, &coldstore.OpError{Op: "PutObject", Bucket: q.bucket, Key: q.key, Detail: "x-amz-decoded-content-length " + strconv.Quote(v), Err: coldstore.ErrInvalidArgument}
		}
		c.want = n
	}
	return c, nil
}

func (c *chunkedBody) fail(detail string) error {
	c.err = &coldstore.OpError{Op: "PutObject", Detail: detail, Err: errIncompleteChunked}
	return c.err
}

func (c *chunkedBody) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.left == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.nextChunk(); err != nil {
			return 0, err
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	c.decoded += int64(n)
	if c.sig != nil && c.signed {
		c.chunkData.Write(p[:n])
	}
	if err == io.EOF && c.left > 0 {
		return n, c.fail("the body ends inside a chunk")
	}
	if err != nil && err != io.EOF {
		c.err = err
		return n, err
	}
	if c.left == 0 {
		if err := c.endChunk(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// line reads one CRLF-terminated line of the framing.
func (c *chunkedBody) line() (string, error) {
	var b []byte
	for {
		part, isPrefix, err := c.r.ReadLine()
		if err != nil {
			if err == io.EOF {
				return "", c.fail("the body ends inside its framing")
			}
			c.err = err
			return "", err
		}
		b = append(b, part...)
		if len(b) > maxChunkLine {
			return "", c.fail("a framing line is too long")
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// nextChunk reads a chunk's header; the last chunk's, and the trailer.
func (c *chunkedBody) nextChunk() error {
	l, err := c.line()
	if err != nil {
		return err
	}
	size, ext, _ := strings.Cut(l, ";")
	n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
	if err != nil || n < 0 {
		return c.fail(malformedFrame + ": chunk size " + strconv.Quote(size))
	}
	var chunkSig string
	if c.signed {
		s, ok := strings.CutPrefix(strings.TrimSpace(ext), "chunk-signature=")
		if !ok {
			return c.fail(malformedFrame + ": no chunk-signature")
		}
		chunkSig = s
	}
	c.left = n
	c.chunkData.Reset()
	c.pendingSig = chunkSig
	if n == 0 {
		if err := c.checkChunkSignature(); err != nil {
			return err
		}
		c.done = true
		return c.finish()
	}
	return nil
}

// endChunk reads the CRLF after a chunk's data and checks its signature.
func (c *chunkedBody) endChunk() error {
	l, err := c.line()
	if err != nil {
		return err
	}
	if l != "" {
		return c.fail(malformedFrame + ": no CRLF after a chunk")
	}
	return c.checkChunkSignature()
}

// checkChunkSignature verifies the signature of the chunk just read.
func (c *chunkedBody) checkChunkSignature() error {
	if c.sig == nil || !c.signed {
		return nil
	}
	sum := sha256.Sum256(c.chunkData.Bytes())
	toSign := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.sig.timestamp + "\n" + c.sig.scope + "\n" + c.prev + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:])
	want := hex.EncodeToString(c.sig.key.AppendHMAC(nil, []byte(toSign)))
	if !hmac.Equal([]byte(want), []byte(c.pendingSig)) {
		c.err = &coldstore.OpError{Op: "PutObject", Detail: "a chunk's signature", Err: errSignatureDoesNotMatch}
		return c.err
	}
	c.prev = want
	return nil
}

// finish reads the trailer, when the mode has one, and checks the decoded
// length.
func (c *chunkedBody) finish() error {
	if c.trailer {
		c.trailers = map[string]string{}
		var lines []string
		for {
			l, err := c.line()
			if err != nil {
				return err
			}
			if l == "" {
				// A signed trailer ends with its signature: the empty
				// line some clients (minio-go) write before it is not
				// the end.
				if c.signed && !c.trailerSigned {
					continue
				}
				break
			}
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				return c.fail(malformedFrame + ": trailer line " + strconv.Quote(l))
			}
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "x-amz-trailer-signature" {
				if err := c.checkTrailerSignature(lines, strings.TrimSpace(v)); err != nil {
					return err
				}
				continue
			}
			if c.trailerSigned {
				return c.fail(malformedFrame + ": a trailer line after the trailer's signature")
			}
			lines = append(lines, k+":"+strings.TrimSpace(v))
			c.trailers[k] = strings.TrimSpace(v)
		}
		if c.signed && c.sig != nil && !c.trailerSigned && len(lines) > 0 {
			c.err = &coldstore.OpError{Op: "PutObject", Detail: "a signed trailer without x-amz-trailer-signature", Err: errSignatureDoesNotMatch}
			return c.err
		}
	} else if l, err := c.line(); err != nil || l != "" {
		if err != nil {
			return err
		}
		return c.fail(malformedFrame + ": data after the last chunk")
	}
	if c.want >= 0 && c.decoded != c.want {
		return c.fail("x-amz-decoded-content-length " + strconv.FormatInt(c.want, 10) + ", the chunks hold " + strconv.FormatInt(c.decoded, 10))
	}
	return nil
}

// checkTrailerSignature verifies x-amz-trailer-signature over the trailer
// lines before it.
func (c *chunkedBody) checkTrailerSignature(lines []string, got string) error {
	c.trailerSigned = true
	if c.sig == nil {
		return nil
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n") + "\n"))
	toSign := "AWS4-HMAC-SHA256-TRAILER\n" + c.sig.timestamp + "\n" + c.sig.scope + "\n" + c.prev + "\n" + hex.EncodeToString(sum[:])
	want := hex.EncodeToString(c.sig.key.AppendHMAC(nil, []byte(toSign)))
	if !hmac.Equal([]byte(want), []byte(got)) {
		c.err = &coldstore.OpError{Op: "PutObject", Detail: "the trailer's signature", Err: errSignatureDoesNotMatch}
		return c.err
	}
	return nil
}

// trailerChecksum returns the checksum the trailer carries for the header
// name x-amz-trailer announced, once the body has been read.
func (c *chunkedBody) trailerChecksum(name string) (string, bool) {
	v, ok := c.trailers[strings.ToLower(name)]
	return v, ok
}
