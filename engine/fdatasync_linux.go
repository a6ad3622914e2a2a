package engine

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
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

// startWriteback asks the kernel to start writing file's bytes in [off,
// off+n) to the disk now, and returns without waiting for them
// (sync_file_range with SYNC_FILE_RANGE_WRITE, as pebble's bytes-per-sync
// and RocksDB's do). It promises nothing, so an error is ignored: the
// fdatasync that follows makes the bytes durable, and finds less to wait
// for.
func startWriteback(file *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(file.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// dropCached tells the kernel that file's cached pages will not be needed
// again (posix_fadvise POSIX_FADV_DONTNEED), so it frees those that are
// clean at once: after fdatasync, all of them. The next read of the file
// reads the disk. MinIO writes large objects with O_DIRECT, past the
// cache, for the same reason; a freed page is also one the next body
// reuses, where a cache that only grows makes the kernel find a new page
// for every 4 KiB written (bench/README.md: "The page cache"). It is
// advice, so an error is ignored.
func dropCached(file *os.File) {
	_ = unix.Fadvise(int(file.Fd()), 0, 0, unix.FADV_DONTNEED)
}
