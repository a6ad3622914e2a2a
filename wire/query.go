package wire

import (
	"net/url"

	"github.com/coldstore-dev/coldstore"
)

// ParseQuery parses a request's query string for a front: nil for none
// (most object requests have none, and a nil url.Values reads as empty;
// the fronts only read it), else url.ParseQuery's values. It returns an
// error wrapping coldstore.ErrInvalidArgument, Op op, for a malformed
// query string.
func ParseQuery(op, raw string) (url.Values, error) {
	if raw == "" {
		return nil, nil
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &coldstore.OpError{Op: op, Detail: "the query string is malformed", Err: coldstore.ErrInvalidArgument}
	}
	return v, nil
}
