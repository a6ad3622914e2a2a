//go:build !unix

package boltkv

import (
	"io"
	"os"

	"github.com/coldstore-dev/coldstore/kv"
)

// mapFile reads the first size bytes of f, where no mapping is at hand.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return nil, nil, fail(kv.ErrStorage, "reading %s: %v", f.Name(), err)
	}
	return b, func() {}, nil
}
