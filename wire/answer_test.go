package wire_test

import (
	"encoding/xml"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

type doc struct {
	XMLName xml.Name `xml:"Doc"`
	Name    string
}

// TestWriteXML: the declaration and the document with its length; no
// body on HEAD (and no error header: it is not an error); a value that
// does not marshal is 500 with no body, logged with the request id.
func TestWriteXML(t *testing.T) {
	var logs strings.Builder
	f := wire.NewFront(oss, slog.New(slog.NewTextHandler(&logs, nil)))

	w := httptest.NewRecorder()
	require.Equal(t, 200, f.WriteXML(w, httptest.NewRequest("GET", "/", nil), "ID1", 200, doc{Name: "a<b"}))
	want := xml.Header + "<Doc><Name>a&lt;b</Name></Doc>"
	require.Equal(t, want, w.Body.String())
	require.Equal(t, strconv.Itoa(len(want)), w.Header().Get("Content-Length"))
	require.Equal(t, "application/xml", w.Header().Get("Content-Type"))

	w = httptest.NewRecorder()
	require.Equal(t, 200, f.WriteXML(w, httptest.NewRequest("HEAD", "/", nil), "ID2", 200, doc{}))
	require.Empty(t, w.Body.String())
	require.Empty(t, w.Header().Get("x-oss-err"))

	w = httptest.NewRecorder()
	require.Equal(t, 500, f.WriteXML(w, httptest.NewRequest("GET", "/", nil), "ID3", 200, func() {}))
	require.Equal(t, 500, w.Code)
	require.Equal(t, xml.Header, w.Body.String())
	require.Contains(t, logs.String(), "id=ID3")
}
