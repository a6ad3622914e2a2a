package lifecycle

import (
	"encoding/json"
	"fmt"

	"github.com/coldstore-dev/coldstore"
)

// encodingVersion starts every encoded configuration. An OSS XML document
// starts with '<' (or white space), never with it, so a reader tells the
// two apart by the first byte.
const encodingVersion = 1

// MarshalBinary encodes c in coldstore's own form, which the engine stores:
// a version byte, then the configuration's fields as JSON. It carries every
// field of every rule, whichever service's document they came from, and
// class names as they were written; no service's XML is stored.
func (c *Configuration) MarshalBinary() ([]byte, error) {
	j, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return append([]byte{encodingVersion}, j...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote into c. It returns an
// error wrapping coldstore.ErrInvalidArgument for bytes it did not write
// (an unknown version, or damaged JSON).
func (c *Configuration) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != encodingVersion {
		return &coldstore.OpError{Op: "UnmarshalBinary", Err: coldstore.ErrInvalidArgument, Detail: fmt.Sprintf("not an encoded lifecycle configuration (version %v)", b[:min(len(b), 1)])}
	}
	var d Configuration
	if err := json.Unmarshal(b[1:], &d); err != nil {
		return &coldstore.OpError{Op: "UnmarshalBinary", Err: coldstore.ErrInvalidArgument, Detail: err.Error()}
	}
	*c = d
	return nil
}
