package wire

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/coldstore-dev/coldstore"
)

// errorBody is the error document of OSS and S3 alike.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
	EC        string `xml:"EC,omitempty"`     // the service's own code of the refusal (OSS), on 4xx only
	Detail    string `xml:"Detail,omitempty"` // coldstore's own, on 4xx only: the offending value
	// StorageClass names the object's class in S3's InvalidObjectState
	// (WithStorageClass), on 4xx only.
	StorageClass string `xml:"StorageClass,omitempty"`
}

// WithStorageClass returns err with the storage class its error document
// names (S3's InvalidObjectState carries the object's class). errors.Is and
// errors.As see err through it.
func WithStorageClass(err error, class string) error {
	if err == nil {
		return nil
	}
	return &classError{err: err, class: class}
}

type classError struct {
	err   error
	class string
}

func (e *classError) Error() string { return e.err.Error() }
func (e *classError) Unwrap() error { return e.err }

// Fail answers r with err as an error document (Code, Message: the
// OpError's own Message on a 4xx when it has one, else the sentinel's,
// RequestId, HostId: the request's Host, and on a 4xx the EC and Detail
// of the *coldstore.OpError err wraps, the EC also in the protocol's
// ECHeader) and its status, and returns that status.
// bodyErr is the first error other than io.EOF that reading the request
// body returned, nil when there was none.
//
// What is answered is not always err (see classify): a failure of the
// client is a 4xx, ErrIncompleteBody or ErrRequestTimeout, or
// ErrClientClosed when it went away; a request cancelled by the server's
// shutdown, or failing on a closed database, is ErrShutdown. An error that
// wraps no *coldstore.Error, or whose status is not 4xx or 5xx, is
// ErrInternal. A 5xx carries its sentinel's fixed message only and no
// Detail (the engine's detail may hold a path or Go error text); the full
// error is logged with the request id, as is the error behind a client's
// failure.
func (f *Front) Fail(w http.ResponseWriter, r *http.Request, id string, err, bodyErr error) int {
	answer := classify(r.Context(), err, bodyErr)
	code, status, msg := coldstore.Code(answer), coldstore.HTTPStatus(answer), ErrInternal.Message
	var ce *coldstore.Error
	if errors.As(answer, &ce) {
		msg = ce.Message
	}
	if status < 400 || status > 599 && status != ErrClientClosed.Status {
		code, status, msg = ErrInternal.Code, ErrInternal.Status, ErrInternal.Message
	}
	detail, ec, class := "", "", ""
	switch {
	case status >= 500:
		level := slog.LevelError
		if status == http.StatusNotImplemented || status == http.StatusServiceUnavailable {
			level = slog.LevelInfo
		}
		f.log.Log(r.Context(), level, "server error", "id", id, "status", status, "code", code, "err", err)
	case answer != err:
		f.log.Info("client failure", "id", id, "status", status, "code", code, "err", err, "body", bodyErr)
	default:
		var oe *coldstore.OpError
		if errors.As(err, &oe) {
			detail = oe.Detail
		}
		if f.proto.ECHeader != "" {
			ec = firstOf(err, func(oe *coldstore.OpError) string { return oe.EC })
		}
		if m := firstOf(err, func(oe *coldstore.OpError) string { return oe.Message }); m != "" {
			msg = m
		}
		var ce *classError
		if errors.As(err, &ce) {
			class = ce.class
		}
	}
	if ec != "" {
		w.Header().Set(f.proto.ECHeader, ec)
	}
	return f.writeXML(w, r, id, status, errorBody{Code: code, Message: msg, RequestID: id, HostID: r.Host, EC: ec, Detail: detail, StorageClass: class}, true)
}

// classify turns err into the error answered: a rule the request broke,
// or the engine's own 5xx, as it is; a closed database or the server's
// shutdown (a context cancelled with a *coldstore.Error as its cause)
// ErrShutdown or that cause; a failure reading the body (bodyErr)
// ErrRequestTimeout when it was a timeout, else ErrIncompleteBody; a
// cancelled request ErrClientClosed; anything else err.
func classify(ctx context.Context, err, bodyErr error) error {
	var ce *coldstore.Error
	if errors.As(err, &ce) && ce.Status != 0 && ce.Status < 500 {
		return err // a rule the request broke: answered as it is
	}
	if errors.As(err, &ce) && ce.Status >= 500 && !errors.Is(err, context.Canceled) {
		return err // the engine's own 5xx (full disk, corrupt data)
	}
	if errors.Is(err, coldstore.ErrClosed) {
		return ErrShutdown
	}
	if cause := context.Cause(ctx); ctx.Err() != nil && errors.As(cause, &ce) {
		return cause // the server's shutdown
	}
	if bodyErr != nil {
		var ne net.Error
		if errors.Is(bodyErr, os.ErrDeadlineExceeded) || errors.As(bodyErr, &ne) && ne.Timeout() {
			return ErrRequestTimeout
		}
		return ErrIncompleteBody
	}
	if ctx.Err() != nil {
		return ErrClientClosed
	}
	return err
}

// firstOf returns field of the first OpError in err's chain that has it
// set: the engine wraps a refusal from a reader (a body's Content-MD5) in
// an OpError of its own, which carries no EC or message of its own.
func firstOf(err error, field func(*coldstore.OpError) string) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if oe, ok := e.(*coldstore.OpError); ok {
			if v := field(oe); v != "" {
				return v
			}
		}
	}
	return ""
}
