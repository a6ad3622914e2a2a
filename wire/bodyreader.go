package wire

import "io"

// BodyReader reads a request body and remembers the first error it
// returned other than io.EOF: a client that went away, a cut or malformed
// (chunked) body, a body that stopped arriving. An operation that fails
// because of it is the client's failure, not the server's: Fail takes Err
// as its bodyErr.
type BodyReader struct {
	R   io.Reader
	Err error
}

func (b *BodyReader) Read(p []byte) (int, error) {
	n, err := b.R.Read(p)
	if err != nil && err != io.EOF && b.Err == nil {
		b.Err = err
	}
	return n, err
}
