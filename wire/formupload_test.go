package wire

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFormUpload: only a POST of multipart/form-data to a bucket, with no
// sub-resource, is a form upload.
func TestFormUpload(t *testing.T) {
	subs := map[string]bool{"delete": true}
	for _, c := range []struct {
		method, ctype string
		lvl           Level
		query         map[string][]string
		want          bool
	}{
		{"POST", "multipart/form-data; boundary=x", Bucket, nil, true},
		{"POST", "Multipart/Form-Data; boundary=x", Bucket, map[string][]string{"other": {""}}, true},
		{"POST", "multipart/form-data; boundary=x", Bucket, map[string][]string{"delete": {""}}, false},
		{"POST", "multipart/form-data; boundary=x", Object, nil, false},
		{"PUT", "multipart/form-data; boundary=x", Bucket, nil, false},
		{"POST", "application/xml", Bucket, nil, false},
		{"POST", "", Bucket, nil, false},
	} {
		r := httptest.NewRequest(c.method, "/b", nil)
		if c.ctype != "" {
			r.Header.Set("Content-Type", c.ctype)
		}
		require.Equal(t, c.want, FormUpload(r, c.lvl, c.query, subs), "%+v", c)
	}
}
