package wire

import (
	"mime"
	"net/http"
)

// FormUpload reports whether r is a browser form upload (S3's and OSS's
// PostObject): a POST to a bucket, with no sub-resource, of a
// multipart/form-data body. Such a request carries its signature in the
// form (a policy and its signature), not in a header or the query, so a
// server that does not serve form uploads refuses it 501 before
// authentication, which would otherwise answer 403 for a request that
// only looks anonymous.
func FormUpload(r *http.Request, lvl Level, query map[string][]string, subResources map[string]bool) bool {
	if r.Method != http.MethodPost || lvl != Bucket {
		return false
	}
	for k := range query {
		if subResources[k] {
			return false
		}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}
