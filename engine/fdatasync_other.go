//go:build !linux

package engine

import "os"

// fdatasync flushes file to the disk (fsync where there is no fdatasync).
func fdatasync(file *os.File) error { return file.Sync() }
