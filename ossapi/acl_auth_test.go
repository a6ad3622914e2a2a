package ossapi_test

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// aclServer is a server with keys holding, put by its owner:
//
//	pub  (public-read):       a (default), secret (private)
//	priv (private):           shared (public-read), hidden (default), open (public-read-write)
//	rwb  (public-read-write): w (default)
func aclServer(t *testing.T) *authServer {
	t.Helper()
	s := newAuthServer(t)
	c := v2Client(s.url, "ak", "secret", oss.SignatureVersionV4)
	for name, acl := range map[string]oss.BucketACLType{"pub": oss.BucketACLPublicRead, "priv": oss.BucketACLPrivate, "rwb": oss.BucketACLPublicReadWrite} {
		_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(name), Acl: acl})
		require.NoError(t, err)
	}
	for _, o := range []struct {
		bucket, key string
		acl         oss.ObjectACLType
	}{{"pub", "a", ""}, {"pub", "secret", oss.ObjectACLPrivate}, {"priv", "shared", oss.ObjectACLPublicRead},
		{"priv", "hidden", ""}, {"priv", "open", oss.ObjectACLPublicReadWrite}, {"rwb", "w", ""}} {
		_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(o.bucket), Key: oss.Ptr(o.key), Acl: o.acl,
			Body: strings.NewReader(o.bucket + "/" + o.key)})
		require.NoError(t, err)
	}
	return s
}

// anonymous sends an unsigned request and returns its status, its error
// code ("" when none) and its body.
func anonymous(t *testing.T, method, url string, hdr map[string]string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(""))
	require.NoError(t, err)
	if method == "PUT" {
		req.Body = io.NopCloser(strings.NewReader("anonymous bytes"))
		req.ContentLength = int64(len("anonymous bytes"))
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	code := ""
	if i := strings.Index(string(body), "<Code>"); i >= 0 {
		code = string(body[i+6:])
		code = code[:strings.Index(code, "<")]
	}
	if e := resp.Header.Get("x-oss-err"); method == "HEAD" && e != "" { // the error document, base64
		doc, err := base64.StdEncoding.DecodeString(e)
		require.NoError(t, err)
		var x xmlErr
		require.NoError(t, xml.Unmarshal(doc, &x))
		code = x.Code
	}
	return resp.StatusCode, code, string(body)
}

// TestACL_AnonymousHTTP: with keys, an unsigned request is admitted when
// the ACLs let anyone make it, and refused with 403 AccessDenied
// otherwise; a refused one changes nothing.
func TestACL_AnonymousHTTP(t *testing.T) {
	s := aclServer(t)
	type want struct {
		status int
		code   string
	}
	denied := want{403, "AccessDenied"}
	for _, c := range []struct {
		method, path string
		hdr          map[string]string
		want         want
	}{
		// Reads: the object's own ACL, else its bucket's.
		{"GET", "/pub/a", nil, want{200, ""}},
		{"HEAD", "/pub/a", nil, want{200, ""}},
		{"GET", "/pub/a?response-content-type=text%2Fplain", nil, want{200, ""}},
		{"GET", "/pub/secret", nil, denied},
		{"HEAD", "/pub/secret", nil, denied},
		{"GET", "/priv/shared", nil, want{200, ""}},
		{"GET", "/priv/open", nil, want{200, ""}},
		{"GET", "/priv/hidden", nil, denied},
		{"GET", "/rwb/w", nil, want{200, ""}},
		{"GET", "/pub/missing", nil, want{404, "NoSuchKey"}},
		{"GET", "/priv/missing", nil, denied},
		{"GET", "/nobucket/k", nil, want{404, "NoSuchBucket"}},
		// Listings: a public bucket's.
		{"GET", "/pub", nil, want{200, ""}},
		{"GET", "/pub?list-type=2&prefix=a", nil, want{200, ""}},
		{"GET", "/rwb", nil, want{200, ""}},
		{"GET", "/priv", nil, denied},
		// Writes: public-read-write only.
		{"PUT", "/pub/new", nil, denied},
		{"PUT", "/pub/a", nil, denied},
		{"DELETE", "/pub/a", nil, denied},
		{"PUT", "/priv/shared", nil, denied},
		{"DELETE", "/priv/hidden", nil, denied},
		{"PUT", "/priv/x", map[string]string{"x-oss-copy-source": "/pub/a"}, denied},
		{"PUT", "/rwb/c", map[string]string{"x-oss-copy-source": "/priv/hidden"}, denied},
		{"PUT", "/rwb/c", map[string]string{"x-oss-copy-source": "/pub/secret"}, denied},
		{"PUT", "/rwb/w", map[string]string{"x-oss-object-acl": "private"}, denied},
		{"PUT", "/rwb/c", map[string]string{"x-oss-copy-source": "/pub/a", "x-oss-object-acl": "public-read"}, denied},
		// Everything else.
		{"GET", "/", nil, denied},
		{"PUT", "/newbucket", nil, denied},
		{"DELETE", "/rwb", nil, denied},
		{"GET", "/pub?acl", nil, denied},
		{"PUT", "/pub?acl", map[string]string{"x-oss-acl": "public-read-write"}, denied},
		{"GET", "/pub/a?acl", nil, denied},
		{"PUT", "/pub/a?acl", map[string]string{"x-oss-object-acl": "public-read-write"}, denied},
		{"PUT", "/rwb/w?acl", map[string]string{"x-oss-object-acl": "private"}, denied},
		{"GET", "/pub/a?tagging", nil, denied},
		{"PUT", "/rwb/w?tagging", nil, denied},
		{"GET", "/pub?bucketInfo", nil, denied},
		{"POST", "/rwb?delete", nil, denied},
		{"POST", "/pub/a?restore", nil, denied},
		{"GET", "/-/clock", nil, denied},
		{"GET", "/-/events", nil, denied},
		{"POST", "/pub/a", nil, denied},
	} {
		before := stateSigned(t, s)
		status, code, body := anonymous(t, c.method, s.url+c.path, c.hdr)
		require.Equal(t, c.want, want{status, code}, "%s %s: %s", c.method, c.path, body)
		if status >= 400 {
			require.Equal(t, before, stateSigned(t, s), "%s %s changed something", c.method, c.path)
		}
	}
}

// TestACL_AnonymousWrites: anyone writes where the ACL is
// public-read-write, and the writes take.
func TestACL_AnonymousWrites(t *testing.T) {
	s := aclServer(t)
	status, _, body := anonymous(t, "PUT", s.url+"/rwb/new", nil)
	require.Equal(t, 200, status, body)
	oi, err := s.db.Head(ctx, "rwb", "new")
	require.NoError(t, err)
	require.Equal(t, int64(len("anonymous bytes")), oi.Size)
	status, _, body = anonymous(t, "PUT", s.url+"/priv/open", nil)
	require.Equal(t, 200, status, "the object's own public-read-write: %s", body)
	status, _, body = anonymous(t, "PUT", s.url+"/rwb/copy", map[string]string{"x-oss-copy-source": "/pub/a"})
	require.Equal(t, 200, status, body)
	status, _, body = anonymous(t, "DELETE", s.url+"/rwb/new", nil)
	require.Equal(t, 204, status, body)
	_, err = s.db.Head(ctx, "rwb", "new")
	require.Error(t, err)
	status, _, body = anonymous(t, "GET", s.url+"/rwb/copy", nil)
	require.Equal(t, 200, status)
	require.Equal(t, "pub/a", body)
}

// TestACL_Changes: the owner's ACL changes rule the next anonymous
// request; an object that follows its bucket follows its changes.
func TestACL_Changes(t *testing.T) {
	s := aclServer(t)
	c := v2Client(s.url, "ak", "secret", oss.SignatureVersionV1)
	status, _, _ := anonymous(t, "GET", s.url+"/pub/a", nil)
	require.Equal(t, 200, status)
	_, err := c.PutBucketAcl(ctx, &oss.PutBucketAclRequest{Bucket: oss.Ptr("pub"), Acl: oss.BucketACLPrivate})
	require.NoError(t, err)
	status, _, _ = anonymous(t, "GET", s.url+"/pub/a", nil)
	require.Equal(t, 403, status)
	_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("pub"), Key: oss.Ptr("a"), Acl: oss.ObjectACLPublicRead})
	require.NoError(t, err)
	status, _, _ = anonymous(t, "GET", s.url+"/pub/a", nil)
	require.Equal(t, 200, status)
	_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("priv"), Key: oss.Ptr("shared"), Acl: oss.ObjectACLDefault})
	require.NoError(t, err)
	status, _, _ = anonymous(t, "GET", s.url+"/priv/shared", nil)
	require.Equal(t, 403, status)
}

// TestACL_BadSignatureNotAnonymous: a request that tries to sign and
// fails is refused as before, even where an unsigned one is admitted: it
// is never taken for an anonymous request.
func TestACL_BadSignatureNotAnonymous(t *testing.T) {
	s := aclServer(t)
	date := s.wallClock.Now().UTC().Format(http.TimeFormat)
	req, err := http.NewRequest("GET", s.url+"/pub/a", nil)
	require.NoError(t, err)
	v1Sign(req, "ak", "wrong", "/pub/a", date, false)
	status, body := send(t, req)
	require.Equal(t, 403, status)
	require.Contains(t, body, "SignatureDoesNotMatch")

	req, err = http.NewRequest("GET", s.url+"/pub/a", nil)
	require.NoError(t, err)
	v1Sign(req, "nobody", "secret", "/pub/a", date, false)
	status, body = send(t, req)
	require.Equal(t, 403, status)
	require.Contains(t, body, "InvalidAccessKeyId")

	for _, auth := range []string{"Bearer x", "OSS ak"} {
		req, err = http.NewRequest("GET", s.url+"/pub/a", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", auth)
		req.Header.Set("Date", date)
		status, body = send(t, req)
		require.Equal(t, 403, status, auth)
		require.NotContains(t, body, "pub/a", auth)
	}
	status, _, body = anonymous(t, "GET", s.url+"/pub/a?OSSAccessKeyId=ak&Expires=1&Signature=x", nil)
	require.Equal(t, 403, status)
	require.NotContains(t, body, "pub/a")
	status, _, body = anonymous(t, "GET", s.url+"/pub/a?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=x", nil)
	require.Equal(t, 403, status)
	require.NotContains(t, body, "pub/a")
}

// TestACL_AnonymousSDKv2: the Go SDK v2 with anonymous credentials reads
// and lists what is public, writes what is public-read-write, and gets
// AccessDenied for the rest.
func TestACL_AnonymousSDKv2(t *testing.T) {
	s := aclServer(t)
	cfg := oss.LoadDefaultConfig().WithCredentialsProvider(credentials.NewAnonymousCredentialsProvider()).
		WithRegion("cn-hangzhou").WithEndpoint(s.url).WithUsePathStyle(true).WithRetryMaxAttempts(1)
	c := oss.NewClient(cfg)

	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("pub"), Key: oss.Ptr("a")})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	got.Body.Close()
	require.Equal(t, "pub/a", string(body))
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("priv"), Key: oss.Ptr("shared")})
	require.NoError(t, err)
	list, err := c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("pub")})
	require.NoError(t, err)
	require.Len(t, list.Contents, 2)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("rwb"), Key: oss.Ptr("sdk"), Body: strings.NewReader("by anyone")})
	require.NoError(t, err)
	_, err = c.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: oss.Ptr("rwb"), Key: oss.Ptr("sdk")})
	require.NoError(t, err)

	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("pub"), Key: oss.Ptr("secret")})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("priv"), Key: oss.Ptr("hidden")})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("pub"), Key: oss.Ptr("a"), Body: strings.NewReader("defaced")})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("priv")})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.GetBucketAcl(ctx, &oss.GetBucketAclRequest{Bucket: oss.Ptr("pub")})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.PutObjectAcl(ctx, &oss.PutObjectAclRequest{Bucket: oss.Ptr("rwb"), Key: oss.Ptr("w"), Acl: oss.ObjectACLPrivate})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.PutBucketAcl(ctx, &oss.PutBucketAclRequest{Bucket: oss.Ptr("priv"), Acl: oss.BucketACLPublicReadWrite})
	serviceError(t, err, "AccessDenied", 403)
	_, err = c.ListBuckets(ctx, &oss.ListBucketsRequest{})
	serviceError(t, err, "AccessDenied", 403)

	oi, err := s.db.Head(ctx, "pub", "a")
	require.NoError(t, err)
	require.Equal(t, int64(len("pub/a")), oi.Size, "the refused write changed nothing")
	b, err := s.db.Bucket(ctx, "priv")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPrivate, b.ACL)
	w, err := s.db.Head(ctx, "rwb", "w")
	require.NoError(t, err)
	require.Equal(t, "", w.ACL)
}

// TestACL_SDKv1Signed: the older Go SDK, signing V1 and V4 with the
// owner's key, sets and reads ACLs on a server with keys (x-oss-acl and
// x-oss-object-acl are signed as it signs them), and what it sets rules
// anonymous requests. Without credentials it still signs (with an empty
// key id): such a request is refused as any bad signature, even for a
// public object, never taken for an anonymous one.
func TestACL_SDKv1Signed(t *testing.T) {
	s := aclServer(t)
	for i, opt := range []ossv1.ClientOption{ossv1.AuthVersion(ossv1.AuthV1), ossv1.AuthVersion(ossv1.AuthV4)} {
		client, err := ossv1.New(s.url, "ak", "secret", ossv1.ForcePathStyle(true), opt, ossv1.Region("cn-hangzhou"))
		require.NoError(t, err)
		name := []string{"v1-sig-v1", "v1-sig-v4"}[i]
		require.NoError(t, client.CreateBucket(name, ossv1.ACL(ossv1.ACLPublicRead)))
		b, err := client.Bucket(name)
		require.NoError(t, err)
		require.NoError(t, b.PutObject("k", strings.NewReader("v1"), ossv1.ObjectACL(ossv1.ACLPrivate)))
		status, _, _ := anonymous(t, "GET", s.url+"/"+name+"/k", nil)
		require.Equal(t, 403, status, "private object")
		require.NoError(t, b.SetObjectACL("k", ossv1.ACLDefault))
		status, _, body := anonymous(t, "GET", s.url+"/"+name+"/k", nil)
		require.Equal(t, 200, status, "follows the public-read bucket")
		require.Equal(t, "v1", body)
		require.NoError(t, client.SetBucketACL(name, ossv1.ACLPrivate))
		status, _, _ = anonymous(t, "GET", s.url+"/"+name+"/k", nil)
		require.Equal(t, 403, status, "follows the now private bucket")
		acl, err := client.GetBucketACL(name)
		require.NoError(t, err)
		require.Equal(t, "private", acl.ACL)
		oacl, err := b.GetObjectACL("k")
		require.NoError(t, err)
		require.Equal(t, "default", oacl.ACL)
	}

	client, err := ossv1.New(s.url, "", "", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	pub, err := client.Bucket("pub")
	require.NoError(t, err)
	_, err = pub.GetObject("a")
	v1Error(t, err, "InvalidAccessKeyId", 403)
}

// TestACL_NoKeys: without keys every request is the owner's, unsigned or
// not, whatever the ACLs say.
func TestACL_NoKeys(t *testing.T) {
	db, m := enginetest.New(t, nil)
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m}))
	t.Cleanup(srv.Close)
	require.NoError(t, db.CreateBucket(ctx, "priv", nil))
	_, err := db.Put(ctx, "priv", "k", strings.NewReader("mine"), &engine.PutOptions{ACL: engine.ACLPrivate})
	require.NoError(t, err)
	status, _, body := anonymous(t, "GET", srv.URL+"/priv/k", nil)
	require.Equal(t, 200, status)
	require.Equal(t, "mine", body)
	status, _, _ = anonymous(t, "PUT", srv.URL+"/priv/k?acl", map[string]string{"x-oss-object-acl": "public-read"})
	require.Equal(t, 200, status)
	status, _, _ = anonymous(t, "PUT", srv.URL+"/priv/new", nil)
	require.Equal(t, 200, status)
	oi, err := db.Head(ctx, "priv", "k")
	require.NoError(t, err)
	require.Equal(t, engine.ACLPublicRead, oi.ACL)
}

// stateSigned is what a refused anonymous request must leave unchanged:
// the buckets with their ACLs, and every object with its ACL and bytes,
// read from the database.
func stateSigned(t *testing.T, s *authServer) string {
	t.Helper()
	var b strings.Builder
	buckets, err := s.db.ListBuckets(ctx)
	require.NoError(t, err)
	for _, bi := range buckets {
		b.WriteString(bi.Name + " " + bi.ACL + "\n")
		list, err := s.db.List(ctx, bi.Name, nil)
		require.NoError(t, err)
		for _, o := range list.Objects {
			fmt.Fprintf(&b, " %s %q %s %s %v %v\n", o.Key, o.ACL, o.ETag, o.StorageClass, o.Restore.State, o.Tags)
		}
	}
	return b.String()
}
