package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/stretchr/testify/require"
)

func testConfig() serveConfig {
	return serveConfig{readHeaderTimeout: 5 * time.Second, bodyTimeout: 5 * time.Second, idleTimeout: 5 * time.Second,
		shutdownTimeout: 5 * time.Second, closeGrace: 5 * time.Second, maxConns: 100}
}

// lockedBuffer is an io.Writer for another goroutine's output, that can
// wait for a line.
type lockedBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	line chan string
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{line: make(chan string, 100)} }

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.SplitAfter(string(p), "\n") {
		if s != "" {
			select {
			case l.line <- s:
			default:
			}
		}
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is coldstore serve running in this process.
type server struct {
	addr   string
	stop   context.CancelFunc
	code   chan int
	stderr *lockedBuffer
}

// startServe runs serveContext with args (and -addr 127.0.0.1:0) until
// the test stops it, and returns once it listens.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := newLockedBuffer(), newLockedBuffer()
	s := &server{stop: cancel, code: make(chan int, 1), stderr: errb}
	go func() { s.code <- serveContext(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), out, errb) }()
	deadline := time.After(10 * time.Second)
	for s.addr == "" {
		select {
		case l := <-out.line:
			for _, proto := range []string{"OSS", "S3"} {
				for _, scheme := range []string{"http", "https"} {
					if a, ok := strings.CutPrefix(strings.TrimSpace(l), "coldstore: serving "+proto+" on "+scheme+"://"); ok {
						s.addr = a
					}
				}
			}
		case code := <-s.code:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		case <-deadline:
			t.Fatalf("serve did not start: %s", errb.String())
		}
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.code:
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	return s
}

// wait stops the server and returns its exit code and how long it took.
func (s *server) shutdown(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	s.stop()
	select {
	case code := <-s.code:
		s.code <- code // for the cleanup
		return code, time.Since(start)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop within 30s: %s", s.stderr.String())
		return 0, 0
	}
}

func (s *server) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+s.addr+path, strings.NewReader(body))
	require.NoError(t, err)
	// A connection of its own: a kept-alive one may be the idle connection
	// the server's cap has just closed, and a PUT is not retried on it.
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe_BusyPort: a port in use fails serve with exit 1 before any
// database file is created.
func TestServe_BusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	path := filepath.Join(t.TempDir(), "never.db")
	var out, errb bytes.Buffer
	require.Equal(t, 1, serveContext(context.Background(), []string{"-addr", ln.Addr().String(), "-db", path}, &out, &errb))
	require.Contains(t, errb.String(), "address already in use")
	_, err = os.Stat(path)
	require.True(t, os.IsNotExist(err), "serve created %s although it could not listen", path)
}

// TestServe_Flags: bad limits are refused before anything starts.
func TestServe_Flags(t *testing.T) {
	for _, args := range [][]string{
		{"-body-timeout", "0"}, {"-idle-timeout", "-1s"}, {"-read-header-timeout", "0s"},
		{"-shutdown-timeout", "0"}, {"-max-conns", "0"}, {"extra"}, {"-clock", "sundial"}, {"-keys", "nosecret"},
		{"-body-cache", "lots"}, {"-body-cache", "-1MiB"},
	} {
		var out, errb bytes.Buffer
		require.Equal(t, 2, serveContext(context.Background(), append(args, "-db", filepath.Join(t.TempDir(), "x.db")), &out, &errb), "%v", args)
	}
	require.Positive(t, defaultMaxConns())
}

// TestServe_MockClockResumes: -clock mock on an existing database resumes
// from the latest instant it has seen, never earlier.
func TestServe_MockClockResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s := startServe(t, "-db", path, "-clock", "mock")
	status, body := s.do(t, "GET", "/-/clock", "")
	require.Equal(t, 200, status)
	require.Equal(t, "2024-01-01T00:00:00Z\n", body)
	status, _ = s.do(t, "POST", "/-/clock?advance=2h30m", "")
	require.Equal(t, 200, status)
	status, _ = s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	status, _ = s.do(t, "PUT", "/bkt/k", "written at 02:30")
	require.Equal(t, 200, status)
	code, _ := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())

	s = startServe(t, "-db", path, "-clock", "mock")
	status, body = s.do(t, "GET", "/-/clock", "")
	require.Equal(t, 200, status)
	now, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(body))
	require.NoError(t, err)
	require.False(t, now.Before(time.Date(2024, 1, 1, 2, 30, 0, 0, time.UTC)), "the clock went back to %v", now)
	status, _ = s.do(t, "HEAD", "/bkt/k", "")
	require.Equal(t, 200, status)
	// A month in one step (what a 30-day lifecycle test does) is quick.
	start := time.Now()
	status, _ = s.do(t, "POST", "/-/clock?advance=721h", "")
	require.Equal(t, 200, status)
	require.Less(t, time.Since(start), 8*time.Second)
	code, _ = s.shutdown(t)
	require.Equal(t, 0, code)
}

// stalledUpload starts a PUT that announces size bytes, waits for the
// server to read the body (it answers 100 Continue to the first read),
// sends a few bytes and stops; it returns the connection.
func stalledUpload(t *testing.T, addr, key string, size int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", key, size)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	want := "HTTP/1.1 100 Continue\r\n\r\n"
	got := make([]byte, len(want))
	_, err = io.ReadFull(conn, got)
	require.NoError(t, err)
	require.Equal(t, want, string(got))
	require.NoError(t, conn.SetReadDeadline(time.Time{}))
	_, err = io.WriteString(conn, "the first bytes")
	require.NoError(t, err)
	return conn
}

// TestServe_ShutdownWithStalledUpload: SIGTERM while a client stalls in
// the middle of an upload: serve stops accepting, waits -shutdown-timeout,
// cancels the upload (nothing stored), closes the database and exits 0
// well within the bound.
func TestServe_ShutdownWithStalledUpload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s := startServe(t, "-db", path, "-shutdown-timeout", "300ms", "-body-timeout", "1h")
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	status, _ = s.do(t, "PUT", "/bkt/k", "old")
	require.Equal(t, 200, status)
	conn := stalledUpload(t, s.addr, "/bkt/k", 1<<20)
	code, took := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())
	require.GreaterOrEqual(t, took, 300*time.Millisecond, "it waited for the request in flight")
	require.Less(t, took, 300*time.Millisecond+5*time.Second)
	require.Contains(t, s.stderr.String(), "cancelling the requests still in flight")
	// The stalled client sees its connection closed.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closed the connection")

	db, err := engine.Open(path, &engine.Options{OpenTimeout: time.Second})
	require.NoError(t, err, "the database was closed")
	defer db.Close()
	obj, err := db.Get(context.Background(), "bkt", "k")
	require.NoError(t, err)
	b, _ := io.ReadAll(obj)
	obj.Close()
	require.Equal(t, "old", string(b), "the cancelled upload stored nothing")
	_, err = net.Dial("tcp", s.addr)
	require.Error(t, err, "still accepting")
}

// TestServe_ShutdownFinishesRequests: a request in flight that finishes
// within -shutdown-timeout is answered.
func TestServe_ShutdownFinishesRequests(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-shutdown-timeout", "10s")
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	conn := stalledUpload(t, s.addr, "/bkt/k", len("the first bytes")+4)
	codes := make(chan int, 1)
	go func() { code, _ := s.shutdown(t); codes <- code }()
	require.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), "shutting down") }, 5*time.Second, 5*time.Millisecond)
	_, err := io.WriteString(conn, "rest")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, 0, <-codes)
}

// TestServe_BodyTimeout: a client that stops sending its body for longer
// than -body-timeout has its request failed (400 RequestTimeout, nothing
// stored); one that keeps sending slowly is not cut.
func TestServe_BodyTimeout(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-body-timeout", "300ms")
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	conn := stalledUpload(t, s.addr, "/bkt/k", 1000)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 400, resp.StatusCode, string(b))
	require.Contains(t, string(b), "RequestTimeout")
	require.Less(t, time.Since(start), 5*time.Second)
	status, _ = s.do(t, "HEAD", "/bkt/k", "")
	require.Equal(t, 404, status)

	// Slow but steady: 6 pieces 100ms apart, 600ms in all, more than the
	// timeout.
	pr, pw := io.Pipe()
	go func() {
		for i := range 6 {
			time.Sleep(100 * time.Millisecond)
			fmt.Fprintf(pw, "piece%d;", i)
		}
		pw.Close()
	}()
	req, err := http.NewRequest("PUT", "http://"+s.addr+"/bkt/slow", pr)
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	status, body := s.do(t, "GET", "/bkt/slow", "")
	require.Equal(t, 200, status)
	require.Equal(t, "piece0;piece1;piece2;piece3;piece4;piece5;", body)
}

// TestServe_Timeouts: a client that never finishes its headers, and a
// keep-alive connection left idle, are closed by the server.
func TestServe_Timeouts(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-read-header-timeout", "200ms", "-idle-timeout", "200ms")
	closed := func(conn net.Conn) {
		t.Helper()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err := io.ReadAll(conn)
		require.NoError(t, err, "the server closes the connection")
	}
	conn, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n")
	require.NoError(t, err)
	closed(conn)

	idle, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer idle.Close()
	_, err = io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(idle)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = r.ReadByte()
	require.ErrorIs(t, err, io.EOF, "the idle connection is closed")
}

// keepAlive makes a request on a new connection and leaves it open and
// idle.
func keepAlive(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	return conn
}

// TestServe_ConnCap: at -max-conns, idle keep-alive connections and
// connections that never send a request give way to new clients; when
// every connection is busy a new client waits for one to end.
func TestServe_ConnCap(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-max-conns", "3", "-body-timeout", "1s")
	for range 3 {
		keepAlive(t, s.addr)
	}
	for range 5 { // each new client closes an idle one
		start := time.Now()
		status, _ := s.do(t, "GET", "/", "")
		require.Equal(t, 200, status)
		require.Less(t, time.Since(start), time.Second, "a new client waited behind idle connections")
	}
	// Connections that connect and say nothing.
	for range 3 {
		conn, err := net.Dial("tcp", s.addr)
		require.NoError(t, err)
		defer conn.Close()
	}
	status, _ := s.do(t, "GET", "/", "")
	require.Equal(t, 200, status)
	// Three uploads in progress hold every slot: a new client waits until
	// one fails its body timeout, then is served.
	status, _ = s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	for i := range 3 {
		stalledUpload(t, s.addr, fmt.Sprintf("/bkt/k%d", i), 100)
	}
	start := time.Now()
	status, _ = s.do(t, "GET", "/", "")
	require.Equal(t, 200, status)
	require.Less(t, time.Since(start), 8*time.Second)
}

// TestServe_MockLifecycle: on the mock clock, a month's advance applies a
// 30-day expiration rule (the background loop wakes at the rule's due
// time, not only every SweepInterval).
func TestServe_MockLifecycle(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-clock", "mock")
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	status, body := s.do(t, "PUT", "/bkt?lifecycle", `<LifecycleConfiguration><Rule><ID>r</ID><Prefix>tmp/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`)
	require.Equal(t, 200, status, body)
	status, _ = s.do(t, "PUT", "/bkt/tmp/a", "short-lived")
	require.Equal(t, 200, status)
	status, _ = s.do(t, "PUT", "/bkt/keep", "kept")
	require.Equal(t, 200, status)
	status, _ = s.do(t, "POST", "/-/clock?advance=721h", "")
	require.Equal(t, 200, status)
	require.Eventually(t, func() bool { st, _ := s.do(t, "HEAD", "/bkt/tmp/a", ""); return st == 404 }, 5*time.Second, 10*time.Millisecond)
	status, _ = s.do(t, "HEAD", "/bkt/keep", "")
	require.Equal(t, 200, status)
}

// TestServe_StalledReader: a client that stops reading an answer for
// longer than -body-timeout has its connection cut; the server does not
// wait on it.
func TestServe_StalledReader(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-body-timeout", "300ms")
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	big := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB: more than the sockets' buffers
	status, _ = s.do(t, "PUT", "/bkt/big", big)
	require.Equal(t, 200, status)
	conn, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /bkt/big HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), "client gone") }, 10*time.Second, 20*time.Millisecond)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	got, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closed the connection")
	require.Less(t, len(got), len(big), "the whole answer went out")
	// And the server goes on serving.
	status, _ = s.do(t, "HEAD", "/bkt/big", "")
	require.Equal(t, 200, status)
}

// TestServe_NoSync: with -no-sync the server stores and answers as without
// it (small and large bodies), and what it stored is there for the next
// server on the file; a PostgreSQL URL refuses the flag.
func TestServe_NoSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	big := strings.Repeat("0123456789abcdef", 1<<15) // 512 KiB: a body file
	s := startServe(t, "-db", path, "-no-sync")
	for _, put := range [][2]string{{"/bkt", ""}, {"/bkt/small", "hello"}, {"/bkt/big", big}} {
		status, body := s.do(t, "PUT", put[0], put[1])
		require.Equal(t, 200, status, body)
	}
	code, _ := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())

	s = startServe(t, "-db", path)
	for key, want := range map[string]string{"small": "hello", "big": big} {
		status, body := s.do(t, "GET", "/bkt/"+key, "")
		require.Equal(t, 200, status)
		require.Equal(t, want, body)
	}

	var out, errb bytes.Buffer
	require.Equal(t, 2, serveContext(context.Background(), []string{"-addr", "127.0.0.1:0", "-no-sync", "-db", "postgres://localhost/none"}, &out, &errb))
	require.Contains(t, errb.String(), "-no-sync is for a database file")
}

// TestServe_BodyFiles: a body larger than a chunk goes to the folder
// beside the database, or with -single-file into the file; both read back.
func TestServe_BodyFiles(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<15) // 512 KiB
	for _, single := range []bool{false, true} {
		var args []string
		if single {
			args = append(args, "-single-file")
		}
		_, files := serveRoundTrip(t, filepath.Join(t.TempDir(), "c.db"), args, big)
		require.Len(t, files, map[bool]int{false: 1, true: 0}[single], "-single-file %v", single)
	}
}

// TestServe_ConnCapNeverCutsARequest: at -max-conns, the connections
// closed for newcomers are only ones whose server waits for a next
// request: while keep-alive clients PUT bodies back to back and newcomers
// keep arriving, no request the server began is cut in its handler (the
// access log has no IncompleteBody, no 499); a client whose connection
// was closed between requests sends its next one on a new connection.
func TestServe_ConnCapNeverCutsARequest(t *testing.T) {
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "c.db"), "-max-conns", "4", "-body-timeout", "5s")
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	body := strings.Repeat("x", 300<<10)
	stop := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	var done, failed atomic.Int64
	for w := range 3 {
		wg.Go(func() {
			var conn net.Conn
			var br *bufio.Reader
			for i := 0; time.Now().Before(stop); i++ {
				if conn == nil {
					c, err := net.Dial("tcp", s.addr)
					if err != nil {
						continue
					}
					conn, br = c, bufio.NewReader(c)
				}
				_, err := fmt.Fprintf(conn, "PUT /bkt/w%d-%d HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", w, i, len(body), body)
				var resp *http.Response
				if err == nil {
					resp, err = http.ReadResponse(br, nil)
				}
				if err != nil { // closed between requests: a new connection
					conn.Close()
					conn = nil
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					done.Add(1)
				} else {
					failed.Add(1)
				}
			}
			if conn != nil {
				conn.Close()
			}
		})
	}
	wg.Go(func() {
		for time.Now().Before(stop) {
			conn, err := net.Dial("tcp", s.addr)
			if err != nil {
				continue
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err == nil {
				if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
			defer conn.Close() // left open and idle, for the cap to close
		}
	})
	wg.Wait()
	require.Positive(t, done.Load())
	require.Zero(t, failed.Load(), "PUTs answered with an error")
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		require.False(t, strings.Contains(line, "IncompleteBody") || strings.Contains(line, "status=499"), "a request cut in its handler: %s", line)
	}
}

// TestServe_BodyCache: by default a GET of a large object that a GET read
// before sends the chunks it checked then, from memory: damage done to
// its file since is not read (and `coldstore check` finds it); with
// -body-cache 0 every GET reads the file, and refuses the damage.
func TestServe_BodyCache(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 3<<16) // 3 MiB: a body in a file
	for _, cache := range []string{"", "0"} {
		var args []string
		if cache != "" {
			args = append(args, "-body-cache", cache)
		}
		s, files := serveRoundTrip(t, filepath.Join(t.TempDir(), "c.db"), args, body)
		require.Len(t, files, 1)
		f, err := os.OpenFile(files[0], os.O_RDWR, 0)
		require.NoError(t, err)
		_, err = f.WriteAt([]byte("X"), 1000)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		status, got := s.do(t, "GET", "/bkt/k", "")
		if cache == "" {
			require.Equal(t, 200, status)
			require.Equal(t, body, got, "the bytes checked before")
		} else {
			require.NotEqual(t, body, got, "-body-cache 0: the damage is read and refused")
		}
	}
}

// serveRoundTrip starts serve over the database at path with the flags
// extra, makes the bucket bkt, puts body at bkt/k and checks that a GET
// returns it; it returns the server and the files in the folder of
// bodies.
func serveRoundTrip(t *testing.T, path string, extra []string, body string) (*server, []string) {
	t.Helper()
	s := startServe(t, append([]string{"-db", path}, extra...)...)
	status, _ := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, status)
	status, _ = s.do(t, "PUT", "/bkt/k", body)
	require.Equal(t, 200, status)
	status, got := s.do(t, "GET", "/bkt/k", "")
	require.Equal(t, 200, status)
	require.Equal(t, body, got)
	files, err := filepath.Glob(path + ".bodies/*")
	require.NoError(t, err)
	return s, files
}
