package s3api

import (
	"net/http"
	"net/url"
	"strings"
)

// hoistedHeaders makes the x-amz-* headers that an SDK's presigner moved
// into a presigned URL's query headers of the request again, as S3 takes
// them: the AWS presigners (JavaScript v3, Java v2, Go v2) sign only host
// and carry x-amz-meta-*, x-amz-storage-class, x-amz-tagging, x-amz-acl and
// the rest as signed query parameters, and S3 applies them
// (aws/aws-sdk-js-v3#4694 for metadata; x-amz-tagging measured against S3
// in floci-io/floci#3608). A header the request sends itself, which it
// may only when the URL signs it (unsignedAmzHeaders), wins. The
// query-string authentication's own parameters are not headers, and an
// x-amz-checksum-* in the query is left out, as S3 leaves it
// (localstack/localstack#12169). The headers then meet the refusals any
// header meets (an x-amz-acl S3 refuses, server-side encryption 501).
func hoistedHeaders(r *http.Request, query url.Values) {
	if !query.Has("X-Amz-Signature") {
		return
	}
	for k, vs := range query {
		name := strings.ToLower(k)
		if !strings.HasPrefix(name, "x-amz-") || queryAuthParams[name] || strings.HasPrefix(name, "x-amz-checksum-") || len(vs) == 0 {
			continue
		}
		if r.Header.Get(name) == "" {
			r.Header.Set(name, vs[0])
		}
	}
}

// queryAuthParams are the parameters of query-string authentication
// (SigV4), and the payload hash, which a presigned URL never carries as a
// header.
var queryAuthParams = map[string]bool{
	"x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true, "x-amz-expires": true,
	"x-amz-signedheaders": true, "x-amz-signature": true, "x-amz-security-token": true, "x-amz-content-sha256": true,
}
