package engine

import (
	"os"
	"syscall"
)

// fdatasync flushes file's bytes, and the metadata needed to read them
// back, to the disk: bbolt's own flush on Linux.
func fdatasync(file *os.File) error {
	for {
		err := syscall.Fdatasync(int(file.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
