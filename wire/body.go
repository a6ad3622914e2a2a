package wire

import (
	"bytes"
	"encoding/xml"
	"io"

	"github.com/coldstore-dev/coldstore"
)

// ReadBody reads all of a request body of at most limit bytes. It returns
// ErrEntityTooLarge, having read limit+1 bytes and no more, when the body
// is longer; the reader's error when it fails (for the answer, pass that
// error to Front.Fail as the body's: the client's failure is a 4xx).
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, ErrEntityTooLarge
	}
	return body, nil
}

// DecodeXML decodes body, an XML document, into v. An empty body (or one
// of white space only) leaves v as it is when optional. It returns an
// error wrapping coldstore.ErrMalformedXML for an empty body that is not
// optional, and for a body that is not an XML document v can hold.
func DecodeXML(body []byte, v any, optional bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return &coldstore.OpError{Op: "DecodeXML", Detail: "the body is empty", Err: coldstore.ErrMalformedXML}
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return &coldstore.OpError{Op: "DecodeXML", Detail: err.Error(), Err: coldstore.ErrMalformedXML}
	}
	return nil
}
