package engine_test

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/stretchr/testify/require"
)

// fsizeChildEnv makes the test binary a child that opens a new database
// with its files limited to 8 KiB: bbolt's first write of a new file (four
// pages) fails, as on a full disk.
const fsizeChildEnv = "COLDSTORE_FSIZE_CHILD"

func init() {
	if path := os.Getenv(fsizeChildEnv); path != "" {
		os.Exit(fsizeChild(path))
	}
}

func fsizeChild(path string) int {
	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 8 << 10, Max: 8 << 10}); err != nil {
		return 5
	}
	db, err := engine.Open(path, nil)
	if err == nil {
		_ = db.Close()
		return 4 // the limit did not bite
	}
	if !errors.Is(err, engine.ErrStorage) && !errors.Is(err, engine.ErrCorrupt) {
		return 6
	}
	if _, err := os.Lstat(path); err == nil {
		return 3 // the half-written file was left behind
	}
	return 0
}

// TestOpen_FailedCreationLeavesNoFile: when Open cannot write a new file,
// the path stays free, and the next Open (with room) creates the database.
func TestOpen_FailedCreationLeavesNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fsizeChildEnv+"="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("child exited %d (3: file left behind, 4: limit did not bite, 5: setrlimit failed, 6: untyped error): %s", exit.ExitCode(), out)
	}
	require.NoError(t, err, "%s", out)
	_, err = os.Lstat(path)
	require.ErrorIs(t, err, os.ErrNotExist)
	db, err := engine.Open(path, nil)
	require.NoError(t, err, "the path can be used again")
	require.NoError(t, db.Close())
}
