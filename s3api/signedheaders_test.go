package s3api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/stretchr/testify/require"
)

// TestAuth_SignedHeadersAsListed: the canonical request lists the signed
// headers lower case and sorted, whatever order and case the
// Authorization header names them in; a wrong signature is still refused.
func TestAuth_SignedHeadersAsListed(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	signed := func() *http.Request { return signedRequest(t, "GET", "/", nil) }
	list := regexp.MustCompile(`SignedHeaders=([^,]+)`)
	for name, rewrite := range map[string]func(string) string{
		"as signed": func(s string) string { return s },
		"reversed": func(s string) string {
			names := strings.Split(s, ";")
			slices.Reverse(names)
			return strings.Join(names, ";")
		},
		"upper case": strings.ToUpper,
	} {
		r := signed()
		auth := r.Header.Get("Authorization")
		r.Header.Set("Authorization", list.ReplaceAllStringFunc(auth, func(m string) string {
			return "SignedHeaders=" + rewrite(strings.TrimPrefix(m, "SignedHeaders="))
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, "%s: %s", name, w.Body)
	}
	r := signed()
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=0", 1)[:len(r.Header.Get("Authorization"))])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusForbidden, w.Code)
}

// signedRequest is a request without a body signed with SigV4 by the AWS
// SDK's signer, as the SDK signs one, for the key AKID:SECRET.
func signedRequest(t testing.TB, method, target string, body []byte) *http.Request {
	t.Helper()
	sum := sha256.Sum256(body)
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.Host = "127.0.0.1:9000"
	r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"},
		r, hex.EncodeToString(sum[:]), "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
