package wire_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

var (
	oss = wire.Protocol{RequestIDHeader: "x-oss-request-id", ErrorHeader: "x-oss-err"}
	s3  = wire.Protocol{RequestIDHeader: "x-amz-request-id"}
)

// TestBegin: the request id under the protocol's header name, Server, and
// Date at the time given, in GMT.
func TestBegin(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("UTC+8", 8*3600))
	for _, p := range []wire.Protocol{oss, s3} {
		w := httptest.NewRecorder()
		id := wire.NewFront(p, nil).Begin(w, now)
		require.Len(t, id, 24)
		require.Equal(t, id, w.Header().Get(p.RequestIDHeader))
		require.Equal(t, "coldstore", w.Header().Get("Server"))
		require.Equal(t, "Mon, 01 Jan 2024 19:04:05 GMT", w.Header().Get("Date"))
	}
	w := httptest.NewRecorder()
	wire.NewFront(s3, nil).Begin(w, now)
	require.Empty(t, w.Header().Get("x-oss-request-id"), "the S3 front wrote OSS's header")
}
