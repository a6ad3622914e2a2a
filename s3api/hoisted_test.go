package s3api_test

import (
	"context"
	"github.com/coldstore-dev/coldstore"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/stretchr/testify/require"
)

// presignedPut is a presigned PUT of target whose query carries extra,
// signed with only host as the AWS presigners sign it.
func presignedPut(t *testing.T, target string, extra url.Values, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("PUT", target+"?"+extra.Encode(), nil)
	r.Host = "127.0.0.1:9000"
	q := r.URL.Query()
	q.Set("X-Amz-Expires", "300")
	r.URL.RawQuery = q.Encode()
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"},
		r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
	require.NoError(t, err)
	p, err := http.NewRequest("PUT", signed, strings.NewReader(body))
	require.NoError(t, err)
	p.Host = "127.0.0.1:9000"
	return p
}

// TestPresigned_HoistedHeaders: a presigned PUT whose x-amz-* headers the
// presigner moved into the signed query stores them as S3 does: the
// metadata, the storage class (an archived object, then refused to GET),
// the tags; a header the request sends wins over the query's; an
// x-amz-acl S3 refuses is refused as the header is, and server-side
// encryption is 501, with nothing stored.
func TestPresigned_HoistedHeaders(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := serve(presignedPut(t, "/bkt/cold.txt", url.Values{"x-amz-meta-owner": {"me"}, "x-amz-storage-class": {"GLACIER"}, "x-amz-tagging": {"a=b&c=d"}}, "cold data"))
	require.Equal(t, 200, w.Code, w.Body.String())
	oi, err := db.Head(context.Background(), "bkt", "cold.txt")
	require.NoError(t, err)
	require.Equal(t, storageclass.S3Glacier, oi.StorageClass)
	require.Equal(t, map[string]string{"owner": "me"}, oi.Metadata)
	require.Equal(t, map[string]string{"a": "b", "c": "d"}, oi.Tags)

	// An x-amz-* header the URL does not sign is refused, as S3 refuses
	// it: it would ride on the URL's signature.
	r := presignedPut(t, "/bkt/warm.txt", url.Values{"x-amz-storage-class": {"GLACIER"}}, "warm data")
	r.Header.Set("x-amz-storage-class", "STANDARD_IA")
	w = serve(r)
	require.Equal(t, 403, w.Code, w.Body.String())
	require.Equal(t, "AccessDenied", errorOf(t, w).Code)
	_, err = db.Head(context.Background(), "bkt", "warm.txt")
	require.ErrorIs(t, err, coldstore.ErrNoSuchKey, "nothing stored")

	w = serve(presignedPut(t, "/bkt/acl.txt", url.Values{"x-amz-acl": {"public-read"}}, "x"))
	require.Equal(t, 400, w.Code)
	require.Equal(t, "AccessControlListNotSupported", errorOf(t, w).Code)
	w = serve(presignedPut(t, "/bkt/sse.txt", url.Values{"x-amz-server-side-encryption": {"AES256"}}, "x"))
	require.Equal(t, 501, w.Code)
	for _, k := range []string{"acl.txt", "sse.txt"} {
		_, err := db.Head(context.Background(), "bkt", k)
		require.Error(t, err, k)
	}
}
