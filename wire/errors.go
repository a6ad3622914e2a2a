package wire

import (
	"net/http"

	"github.com/coldstore-dev/coldstore"
)

// Errors of the HTTP exchange itself, beside the engine's sentinels. OSS
// and S3 answer each with the same code and status.
var (
	// ErrNotImplemented is returned for a request that asks for
	// functionality the front does not have.
	ErrNotImplemented = &coldstore.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: "A header or query you provided implies functionality that is not implemented."}
	// ErrMethodNotAllowed is returned for a method the resource has no
	// operation for.
	ErrMethodNotAllowed = &coldstore.Error{Code: "MethodNotAllowed", Status: http.StatusMethodNotAllowed, Message: "The specified method is not allowed against this resource."}
	// ErrInvalidRange is returned by ParseRange for a Range header its
	// rules refuse.
	ErrInvalidRange = &coldstore.Error{Code: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable, Message: "The requested range cannot be satisfied."}
	// ErrEntityTooLarge is returned by ReadBody for a body longer than its
	// limit. It is coldstore.ErrEntityTooLarge.
	ErrEntityTooLarge = coldstore.ErrEntityTooLarge
	// ErrPreconditionFailed is the answer when Preconditions returns 412.
	// It is coldstore.ErrPreconditionFailed.
	ErrPreconditionFailed = coldstore.ErrPreconditionFailed
)

// Errors Front.Fail answers with in place of the error it is given (see
// there): the client's failures and the server's shutdown.
var (
	// ErrIncompleteBody answers a request whose body broke off or was
	// malformed (a bad chunked encoding).
	ErrIncompleteBody = &coldstore.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body ended early or was malformed."}
	// ErrRequestTimeout answers a request whose body stopped arriving.
	ErrRequestTimeout = &coldstore.Error{Code: "RequestTimeout", Status: http.StatusBadRequest, Message: "Your socket connection to the server was not read from or written to within the timeout period."}
	// ErrClientClosed answers (for the log: nobody reads it) a request
	// whose client went away before it was answered.
	ErrClientClosed = &coldstore.Error{Code: "ClientClosedRequest", Status: 499, Message: "The client closed the request before it was answered."}
	// ErrShutdown is the cause to cancel requests' contexts with when the
	// server shuts down (http.Server.BaseContext built with
	// context.WithCancelCause): requests that fail on the cancellation are
	// answered 503 ServiceUnavailable rather than taken for client aborts.
	// A closed database (coldstore.ErrClosed) is answered with it too.
	ErrShutdown = &coldstore.Error{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable, Message: "The server is shutting down."}
	// ErrInternal answers any error that wraps no *coldstore.Error, or one
	// whose status is not an error status: its fixed message is all a 5xx
	// says.
	ErrInternal = &coldstore.Error{Code: "InternalError", Status: http.StatusInternalServerError, Message: "We encountered an internal error. Please try again."}
)
