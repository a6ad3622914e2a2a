package engine

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/coldstore-dev/coldstore"
	"github.com/stretchr/testify/require"
)

// TestWrap_FullDisk: what a write of bbolt's returns on a full disk (seen
// on a 2 MiB tmpfs: "write <path>: no space left on device") is
// ErrInsufficientStorage, 507; other I/O errors are ErrStorage.
func TestWrap_FullDisk(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT} {
		err := wrap("Put", "b", "k", &os.PathError{Op: "write", Path: "/srv/db", Err: errno})
		require.ErrorIs(t, err, coldstore.ErrInsufficientStorage)
		require.Equal(t, 507, coldstore.HTTPStatus(err))
	}
	err := wrap("Put", "b", "k", &os.PathError{Op: "write", Path: "/srv/db", Err: syscall.EIO})
	require.ErrorIs(t, err, ErrStorage)
	require.False(t, errors.Is(err, coldstore.ErrInsufficientStorage))
}
