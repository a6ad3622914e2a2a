package wire_test

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/coldstore-dev/coldstore/wire"
	"github.com/stretchr/testify/require"
)

type errorDoc struct {
	XMLName                                  xml.Name `xml:"Error"`
	Code, Message, RequestId, HostId, Detail string
}

func decodeError(t *testing.T, b []byte) errorDoc {
	t.Helper()
	var e errorDoc
	require.NoError(t, xml.Unmarshal(b, &e), string(b))
	return e
}

// TestFail_Answers: what each error is answered with, given the request's
// context and the body's failure. A client's failure is a 4xx, a shutdown
// 503; a 5xx says its sentinel's message and no Detail; a 4xx keeps its
// Detail.
func TestFail_Answers(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	shutdown, stop := context.WithCancelCause(context.Background())
	stop(wire.ErrShutdown)
	detailed := &coldstore.OpError{Op: "Restore", Detail: "days 9 outside [1, 7]", Err: coldstore.ErrInvalidArgument}
	cases := []struct {
		name         string
		ctx          context.Context
		err, bodyErr error
		status       int
		code, detail string
		message      string
	}{
		{"4xx with detail", context.Background(), detailed, nil, 400, "InvalidArgument", "days 9 outside [1, 7]", coldstore.ErrInvalidArgument.Message},
		{"4xx wins over a cancelled context", canceled, detailed, nil, 400, "InvalidArgument", "days 9 outside [1, 7]", coldstore.ErrInvalidArgument.Message},
		{"engine 5xx: no detail", context.Background(), &coldstore.OpError{Op: "Get", Detail: "/srv/db chunk 3", Err: coldstore.ErrDataCorrupt}, nil, 500, "DataCorrupt", "", coldstore.ErrDataCorrupt.Message},
		{"no sentinel", context.Background(), errors.New("at /home/me/put.go:12"), nil, 500, "InternalError", "", wire.ErrInternal.Message},
		{"status 0", context.Background(), &coldstore.Error{Code: "Odd", Message: "odd"}, nil, 500, "InternalError", "", wire.ErrInternal.Message},
		{"closed database", context.Background(), fmt.Errorf("put: %w", coldstore.ErrClosed), nil, 503, "ServiceUnavailable", "", wire.ErrShutdown.Message},
		{"shutdown", shutdown, context.Canceled, nil, 503, "ServiceUnavailable", "", wire.ErrShutdown.Message},
		{"body broke off", context.Background(), io.ErrUnexpectedEOF, io.ErrUnexpectedEOF, 400, "IncompleteBody", "", wire.ErrIncompleteBody.Message},
		{"body stalled", context.Background(), errors.New("read"), os.ErrDeadlineExceeded, 400, "RequestTimeout", "", wire.ErrRequestTimeout.Message},
		{"client went away", canceled, context.Canceled, nil, 499, "ClientClosedRequest", "", wire.ErrClientClosed.Message},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs strings.Builder
			f := wire.NewFront(oss, slog.New(slog.NewTextHandler(&logs, nil)))
			r := httptest.NewRequest("PUT", "http://host.example/b/k", nil).WithContext(c.ctx)
			w := httptest.NewRecorder()
			require.Equal(t, c.status, f.Fail(w, r, "ID7", c.err, c.bodyErr))
			require.Equal(t, c.status, w.Code)
			e := decodeError(t, w.Body.Bytes())
			require.Equal(t, errorDoc{XMLName: e.XMLName, Code: c.code, Message: c.message, RequestId: "ID7", HostId: "host.example", Detail: c.detail}, e)
			require.NotContains(t, w.Body.String(), "/srv/")
			require.NotContains(t, w.Body.String(), "/home/")
			if c.status >= 500 || c.status == 499 || c.bodyErr != nil {
				require.Contains(t, logs.String(), "id=ID7", "the full error is not logged")
				require.Contains(t, logs.String(), c.err.Error())
			}
		})
	}
}

// TestFail_Head: an answer to HEAD has no body; OSS carries the error
// document in its error header, S3 nothing.
func TestFail_Head(t *testing.T) {
	r := httptest.NewRequest("HEAD", "/b/k", nil)
	w := httptest.NewRecorder()
	wire.NewFront(oss, nil).Fail(w, r, "ID8", coldstore.ErrNoSuchKey, nil)
	require.Equal(t, 404, w.Code)
	require.Empty(t, w.Body.String())
	b, err := base64.StdEncoding.DecodeString(w.Header().Get("x-oss-err"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), xml.Header))
	require.Equal(t, "NoSuchKey", decodeError(t, b).Code)

	w = httptest.NewRecorder()
	wire.NewFront(s3, nil).Fail(w, r, "ID9", coldstore.ErrNoSuchKey, nil)
	require.Equal(t, 404, w.Code)
	require.Empty(t, w.Body.String())
	require.Empty(t, w.Header().Get("x-oss-err"))
	require.NotContains(t, w.Header(), "", "a header without a name")
}

// TestFail_EC: a refusal's EC is sent in the protocol's header and in the
// document, where the protocol has one; never on a 5xx.
func TestFail_EC(t *testing.T) {
	refusal := &coldstore.OpError{Op: "Restore", Err: coldstore.ErrRestoreAlreadyInProgress, EC: "0016-00000701", Detail: "ready at noon"}
	r := httptest.NewRequest("POST", "/b/k?restore", nil)
	w := httptest.NewRecorder()
	require.Equal(t, 409, wire.NewFront(oss, nil).Fail(w, r, "ID1", refusal, nil))
	require.Equal(t, "0016-00000701", w.Header().Get("x-oss-ec"))
	require.Contains(t, w.Body.String(), "<HostId>example.com</HostId><EC>0016-00000701</EC>")

	w = httptest.NewRecorder()
	wire.NewFront(s3, nil).Fail(w, r, "ID2", refusal, nil)
	require.NotContains(t, w.Body.String(), "EC")
	require.Empty(t, w.Header().Get("x-oss-ec"))

	w = httptest.NewRecorder()
	wire.NewFront(oss, nil).Fail(w, r, "ID3", &coldstore.OpError{Err: coldstore.ErrDataCorrupt, EC: "0000-00000000"}, nil)
	require.Equal(t, 500, w.Code)
	require.Empty(t, w.Header().Get("x-oss-ec"))
	require.NotContains(t, w.Body.String(), "<EC>")

	w = httptest.NewRecorder()
	wire.NewFront(oss, nil).Fail(w, r, "ID4", coldstore.ErrNoSuchKey, nil)
	require.NotContains(t, w.Body.String(), "<EC>", "none documented: none sent")
}

// TestFail_Message: an OpError's own Message replaces its sentinel's on a
// 4xx, never on a 5xx (which says no more than its sentinel).
func TestFail_Message(t *testing.T) {
	r := httptest.NewRequest("POST", "/b/k?restore", nil)
	w := httptest.NewRecorder()
	refusal := &coldstore.OpError{Err: coldstore.ErrInvalidObjectState, Message: "Restore is not allowed for the object's current storage class"}
	require.Equal(t, 403, wire.NewFront(s3, nil).Fail(w, r, "ID1", refusal, nil))
	require.Contains(t, w.Body.String(), "<Code>InvalidObjectState</Code><Message>Restore is not allowed for the object&#39;s current storage class</Message>")

	w = httptest.NewRecorder()
	wire.NewFront(s3, nil).Fail(w, r, "ID2", &coldstore.OpError{Err: coldstore.ErrDataCorrupt, Message: "secret detail"}, nil)
	require.Equal(t, 500, w.Code)
	require.NotContains(t, w.Body.String(), "secret detail")
	require.Contains(t, w.Body.String(), coldstore.ErrDataCorrupt.Message)
}

// TestFail_StorageClass: S3's InvalidObjectState names the object's class
// in its document.
func TestFail_StorageClass(t *testing.T) {
	r := httptest.NewRequest("GET", "/b/k", nil)
	w := httptest.NewRecorder()
	err := wire.WithStorageClass(&coldstore.OpError{Err: coldstore.ErrInvalidObjectState}, "GLACIER")
	require.ErrorIs(t, err, coldstore.ErrInvalidObjectState)
	require.Equal(t, 403, wire.NewFront(s3, nil).Fail(w, r, "ID1", err, nil))
	require.Contains(t, w.Body.String(), "<StorageClass>GLACIER</StorageClass>")
	require.Nil(t, wire.WithStorageClass(nil, "GLACIER"))

	w = httptest.NewRecorder()
	wire.NewFront(s3, nil).Fail(w, r, "ID2", &coldstore.OpError{Err: coldstore.ErrNoSuchKey}, nil)
	require.NotContains(t, w.Body.String(), "StorageClass")
}

// TestFail_NestedRefusal: a refusal wrapped by another OpError (the
// engine's around a body reader's error) keeps its EC and message.
func TestFail_NestedRefusal(t *testing.T) {
	inner := &coldstore.OpError{Err: coldstore.ErrInvalidArgument, EC: "0017-00000503", Message: "its own words"}
	outer := &coldstore.OpError{Op: "Put", Detail: "reading the body", Err: inner}
	r := httptest.NewRequest("PUT", "/b/k", nil)
	w := httptest.NewRecorder()
	require.Equal(t, 400, wire.NewFront(oss, nil).Fail(w, r, "ID1", outer, nil))
	require.Equal(t, "0017-00000503", w.Header().Get("x-oss-ec"))
	require.Contains(t, w.Body.String(), "<Message>its own words</Message>")
}
