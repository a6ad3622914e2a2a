package ossapi

import (
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

// TestFail: what an error is answered with. A 5xx carries the sentinel's
// code and fixed message and no Detail (the engine's Detail may hold a
// path or Go error text); a 4xx keeps its Detail; an error that wraps no
// sentinel is 500 InternalError with OSS's message. The full error is
// logged with the request id.
func TestFail(t *testing.T) {
	var logs strings.Builder
	h := New(nil, &Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	cases := []struct {
		err     error
		status  int
		code    string
		message string
		detail  string
	}{
		{&coldstore.OpError{Op: "Put", Bucket: "b", Key: "k", Detail: "write /srv/secret/coldstore.db: no space left on device", Err: coldstore.ErrInsufficientStorage},
			507, "InsufficientStorage", coldstore.ErrInsufficientStorage.Message, ""},
		{fmt.Errorf("flush: %w", &coldstore.OpError{Op: "Get", Detail: "chunk 3 of /srv/secret/coldstore.db", Err: coldstore.ErrDataCorrupt}),
			500, "DataCorrupt", coldstore.ErrDataCorrupt.Message, ""},
		{&coldstore.OpError{Op: "Put", Detail: "open /srv/secret/coldstore.db: input/output error", Err: errors.New("storage failure")},
			500, "InternalError", "We encountered an internal error. Please try again.", ""},
		{errors.New("runtime error at /home/me/coldstore/engine/put.go:12"),
			500, "InternalError", "We encountered an internal error. Please try again.", ""},
		{&coldstore.OpError{Op: "Restore", Detail: "days 9 outside [1, 7] for Archive", Err: coldstore.ErrInvalidArgument},
			400, "InvalidArgument", coldstore.ErrInvalidArgument.Message, "days 9 outside [1, 7] for Archive"},
		{coldstore.ErrClosed, 503, "ServiceUnavailable", "The server is shutting down.", ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/b/k", nil)
		w := httptest.NewRecorder()
		q := &request{w: w, r: r, id: "ID" + c.code, body: &wire.BodyReader{R: r.Body}}
		h.fail(q, c.err)
		require.Equal(t, c.status, w.Code, c.err.Error())
		var e struct{ Code, Message, Detail, RequestId string }
		require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &e))
		require.Equal(t, c.code, e.Code)
		require.Equal(t, c.message, e.Message)
		require.Equal(t, c.detail, e.Detail)
		require.NotContains(t, w.Body.String(), "/srv/")
		require.NotContains(t, w.Body.String(), "/home/")
		if c.status >= 500 {
			require.Contains(t, logs.String(), "id="+q.id)
		}
	}
	require.Contains(t, logs.String(), "/srv/secret/coldstore.db", "the log keeps the full error")
}

// TestRedactQuery: credentials' values never reach the log.
func TestRedactQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"OSSAccessKeyId=ak&Expires=1&Signature=abc%2B":           "OSSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED",
		"x-oss-credential=ak%2F2024&x-oss-signature=ff&prefix=a": "x-oss-credential=REDACTED&x-oss-signature=REDACTED&prefix=a",
		"security-token=t&x-oss-security-token=u&acl":            "security-token=REDACTED&x-oss-security-token=REDACTED&acl",
		"x%2Doss%2Dsignature=ff&signature=g":                     "x%2Doss%2Dsignature=REDACTED&signature=REDACTED",
		"":                                                       "",
		"x=1;Signature=LEAK&OSSAccessKeyId=AK&Expires=1":         "x=1;Signature=REDACTED&OSSAccessKeyId=REDACTED&Expires=1",
		"a=b;OSSAccessKeyId=LEAK;x-oss-signature=s":              "a=b;OSSAccessKeyId=REDACTED;x-oss-signature=REDACTED",
		"Signature+=LEAK&;&=;signature":                          "Signature+=REDACTED&;&=;signature",
	} {
		require.Equal(t, want, redactQuery(raw), raw)
	}
}
