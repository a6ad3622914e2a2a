package s3api_test

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/stretchr/testify/require"
)

func do(t *testing.T, h http.Handler, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if method == "PUT" || method == "POST" {
		r.Header.Set("Content-Length", strconv.Itoa(len(body))) // as every client sends it
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type xmlErr struct {
	Code, Message, RequestID string
	RequestId                string
	StorageClass             string
}

func errorOf(t *testing.T, w *httptest.ResponseRecorder) xmlErr {
	t.Helper()
	var e xmlErr
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	return e
}

// served are the (level, method, sub-resource) the S3 front serves.
var served = map[string]bool{
	"bucket PUT lifecycle": true, "bucket GET lifecycle": true, "bucket DELETE lifecycle": true,
	"bucket GET location": true, "bucket POST delete": true, "bucket GET versioning": true, "bucket GET uploads": true,
	"bucket GET acl": true, "bucket PUT acl": true, "object GET acl": true, "object PUT acl": true,
	"object POST restore": true, "object GET attributes": true, "object PUT tagging": true, "object GET tagging": true, "object DELETE tagging": true,
	"object POST uploads": true, "object GET partNumber": true, "object HEAD partNumber": true, "object POST uploadId": true, "object DELETE uploadId": true, "object GET uploadId": true,
}

var subs = strings.Fields(`accelerate acl analytics attributes cors delete encryption intelligent-tiering inventory
legal-hold lifecycle location logging metadataConfiguration metadataTable metrics notification object-lock
ownershipControls partNumber policy policyStatus publicAccessBlock renameObject replication requestPayment
restore retention select select-type session tagging torrent uploadId uploads versionId versioning versions website
metadataInventoryTable metadataJournalTable abac inventoryConfiguration`)

// TestRoutes_BotocoreSubResources: every operation that botocore's S3
// model (Debian's python3-botocore) selects by sub-resources is served or
// refused 501 NotImplemented, never 405 (which says S3 has no such
// operation) and never taken for another operation; every sub-resource it
// names is in subs, which TestRoutes_Walk proves refused or served at
// every level and method. list-type is ListObjectsV2's parameter.
func TestRoutes_BotocoreSubResources(t *testing.T) {
	py := debianClient(t, "python3", "python3-boto3")
	out, err := exec.Command(py, filepath.Join("testdata", "botocore_subresources.py")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/obj", "the original bytes", nil).Code)
	before := state(t, h)
	ops := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(ops), 50, "botocore's model read")
	for _, op := range ops {
		f := strings.Fields(op)
		require.Len(t, f, 3, op)
		level, method, keys := f[0], f[1], strings.Split(f[2], ",")
		if keys[0] == "list-type" {
			continue
		}
		for _, k := range keys {
			require.Contains(t, subs, k, "botocore names ?%s", k)
		}
		if served[level+" "+method+" "+f[2]] {
			continue
		}
		path := map[string]string{"bucket": "/bkt", "object": "/bkt/obj"}[level]
		w := do(t, h, method, path+"?"+strings.Join(keys, "&"), "", nil)
		require.Equal(t, 501, w.Code, "%s %s?%s: %s", method, path, f[2], w.Body.String())
		if method != "HEAD" {
			require.Equal(t, "NotImplemented", errorOf(t, w).Code)
		}
	}
	require.Equal(t, before, state(t, h))
}

// state is what a refused request must leave as it was.
func state(t *testing.T, h http.Handler) string {
	var b strings.Builder
	for _, target := range []string{"/", "/bkt", "/bkt/obj", "/bkt/obj?tagging"} {
		w := do(t, h, "GET", target, "", nil)
		body := w.Body.String()
		if i := strings.Index(body, "<RequestId>"); i >= 0 {
			body = body[:i]
		}
		b.WriteString(target + " " + w.Result().Status + " " + w.Header().Get("ETag") + " " + w.Header().Get("x-amz-storage-class") + "\n" + body + "\n")
	}
	return b.String()
}

// TestRoutes_Walk: every S3 sub-resource the front does not serve, with
// every method, at service, bucket and object level, is 501 or 405 before
// anything is read, and nothing changes; the body it carries would
// replace the object if it were taken for a PutObject.
func TestRoutes_Walk(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/obj", "the original bytes", map[string]string{"x-amz-storage-class": "GLACIER"}).Code)
	before := state(t, h)
	require.Contains(t, before, "GLACIER")
	sort.Strings(subs)
	n := 0
	for _, sub := range subs {
		for lvl, path := range map[string]string{"service": "/", "bucket": "/bkt", "object": "/bkt/obj"} {
			for _, method := range []string{"GET", "PUT", "POST", "DELETE", "HEAD"} {
				if served[lvl+" "+method+" "+sub] {
					continue
				}
				w := do(t, h, method, path+"?"+sub+"=x", "replacement", map[string]string{"x-amz-copy-source": "/bkt/obj"})
				require.Contains(t, []int{501, 405}, w.Code, "%s %s?%s: %s", method, path, sub, w.Body.String())
				if method == "HEAD" {
					require.Empty(t, w.Body.String(), "S3 answers HEAD with the status alone")
				} else {
					require.Contains(t, []string{"NotImplemented", "MethodNotAllowed"}, errorOf(t, w).Code)
				}
				n++
			}
		}
	}
	require.Greater(t, n, 500)
	require.Equal(t, before, state(t, h))

	for _, hdr := range []map[string]string{
		{"x-amz-server-side-encryption": "AES256"}, {"x-amz-server-side-encryption": "aws:kms"},
		{"x-amz-object-lock-mode": "GOVERNANCE"}, {"x-amz-website-redirect-location": "/x"},
		{"If-Match": `"abc"`}, {"x-amz-copy-source": "/bkt/obj?versionId=1"},
		{"x-amz-content-sha256": "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"},
		{"x-amz-write-offset-bytes": "5"}, // an append, in S3's directory buckets only
	} {
		w := do(t, h, "PUT", "/bkt/obj", "replacement", hdr)
		require.Equal(t, 501, w.Code, "%v: %s", hdr, w.Body.String())
	}
	// A bucket with object lock, or with ACLs, is not made: 501, no bucket.
	for _, hdr := range []map[string]string{
		{"x-amz-bucket-object-lock-enabled": "true"}, {"x-amz-bucket-object-lock-enabled": "True"},
		{"x-amz-object-ownership": "ObjectWriter"}, {"x-amz-object-ownership": "BucketOwnerPreferred"},
	} {
		w := do(t, h, "PUT", "/newbkt", "", hdr)
		require.Equal(t, 501, w.Code, "%v: %s", hdr, w.Body.String())
	}
	require.Equal(t, before, state(t, h))
	for _, hdr := range []map[string]string{{"x-amz-bucket-object-lock-enabled": "false"}, {"x-amz-object-ownership": "BucketOwnerEnforced"}} {
		require.Equal(t, 200, do(t, h, "PUT", "/newbkt", "", hdr).Code, "%v: what this server makes", hdr)
		require.Equal(t, 204, do(t, h, "DELETE", "/newbkt", "", nil).Code)
	}
	for _, hdr := range []map[string]string{{"x-amz-acl": "public-read"}, {"x-amz-grant-read": "id=x"}} {
		w := do(t, h, "PUT", "/bkt/obj", "replacement", hdr)
		require.Equal(t, 400, w.Code, "%v", hdr)
		require.Equal(t, "AccessControlListNotSupported", errorOf(t, w).Code)
	}
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/other", "x", map[string]string{"x-amz-acl": "bucket-owner-full-control"}).Code,
		"the ACL S3 takes on a bucket without ACLs")
	require.Equal(t, 204, do(t, h, "DELETE", "/bkt/other", "", nil).Code)
	require.Equal(t, 405, do(t, h, "PATCH", "/bkt/obj", "x", nil).Code)
	require.Equal(t, before, state(t, h))
}

// TestRoutes_Errors: the documents S3 writes, in its words.
func TestRoutes_Errors(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	w := do(t, h, "GET", "/nobkt/k", "", nil)
	require.Equal(t, 404, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "NoSuchBucket", e.Code)
	require.Equal(t, "The specified bucket does not exist", e.Message)
	require.NotEmpty(t, w.Header().Get("x-amz-request-id"))
	require.Equal(t, []string{w.Header().Get("x-amz-request-id")}, w.Header()["X-Amz-Id-2"], "x-amz-id-2: the request id, once")
	require.Equal(t, []string{"coldstore"}, w.Header()["Server"])
	next := do(t, h, "GET", "/nobkt/k", "", nil)
	require.NotEqual(t, w.Header().Get("x-amz-request-id"), next.Header().Get("x-amz-id-2"), "each answer its own")
	require.Equal(t, []string{next.Header().Get("x-amz-request-id")}, next.Header()["X-Amz-Id-2"])
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "<CreateBucketConfiguration><LocationConstraint></LocationConstraint></CreateBucketConfiguration>", nil).Code)
	w = do(t, h, "HEAD", "/bkt/missing", "", nil)
	require.Equal(t, 404, w.Code)
	require.Empty(t, w.Body.String())
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/cold", "ice", map[string]string{"x-amz-storage-class": "DEEP_ARCHIVE"}).Code)
	w = do(t, h, "GET", "/bkt/cold", "", map[string]string{"Range": "bytes=0-1"})
	require.Equal(t, 403, w.Code)
	e = errorOf(t, w)
	require.Equal(t, "InvalidObjectState", e.Code)
	require.Equal(t, "DEEP_ARCHIVE", e.StorageClass, "ranged reads are refused the same")
	w = do(t, h, "PUT", "/bkt/cold", "", map[string]string{"x-amz-copy-source": "/bkt/cold"})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidRequest", errorOf(t, w).Code, "a copy onto itself that changes nothing")
	w = do(t, h, "POST", "/bkt/cold?restore", "", nil)
	require.Equal(t, "MalformedXML", errorOf(t, w).Code, "a restore needs its document")
	w = do(t, h, "POST", "/bkt/cold?restore", "<RestoreRequest><Days>1</Days><Tier>Bulk</Tier></RestoreRequest>", nil)
	require.Equal(t, "MalformedXML", errorOf(t, w).Code, "a top-level Tier")
	w = do(t, h, "POST", "/bkt/cold?restore=", `<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>1</Days><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>`, nil)
	require.Equal(t, 202, w.Code, w.Body.String())
	w = do(t, h, "GET", "/bkt?location", "", nil)
	require.Contains(t, w.Body.String(), `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`)
	w = do(t, h, "PUT", "/bkt/k", "abc", map[string]string{"x-amz-checksum-crc32": "AAAAAA=="})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "BadDigest", errorOf(t, w).Code)
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/k", "", nil).Code, "nothing stored")
	w = do(t, h, "PUT", "/bkt/k", "abc", map[string]string{"x-amz-checksum-crc32": "NSRBwg=="})
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, "NSRBwg==", w.Header().Get("x-amz-checksum-crc32"))
	// The catalogued check values of "123456789": CRC-32 cbf43926,
	// CRC-32C e3069283, CRC-64/NVME ae8b14860a799888.
	for name, sum := range map[string]string{"crc32": "y/Q5Jg==", "crc32c": "4waSgw==", "crc64nvme": "rosUhgp5mIg="} {
		w = do(t, h, "PUT", "/bkt/check", "123456789", map[string]string{"x-amz-checksum-" + name: sum})
		require.Equal(t, 200, w.Code, "%s: %s", name, w.Body.String())
	}
	w = do(t, h, "PUT", "/bkt/k", "abc", map[string]string{"x-amz-content-sha256": strings.Repeat("0", 64)})
	require.Equal(t, "XAmzContentSHA256Mismatch", errorOf(t, w).Code)
	w = do(t, h, "PUT", "/bkt/k", "abc", map[string]string{"If-None-Match": "*"})
	require.Equal(t, 412, w.Code, "a conditional write onto an existing key")
	require.Equal(t, "PreconditionFailed", errorOf(t, w).Code)

	keyed := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	w = do(t, keyed, "GET", "/bkt/k", "", nil)
	require.Equal(t, 403, w.Code)
	require.Equal(t, "AccessDenied", errorOf(t, w).Code)
	w = do(t, keyed, "GET", "/bkt/k", "", map[string]string{"Authorization": "AWS AKID:sig"})
	require.Equal(t, 400, w.Code, "S3's V2 signatures are not served: a header no scheme reads")
	w = do(t, keyed, "POST", "/-/clock?advance=1h", "", nil)
	require.Equal(t, 403, w.Code)
}

// TestRoutes_VirtualHosted: with Options.Domain a request to
// <bucket>.<domain> addresses the bucket; path-style keeps working.
func TestRoutes_VirtualHosted(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Domain: "s3.test"})
	r := httptest.NewRequest("PUT", "http://photos.s3.test/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, 200, w.Code, w.Body.String())
	r = httptest.NewRequest("PUT", "http://photos.s3.test:9000/dir/beach.jpg", strings.NewReader("sand"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(t, h, "GET", "/photos/dir/beach.jpg", "", nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, "sand", w.Body.String())
}

// TestDefaultContentType: an object put without a Content-Type, whole or
// in parts, is answered binary/octet-stream, as S3 answers it; one put
// with a type keeps it.
func TestDefaultContentType(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/plain", "bytes", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/typed", "bytes", map[string]string{"Content-Type": "text/plain"}).Code)
	w := do(t, h, "POST", "/bkt/parts?uploads", "", nil)
	require.Equal(t, 200, w.Code)
	var up struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &up))
	w = do(t, h, "PUT", "/bkt/parts?partNumber=1&uploadId="+up.UploadId, "part", nil)
	require.Equal(t, 200, w.Code)
	done := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + w.Header().Get("ETag") + `</ETag></Part></CompleteMultipartUpload>`
	require.Equal(t, 200, do(t, h, "POST", "/bkt/parts?uploadId="+up.UploadId, done, nil).Code)
	for key, want := range map[string]string{"plain": "binary/octet-stream", "typed": "text/plain", "parts": "binary/octet-stream"} {
		w := do(t, h, "HEAD", "/bkt/"+key, "", nil)
		require.Equal(t, 200, w.Code, key)
		require.Equal(t, want, w.Header().Get("Content-Type"), key)
	}
}

// TestEmptyObjectPartOne: part 1 of an empty object is answered whole,
// 200 and 0 bytes with no Content-Range (no byte range can name it, and
// "bytes 0--1/0" is none), by GET and by HEAD; part 2 is 416.
func TestEmptyObjectPartOne(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/empty", "", nil).Code)
	for _, method := range []string{"GET", "HEAD"} {
		w := do(t, h, method, "/bkt/empty?partNumber=1", "", nil)
		require.Equal(t, 200, w.Code, method)
		require.Empty(t, w.Header().Values("Content-Range"), method)
		require.Equal(t, "0", w.Header().Get("Content-Length"), method)
		require.Empty(t, w.Body.String())
		require.Equal(t, 416, do(t, h, method, "/bkt/empty?partNumber=2", "", nil).Code, method)
	}
	w := do(t, h, "GET", "/bkt/empty", "", nil)
	require.Equal(t, 200, w.Code)
	require.Empty(t, w.Header().Values("Content-Range"))
}

// TestListURLEncoding: encoding-type=url encodes keys and prefixes as S3
// does, measured against it: url.QueryEscape ("a b" as "a+b", '+' as %2B,
// '%' as %25, bytes outside ASCII as %XX) with '/' left as it is.
func TestListURLEncoding(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	for _, k := range []string{"a b.txt", "a+b.txt", "100%.csv", "한글/x.txt", "run books/x.txt"} {
		require.Equal(t, 200, do(t, h, "PUT", "/bkt/"+url.PathEscape(k), "x", nil).Code, k)
	}
	var res struct {
		Delimiter      string
		Contents       []struct{ Key string }
		CommonPrefixes []struct{ Prefix string }
	}
	w := do(t, h, "GET", "/bkt?list-type=2&encoding-type=url", "", nil)
	require.Equal(t, 200, w.Code)
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &res))
	var keys []string
	for _, c := range res.Contents {
		keys = append(keys, c.Key)
	}
	require.Equal(t, []string{"100%25.csv", "a+b.txt", "a%2Bb.txt", "run+books/x.txt", "%ED%95%9C%EA%B8%80/x.txt"}, keys)
	w = do(t, h, "GET", "/bkt?list-type=2&encoding-type=url&delimiter=/", "", nil)
	require.Equal(t, 200, w.Code)
	res.Contents, res.CommonPrefixes = nil, nil
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &res))
	require.Equal(t, "/", res.Delimiter)
	require.Len(t, res.CommonPrefixes, 2)
	require.Equal(t, "run+books/", res.CommonPrefixes[0].Prefix)
	require.Equal(t, "%ED%95%9C%EA%B8%80/", res.CommonPrefixes[1].Prefix)

	// The request's Prefix: encoded by V2, given as sent by V1 (botocore
	// decodes the one and not the other).
	var top struct{ Prefix string }
	w = do(t, h, "GET", "/bkt?list-type=2&encoding-type=url&prefix="+url.QueryEscape("run books/"), "", nil)
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &top))
	require.Equal(t, "run+books/", top.Prefix)
	w = do(t, h, "GET", "/bkt?encoding-type=url&prefix="+url.QueryEscape("run books/"), "", nil)
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &top))
	require.Equal(t, "run books/", top.Prefix)
}

// TestXMLBodiesChecked: the XML bodies of CreateBucket, RestoreObject and
// CompleteMultipartUpload are checked against what the request claims of
// them, as every other body is: a Content-MD5, x-amz-content-sha256 or
// x-amz-checksum-crc32 of another body is refused and changes nothing.
func TestXMLBodiesChecked(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/cold", "x", map[string]string{"x-amz-storage-class": "GLACIER"}).Code)
	w := do(t, h, "POST", "/bkt/parts?uploads", "", nil)
	var up struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &up))
	w = do(t, h, "PUT", "/bkt/parts?partNumber=1&uploadId="+up.UploadId, "part", nil)
	require.Equal(t, 200, w.Code)
	complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + w.Header().Get("ETag") + `</ETag></Part></CompleteMultipartUpload>`
	other := sha256.Sum256([]byte("another body"))
	otherMD5 := md5.Sum([]byte("another body"))
	lies := map[string]map[string]string{
		"XAmzContentSHA256Mismatch": {"x-amz-content-sha256": hex.EncodeToString(other[:])},
		"BadDigest":                 {"Content-MD5": base64.StdEncoding.EncodeToString(otherMD5[:])},
		"BadDigest crc32":           {"x-amz-checksum-crc32": "AAAAAA=="},
	}
	before := state(t, h)
	for name, hdr := range lies {
		code := strings.Fields(name)[0]
		for _, c := range []struct{ method, target, body string }{
			{"PUT", "/newbkt", `<CreateBucketConfiguration></CreateBucketConfiguration>`},
			{"POST", "/bkt/cold?restore", `<RestoreRequest><Days>2</Days></RestoreRequest>`},
			{"POST", "/bkt/parts?uploadId=" + up.UploadId, complete},
		} {
			if c.method == "POST" && strings.Contains(c.target, "uploadId") && strings.HasPrefix(name, "BadDigest crc32") {
				continue // CompleteMultipartUpload's x-amz-checksum-* is the object's (below)
			}
			w := do(t, h, c.method, c.target, c.body, hdr)
			require.Equal(t, 400, w.Code, "%s %s %s: %s", name, c.method, c.target, w.Body.String())
			require.Equal(t, code, errorOf(t, w).Code, "%s %s", name, c.target)
		}
	}
	// CompleteMultipartUpload's x-amz-checksum-* names the object's
	// checksum, a checksum of its parts' ("…-1") or of all of it, not the
	// XML's: its form is checked, 400 InvalidRequest when wrong.
	w = do(t, h, "POST", "/bkt/parts?uploadId="+up.UploadId, complete, map[string]string{"x-amz-checksum-sha256": "not base64-1"})
	require.Equal(t, 400, w.Code, w.Body.String())
	require.Equal(t, "InvalidRequest", errorOf(t, w).Code)
	require.Equal(t, before, state(t, h))
	require.Equal(t, 404, do(t, h, "HEAD", "/newbkt", "", nil).Code)
	oi, err := db.Head(context.Background(), "bkt", "cold")
	require.NoError(t, err)
	require.Equal(t, engine.Archived, oi.Restore.State)
	w = do(t, h, "POST", "/bkt/parts?uploadId="+up.UploadId, complete, map[string]string{"x-amz-checksum-sha256": "Ok6Cs5b96ux6+MWQkJO7UBT5sKPBeXBLwvj/hK89smg=-1"})
	require.Equal(t, 200, w.Code, "the upload is still there, and a composite checksum is taken: %s", w.Body.String())
}

// TestFormUploadRefused: a browser form upload (PostObject, signed in its
// form) is 501 NotImplemented on a server that checks signatures, not a
// 403 for a request that only looks anonymous, and stores nothing; a POST
// with a sub-resource is still authenticated.
func TestFormUploadRefused(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	require.NoError(t, db.CreateBucket(context.Background(), "bkt", nil))
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}})
	form := "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nbytes\r\n--b--\r\n"
	w := do(t, h, "POST", "/bkt", form, map[string]string{"Content-Type": "multipart/form-data; boundary=b"})
	require.Equal(t, 501, w.Code, w.Body.String())
	require.Equal(t, "NotImplemented", errorOf(t, w).Code)
	_, err := db.Head(context.Background(), "bkt", "k")
	require.Error(t, err)
	w = do(t, h, "POST", "/bkt?delete", form, map[string]string{"Content-Type": "multipart/form-data; boundary=b"})
	require.Equal(t, 403, w.Code, "a sub-resource's POST is authenticated")
}

// TestListUploadsURLEncoding: ListMultipartUploads with encoding-type=url
// encodes its keys, prefix, markers and common prefixes as ListObjects
// does, and says so; without it they are as they are.
func TestListUploadsURLEncoding(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	for _, k := range []string{"sp ace/é+x", "sp ace/y", "sp%/z"} {
		require.Equal(t, 200, do(t, h, "POST", "/bkt/"+url.PathEscape(k)+"?uploads", "", nil).Code, k)
	}
	var res struct {
		EncodingType   string
		Prefix         string
		KeyMarker      string
		Upload         []struct{ Key string }
		CommonPrefixes []struct{ Prefix string }
	}
	w := do(t, h, "GET", "/bkt?uploads&encoding-type=url&prefix=sp&key-marker="+url.QueryEscape("a b"), "", nil)
	require.Equal(t, 200, w.Code)
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &res))
	require.Equal(t, "url", res.EncodingType)
	require.Equal(t, "a+b", res.KeyMarker)
	var keys []string
	for _, u := range res.Upload {
		keys = append(keys, u.Key)
	}
	require.Equal(t, []string{"sp+ace/y", "sp+ace/%C3%A9%2Bx", "sp%25/z"}, keys)
	res.Upload = nil
	w = do(t, h, "GET", "/bkt?uploads&encoding-type=url&delimiter=/", "", nil)
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &res))
	require.Len(t, res.CommonPrefixes, 2)
	require.Equal(t, "sp+ace/", res.CommonPrefixes[0].Prefix)
	require.Equal(t, "sp%25/", res.CommonPrefixes[1].Prefix)
	res.Upload, res.EncodingType = nil, ""
	w = do(t, h, "GET", "/bkt?uploads", "", nil)
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &res))
	require.Empty(t, res.EncodingType)
	require.Equal(t, "sp ace/é+x", res.Upload[1].Key)
}
