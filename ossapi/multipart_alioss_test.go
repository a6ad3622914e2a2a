package ossapi_test

import "testing"

// TestAliOSSMultipart drives multipart uploads with ali-oss
// (testdata/alioss/multipart.js): multipartUpload with and without a
// class, every call by hand, part copies and the documented refusals.
func TestAliOSSMultipart(t *testing.T) {
	runAliOSS(t, "multipart.js", 15)
}
