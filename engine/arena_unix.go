//go:build unix

package engine

import "syscall"

// mapArena maps n bytes of anonymous memory, outside Go's heap, and
// returns them with the function that unmaps them. The system gives a page
// only when it is first written.
func mapArena(n int) ([]byte, func(), error) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { _ = syscall.Munmap(b) }, nil
}
