package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// residentPages counts the pages of the file at path that are in the page
// cache: mincore(2), which x/sys/unix does not wrap on Linux, over a
// read-only mapping of the file (mapping it reads nothing).
func residentPages(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (len(m)+page-1)/page)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0])))
	require.Zero(t, errno)
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// diskDir returns a folder for the test on a filesystem whose pages can
// leave the page cache: t.TempDir(), or, where that is tmpfs (whose files
// are their pages, never dropped), a folder beside the package's source,
// removed when the test ends. It fails the test, saying what to do, when
// both are tmpfs.
func diskDir(t *testing.T) string {
	t.Helper()
	if dir := t.TempDir(); !onTmpfs(t, dir) {
		return dir
	}
	dir, err := os.MkdirTemp(".", "pagecache-test-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if onTmpfs(t, dir) {
		t.Fatalf("%s and the package's folder are on tmpfs, whose pages never leave the page cache: set TMPDIR to a folder on a disk", os.TempDir())
	}
	return dir
}

// onTmpfs reports whether dir is on tmpfs.
func onTmpfs(t *testing.T, dir string) bool {
	t.Helper()
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &st))
	return st.Type == unix.TMPFS_MAGIC
}

// TestBodyFiles_DroppedFromCache: once a Put has made its body file
// durable, none of the file's pages stay in the page cache; a Get reads
// them back in (so the count can see pages), and reads the body. A
// database that does not sync keeps them: they are not yet on the disk.
func TestBodyFiles_DroppedFromCache(t *testing.T) {
	ctx := context.Background()
	body := make([]byte, 5*chunkSize+7)
	for i := range body {
		body[i] = byte(i * 31)
	}
	for _, noSync := range []bool{false, true} {
		db, err := Open(filepath.Join(diskDir(t), "c.db"), &Options{DisableSweeper: true, NoSync: noSync})
		require.NoError(t, err)
		require.NoError(t, db.CreateBucket(ctx, "bkt", nil))
		_, err = db.Put(ctx, "bkt", "k", bytes.NewReader(body), nil)
		require.NoError(t, err)
		id := dataIDOf(t, db, "bkt", "k")
		require.True(t, isFileID(id))
		path := db.files.path(id)
		pages := int(fileOffset(6)) / os.Getpagesize()
		if noSync {
			require.Greater(t, residentPages(t, path), pages/2, "NoSync")
		} else {
			require.Zero(t, residentPages(t, path), "synced")
		}
		require.Equal(t, body, readAll(t, db, "k"))
		require.Greater(t, residentPages(t, path), pages/2, "after the Get, NoSync %v", noSync)
		require.NoError(t, db.Close())
	}
}
