package s3api_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine/enginetest"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/stretchr/testify/require"
)

func contentMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func crc32Of(s string) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(s))))
}

// TestRefusals_Limits: S3 takes any max-keys, max-parts and max-uploads
// and lists at most 1,000; an encoding-type other than url is refused.
func TestRefusals_Limits(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "x", nil).Code)
	for _, target := range []string{"/bkt?max-keys=5000", "/bkt?list-type=2&max-keys=2147483647"} {
		w := do(t, h, "GET", target, "", nil)
		require.Equal(t, 200, w.Code, w.Body.String())
		require.Contains(t, w.Body.String(), "<MaxKeys>1000</MaxKeys>", target)
	}
	w := do(t, h, "POST", "/bkt/big?uploads", "", nil)
	require.Equal(t, 200, w.Code)
	var up struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &up))
	w = do(t, h, "GET", "/bkt/big?uploadId="+up.UploadId+"&max-parts=99999", "", nil)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), "<MaxParts>1000</MaxParts>")
	w = do(t, h, "GET", "/bkt?uploads&max-uploads=99999", "", nil)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), "<MaxUploads>1000</MaxUploads>")
	for _, target := range []string{"/bkt?encoding-type=base64", "/bkt?list-type=2&encoding-type=", "/bkt?uploads&encoding-type=xml"} {
		w = do(t, h, "GET", target, "", nil)
		require.Equal(t, 400, w.Code, target)
		e := errorOf(t, w)
		require.Equal(t, "InvalidArgument", e.Code)
		require.Equal(t, "Invalid Encoding Method specified in Request", e.Message)
	}
	require.Equal(t, 200, do(t, h, "GET", "/bkt?encoding-type=url", "", nil).Code)
}

// TestRefusals_Documents: DeleteObjects and PutBucketLifecycleConfiguration
// need Content-MD5 or a checksum header; empty lists are MalformedXML;
// malformed checksum headers are InvalidRequest in S3's words; nothing
// changes for any of them.
func TestRefusals_Documents(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/k", "x", nil).Code)

	del := `<Delete><Object><Key>k</Key></Object></Delete>`
	w := do(t, h, "POST", "/bkt?delete", del, nil)
	require.Equal(t, 400, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "InvalidRequest", e.Code)
	require.Equal(t, "Missing required header for this request: Content-MD5", e.Message)
	require.Equal(t, 200, do(t, h, "HEAD", "/bkt/k", "", nil).Code, "nothing deleted")
	w = do(t, h, "POST", "/bkt?delete", `<Delete></Delete>`, map[string]string{"Content-MD5": contentMD5(`<Delete></Delete>`)})
	require.Equal(t, "MalformedXML", errorOf(t, w).Code)

	lc := `<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`
	w = do(t, h, "PUT", "/bkt?lifecycle", lc, nil)
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidRequest", errorOf(t, w).Code)
	require.Equal(t, 404, do(t, h, "GET", "/bkt?lifecycle", "", nil).Code, "no configuration stored")
	require.Equal(t, 200, do(t, h, "PUT", "/bkt?lifecycle", lc, map[string]string{"x-amz-checksum-crc32": crc32Of(lc)}).Code)

	w = do(t, h, "PUT", "/bkt/c", "abc", map[string]string{"x-amz-checksum-sha256": "not base64!"})
	require.Equal(t, 400, w.Code)
	e = errorOf(t, w)
	require.Equal(t, "InvalidRequest", e.Code)
	require.Equal(t, "Value for x-amz-checksum-sha256 header is invalid.", e.Message)
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/c", "", nil).Code)
	w = do(t, h, "PUT", "/bkt/c", "abc", map[string]string{"x-amz-checksum-crc32": "NSRBwg=="})
	require.Equal(t, 200, w.Code)
	require.Equal(t, "FULL_OBJECT", w.Header().Get("x-amz-checksum-type"))

	w = do(t, h, "POST", "/bkt/big?uploads", "", nil)
	var up struct{ UploadId string }
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &up))
	w = do(t, h, "POST", "/bkt/big?uploadId="+up.UploadId, `<CompleteMultipartUpload></CompleteMultipartUpload>`, nil)
	require.Equal(t, 400, w.Code)
	require.Equal(t, "MalformedXML", errorOf(t, w).Code)
	require.Equal(t, 200, do(t, h, "GET", "/bkt/big?uploadId="+up.UploadId, "", nil).Code, "the upload is still open")
	w = do(t, h, "PUT", "/bkt/big?partNumber=1&uploadId="+up.UploadId, "abc", map[string]string{"x-amz-checksum-crc32": "NSRBwg=="})
	require.Equal(t, 200, w.Code)
	require.Equal(t, "NSRBwg==", w.Header().Get("x-amz-checksum-crc32"), "a part's checksum echoed")
	require.Empty(t, w.Header().Get("x-amz-checksum-type"), "without a type: S3 gives a part none")

	// A Content-MD5 sent empty is no digest: InvalidDigest, as S3 answers.
	w = do(t, h, "PUT", "/bkt/empty-md5", "abc", map[string]string{"Content-MD5": ""})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidDigest", errorOf(t, w).Code)
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/empty-md5", "", nil).Code)
}

// TestRefusals_Names: keys, tags, restores and bucket locations S3 refuses.
func TestRefusals_Names(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m})
	w := do(t, h, "PUT", "/bkt", `<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`, nil)
	require.Equal(t, 400, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "IllegalLocationConstraintException", e.Code)
	require.Equal(t, "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.", e.Message)
	for _, lc := range []string{"us-east-1", "Not a region"} {
		w = do(t, h, "PUT", "/bkt", `<CreateBucketConfiguration><LocationConstraint>`+lc+`</LocationConstraint></CreateBucketConfiguration>`, nil)
		require.Equal(t, "InvalidLocationConstraint", errorOf(t, w).Code, lc)
	}
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt", "", nil).Code, "no bucket made")
	for _, name := range []string{"a.-b", "a-.b"} {
		require.Equal(t, "InvalidBucketName", errorOf(t, do(t, h, "PUT", "/"+name, "", nil)).Code, name)
	}
	eu := s3api.New(db, &s3api.Options{Clock: m, Region: "eu-west-1"})
	for _, lc := range []string{"eu-west-1", "EU"} {
		w = do(t, eu, "PUT", "/eu-"+strings.ToLower(lc), `<CreateBucketConfiguration><LocationConstraint>`+lc+`</LocationConstraint></CreateBucketConfiguration>`, nil)
		require.Equal(t, 200, w.Code, lc+": "+w.Body.String())
	}
	require.Equal(t, 200, do(t, h, "PUT", "/bkt", "", nil).Code)

	w = do(t, h, "PUT", "/bkt/"+strings.Repeat("k", 1025), "x", nil)
	require.Equal(t, 400, w.Code)
	require.Equal(t, "KeyTooLongError", errorOf(t, w).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/"+strings.Repeat("k", 1024), "x", nil).Code)

	for tagging, msg := range map[string]string{
		"a=1&a=2":   "Cannot provide multiple Tags with the same key",
		"aws:x=1":   "Your TagKey cannot be prefixed with aws:",
		"AWS:Name=": "Your TagKey cannot be prefixed with aws:",
	} {
		w = do(t, h, "PUT", "/bkt/tagged", "x", map[string]string{"x-amz-tagging": tagging})
		require.Equal(t, 400, w.Code, tagging)
		e = errorOf(t, w)
		require.Equal(t, "InvalidTag", e.Code, tagging)
		require.Equal(t, msg, e.Message, tagging)
	}
	require.Equal(t, 404, do(t, h, "HEAD", "/bkt/tagged", "", nil).Code)
	require.Equal(t, 200, do(t, h, "PUT", "/bkt/tagged", "x", nil).Code)
	w = do(t, h, "PUT", "/bkt/tagged?tagging", `<Tagging><TagSet><Tag><Key>aws:k</Key><Value>v</Value></Tag></TagSet></Tagging>`, nil)
	require.Equal(t, "InvalidTag", errorOf(t, w).Code)

	require.Equal(t, 200, do(t, h, "PUT", "/bkt/it", "x", map[string]string{"x-amz-storage-class": "INTELLIGENT_TIERING"}).Code)
	w = do(t, h, "POST", "/bkt/it?restore", `<RestoreRequest><Days>1</Days></RestoreRequest>`, nil)
	require.Equal(t, 403, w.Code, w.Body.String())
	require.Equal(t, "ObjectAlreadyInActiveTierError", errorOf(t, w).Code)
}

// TestRefusals_Auth: Signature Version 2, in the header or presigned, is
// refused as a region opened since 2014 refuses it; a presigned URL may
// live at most a week; virtual-hosted addressing takes any case.
func TestRefusals_Auth(t *testing.T) {
	db, m := enginetest.NewS3(t, nil)
	h := s3api.New(db, &s3api.Options{Clock: m, Keys: map[string]string{"AKID": "SECRET"}, Domain: "s3.test"})
	for _, target := range []string{"/bkt/k?AWSAccessKeyId=AKID&Expires=9999999999&Signature=abc"} {
		w := do(t, h, "GET", target, "", nil)
		require.Equal(t, 400, w.Code)
		e := errorOf(t, w)
		require.Equal(t, "InvalidRequest", e.Code)
		require.Equal(t, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.", e.Message)
	}
	w := do(t, h, "GET", "/bkt/k", "", map[string]string{"Authorization": "AWS AKID:c2ln"})
	require.Equal(t, 400, w.Code)
	require.Equal(t, "InvalidRequest", errorOf(t, w).Code)

	date := time.Now().UTC() // presigned URLs are judged on the wall clock
	w = do(t, h, "GET", "/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F"+date.Format("20060102")+
		"%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date="+date.Format("20060102T150405Z")+"&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "", nil)
	require.Equal(t, 400, w.Code)
	e := errorOf(t, w)
	require.Equal(t, "AuthorizationQueryParametersError", e.Code)
	require.Contains(t, e.Message, "604800")

	open := s3api.New(db, &s3api.Options{Clock: m, Domain: "S3.Test"})
	r := httptest.NewRequest("PUT", "http://Photos.S3.TEST/", nil)
	rw := httptest.NewRecorder()
	open.ServeHTTP(rw, r)
	require.Equal(t, 200, rw.Code, rw.Body.String())
	require.Equal(t, 200, do(t, open, "HEAD", "/photos", "", nil).Code)
}
