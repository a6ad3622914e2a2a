//go:build unix

package boltkv

import (
	"os"
	"syscall"

	"github.com/coldstore-dev/coldstore/kv"
)

// mapFile maps the first size bytes of f read-only, as bbolt maps its file:
// reading a page faults in that page alone.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	if size == 0 {
		return nil, func() {}, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fail(kv.ErrStorage, "mapping %s: %v", f.Name(), err)
	}
	return b, func() { _ = syscall.Munmap(b) }, nil
}
