package ossapi_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// authServer is a server with keys: its database runs on a mock clock at
// 2024-01-01, its wall clock is a mock set to now, as the clients sign.
type authServer struct {
	url       string
	h         *ossapi.Handler
	db        *engine.DB
	dbClock   *clock.Mock
	wallClock *clock.Mock
	log       *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newAuthServer(t *testing.T) *authServer {
	t.Helper()
	db, m := enginetest.New(t, nil)
	wall := clock.NewMock()
	wall.Set(time.Now())
	s := &authServer{db: db, dbClock: m, wallClock: wall, log: &syncBuffer{}}
	s.h = ossapi.New(db, &ossapi.Options{Clock: m, WallClock: wall, Keys: map[string]string{"ak": "secret", "AKIDredactme": "secret2"},
		Logger: slog.New(slog.NewTextHandler(s.log, nil))})
	srv := httptest.NewServer(s.h)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func signedServer(t *testing.T) (string, *clock.Mock) {
	s := newAuthServer(t)
	return s.url, s.wallClock
}

func v2Client(url, id, secret string, v oss.SignatureVersionType) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret)).
		WithRegion("cn-hangzhou").WithEndpoint(url).WithUsePathStyle(true).WithSignatureVersion(v).
		WithRetryMaxAttempts(1)
	return oss.NewClient(cfg)
}

// exercise runs a few signed operations of every kind of request: service,
// bucket with a sub-resource, object with a body, headers and a query.
func exercise(t *testing.T, c *oss.Client, bucket string) {
	t.Helper()
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(bucket)})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("dir/a b+c"), StorageClass: oss.StorageClassArchive,
		Metadata: map[string]string{"who": "me"}, Body: strings.NewReader("x")})
	require.NoError(t, err)
	res, err := c.RestoreObject(ctx, &oss.RestoreObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("dir/a b+c")})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode)
	_, err = c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(bucket), Prefix: oss.Ptr("dir/"), MaxKeys: 5})
	require.NoError(t, err)
	_, err = c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr(bucket), Prefix: oss.Ptr("d"), Delimiter: oss.Ptr("/"), MaxKeys: 1,
		ContinuationToken: oss.Ptr("ZGly"), StartAfter: oss.Ptr("a b&c=d")})
	require.NoError(t, err)
	_, err = c.ListBuckets(ctx, &oss.ListBucketsRequest{})
	require.NoError(t, err)
	_, err = c.GetBucketLifecycle(ctx, &oss.GetBucketLifecycleRequest{Bucket: oss.Ptr(bucket)})
	serviceError(t, err, "NoSuchLifecycle", 404)
	acl, err := c.GetObjectAcl(ctx, &oss.GetObjectAclRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("dir/a b+c")})
	require.NoError(t, err)
	require.Equal(t, "default", oss.ToString(acl.ACL))
	_, err = c.GetObjectMeta(ctx, &oss.GetObjectMetaRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("dir/a b+c")})
	require.NoError(t, err)
	_, err = c.GetBucketWebsite(ctx, &oss.GetBucketWebsiteRequest{Bucket: oss.Ptr(bucket)})
	serviceError(t, err, "NotImplemented", 501) // signed, then refused: not a 403
}

func TestAuth_SDKv2(t *testing.T) {
	url, _ := signedServer(t)
	exercise(t, v2Client(url, "ak", "secret", oss.SignatureVersionV4), "sig-v4")
	exercise(t, v2Client(url, "ak", "secret", oss.SignatureVersionV1), "sig-v1")

	for _, v := range []oss.SignatureVersionType{oss.SignatureVersionV4, oss.SignatureVersionV1} {
		_, err := v2Client(url, "ak", "wrong", v).ListBuckets(ctx, &oss.ListBucketsRequest{})
		serviceError(t, err, "SignatureDoesNotMatch", 403)
		_, err = v2Client(url, "nobody", "secret", v).ListBuckets(ctx, &oss.ListBucketsRequest{})
		serviceError(t, err, "InvalidAccessKeyId", 403)
	}
	resp, err := http.Get(url + "/sig-v4/dir/a%20b%2Bc")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode, "anonymous requests are refused")
}

// TestAuth_Skew: a request signed more than 15 minutes from the server's
// wall clock, either way, is refused with RequestTimeTooSkewed, through
// both SDKs and every signature version; within 15 minutes it passes.
func TestAuth_Skew(t *testing.T) {
	s := newAuthServer(t)
	v4, v1 := v2Client(s.url, "ak", "secret", oss.SignatureVersionV4), v2Client(s.url, "ak", "secret", oss.SignatureVersionV1)
	sdk1, err := ossv1.New(s.url, "ak", "secret", ossv1.ForcePathStyle(true))
	require.NoError(t, err)
	sdk1v4, err := ossv1.New(s.url, "ak", "secret", ossv1.ForcePathStyle(true), ossv1.AuthVersion(ossv1.AuthV4), ossv1.Region("cn-hangzhou"))
	require.NoError(t, err)
	try := func() []error {
		_, e1 := v4.ListBuckets(ctx, &oss.ListBucketsRequest{})
		_, e2 := v1.ListBuckets(ctx, &oss.ListBucketsRequest{})
		_, e3 := sdk1.ListBuckets()
		_, e4 := sdk1v4.ListBuckets()
		return []error{e1, e2, e3, e4}
	}
	start := s.wallClock.Now()
	for _, d := range []time.Duration{14 * time.Minute, -14 * time.Minute} {
		s.wallClock.Set(start.Add(d))
		for i, err := range try() {
			require.NoError(t, err, "client %d at %v", i, d)
		}
	}
	for _, d := range []time.Duration{16 * time.Minute, -16 * time.Minute, 365 * 24 * time.Hour} {
		s.wallClock.Set(start.Add(d))
		errs := try()
		serviceError(t, errs[0], "RequestTimeTooSkewed", 403)
		serviceError(t, errs[1], "RequestTimeTooSkewed", 403)
		v1Error(t, errs[2], "RequestTimeTooSkewed", 403)
		v1Error(t, errs[3], "RequestTimeTooSkewed", 403)
	}
	// SDK v2 corrects its clock from the Date of the answer, which is the
	// server's wall clock, and retries: the wall clock is the judge.
	s.wallClock.Set(start.Add(time.Hour))
	cfg := oss.LoadDefaultConfig().WithCredentialsProvider(credentials.NewStaticCredentialsProvider("ak", "secret")).
		WithRegion("cn-hangzhou").WithEndpoint(s.url).WithUsePathStyle(true)
	_, err = oss.NewClient(cfg).ListBuckets(ctx, &oss.ListBucketsRequest{})
	require.NoError(t, err)
	// The database's clock plays no part.
	s.wallClock.Set(start)
	s.dbClock.Add(100 * 24 * time.Hour)
	for i, err := range try() {
		require.NoError(t, err, "client %d", i)
	}
}

// recorder keeps a copy of every request a client sends.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var b []byte
	if req.Body != nil {
		b, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(req.Context()))
	r.body = append(r.body, b)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// replay sends a recorded request again, with body.
func replay(t *testing.T, req *http.Request, body string) *http.Response {
	t.Helper()
	again, err := http.NewRequest(req.Method, req.URL.String(), strings.NewReader(body))
	require.NoError(t, err)
	again.Header = req.Header.Clone()
	again.ContentLength = int64(len(body))
	again.Header.Del("Content-Length")
	resp, err := http.DefaultClient.Do(again)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestAuth_Replay: a signed PUT captured on the wire and replayed with
// another body more than 15 minutes later is refused; the object keeps
// its bytes.
func TestAuth_Replay(t *testing.T) {
	s := newAuthServer(t)
	for _, v := range []oss.SignatureVersionType{oss.SignatureVersionV4, oss.SignatureVersionV1} {
		rec := &recorder{}
		cfg := oss.LoadDefaultConfig().WithCredentialsProvider(credentials.NewStaticCredentialsProvider("ak", "secret")).
			WithRegion("cn-hangzhou").WithEndpoint(s.url).WithUsePathStyle(true).WithSignatureVersion(v).
			WithRetryMaxAttempts(1).WithHttpClient(&http.Client{Transport: rec})
		c := oss.NewClient(cfg)
		bucket := "replay-" + strings.ToLower(string(rune('a'+int(v))))
		_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(bucket)})
		require.NoError(t, err)
		_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("k"), Body: strings.NewReader("genuine")})
		require.NoError(t, err)
		put := rec.reqs[len(rec.reqs)-1]
		require.Equal(t, "PUT", put.Method)

		s.wallClock.Add(16 * time.Minute)
		resp := replay(t, put, "forged!")
		require.Equal(t, 403, resp.StatusCode)
		body, _ := io.ReadAll(resp.Body)
		require.Contains(t, string(body), "RequestTimeTooSkewed")
		s.wallClock.Add(-16 * time.Minute)

		got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr("k")})
		require.NoError(t, err)
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		require.Equal(t, "genuine", string(b))
	}
}

// v1Sign signs req by hand with V1: date is the value signed, put in the
// Date header, or in x-oss-date as ali-oss does when ossDate.
func v1Sign(req *http.Request, id, secret, resource, date string, ossDate bool) {
	if ossDate {
		req.Header.Set("x-oss-date", date)
	} else if date != "" {
		req.Header.Set("Date", date)
	}
	var hdrs []string
	for k := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") {
			hdrs = append(hdrs, lk+":"+strings.TrimSpace(req.Header.Get(k))+"\n")
		}
	}
	sortStrings(hdrs)
	s := req.Method + "\n" + req.Header.Get("Content-MD5") + "\n" + req.Header.Get("Content-Type") + "\n" + date + "\n" + strings.Join(hdrs, "") + resource
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(s))
	req.Header.Set("Authorization", "OSS "+id+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// v4Sign signs req by hand with V4 over the scope date scopeDay, with
// timestamp as the signed time (in x-oss-date when xossDate).
func v4Sign(req *http.Request, id, secret, uri, timestamp, scopeDay string, xossDate bool) {
	if xossDate {
		req.Header.Set("x-oss-date", timestamp)
	} else {
		req.Header.Set("Date", timestamp)
	}
	req.Header.Set("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
	var hdrs []string
	for k := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") || lk == "content-type" || lk == "content-md5" {
			hdrs = append(hdrs, lk+":"+strings.TrimSpace(req.Header.Get(k))+"\n")
		}
	}
	sortStrings(hdrs)
	canon := req.Method + "\n" + uri + "\n" + req.URL.RawQuery + "\n" + strings.Join(hdrs, "") + "\n\nUNSIGNED-PAYLOAD"
	sum := sha256.Sum256([]byte(canon))
	scope := scopeDay + "/cn-hangzhou/oss/aliyun_v4_request"
	toSign := "OSS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("aliyun_v4" + secret)
	for _, p := range []string{scopeDay, "cn-hangzhou", "oss", "aliyun_v4_request"} {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(p))
		key = m.Sum(nil)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(toSign))
	req.Header.Set("Authorization", "OSS4-HMAC-SHA256 Credential="+id+"/"+scope+",Signature="+hex.EncodeToString(m.Sum(nil)))
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAuth_DateForms: the date forms the official clients sign are
// accepted (V1 with Date, V1 with x-oss-date as ali-oss, V4 with
// x-oss-date, V4 with Date only as SDK v1 under ossutil); a missing,
// unparseable, old or future date is refused, and so is a V4 credential
// whose scope date is not the request's.
func TestAuth_DateForms(t *testing.T) {
	s := newAuthServer(t)
	now := s.wallClock.Now().UTC()
	httpDate := func(t time.Time) string { return t.Format(http.TimeFormat) }
	iso := func(t time.Time) string { return t.Format("20060102T150405Z") }
	day := func(t time.Time) string { return t.Format("20060102") }
	get := func() *http.Request {
		req, err := http.NewRequest("GET", s.url+"/", nil)
		require.NoError(t, err)
		return req
	}
	cases := []struct {
		name   string
		sign   func(*http.Request)
		status int
		code   string
	}{
		{"V1 Date", func(r *http.Request) { v1Sign(r, "ak", "secret", "/", httpDate(now), false) }, 200, ""},
		{"V1 x-oss-date (ali-oss)", func(r *http.Request) { v1Sign(r, "ak", "secret", "/", httpDate(now), true) }, 200, ""},
		{"V1 x-oss-date with a stale Date beside", func(r *http.Request) {
			r.Header.Set("Date", httpDate(now.Add(-48*time.Hour)))
			v1Sign(r, "ak", "secret", "/", httpDate(now), true)
		}, 200, ""},
		{"V1 year 2000", func(r *http.Request) {
			v1Sign(r, "ak", "secret", "/", httpDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), false)
		}, 403, "RequestTimeTooSkewed"},
		{"V1 x-oss-date an hour ahead", func(r *http.Request) { v1Sign(r, "ak", "secret", "/", httpDate(now.Add(time.Hour)), true) }, 403, "RequestTimeTooSkewed"},
		{"V1 garbage date", func(r *http.Request) { v1Sign(r, "ak", "secret", "/", "yesterday-ish", false) }, 403, "AccessDenied"},
		{"V1 no date", func(r *http.Request) { v1Sign(r, "ak", "secret", "/", "", false) }, 403, "AccessDenied"},
		{"V1 wrong secret", func(r *http.Request) { v1Sign(r, "ak", "nope", "/", httpDate(now), false) }, 403, "SignatureDoesNotMatch"},
		{"V4 x-oss-date", func(r *http.Request) { v4Sign(r, "ak", "secret", "/", iso(now), day(now), true) }, 200, ""},
		{"V4 Date only (SDK v1)", func(r *http.Request) { v4Sign(r, "ak", "secret", "/", httpDate(now), day(now), false) }, 200, ""},
		{"V4 scope of another day", func(r *http.Request) { v4Sign(r, "ak", "secret", "/", iso(now), day(now.Add(-24*time.Hour)), true) }, 403, "AccessDenied"},
		{"V4 an hour old", func(r *http.Request) {
			v4Sign(r, "ak", "secret", "/", iso(now.Add(-time.Hour)), day(now.Add(-time.Hour)), true)
		}, 403, "RequestTimeTooSkewed"},
		{"V4 garbage x-oss-date", func(r *http.Request) { v4Sign(r, "ak", "secret", "/", "2024-01-01", day(now), true) }, 403, "AccessDenied"},
		{"V4 garbage Date", func(r *http.Request) { v4Sign(r, "ak", "secret", "/", "soon", day(now), false) }, 403, "AccessDenied"},
		{"V4 no date", func(r *http.Request) {
			v4Sign(r, "ak", "secret", "/", "x", day(now), false)
			r.Header.Del("Date")
		}, 403, "AccessDenied"},
		{"malformed Authorization", func(r *http.Request) { r.Header.Set("Authorization", "OSS ak") }, 403, "AccessDenied"},
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, 403, "AccessDenied"},
	}
	for _, c := range cases {
		req := get()
		c.sign(req)
		status, body := send(t, req)
		require.Equal(t, c.status, status, "%s: %s", c.name, body)
		if c.code != "" {
			require.Contains(t, body, "<Code>"+c.code+"</Code>", c.name)
		}
	}
}

// TestAuth_Presigned: presigned URLs of both SDKs and both signature
// versions work until they expire on the wall clock, whatever the
// database's clock says.
func TestAuth_Presigned(t *testing.T) {
	s := newAuthServer(t)
	c := v2Client(s.url, "ak", "secret", oss.SignatureVersionV4)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("pre")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("pre"), Key: oss.Ptr("dir/k y"), Body: strings.NewReader("hello")})
	require.NoError(t, err)

	var urls []string
	for _, v := range []oss.SignatureVersionType{oss.SignatureVersionV4, oss.SignatureVersionV1} {
		res, err := v2Client(s.url, "ak", "secret", v).Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("pre"), Key: oss.Ptr("dir/k y")},
			oss.PresignExpires(10*time.Minute))
		require.NoError(t, err)
		urls = append(urls, res.URL)
	}
	require.Contains(t, urls[0], "x-oss-signature=")
	require.Contains(t, urls[1], "Signature=")
	for _, opt := range []ossv1.ClientOption{ossv1.AuthVersion(ossv1.AuthV1), ossv1.AuthVersion(ossv1.AuthV4)} {
		client, err := ossv1.New(s.url, "ak", "secret", ossv1.ForcePathStyle(true), opt, ossv1.Region("cn-hangzhou"))
		require.NoError(t, err)
		b, err := client.Bucket("pre")
		require.NoError(t, err)
		u, err := b.SignURL("dir/k y", ossv1.HTTPGet, 600)
		require.NoError(t, err)
		urls = append(urls, u)
	}
	fetch := func(u string) (int, string) {
		resp, err := http.Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	start := s.wallClock.Now()
	s.dbClock.Add(1000 * 24 * time.Hour) // the database's clock does not expire them
	for i, u := range urls {
		status, body := fetch(u)
		require.Equal(t, 200, status, "url %d %s: %s", i, u, body)
		require.Equal(t, "hello", body)
	}
	s.wallClock.Set(start.Add(9 * time.Minute))
	for i, u := range urls {
		status, _ := fetch(u)
		require.Equal(t, 200, status, "url %d", i)
	}
	s.wallClock.Set(start.Add(11 * time.Minute))
	for i, u := range urls {
		status, body := fetch(u)
		require.Equal(t, 403, status, "url %d", i)
		require.Contains(t, body, "expired", "url %d", i)
	}
	// A tampered URL does not pass.
	s.wallClock.Set(start)
	for i, u := range urls {
		tampered := strings.Replace(u, "k%20y", "k%20z", 1)
		require.NotEqual(t, u, tampered)
		status, _ := fetch(tampered)
		require.Equal(t, 403, status, "url %d %s", i, tampered)
	}
	// V4 presigned: x-oss-expires past 7 days, or a date ahead, refused.
	res, err := c.Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("pre"), Key: oss.Ptr("dir/k y")}, oss.PresignExpires(time.Minute))
	require.NoError(t, err)
	s.wallClock.Set(start.Add(-time.Hour))
	status, body := fetch(res.URL)
	require.Equal(t, 403, status)
	require.Contains(t, body, "RequestTimeTooSkewed")
}

// TestAuth_Clock: /-/clock needs a signature when keys are set.
func TestAuth_Clock(t *testing.T) {
	s := newAuthServer(t)
	before := s.dbClock.Now()
	resp, err := http.Post(s.url+"/-/clock?advance=721h", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
	require.Equal(t, before, s.dbClock.Now(), "an unsigned advance moved the clock")
	resp, err = http.Get(s.url + "/-/clock")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)

	req, err := http.NewRequest("POST", s.url+"/-/clock?advance=1h", nil)
	require.NoError(t, err)
	v1Sign(req, "ak", "wrong", "/-/clock", s.wallClock.Now().UTC().Format(http.TimeFormat), false)
	status, _ := send(t, req)
	require.Equal(t, 403, status)
	require.Equal(t, before, s.dbClock.Now())

	req, err = http.NewRequest("POST", s.url+"/-/clock?advance=1h", nil)
	require.NoError(t, err)
	v1Sign(req, "ak", "secret", "/-/clock", s.wallClock.Now().UTC().Format(http.TimeFormat), false)
	status, body := send(t, req)
	require.Equal(t, 200, status, body)
	require.Equal(t, before.Add(time.Hour), s.dbClock.Now())
}

// TestAuth_Events: /-/events needs a signature when keys are set.
func TestAuth_Events(t *testing.T) {
	s := newAuthServer(t)
	resp, err := http.Get(s.url + "/-/events")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)

	req, err := http.NewRequest("GET", s.url+"/-/events", nil)
	require.NoError(t, err)
	v1Sign(req, "ak", "secret", "/-/events", s.wallClock.Now().UTC().Format(http.TimeFormat), false)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
}

// TestAuth_LogRedacted: the request log holds no signature nor credential,
// whether in the query (presigned URLs) or the header.
func TestAuth_LogRedacted(t *testing.T) {
	s := newAuthServer(t)
	c := v2Client(s.url, "AKIDredactme", "secret2", oss.SignatureVersionV4)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("logs")})
	require.NoError(t, err)
	var secrets []string
	for _, v := range []oss.SignatureVersionType{oss.SignatureVersionV4, oss.SignatureVersionV1} {
		cred := credentials.NewStaticCredentialsProvider("AKIDredactme", "secret2", "TOKENredactme")
		cfg := oss.LoadDefaultConfig().WithCredentialsProvider(cred).WithRegion("cn-hangzhou").WithEndpoint(s.url).
			WithUsePathStyle(true).WithSignatureVersion(v)
		res, err := oss.NewClient(cfg).Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("logs"), Key: oss.Ptr("k")})
		require.NoError(t, err)
		resp, err := http.Get(res.URL)
		require.NoError(t, err)
		resp.Body.Close()
		for _, p := range []string{"x-oss-signature", "Signature"} {
			if i := strings.Index(res.URL, p+"="); i >= 0 {
				sig := res.URL[i+len(p)+1:]
				if j := strings.IndexByte(sig, '&'); j >= 0 {
					sig = sig[:j]
				}
				secrets = append(secrets, sig)
			}
		}
	}
	require.Len(t, secrets, 2)
	log := s.log.String()
	require.Contains(t, log, "REDACTED")
	for _, secret := range append(secrets, "AKIDredactme", "TOKENredactme") {
		require.NotContains(t, log, secret)
	}
}

// TestAuth_SignedRefusals: the operations that are not served, signed by
// SDK v1 (V1 and V4) with the right key, are refused with 501, not with a
// signature mismatch: the server signs the sub-resources as they do.
func TestAuth_SignedRefusals(t *testing.T) {
	s := newAuthServer(t)
	for i, opt := range []ossv1.ClientOption{ossv1.AuthVersion(ossv1.AuthV1), ossv1.AuthVersion(ossv1.AuthV4)} {
		client, err := ossv1.New(s.url, "ak", "secret", ossv1.ForcePathStyle(true), opt, ossv1.Region("cn-hangzhou"))
		require.NoError(t, err)
		name := []string{"refused-v1", "refused-v4"}[i]
		require.NoError(t, client.CreateBucket(name))
		b, err := client.Bucket(name)
		require.NoError(t, err)
		require.NoError(t, b.PutObject("obj", strings.NewReader("precious")))
		_, err = client.GetBucketReferer(name)
		v1Error(t, err, "NotImplemented", 501)
		v1Error(t, client.SetBucketReferer(name, []string{"http://example.com"}, false), "NotImplemented", 501)
		v1Error(t, client.SetBucketWebsite(name, "index.html", "error.html"), "NotImplemented", 501)
		v1Error(t, client.DeleteBucketCORS(name), "NotImplemented", 501)
		_, err = b.ListObjectVersions()
		v1Error(t, err, "NotImplemented", 501)
		meta, err := b.GetObjectMeta("obj")
		require.NoError(t, err, "GetObjectMeta, signed")
		require.Equal(t, "8", meta.Get("Content-Length"))
		lor, err := b.ListObjectsV2(ossv1.Prefix("o"), ossv1.MaxKeys(1), ossv1.Delimiter("/"), ossv1.StartAfter("a b"))
		require.NoError(t, err)
		require.Len(t, lor.Objects, 1)
		r, err := b.GetObject("obj", ossv1.ResponseContentType("text/x-test"), ossv1.Range(1, 3))
		require.NoError(t, err)
		got, _ := io.ReadAll(r)
		r.Close()
		require.Equal(t, "rec", string(got))
	}
}
