//go:build !linux

package engine

import "os"

// fdatasync flushes file to the disk (fsync where there is no fdatasync).
func fdatasync(file *os.File) error { return file.Sync() }

// startWriteback does nothing where there is no sync_file_range: the
// fdatasync that follows writes everything.
func startWriteback(file *os.File, off, n int64) {}

// dropCached does nothing off Linux: the pages stay cached until the
// kernel needs them.
func dropCached(file *os.File) {}
