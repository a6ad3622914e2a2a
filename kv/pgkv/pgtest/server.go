package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Cluster is a PostgreSQL server of one test's own, for a test that stops
// or restarts it (the shared server of Env serves other tests meanwhile).
type Cluster struct {
	// URL is the server's postgres:// URL.
	URL  string
	bin  string
	data string
	port int
	as   []string // the command prefix that runs as the postgres user
	opts []string // pg_ctl's options to start the server: its log, port, socket folder
	t    testing.TB
}

// Start initialises a cluster in a temporary folder (initdb, trust on
// loopback) and starts it on a free loopback port, with fsync on; the
// test's cleanup stops it. It needs the binaries of Debian's postgresql
// package, and fails the test saying so when they are missing. As root it
// runs the server as the postgres user, as initdb requires.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("pgtest: PostgreSQL's binaries are not installed: apt-get install postgresql (Debian's package; .ci/run installs it)")
	}
	slices.Sort(bins)
	c := &Cluster{bin: filepath.Dir(bins[len(bins)-1]), t: t}
	dir, err := os.MkdirTemp("", "coldstore-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("pgtest: running as root needs the postgres user (Debian's postgresql package): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		if err := os.Chown(dir, uid, -1); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	c.data = filepath.Join(dir, "data")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	c.run("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
	c.opts = []string{"-w", "-l", filepath.Join(dir, "log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on", c.port, dir)}
	c.Start()
	t.Cleanup(func() { _ = c.cmd("pg_ctl", "-D", c.data, "-m", "immediate", "stop").Run() })
	return c
}

// Start starts the stopped server, failing the test when it cannot.
func (c *Cluster) Start() {
	c.t.Helper()
	c.ctl(append([]string{"start"}, c.opts...)...)
}

// Stop stops the server in mode (smart, fast or immediate: a crash),
// failing the test when it cannot.
func (c *Cluster) Stop(mode string) {
	c.t.Helper()
	c.ctl("stop", "-w", "-m", mode)
}

// Restart stops the server in mode and starts it again.
func (c *Cluster) Restart(mode string) {
	c.t.Helper()
	c.Stop(mode)
	c.Start()
}

// ctl runs pg_ctl on the cluster with args. The server's output goes to
// its log (-l), never to a pipe of ours, which it would hold open.
func (c *Cluster) ctl(args ...string) {
	c.t.Helper()
	c.run("pg_ctl", append([]string{"-D", c.data}, args...)...)
}

func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	argv := append(slices.Clone(c.as), append([]string{filepath.Join(c.bin, name)}, args...)...)
	return exec.Command(argv[0], argv[1:]...)
}

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.cmd(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("pgtest: %s %v: %v\n%s", name, args, err, out)
	}
}
