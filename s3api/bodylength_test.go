package s3api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestBodyLength: a PUT whose body has no length, neither a
// Content-Length nor aws-chunked framing, is 411 MissingContentLength,
// and one sent with a plain Transfer-Encoding: chunked 501, as S3 answers
// them, nothing stored; a signature that signs transfer-encoding (which
// net/http takes out of the header) is verified, so the request meets
// that 501 rather than a 403.
func TestBodyLength(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})

	r := signedRequest(t, "PUT", "/bkt/k", nil)
	r.ContentLength = 0 // no Content-Length header: the signer set none
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusLengthRequired, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), "<Code>MissingContentLength</Code>")

	now := time.Now().UTC()
	ts, date := now.Format("20060102T150405Z"), now.Format("20060102")
	r = httptest.NewRequest("PUT", "/bkt/k", strings.NewReader("5\r\nhello\r\n0\r\n\r\n"))
	r.Host = "127.0.0.1:9000"
	r.ContentLength, r.TransferEncoding = -1, []string{"chunked"}
	r.Header.Set("X-Amz-Date", ts)
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	canon := "PUT\n/bkt/k\n\nhost:127.0.0.1:9000\ntransfer-encoding:chunked\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:" + ts +
		"\n\nhost;transfer-encoding;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"
	scope := date + "/us-east-1/s3/aws4_request"
	sum := sha256.Sum256([]byte(canon))
	key := wire.HMACSHA256(wire.HMACSHA256(wire.HMACSHA256(wire.HMACSHA256([]byte("AWS4SECRET"), date), "us-east-1"), "s3"), "aws4_request")
	sig := hex.EncodeToString(wire.HMACSHA256(key, "AWS4-HMAC-SHA256\n"+ts+"\n"+scope+"\n"+hex.EncodeToString(sum[:])))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+scope+", SignedHeaders=host;transfer-encoding;x-amz-content-sha256;x-amz-date, Signature="+sig)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusNotImplemented, w.Code, w.Body.String())
	_, err := db.Head(ctx, "bkt", "k")
	require.Error(t, err, "nothing stored")
}
