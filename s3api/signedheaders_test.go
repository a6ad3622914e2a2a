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

// TestAuth_HeaderForms: the Authorization header's fields are read in any
// order, with or without spaces after the commas; a credential that is
// not id/date/region/service/aws4_request, or a field missing, is
// malformed (400), not a mismatch.
func TestAuth_HeaderForms(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	fields := regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$`)
	for _, tc := range []struct {
		name string
		auth func(cred, signed, sig string) string
		code int
	}{
		{"as signed", func(c, h, s string) string { return "Credential=" + c + ", SignedHeaders=" + h + ", Signature=" + s }, 200},
		{"no spaces", func(c, h, s string) string { return "Credential=" + c + ",SignedHeaders=" + h + ",Signature=" + s }, 200},
		{"reordered", func(c, h, s string) string { return "Signature=" + s + ", Credential=" + c + ", SignedHeaders=" + h }, 200},
		{"the last of a name counts", func(c, h, s string) string {
			return "Signature=00, Credential=" + c + ", SignedHeaders=" + h + ", Signature=" + s
		}, 200},
		{"wrong signature", func(c, h, s string) string {
			other := "0" // another first digit: the signature may start with 0 (the date decides)
			if s[0] == '0' {
				other = "1"
			}
			return "Credential=" + c + ", SignedHeaders=" + h + ", Signature=" + other + s[1:]
		}, 403},
		{"six parts", func(c, h, s string) string { return "Credential=" + c + "/x, SignedHeaders=" + h + ", Signature=" + s }, 400},
		{"four parts", func(c, h, s string) string {
			return "Credential=" + strings.TrimSuffix(c, "/aws4_request") + ", SignedHeaders=" + h + ", Signature=" + s
		}, 400},
		{"another terminator", func(c, h, s string) string {
			return "Credential=" + strings.TrimSuffix(c, "aws4_request") + "aws4_requests, SignedHeaders=" + h + ", Signature=" + s
		}, 400},
		{"no id", func(c, h, s string) string {
			return "Credential=" + strings.TrimPrefix(c, "AKID") + ", SignedHeaders=" + h + ", Signature=" + s
		}, 400},
		{"no signature", func(c, h, s string) string { return "Credential=" + c + ", SignedHeaders=" + h }, 400},
		{"no signed headers", func(c, h, s string) string { return "Credential=" + c + ", Signature=" + s }, 400},
	} {
		r := signedRequest(t, "GET", "/", nil)
		f := fields.FindStringSubmatch(r.Header.Get("Authorization"))
		require.NotNil(t, f, r.Header.Get("Authorization"))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 "+tc.auth(f[1], f[2], f[3]))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, tc.code, w.Code, "%s: %s", tc.name, w.Body)
		if tc.code == 400 {
			require.Contains(t, w.Body.String(), "<Code>AuthorizationHeaderMalformed</Code>", tc.name)
		}
	}
}

// TestAuth_UnsignedAmzHeaders: an x-amz-* header the signature leaves out
// is refused, 403 AccessDenied naming it, and nothing is stored: it would
// change what the signed request does (a class, a tag, metadata, a copy's
// source); signed, the same header is taken.
func TestAuth_UnsignedAmzHeaders(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(t, "PUT", "/bkt", nil))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	for _, hdr := range [][2]string{{"X-Amz-Storage-Class", "GLACIER"}, {"X-Amz-Tagging", "a=b"}, {"X-Amz-Meta-Owner", "eve"}, {"x-amz-copy-source", "/bkt/other"}} {
		r := signedRequest(t, "PUT", "/bkt/k", []byte("body"))
		r.Header.Set(hdr[0], hdr[1]) // added after signing
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusForbidden, w.Code, hdr[0])
		require.Contains(t, w.Body.String(), "<Code>AccessDenied</Code>", hdr[0])
		require.Contains(t, w.Body.String(), strings.ToLower(hdr[0]), "named in the answer")
		_, err := db.Head(ctx, "bkt", "k")
		require.Error(t, err, "nothing stored: %s", hdr[0])
	}
	r := httptest.NewRequest("PUT", "/bkt/k", bytes.NewReader([]byte("body")))
	r.Host = "127.0.0.1:9000"
	sum := sha256.Sum256([]byte("body"))
	r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	r.Header.Set("X-Amz-Storage-Class", "GLACIER")
	require.NoError(t, v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, r, hex.EncodeToString(sum[:]), "s3", "us-east-1", time.Now()))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	oi, err := db.Head(ctx, "bkt", "k")
	require.NoError(t, err)
	require.Equal(t, "GLACIER", string(oi.StorageClass))
}
