package wire_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

func TestRoutes_Route(t *testing.T) {
	rt := wire.Routes[string]{
		SubResources: map[string]bool{"acl": true, "uploadId": true, "partNumber": true, "cors": true},
		Served: map[wire.Level]map[string]map[string]string{
			wire.Object: {"acl": {"GET": "get acl"}, "partNumber,uploadId": {"PUT": "upload part"}},
		},
		Plain:   map[wire.Level]map[string]string{wire.Object: {"GET": "get object"}, wire.Service: {"GET": "list buckets"}},
		Methods: wire.HTTPMethods,
	}
	for _, c := range []struct {
		lvl    wire.Level
		method string
		query  string
		want   string
		err    error
	}{
		{wire.Object, "GET", "", "get object", nil},
		{wire.Object, "GET", "acl", "get acl", nil},
		{wire.Object, "PUT", "uploadId=1&partNumber=2&prefix=x", "upload part", nil},
		{wire.Object, "PUT", "acl", "", wire.ErrMethodNotAllowed},
		{wire.Object, "GET", "cors", "", wire.ErrNotImplemented},
		{wire.Object, "GET", "acl&cors", "", wire.ErrNotImplemented},
		{wire.Object, "PUT", "uploadId=1", "", wire.ErrNotImplemented},
		{wire.Object, "DELETE", "", "", wire.ErrNotImplemented},
		{wire.Object, "PATCH", "", "", wire.ErrMethodNotAllowed},
		{wire.Bucket, "GET", "", "", wire.ErrNotImplemented},
		{wire.Service, "GET", "prefix=a", "list buckets", nil},
	} {
		q := map[string][]string{}
		for _, kv := range strings.Split(c.query, "&") {
			if kv != "" {
				k, v, _ := strings.Cut(kv, "=")
				q[k] = []string{v}
			}
		}
		got, what, err := rt.Route(c.lvl, c.method, q)
		require.ErrorIs(t, err, c.err, "%s ?%s", c.method, c.query)
		require.Equal(t, c.want, got, "%s ?%s", c.method, c.query)
		if err != nil {
			require.NotEmpty(t, what)
		}
	}
	require.Equal(t, wire.Service, wire.LevelOf("", ""))
	require.Equal(t, wire.Bucket, wire.LevelOf("b", ""))
	require.Equal(t, wire.Object, wire.LevelOf("b", "k"))
}

func TestCopyPreconditions(t *testing.T) {
	lm := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{}
	require.NoError(t, wire.CopyPreconditions(h, "x-amz-copy-source-", "abc", lm))
	h.Set("x-amz-copy-source-if-match", `"abc"`)
	require.NoError(t, wire.CopyPreconditions(h, "x-amz-copy-source-", "abc", lm))
	h.Set("x-amz-copy-source-if-match", `"other"`)
	require.ErrorIs(t, wire.CopyPreconditions(h, "x-amz-copy-source-", "abc", lm), wire.ErrPreconditionFailed)
	require.NoError(t, wire.CopyPreconditions(h, "x-oss-copy-source-", "abc", lm), "another protocol's headers")
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("the client went away") }

func TestBodyReader(t *testing.T) {
	b := &wire.BodyReader{R: strings.NewReader("abc")}
	got, err := io.ReadAll(b)
	require.NoError(t, err)
	require.Equal(t, "abc", string(got))
	require.NoError(t, b.Err, "io.EOF is not remembered")
	b = &wire.BodyReader{R: failing{}}
	_, err = b.Read(make([]byte, 1))
	require.Error(t, err)
	require.EqualError(t, b.Err, "the client went away")
}
