package ossapi_test

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

type xmlErr struct {
	Code, Message, RequestId, HostId string
}

func do(t testing.TB, h http.Handler, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func errorOf(t *testing.T, w *httptest.ResponseRecorder) xmlErr {
	t.Helper()
	var e xmlErr
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	require.Equal(t, w.Header().Get("x-oss-request-id"), e.RequestId)
	require.NotEmpty(t, e.Message)
	return e
}

func TestHandler_Errors(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m, Domain: "oss.local", MaxXMLSize: 512})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)

	w := do(t, h, "GET", "/bkt/missing", "", nil)
	require.Equal(t, 404, w.Code)
	require.Equal(t, "NoSuchKey", errorOf(t, w).Code)
	require.Equal(t, "application/xml", w.Header().Get("Content-Type"))

	// Content-MD5 that does not match: 400, nothing stored.
	w = do(t, h, "PUT", "/bkt/k", "hello", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
	require.Equal(t, "InvalidDigest", errorOf(t, w).Code)
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/k", "", nil).Code)
	w = do(t, h, "PUT", "/bkt/k", "hello", map[string]string{"Content-MD5": "XUFAKrxLKna5cZ2REBfFkg=="})
	require.Equal(t, 200, w.Code)
	require.Equal(t, `"5D41402ABC4B2A76B9719D911017C592"`, w.Header().Get("ETag"))

	w = do(t, h, "POST", "/bkt/k?restore", "<RestoreRequest><Days>x", nil)
	require.Equal(t, "MalformedXML", errorOf(t, w).Code)
	w = do(t, h, "PUT", "/bkt?lifecycle", "<LifecycleConfiguration>"+strings.Repeat(" ", 600)+"</LifecycleConfiguration>", nil)
	require.Equal(t, "EntityTooLarge", errorOf(t, w).Code)
	w = do(t, h, "GET", "/bkt/k", "", map[string]string{"Range": "bytes=10-20"})
	require.Equal(t, 200, w.Code, "an unsatisfiable range is ignored, as OSS does")
	require.Equal(t, "hello", w.Body.String())
	w = do(t, h, "GET", "/bkt/k", "", map[string]string{"Range": "bytes=10-20", "x-oss-range-behavior": "standard"})
	require.Equal(t, 416, w.Code)
	require.Equal(t, "InvalidRange", errorOf(t, w).Code)
	w = do(t, h, "GET", "/bkt/k", "", map[string]string{"Range": "bytes=-3"})
	require.Equal(t, 206, w.Code)
	require.Equal(t, "llo", w.Body.String())
	require.Equal(t, "bytes 2-4/5", w.Header().Get("Content-Range"))
	w = do(t, h, "PATCH", "/bkt/k", "", nil)
	require.Equal(t, 405, w.Code)
	require.Equal(t, "MethodNotAllowed", errorOf(t, w).Code)

	// Virtual-hosted addressing.
	req := httptest.NewRequest("GET", "/k", nil)
	req.Host = "bkt.oss.local:9000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "hello", rec.Body.String())

	// The mock clock.
	w = do(t, h, "POST", "/-/clock?advance=4h", "", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "2024-01-01T04:00:00Z\n", w.Body.String())
	w = do(t, h, "GET", "/-/clock", "", nil)
	require.Equal(t, "2024-01-01T04:00:00Z\n", w.Body.String())
	require.Equal(t, 400, do(t, h, "POST", "/-/clock?advance=soon", "", nil).Code)
	body, _ := io.ReadAll(do(t, ossapi.New(db, nil), "GET", "/-/clock", "", nil).Body)
	require.Contains(t, string(body), "NotImplemented", "no clock without a mock")
}

// FuzzXMLBodies: any body on the XML endpoints is answered with a status,
// never a panic; a 5xx would be a bug.
func FuzzXMLBodies(f *testing.F) {
	f.Add("restore", "<RestoreRequest><Days>2</Days><JobParameters><Tier>Bulk</Tier></JobParameters></RestoreRequest>")
	f.Add("lifecycle", "<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>")
	f.Add("delete", "<Delete><Quiet>false</Quiet><Object><Key>k</Key></Object></Delete>")
	f.Add("bucket", "<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>")
	db, _ := enginetest.New(f, nil) // shared: the fuzzer runs many inputs per process
	h := ossapi.New(db, nil)
	f.Fuzz(func(t *testing.T, op, body string) {
		_ = do(t, h, "PUT", "/bkt", "", nil)
		require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "v", map[string]string{"x-oss-storage-class": "ColdArchive"}).Code)
		var w *httptest.ResponseRecorder
		switch op {
		case "restore":
			w = do(t, h, "POST", "/bkt/k?restore", body, nil)
		case "lifecycle":
			w = do(t, h, "PUT", "/bkt?lifecycle", body, nil)
		case "delete":
			w = do(t, h, "POST", "/bkt?delete", body, nil)
		default:
			w = do(t, h, "PUT", "/other", body, nil)
		}
		require.Less(t, w.Code, 500, w.Body.String())
	})
}

// metaOf is the user metadata name of an answer: its x-oss-meta- header,
// which the handler writes in lower case, as OSS sends it ("" without it).
func metaOf(w *httptest.ResponseRecorder, name string) string {
	if v := w.Header()["x-oss-meta-"+name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// TestXMLBodiesChecked: an XML body whose x-oss-content-sha256 or
// Content-MD5 is another body's is refused, 400 InvalidDigest, and changes
// nothing: RestoreObject, CompleteMultipartUpload, PutBucketLifecycle,
// PutObjectTagging.
func TestXMLBodiesChecked(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/cold", "x", map[string]string{"x-oss-storage-class": "Archive"}).Code)
	w := do(t, h, "POST", "/bkt/parts?uploads", "", nil)
	var up struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &up))
	w = do(t, h, "PUT", "/bkt/parts?partNumber=1&uploadId="+up.UploadId, "part", nil)
	require.Equal(t, 200, w.Code)
	complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + w.Header().Get("ETag") + `</ETag></Part></CompleteMultipartUpload>`
	other := sha256.Sum256([]byte("another body"))
	otherMD5 := md5.Sum([]byte("another body"))
	for _, hdr := range []map[string]string{
		{"x-oss-content-sha256": hex.EncodeToString(other[:])},
		{"Content-MD5": base64.StdEncoding.EncodeToString(otherMD5[:])},
	} {
		for _, c := range []struct{ method, target, body string }{
			{"POST", "/bkt/cold?restore", `<RestoreRequest><Days>2</Days></RestoreRequest>`},
			{"POST", "/bkt/parts?uploadId=" + up.UploadId, complete},
			{"PUT", "/bkt?lifecycle", `<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`},
			{"PUT", "/bkt/cold?tagging", `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`},
		} {
			w := do(t, h, c.method, c.target, c.body, hdr)
			require.Equal(t, 400, w.Code, "%v %s %s: %s", hdr, c.method, c.target, w.Body.String())
			require.Equal(t, "InvalidDigest", errorOf(t, w).Code)
		}
	}
	oi, err := db.Head(context.Background(), "bkt", "cold")
	require.NoError(t, err)
	require.Equal(t, engine.Archived, oi.Restore.State)
	require.Empty(t, oi.Tags)
	require.Equal(t, 404, do(t, h, "GET", "/bkt?lifecycle", "", nil).Code)
	require.Equal(t, 200, do(t, h, "POST", "/bkt/parts?uploadId="+up.UploadId, complete, nil).Code, "the upload is still there")
}

// TestFormUploadRefused: a browser form upload (PostObject, signed in its
// form) is 501 NotImplemented on a server that checks signatures, not a
// 403 for a request that only looks anonymous, and stores nothing.
func TestFormUploadRefused(t *testing.T) {
	db, m := enginetest.New(t, nil)
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	h := ossapi.New(db, &ossapi.Options{Clock: m, Keys: map[string]string{"ak": "sk"}})
	form := "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nbytes\r\n--b--\r\n"
	w := do(t, h, "POST", "/bkt", form, map[string]string{"Content-Type": "multipart/form-data; boundary=b"})
	require.Equal(t, 501, w.Code, w.Body.String())
	require.Equal(t, "NotImplemented", errorOf(t, w).Code)
	_, err := db.Head(context.Background(), "bkt", "k")
	require.Error(t, err)
	w = do(t, h, "POST", "/bkt/k?append&position=0", "x", map[string]string{"Content-Type": "multipart/form-data; boundary=b"})
	require.Equal(t, 403, w.Code, "an object's POST is authenticated")
}

// TestCopyEvent: a CopyObject's event is a copy's (Op Copy), a PutObject's
// a Put's.
func TestCopyEvent(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	sub := db.Subscribe(&engine.SubscribeOptions{Kinds: []engine.EventKind{engine.EventObjectCreated}})
	defer sub.Close()
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/src", "v", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/dst", "", map[string]string{"x-oss-copy-source": "/bkt/src"}).Code)
	for _, want := range []struct{ key, op string }{{"src", "Put"}, {"dst", "Copy"}} {
		e, err := sub.Next(context.Background())
		require.NoError(t, err)
		require.Equal(t, want.key, e.Key)
		require.Equal(t, want.op, e.Op)
	}
}
