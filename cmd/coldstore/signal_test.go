//go:build unix

package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/stretchr/testify/require"
)

// TestServe_SIGTERM: the built command, sent SIGTERM while a client
// stalls mid-upload, exits 0 within -shutdown-timeout plus a few seconds,
// with its database closed.
func TestServe_SIGTERM(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "coldstore")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	path := filepath.Join(dir, "c.db")
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-db", path, "-shutdown-timeout", "500ms")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, stderr.String())
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "coldstore: serving OSS on http://")
	require.True(t, ok, line)
	s := &server{addr: addr}
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	stalledUpload(t, addr, "/bkt/k", 1<<20)

	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status: %s", stderr.String())
	case <-time.After(500*time.Millisecond + 10*time.Second):
		t.Fatalf("serve still running 10s after its shutdown timeout: %s", stderr.String())
	}
	took := time.Since(start)
	require.GreaterOrEqual(t, took, 500*time.Millisecond)
	require.Less(t, took, 500*time.Millisecond+5*time.Second)
	require.Contains(t, stderr.String(), "cancelling the requests still in flight")
	db, err := engine.Open(path, &engine.Options{OpenTimeout: time.Second})
	require.NoError(t, err, "the database was left open")
	require.NoError(t, db.Close())

	// The binary on a busy port: exit 1, no database.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	busy := exec.Command(bin, "serve", "-addr", ln.Addr().String(), "-db", filepath.Join(dir, "never.db"))
	err = busy.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 1, ee.ExitCode())
	_, err = os.Stat(filepath.Join(dir, "never.db"))
	require.True(t, os.IsNotExist(err))
}
