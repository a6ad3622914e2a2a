package ossapi_test

import (
	"encoding/base64"
	"encoding/xml"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

// ecErr is the error document with its EC.
type ecErr struct {
	Code, Message, EC string
}

// Every refusal whose EC ec.go maps is answered with OSS's code, message
// and EC, the EC in the document and in x-oss-ec; where OSS documents
// none, none is sent. A HEAD carries the same EC in x-oss-err's document.
func TestHandler_ECs(t *testing.T) {
	db, m := enginetest.New(t, nil)
	h := ossapi.New(db, &ossapi.Options{Clock: m})
	ok := func(method, target, body string, hdr map[string]string) string {
		t.Helper()
		w := do(t, h, method, target, body, hdr)
		require.Equal(t, 200, w.Code, w.Body.String())
		return w.Header().Get("ETag")
	}
	ok("PUT", "/bkt", "", nil)
	ok("PUT", "/full", "", nil)
	ok("PUT", "/full/k", "data", nil)
	ok("PUT", "/bkt/k", "data", nil)
	ok("PUT", "/bkt/dangling?symlink", "", map[string]string{"x-oss-symlink-target": "nothere"})
	ok("PUT", "/bkt/link?symlink", "", map[string]string{"x-oss-symlink-target": "k"})
	ok("PUT", "/bkt/linklink?symlink", "", map[string]string{"x-oss-symlink-target": "link"})
	ok("POST", "/bkt/app?append&position=0", "abc", nil)
	init := do(t, h, "POST", "/bkt/mp?uploads", "", nil)
	require.Equal(t, 200, init.Code)
	id := regexp.MustCompile(`<UploadId>([^<]+)</UploadId>`).FindStringSubmatch(init.Body.String())[1]
	e1 := ok("PUT", "/bkt/mp?partNumber=1&uploadId="+id, "small", nil)
	e2 := ok("PUT", "/bkt/mp?partNumber=2&uploadId="+id, "last", nil)
	kinit := do(t, h, "POST", "/bkt/k?uploads", "", nil)
	require.Equal(t, 200, kinit.Code)
	kid := regexp.MustCompile(`<UploadId>([^<]+)</UploadId>`).FindStringSubmatch(kinit.Body.String())[1]
	ek := ok("PUT", "/bkt/k?partNumber=1&uploadId="+kid, "part", nil)
	complete := func(parts ...string) string {
		var b strings.Builder
		b.WriteString("<CompleteMultipartUpload>")
		for i := 0; i < len(parts); i += 2 {
			b.WriteString("<Part><PartNumber>" + parts[i] + "</PartNumber><ETag>" + parts[i+1] + "</ETag></Part>")
		}
		b.WriteString("</CompleteMultipartUpload>")
		return b.String()
	}
	forbid := map[string]string{"x-oss-forbid-overwrite": "true"}
	const partsPrefix = "/bkt/k?uploadId=nope"

	for _, c := range []struct {
		name, method, target, body string
		hdr                        map[string]string
		status                     int
		code, msg, ec              string
	}{
		{"NoSuchBucket", "GET", "/none/k", "", nil, 404, "NoSuchBucket", "The specified bucket does not exist.", "0015-00000101"},
		{"NoSuchKey", "GET", "/bkt/missing", "", nil, 404, "NoSuchKey", "The specified key does not exist.", "0026-00000001"},
		{"BucketNotEmpty", "DELETE", "/full", "", nil, 409, "BucketNotEmpty", "The bucket has objects. Please delete them first.", "0015-00000301"},
		{"BucketAlreadyExists", "PUT", "/bkt", "", nil, 409, "BucketAlreadyExists", "The requested bucket name is not available.", "0015-00000104"},
		{"InvalidBucketName", "PUT", "/AB", "", nil, 400, "InvalidBucketName", "The specified bucket is not valid.", "0015-00000001"},
		{"SymlinkTargetNotExist", "GET", "/bkt/dangling", "", nil, 404, "SymlinkTargetNotExist", "The symlink target object does not exist.", "0026-00000012"},
		{"InvalidTargetType", "GET", "/bkt/linklink", "", nil, 400, "InvalidTargetType", "The symbolic's target file type is invalid", "0026-00000011"},
		{"NotSymlink", "GET", "/bkt/k?symlink", "", nil, 400, "NotSymlink", "The specified object is not a symlink.", "0043-00000101"},
		{"PositionNotEqualToLength", "POST", "/bkt/app?append&position=1", "x", nil, 409, "PositionNotEqualToLength", "Position is not equal to file length", "0026-00000016"},
		{"ObjectNotAppendable", "POST", "/bkt/k?append&position=4", "x", nil, 409, "ObjectNotAppendable", "The object is not appendable.", "0026-00000017"},
		{"FileAlreadyExists PutObject", "PUT", "/bkt/k", "new", forbid, 409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.", "0026-00000002"},
		{"FileAlreadyExists CopyObject", "PUT", "/bkt/k", "", map[string]string{"x-oss-forbid-overwrite": "true", "x-oss-copy-source": "/full/k"}, 409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.", "0026-00000002"},
		{"FileAlreadyExists InitiateMultipartUpload: none documented", "POST", "/bkt/k?uploads", "", forbid, 409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.", ""},
		{"NoSuchUpload UploadPart", "PUT", "/bkt/k?partNumber=1&uploadId=nope", "x", nil, 404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000104"},
		{"NoSuchUpload UploadPartCopy", "PUT", "/bkt/k?partNumber=1&uploadId=nope", "", map[string]string{"x-oss-copy-source": "/bkt/k"}, 404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000311"},
		{"NoSuchUpload AbortMultipartUpload", "DELETE", partsPrefix, "", nil, 404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000002"},
		{"NoSuchUpload ListParts", "GET", partsPrefix, "", nil, 404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", "0042-00000002"},
		{"NoSuchUpload CompleteMultipartUpload: none documented", "POST", partsPrefix, complete("1", e1), nil, 404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", ""},
		{"InvalidPartOrder", "POST", "/bkt/mp?uploadId=" + id, complete("2", e2, "1", e1), nil, 400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", "0042-00000209"},
		{"EntityTooSmall", "POST", "/bkt/mp?uploadId=" + id, complete("1", e1, "2", e2), nil, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.", "0042-00000213"},
		{"FileAlreadyExists CompleteMultipartUpload", "POST", "/bkt/k?uploadId=" + kid, complete("1", ek), forbid, 409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.", "0042-00000214"},
		{"NoSuchLifecycle: none documented", "GET", "/bkt?lifecycle", "", nil, 404, "NoSuchLifecycle", "No Row found in Lifecycle Table.", ""},
		{"InvalidDigest malformed", "PUT", "/bkt/d", "data", map[string]string{"Content-MD5": "not base64"}, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.", "0017-00000502"},
		{"InvalidDigest mismatch", "PUT", "/bkt/d", "data", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.", "0017-00000503"},
		{"InvalidDigest mismatch of an XML body", "PUT", "/bkt?tagging", "<Tagging><TagSet/></Tagging>", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.", "0017-00000503"},
		{"an EC set where refused wins", "POST", "/bkt/app?append", "x", nil, 400, "InvalidArgument", "Invalid Argument.", "0016-00000501"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, h, c.method, c.target, c.body, c.hdr)
			require.Equal(t, c.status, w.Code, w.Body.String())
			var e ecErr
			require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
			require.Equal(t, ecErr{c.code, c.msg, c.ec}, e)
			require.Equal(t, c.ec, w.Header().Get("x-oss-ec"))
		})
	}

	// HEAD: no body; the document, base64, in x-oss-err, and the EC in
	// x-oss-ec.
	for target, want := range map[string]ecErr{
		"/none/k":       {"NoSuchBucket", "The specified bucket does not exist.", "0015-00000101"},
		"/bkt/missing":  {"NoSuchKey", "The specified key does not exist.", "0026-00000001"},
		"/bkt/dangling": {"SymlinkTargetNotExist", "The symlink target object does not exist.", "0026-00000012"},
	} {
		w := do(t, h, "HEAD", target, "", nil)
		require.Empty(t, w.Body.String())
		doc, err := base64.StdEncoding.DecodeString(w.Header().Get("x-oss-err"))
		require.NoError(t, err, target)
		var e ecErr
		require.NoError(t, xml.Unmarshal(doc, &e), string(doc))
		require.Equal(t, want, e, target)
		require.Equal(t, want.EC, w.Header().Get("x-oss-ec"), target)
	}
}

// The signature refusals carry OSS's ECs, as the Go SDK v2 reads them.
func TestSDKv2_AuthECs(t *testing.T) {
	db, m := enginetest.New(t, nil)
	wall := clock.NewMock()
	wall.Set(time.Now())
	srv := httptest.NewServer(ossapi.New(db, &ossapi.Options{Clock: m, WallClock: wall, Keys: map[string]string{"ak": "sk"}}))
	t.Cleanup(srv.Close)
	ec := func(err error, code, msg string) string {
		t.Helper()
		var se *oss.ServiceError
		require.ErrorAs(t, err, &se)
		require.Equal(t, code, se.Code)
		require.Equal(t, msg, se.Message)
		return se.EC
	}
	bucket := &oss.PutBucketRequest{Bucket: oss.Ptr("bkt")}
	_, err := v2Client(srv.URL, "ak", "wrong", oss.SignatureVersionV4).PutBucket(ctx, bucket)
	require.Equal(t, "0002-00000040", ec(err, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."))
	_, err = v2Client(srv.URL, "nobody", "sk", oss.SignatureVersionV1).PutBucket(ctx, bucket)
	require.Equal(t, "0002-00000902", ec(err, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."))
	c := v2Client(srv.URL, "ak", "sk", oss.SignatureVersionV4)
	_, err = c.PutBucket(ctx, bucket)
	require.NoError(t, err)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("none"), Key: oss.Ptr("k")})
	require.Equal(t, "0015-00000101", ec(err, "NoSuchBucket", "The specified bucket does not exist."))
	_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k")})
	require.Equal(t, "0026-00000001", ec(err, "NoSuchKey", "The specified key does not exist."), "HEAD: from x-oss-err")
	wall.Add(time.Hour)
	_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("bkt"), Key: oss.Ptr("k")})
	require.Equal(t, "0002-00000504", ec(err, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."))
}
