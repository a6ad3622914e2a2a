package ossapi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// TestRanges: ranges as OSS treats them. Without x-oss-range-behavior an
// invalid or unsatisfiable range is the whole object, 200; with
// "standard" a range past the end is cut (206) and anything else invalid
// is 416 with Content-Range bytes */size. Never a 500, never a negative
// or wrong length.
func TestRanges(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "0123456789", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/empty", "", nil).Code)
	type want struct {
		status int
		body   string // "" with 416
		cr     string
	}
	whole := want{200, "0123456789", ""}
	cases := []struct {
		key, spec     string
		lax, standard want
	}{
		{"k", "bytes=0-4", want{206, "01234", "bytes 0-4/10"}, want{206, "01234", "bytes 0-4/10"}},
		{"k", "bytes=5-", want{206, "56789", "bytes 5-9/10"}, want{206, "56789", "bytes 5-9/10"}},
		{"k", "bytes=9-9", want{206, "9", "bytes 9-9/10"}, want{206, "9", "bytes 9-9/10"}},
		{"k", "bytes=-3", want{206, "789", "bytes 7-9/10"}, want{206, "789", "bytes 7-9/10"}},
		{"k", "bytes=-10", want{206, "0123456789", "bytes 0-9/10"}, want{206, "0123456789", "bytes 0-9/10"}},
		{"k", "bytes=-11", whole, want{206, "0123456789", "bytes 0-9/10"}},
		{"k", "bytes=-9223372036854775807", whole, want{206, "0123456789", "bytes 0-9/10"}},
		{"k", "bytes=5-20", whole, want{206, "56789", "bytes 5-9/10"}},
		{"k", "bytes=0-99999999999999999999", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=10-20", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=10-", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=-0", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=--5", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=5-3", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=-99999999999999999999", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=-9223372036854775808", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=99999999999999999999-", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=+1-2", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=1-+2", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=0x1-2", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=-", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=abc", whole, want{416, "", "bytes */10"}},
		{"k", "byte=0-1", whole, want{416, "", "bytes */10"}},
		{"k", "items=0-1", whole, want{416, "", "bytes */10"}},
		{"k", "bytes=0-1,3-4", want{206, "01", "bytes 0-1/10"}, want{416, "", "bytes */10"}},
		{"k", "bytes=20-30,0-1", whole, want{416, "", "bytes */10"}},
		{"k", "bytes= 2-3", want{206, "23", "bytes 2-3/10"}, want{206, "23", "bytes 2-3/10"}},
		{"empty", "bytes=0-", want{200, "", ""}, want{416, "", "bytes */0"}},
		{"empty", "bytes=-1", want{200, "", ""}, want{416, "", "bytes */0"}},
	}
	for _, c := range cases {
		for _, standard := range []bool{false, true} {
			hdr := map[string]string{"Range": c.spec}
			exp := c.lax
			if standard {
				hdr["x-oss-range-behavior"] = "standard"
				exp = c.standard
			}
			w := do(t, h, "GET", "/bkt/"+c.key, "", hdr)
			name := fmt.Sprintf("%s %q standard=%v", c.key, c.spec, standard)
			require.Equal(t, exp.status, w.Code, "%s: %s", name, w.Body.String())
			require.Equal(t, exp.cr, w.Header().Get("Content-Range"), name)
			if exp.status == 416 {
				require.Equal(t, "InvalidRange", errorOf(t, w).Code, name)
				continue
			}
			require.Equal(t, exp.body, w.Body.String(), name)
			require.Equal(t, strconv.Itoa(len(exp.body)), w.Header().Get("Content-Length"), name)
		}
	}
	w := do(t, h, "HEAD", "/bkt/k", "", map[string]string{"Range": "bytes=--5"})
	require.Equal(t, 200, w.Code)
	require.Equal(t, "10", w.Header().Get("Content-Length"))
	tag := w.Header().Get("ETag")
	// If-Range: the range while the object is the one named, else all.
	for ir, status := range map[string]int{tag: 206, `"0000"`: 200, "W/" + tag: 200,
		enginetest.Epoch.Format(http.TimeFormat): 206, enginetest.Epoch.Add(-time.Hour).Format(http.TimeFormat): 200} {
		w = do(t, h, "GET", "/bkt/k", "", map[string]string{"Range": "bytes=0-1", "If-Range": ir})
		require.Equal(t, status, w.Code, ir)
	}
}

// FuzzRange: any Range header on an object of any size is answered 200,
// 206 or 416 with a Content-Length that is the body's.
func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=--5", "bytes=-0", "bytes=5-3", "bytes=0-1,2-3", "bytes=-99999999999999999999"} {
		f.Add(s, 10, false)
		f.Add(s, 0, true)
	}
	db, _ := enginetest.New(f, nil)
	h := ossapi.New(db, nil)
	do(f, h, "PUT", "/bkt", "", nil)
	f.Fuzz(func(t *testing.T, spec string, size int, standard bool) {
		size = max(0, min(size, 64))
		key := fmt.Sprintf("/bkt/k%d", size)
		do(t, h, "PUT", key, strings.Repeat("x", size), nil)
		hdr := map[string]string{"Range": spec}
		if standard {
			hdr["x-oss-range-behavior"] = "standard"
		}
		w := do(t, h, "GET", key, "", hdr)
		require.Contains(t, []int{200, 206, 416}, w.Code)
		if w.Code != 416 {
			require.Equal(t, strconv.Itoa(w.Body.Len()), w.Header().Get("Content-Length"))
		}
	})
}

func crc(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)), 10)
}

// TestCRC64: x-oss-hash-crc64ecma on PUT, on GET of the whole object and
// on HEAD, not on ranges; the SDKs' own CRC checks pass on download (SDK
// v2's GetObjectToFile, Downloader and OpenFile; SDK v1's GetObjectToFile
// and DownloadFile, with CRC checks on).
func TestCRC64(t *testing.T) {
	c, _, _, url := serve(t)
	_, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("crc")})
	require.NoError(t, err)
	data := make([]byte, 700<<10)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	for key, body := range map[string][]byte{"big": data, "small": []byte("hello"), "empty": {}} {
		res, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("crc"), Key: oss.Ptr(key), Body: bytes.NewReader(body)})
		require.NoError(t, err)
		require.Equal(t, crc(body), oss.ToString(res.HashCRC64), key)
		head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("crc"), Key: oss.Ptr(key)})
		require.NoError(t, err)
		require.Equal(t, crc(body), oss.ToString(head.HashCRC64), key)
		got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("crc"), Key: oss.Ptr(key)})
		require.NoError(t, err)
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		require.Equal(t, body, b)
		require.Equal(t, crc(body), oss.ToString(got.HashCRC64), key)
	}
	got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("crc"), Key: oss.Ptr("big"), Range: oss.Ptr("bytes=10-20")})
	require.NoError(t, err)
	got.Body.Close()
	require.Nil(t, got.HashCRC64, "a range has no CRC of its own")

	dir := t.TempDir()
	cfg := oss.LoadDefaultConfig().WithCredentialsProvider(staticCreds()).WithRegion("cn-hangzhou").WithEndpoint(url).
		WithUsePathStyle(true).WithDisableDownloadCRC64Check(false)
	checked := oss.NewClient(cfg)
	_, err = checked.GetObjectToFile(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("crc"), Key: oss.Ptr("big")}, filepath.Join(dir, "a"))
	require.NoError(t, err)
	requireFile(t, filepath.Join(dir, "a"), data)
	_, err = checked.NewDownloader(func(o *oss.DownloaderOptions) { o.PartSize = 100 << 10; o.ParallelNum = 3 }).
		DownloadFile(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("crc"), Key: oss.Ptr("big")}, filepath.Join(dir, "b"))
	require.NoError(t, err)
	requireFile(t, filepath.Join(dir, "b"), data)
	f, err := checked.OpenFile(ctx, "crc", "big")
	require.NoError(t, err)
	_, err = f.Seek(300<<10, io.SeekStart)
	require.NoError(t, err)
	rest, err := io.ReadAll(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, data[300<<10:], rest)

	client, err := ossv1.New(url, "ak", "sk", ossv1.ForcePathStyle(true), ossv1.EnableCRC(true))
	require.NoError(t, err)
	b, err := client.Bucket("crc")
	require.NoError(t, err)
	require.NoError(t, b.GetObjectToFile("big", filepath.Join(dir, "c")))
	requireFile(t, filepath.Join(dir, "c"), data)
	require.NoError(t, b.DownloadFile("big", filepath.Join(dir, "d"), 128<<10, ossv1.Routines(3)))
	requireFile(t, filepath.Join(dir, "d"), data)
	require.NoError(t, b.PutObject("v1", bytes.NewReader(data)), "SDK v1 checks the PUT's CRC too")
}

func requireFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// TestDataCorrupt: a chunk damaged on the disk fails the reads that reach
// it with 500 DataCorrupt (fixed message, no detail), while a range after
// it is served by one seek that never reads the damaged chunk; HEAD still
// answers.
func TestDataCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	m := clock.NewMock()
	m.Set(enginetest.Epoch)
	db, err := engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
	chunk := 256 << 10
	data := append(append(bytes.Repeat([]byte("Q"), chunk), bytes.Repeat([]byte("R"), chunk)...), bytes.Repeat([]byte("S"), chunk)...)
	_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(data), nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	// The body is in the database's file or, larger than a chunk, in a
	// file of its own beside it: damage the first chunk wherever it is.
	paths := []string{path}
	bodies, _ := filepath.Glob(path + ".bodies/*")
	paths = append(paths, bodies...)
	run := bytes.Repeat([]byte("Q"), 4096)
	damaged := 0
	for _, p := range paths {
		file, err := os.ReadFile(p)
		require.NoError(t, err)
		for i := bytes.Index(file, run); i >= 0; {
			file[i+2000] ^= 0x01
			damaged++
			j := bytes.Index(file[i+len(run):], run)
			if j < 0 {
				break
			}
			i += len(run) + j
		}
		require.NoError(t, os.WriteFile(p, file, 0o600))
	}
	require.Positive(t, damaged)

	db, err = engine.Open(path, &engine.Options{Clock: m, DisableSweeper: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	var logs syncBuffer
	h := ossapi.New(db, &ossapi.Options{Clock: m, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	w := do(t, h, "GET", "/bkt/k", "", nil)
	require.Equal(t, 500, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "DataCorrupt", e.Code)
	require.Equal(t, coldstore.ErrDataCorrupt.Message, e.Message)
	require.NotContains(t, w.Body.String(), "Detail")
	require.NotContains(t, w.Body.String(), path)
	require.Contains(t, logs.String(), e.RequestId, "the full error is logged with the request id")

	for _, standard := range []string{"", "standard"} {
		w = do(t, h, "GET", "/bkt/k", "", map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", 2*chunk+5, 2*chunk+9), "x-oss-range-behavior": standard})
		require.Equal(t, 206, w.Code, "a range after the damaged chunk seeks past it: %s", w.Body.String())
		require.Equal(t, "SSSSS", w.Body.String())
		w = do(t, h, "GET", "/bkt/k", "", map[string]string{"Range": fmt.Sprintf("bytes=%d-", chunk), "x-oss-range-behavior": standard})
		require.Equal(t, 206, w.Code)
		require.Equal(t, data[chunk:], w.Body.Bytes())
	}
	require.Equal(t, 200, do(t, h, "HEAD", "/bkt/k", "", nil).Code)
}

// TestServerErrors: a 5xx answer carries the sentinel's fixed message
// and no detail (which may hold paths or Go error text); the full error
// goes to the log with the request id. A closed database is 503.
func TestServerErrors(t *testing.T) {
	db, m := enginetest.New(t, nil)
	var logs syncBuffer
	h := ossapi.New(db, &ossapi.Options{Clock: m, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.NoError(t, db.Close())
	w := do(t, h, "GET", "/bkt/k", "", nil)
	require.Equal(t, 503, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "ServiceUnavailable", e.Code)
	require.NotContains(t, w.Body.String(), "Detail")
	require.Contains(t, logs.String(), e.RequestId)
}

// rawRequest sends text on a new connection and reads one answer.
func rawRequest(t *testing.T, addr, text string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, text)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestClientFailures: a malformed chunked body and a body cut short are
// the client's failures: 400 without Go error text, never a 500, nothing
// stored, the old object intact; a client that goes away is logged, not
// answered 500.
func TestClientFailures(t *testing.T) {
	db, m := enginetest.New(t, nil)
	var logs syncBuffer
	h := ossapi.New(db, &ossapi.Options{Clock: m, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "old bytes", nil).Code)

	for _, body := range []string{"zz\r\nhello\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "ffffffffffffffffff\r\nx\r\n"} {
		resp, text := rawRequest(t, addr, "PUT /bkt/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+body)
		require.Equal(t, 400, resp.StatusCode, "%q: %s", body, text)
		require.Contains(t, text, "<Code>IncompleteBody</Code>")
		require.NotContains(t, text, "chunk")
		require.NotContains(t, text, "invalid")
	}
	// Bodies cut short by a client that closes its side.
	for _, cut := range []string{
		"PUT /bkt/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a few",
		"PUT /bkt/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"POST /bkt?delete HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<Delete><Object><Key>k</Key>",
	} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = io.WriteString(conn, cut)
		require.NoError(t, err)
		require.NoError(t, conn.(*net.TCPConn).CloseWrite())
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			require.Equal(t, 400, resp.StatusCode, string(b))
			require.NotContains(t, string(b), "EOF")
		}
		conn.Close()
	}
	srv.Close() // waits for the handlers
	require.NotContains(t, logs.String(), "status=500")
	require.Contains(t, logs.String(), "client failure")
	w := do(t, h, "GET", "/bkt/k", "", nil)
	require.Equal(t, "old bytes", w.Body.String())

	// A request whose client went away.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	req := httptest.NewRequest("PUT", "/bkt/k", strings.NewReader("new bytes")).WithContext(cctx)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Less(t, rec.Code, 500, rec.Body.String())
	require.Equal(t, "old bytes", do(t, h, "GET", "/bkt/k", "", nil).Body.String())
	// A request cancelled by the server's shutdown is 503.
	sctx, scancel := context.WithCancelCause(ctx)
	scancel(ossapi.ErrShutdown)
	req = httptest.NewRequest("PUT", "/bkt/k", strings.NewReader("new bytes")).WithContext(sctx)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, 503, rec.Code, rec.Body.String())
}

// TestDeleteMultipleCap: more than 1,000 keys is MalformedXML and deletes
// nothing; 1,000 is served.
func TestDeleteMultipleCap(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	var b strings.Builder
	b.WriteString("<Delete><Quiet>true</Quiet>")
	for i := range 1001 {
		fmt.Fprintf(&b, "<Object><Key>k%d</Key></Object>", i)
		if i < 3 {
			require.Equal(t, 200, do(t, h, "PUT", fmt.Sprintf("/bkt/k%d", i), "x", nil).Code)
		}
	}
	b.WriteString("</Delete>")
	w := do(t, h, "POST", "/bkt?delete", b.String(), nil)
	require.Equal(t, 400, w.Code)
	require.Equal(t, "MalformedXML", errorOf(t, w).Code)
	for i := range 3 {
		require.Equal(t, 200, do(t, h, "HEAD", fmt.Sprintf("/bkt/k%d", i), "", nil).Code, "deleted before refusing")
	}
	one := strings.Replace(b.String(), "<Object><Key>k1000</Key></Object>", "", 1)
	require.Equal(t, 200, do(t, h, "POST", "/bkt?delete", one, nil).Code)
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/k0", "", nil).Code)
	// 1,000 keys of 1,023 bytes fit.
	b.Reset()
	b.WriteString("<Delete>")
	for i := range 1000 {
		fmt.Fprintf(&b, "<Object><Key>%04d%s</Key></Object>", i, strings.Repeat("&amp;", 1019))
	}
	b.WriteString("</Delete>")
	require.Equal(t, 200, do(t, h, "POST", "/bkt?delete", b.String(), nil).Code)
}

// TestClockMaxTime: the mock clock never moves past coldstore.MaxTime.
func TestClockMaxTime(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	m.Set(coldstore.MaxTime.Add(-time.Hour))
	for _, d := range []string{"1h1ns", "2562047h"} {
		w := do(t, h, "POST", "/-/clock?advance="+d, "", nil)
		require.Equal(t, 400, w.Code, d)
		require.Contains(t, w.Body.String(), "9999-12-31")
		require.Equal(t, coldstore.MaxTime.Add(-time.Hour), m.Now(), "clock moved")
	}
	require.Equal(t, 200, do(t, h, "POST", "/-/clock?advance=1h", "", nil).Code)
	require.Equal(t, coldstore.MaxTime, m.Now())
	require.Equal(t, 400, do(t, h, "POST", "/-/clock?advance=1ns", "", nil).Code)
	require.Equal(t, 400, do(t, h, "POST", "/-/clock?advance=-1h", "", nil).Code)
	require.Equal(t, 405, do(t, h, "DELETE", "/-/clock", "", nil).Code)
}

func staticCreds() credentials.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider("ak", "sk")
}

// TestConditions: If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since on GET and HEAD, as RFC 9110 orders them.
func TestConditions(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	w := do(t, h, "PUT", "/bkt/k", "hello", nil)
	tag := w.Header().Get("ETag")
	lm := enginetest.Epoch
	before, after := lm.Add(-time.Hour).Format(http.TimeFormat), lm.Add(time.Hour).Format(http.TimeFormat)
	for _, c := range []struct {
		hdr    map[string]string
		status int
	}{
		{map[string]string{"If-Match": tag}, 200},
		{map[string]string{"If-Match": strings.ToLower(strings.Trim(tag, `"`))}, 200},
		{map[string]string{"If-Match": `"nope", ` + tag}, 200},
		{map[string]string{"If-Match": "*"}, 200},
		{map[string]string{"If-Match": `"nope"`}, 412},
		{map[string]string{"If-None-Match": tag}, 304},
		{map[string]string{"If-None-Match": "W/" + tag}, 304},
		{map[string]string{"If-None-Match": `"nope"`}, 200},
		{map[string]string{"If-Modified-Since": before}, 200},
		{map[string]string{"If-Modified-Since": after}, 304},
		{map[string]string{"If-Modified-Since": lm.Format(http.TimeFormat)}, 304},
		{map[string]string{"If-Modified-Since": "garbage"}, 200},
		{map[string]string{"If-Unmodified-Since": after}, 200},
		{map[string]string{"If-Unmodified-Since": before}, 412},
		{map[string]string{"If-Match": tag, "If-Unmodified-Since": before}, 200},
		{map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": after}, 200},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			w := do(t, h, method, "/bkt/k", "", c.hdr)
			require.Equal(t, c.status, w.Code, "%s %v", method, c.hdr)
			switch c.status {
			case 200:
				if method == "GET" {
					require.Equal(t, "hello", w.Body.String())
				}
			case 304:
				require.Empty(t, w.Body.String())
				require.Equal(t, tag, w.Header().Get("ETag"))
			case 412:
				if method == "GET" {
					require.Equal(t, "PreconditionFailed", errorOf(t, w).Code)
				}
			}
		}
	}
}

// TestCopy: the metadata and tagging directives, the copy-source
// conditions, and the class change of an object onto itself.
func TestCopy(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	w := do(t, h, "PUT", "/bkt/src", "payload", map[string]string{"x-oss-meta-a": "1", "Content-Type": "text/plain", "x-oss-tagging": "t=1"})
	tag := w.Header().Get("ETag")
	require.Equal(t, crc([]byte("payload")), w.Header().Get("x-oss-hash-crc64ecma"))

	w = do(t, h, "PUT", "/bkt/c1", "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-meta-b": "2", "Content-Type": "image/png"})
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, crc([]byte("payload")), w.Header().Get("x-oss-hash-crc64ecma"))
	w = do(t, h, "HEAD", "/bkt/c1", "", nil)
	require.Equal(t, "1", metaOf(w, "a"), "COPY keeps the source's metadata")
	require.Empty(t, metaOf(w, "b"))
	require.Equal(t, "text/plain", w.Header().Get("Content-Type"))
	require.Equal(t, "1", w.Header().Get("x-oss-tagging-count"))

	w = do(t, h, "PUT", "/bkt/c2", "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-metadata-directive": "REPLACE",
		"x-oss-meta-b": "2", "Content-Type": "image/png", "x-oss-tagging-directive": "Replace"})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(t, h, "GET", "/bkt/c2", "", nil)
	require.Equal(t, "payload", w.Body.String())
	require.Empty(t, metaOf(w, "a"), "REPLACE takes the request's metadata")
	require.Equal(t, "2", metaOf(w, "b"))
	require.Equal(t, "image/png", w.Header().Get("Content-Type"))
	require.Empty(t, w.Header().Get("x-oss-tagging-count"))

	w = do(t, h, "PUT", "/bkt/c3", "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-metadata-directive": "MERGE"})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidArgument", errorOf(t, w).Code)
	for hdr, status := range map[[2]string]int{
		{"x-oss-copy-source-if-match", tag}:                                               200,
		{"x-oss-copy-source-if-match", `"0000"`}:                                          412,
		{"x-oss-copy-source-if-none-match", tag}:                                          412,
		{"x-oss-copy-source-if-unmodified-since", "Mon, 01 Jan 2001 00:00:00 GMT"}:        412,
		{"x-oss-copy-source-if-modified-since", enginetest.Epoch.Format(http.TimeFormat)}: 412,
	} {
		w = do(t, h, "PUT", "/bkt/c4", "", map[string]string{"x-oss-copy-source": "/bkt/src", hdr[0]: hdr[1]})
		require.Equal(t, status, w.Code, "%v: %s", hdr, w.Body.String())
		if status == 412 {
			require.Equal(t, 404, do(t, h, "HEAD", "/bkt/c4", "", nil).Code, "a failed condition copied")
		}
		do(t, h, "DELETE", "/bkt/c4", "", nil)
	}
	// Onto itself with a class: SetStorageClass, metadata kept.
	w = do(t, h, "PUT", "/bkt/src", "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-storage-class": "IA"})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(t, h, "HEAD", "/bkt/src", "", nil)
	require.Equal(t, "IA", w.Header().Get("x-oss-storage-class"))
	require.Equal(t, "1", metaOf(w, "a"))
	// Onto itself replacing the metadata.
	w = do(t, h, "PUT", "/bkt/src", "", map[string]string{"x-oss-copy-source": "/bkt/src", "x-oss-metadata-directive": "REPLACE", "x-oss-meta-z": "9"})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(t, h, "GET", "/bkt/src", "", nil)
	require.Equal(t, "payload", w.Body.String())
	require.Equal(t, "9", metaOf(w, "z"))
	require.Empty(t, metaOf(w, "a"))
}

// TestPutChecks: Content-MD5 and a hex x-oss-content-sha256 that do not
// match the body store nothing; keys XML 1.0 cannot carry are refused.
func TestPutChecks(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	good := "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // sha256("hello")
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "hello", map[string]string{"x-oss-content-sha256": good}).Code)
	w := do(t, h, "PUT", "/bkt/k", "HELLO", map[string]string{"x-oss-content-sha256": good})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidDigest", errorOf(t, w).Code)
	w = do(t, h, "PUT", "/bkt/k", "HELLO", map[string]string{"x-oss-content-sha256": "nothex"})
	require.Equal(t, 400, w.Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k2", "x", map[string]string{"x-oss-content-sha256": "UNSIGNED-PAYLOAD"}).Code)
	require.Equal(t, "hello", do(t, h, "GET", "/bkt/k", "", nil).Body.String())
	for _, key := range []string{"a%00b", "a%01b", "a%1Fb", "%EF%BF%BE", "x%EF%BF%BF"} {
		w := do(t, h, "PUT", "/bkt/"+key, "x", nil)
		require.Equal(t, 400, w.Code, key)
		require.Equal(t, "InvalidObjectName", errorOf(t, w).Code)
	}
	// Content-MD5 of an XML body: a multi-delete whose body does not match
	// deletes nothing.
	w = do(t, h, "POST", "/bkt?delete", "<Delete><Object><Key>k</Key></Object></Delete>", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidDigest", errorOf(t, w).Code)
	require.Equal(t, 200, do(t, h, "HEAD", "/bkt/k", "", nil).Code)
	w = do(t, h, "PUT", "/bkt?lifecycle", "<LifecycleConfiguration/>", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
	require.Equal(t, "InvalidDigest", errorOf(t, w).Code)
	for _, key := range []string{"tab%09in", "new%0Aline", "%EF%BF%BD", "%F0%9F%98%80"} {
		require.Equal(t, 200, do(t, h, "PUT", "/bkt/"+key, "x", nil).Code, key)
	}
}

// PutObject and UploadPart answer Content-MD5: base64 of the body's MD5,
// with or without a Content-MD5 in the request.
func TestContentMD5Answered(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	sum := md5.Sum([]byte("hello"))
	want := base64.StdEncoding.EncodeToString(sum[:])
	w := do(t, h, "PUT", "/bkt/k", "hello", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, want, w.Header().Get("Content-MD5"))
	w = do(t, h, "PUT", "/bkt/k2", "hello", map[string]string{"Content-MD5": want})
	require.Equal(t, 200, w.Code)
	require.Equal(t, want, w.Header().Get("Content-MD5"))
	w = do(t, h, "POST", "/bkt/big?uploads", "", nil)
	require.Equal(t, 200, w.Code)
	var init struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &init))
	w = do(t, h, "PUT", "/bkt/big?partNumber=1&uploadId="+init.UploadId, "hello", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, want, w.Header().Get("Content-MD5"))
}
