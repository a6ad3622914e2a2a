package bench

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
)

// The servers of BenchmarkWire, each a process of its own on loopback
// with a data folder of its own, started the first time a benchmark needs
// it and stopped when the test binary ends (TestMain), so that the rounds
// of -count N and every row share one server of each kind and its data.
// Each runs with the credentials below and every request is signed
// (SigV4); gofakes3 checks no signature.
//
//   - coldstore: `coldstore serve -api s3`, built from this work tree
//     (COLDSTORE_BIN names a binary to use instead). bbolt, fsync on every
//     commit (group commit); one log line per request (its default).
//   - coldstore-nosync: the same with -no-sync, which calls no fsync (bbolt's
//     NoSync; body files not fdatasynced): the durability of versitygw,
//     for the writes compared with it. It runs only the rows that write
//     (PUT, Restore): it reads as coldstore does.
//   - coldstore-nokeys: serve without -keys, which checks no signature:
//     the work of gofakes3, which checks none, for every row compared with
//     it (and what verifying SigV4 costs each row).
//   - gofakes3: the library's HTTP handler over its s3bolt backend (bbolt,
//     fsync on every commit, one transaction per request), in this test
//     binary run again as a child process (TestMain) so that its CPU is
//     counted the way the others' is.
//   - versitygw: `versitygw --keep-alive posix DIR` (without --keep-alive
//     it closes every connection after one request). It calls no fsync:
//     object data is written to an O_TMPFILE and linked into place,
//     metadata goes to extended attributes, and the page cache decides
//     when it reaches the disk.
//   - minio: `minio server DIR`, one drive. Its own fsync rules; see the
//     README.
//   - coldstore-inproc, only when COLDSTORE_WIRE_SERVERS names it: what
//     serve runs (s3api over the engine on bbolt, S3 dialect, the same
//     keys, a text logger) in this process, for a CPU profile of the
//     server with -cpuprofile (focus on net/http.(*conn).serve to leave
//     the client out). Its srv-cpu-us/op counts the client too.
//
// COLDSTORE_WIRE_SERVERS (a comma-separated list) chooses among them.
// COLDSTORE_WIRE_SERVE_FLAGS adds flags to every serve, "{server}" in
// them replaced by the server's name: "-cpuprofile /tmp/{server}.prof"
// profiles each coldstore server to a file of its own.
//
// Peers that are separate programs run when their binaries are found:
// COLDSTORE_PEER_VERSITYGW and COLDSTORE_PEER_MINIO name them, or they are
// in COLDSTORE_PEER_BIN (default ~/.cache/coldstore/peers), where
// scripts/peers builds them.
const (
	wireAccess = "coldstorebench"
	wireSecret = "coldstorebench-secret"
	wireRegion = "us-east-1"

	gofakes3AddrEnv = "COLDSTORE_WIRE_GOFAKES3_ADDR"
	gofakes3DBEnv   = "COLDSTORE_WIRE_GOFAKES3_DB"
)

// wireServerNames are the servers in the order each row runs them.
func wireServerNames() []string {
	if list := os.Getenv("COLDSTORE_WIRE_SERVERS"); list != "" {
		return strings.Split(list, ",")
	}
	return []string{"coldstore", "coldstore-nosync", "coldstore-nokeys", "gofakes3", "versitygw", "minio"}
}

// wireServer is a running server with the buckets "bkt" and "list".
type wireServer struct {
	name   string
	url    string
	cmd    *exec.Cmd  // nil: in this process
	exited chan error // its exit, once
	closer func()     // stops a server in this process
	dir    string     // its data folder, removed when it stops
	note   string     // how it was started, for the log

	mu       sync.Mutex
	stored   map[int]bool // GET objects of each size are stored
	listKeys int          // keys put in "list" (0: not yet)
	restore  *string      // nil: not probed; "": supported; else why not
	seq      int64        // fresh key numbers
}

func (s *wireServer) pid() int {
	if s.cmd == nil {
		return os.Getpid()
	}
	return s.cmd.Process.Pid
}

// next hands out n fresh key numbers.
func (s *wireServer) next(n int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.seq
	s.seq += int64(n)
	return first
}

var wireServers struct {
	sync.Mutex
	up      map[string]*wireServer
	missing map[string]error // peers not found or that failed to start
	coldBin string           // coldstore built for this run
	binDir  string
}

// wireServerFor starts the server name once per process; nil, with the
// reason logged once, when it cannot run here.
func wireServerFor(b *testing.B, name string) *wireServer {
	b.Helper()
	wireServers.Lock()
	defer wireServers.Unlock()
	if s := wireServers.up[name]; s != nil {
		return s
	}
	if _, ok := wireServers.missing[name]; ok {
		return nil
	}
	if wireServers.up == nil {
		wireServers.up = map[string]*wireServer{}
		wireServers.missing = map[string]error{}
	}
	s, err := startWireServer(name)
	if err != nil {
		wireServers.missing[name] = err
		wireNote(b, "server %s does not run in this benchmark: %v", name, err)
		return nil
	}
	wireNote(b, "server %s: %s", name, s.note)
	wireServers.up[name] = s
	return s
}

func startWireServer(name string) (s *wireServer, err error) {
	dir, err := os.MkdirTemp("", "wire-"+name+"-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var cmd *exec.Cmd
	switch name {
	case "coldstore-inproc":
		return startInProcess(dir, addr)
	case "coldstore", "coldstore-nokeys", "coldstore-nosync", "coldstore-b":
		bin, err := coldstoreBinary()
		if name == "coldstore-b" {
			// The other side of an A/B: another build of serve, run as
			// coldstore is, in the same interleaved rounds.
			if bin = os.Getenv("COLDSTORE_BIN_B"); bin == "" {
				err = errors.New("coldstore-b runs the binary COLDSTORE_BIN_B names, and it is not set")
			}
		}
		if err != nil {
			return nil, err
		}
		args := []string{"serve", "-api", "s3", "-db", filepath.Join(dir, "coldstore.db"), "-addr", addr, "-region", wireRegion}
		if name != "coldstore-nokeys" {
			args = append(args, "-keys", wireAccess+":"+wireSecret)
		}
		if name == "coldstore-nosync" {
			args = append(args, "-no-sync")
		}
		cmd = exec.Command(bin, append(args, strings.Fields(strings.ReplaceAll(os.Getenv("COLDSTORE_WIRE_SERVE_FLAGS"), "{server}", name))...)...)
	case "gofakes3":
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cmd = exec.Command(self)
		cmd.Env = append(os.Environ(), gofakes3AddrEnv+"="+addr, gofakes3DBEnv+"="+filepath.Join(dir, "gofakes3.db"))
	case "versitygw":
		bin, err := peerBinary("versitygw", "COLDSTORE_PEER_VERSITYGW")
		if err != nil {
			return nil, err
		}
		data := filepath.Join(dir, "data")
		if err := os.Mkdir(data, 0o755); err != nil {
			return nil, err
		}
		cmd = exec.Command(bin, "--access", wireAccess, "--secret", wireSecret, "--region", wireRegion,
			"--port", addr, "--keep-alive", "posix", data)
	case "minio":
		bin, err := peerBinary("minio", "COLDSTORE_PEER_MINIO")
		if err != nil {
			return nil, err
		}
		console, err := freePort()
		if err != nil {
			return nil, err
		}
		cmd = exec.Command(bin, "server", "--quiet", "--address", addr,
			"--console-address", fmt.Sprintf("127.0.0.1:%d", console), filepath.Join(dir, "data"))
		cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+wireAccess, "MINIO_ROOT_PASSWORD="+wireSecret,
			"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CALLHOME_ENABLE=off", "MINIO_REGION="+wireRegion)
	default:
		return nil, fmt.Errorf("no server %q", name)
	}
	// Output goes through a pipe to the last 8 KiB kept here, for the
	// error when it fails to start: the servers that log every request
	// (coldstore, versitygw: their default) pay for writing the lines, not
	// for a file on the disk under test.
	out := &tailBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s = &wireServer{name: name, url: "http://" + addr, cmd: cmd, dir: dir, stored: map[int]bool{},
		note: fmt.Sprintf("pid %d, %s, data in %s", cmd.Process.Pid, cmd.String(), dir)}
	s.exited = make(chan error, 1)
	go func() { s.exited <- cmd.Wait() }()
	if err := s.awaitBuckets(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s: %v; the end of its output:\n%s", cmd, err, out.String())
	}
	return s, nil
}

// awaitBuckets creates the buckets, retrying while the server starts (a
// refused connection, MinIO's 503 while it initialises), for 60 s.
func (s *wireServer) awaitBuckets() error {
	c := newWireClient(s.url, 1)
	deadline := time.Now().Add(60 * time.Second)
	for _, bucket := range []string{"bkt", "list"} {
		for {
			if s.exited != nil {
				select {
				case err := <-s.exited:
					s.exited <- err
					return fmt.Errorf("exited: %v", err)
				default:
				}
			}
			code, _, err := c.send(wireReq{method: "PUT", path: "/" + bucket}, nil, nil, 0)
			if err == nil && code == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("PUT /%s: %d %v", bucket, code, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}

func (s *wireServer) stop() {
	if s.cmd == nil {
		s.closer()
		os.RemoveAll(s.dir)
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// stopWireServers stops every server started, and removes their data.
func stopWireServers() {
	wireServers.Lock()
	defer wireServers.Unlock()
	for _, s := range wireServers.up {
		s.stop()
	}
	wireServers.up = nil
	if wireServers.coldBin != "" {
		os.RemoveAll(filepath.Dir(wireServers.coldBin))
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// coldstoreBinary builds cmd/coldstore from this work tree, once per
// process, unless COLDSTORE_BIN names a binary.
func coldstoreBinary() (string, error) {
	if bin := os.Getenv("COLDSTORE_BIN"); bin != "" {
		return bin, nil
	}
	if wireServers.coldBin != "" {
		return wireServers.coldBin, nil
	}
	dir, err := os.MkdirTemp("", "wire-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "coldstore")
	// The test runs in bench/, inside the module.
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/coldstore").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build ../cmd/coldstore: %v\n%s", err, out)
	}
	wireServers.coldBin = bin
	return bin, nil
}

// peerBinary finds a peer's binary: $env, else name in COLDSTORE_PEER_BIN
// (default ~/.cache/coldstore/peers, or $XDG_CACHE_HOME/coldstore/peers).
func peerBinary(name, env string) (string, error) {
	if bin := os.Getenv(env); bin != "" {
		return bin, nil
	}
	dir := os.Getenv("COLDSTORE_PEER_BIN")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(cache, "coldstore", "peers")
	}
	bin := filepath.Join(dir, name)
	if _, err := os.Stat(bin); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("no %s and %s is unset: build it with scripts/peers", bin, env)
		}
		return "", err
	}
	return bin, nil
}

// startInProcess serves what `coldstore serve -api s3` serves, in this
// process.
func startInProcess(dir, addr string) (*wireServer, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := engine.Open(filepath.Join(dir, "coldstore.db"), &engine.Options{Logger: log, Dialect: dialect.S3()})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		db.Close()
		return nil, err
	}
	srv := &http.Server{Handler: s3api.New(db, &s3api.Options{Logger: log, Keys: map[string]string{wireAccess: wireSecret}, Region: wireRegion})}
	go srv.Serve(ln)
	s := &wireServer{name: "coldstore-inproc", url: "http://" + addr, dir: dir, stored: map[int]bool{},
		note:   "in this process, data in " + dir,
		closer: func() { srv.Close(); db.Close() }}
	if err := s.awaitBuckets(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// runGofakes3 is the child process that serves gofakes3 over s3bolt at
// addr until it is killed; it never returns but on failure.
func runGofakes3(addr, db string) int {
	be, err := s3bolt.NewFile(db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gofakes3:", err)
		return 1
	}
	srv := &http.Server{Addr: addr, Handler: gofakes3.New(be).Server()}
	fmt.Fprintln(os.Stderr, "gofakes3:", srv.ListenAndServe())
	return 1
}

// tailBuffer keeps the last 8 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 8<<10 {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-8<<10:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
