package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cutProxy relays TCP connections to a target it can change, and cuts
// the ones open when told: a network that drops a long-lived stream.
type cutProxy struct {
	addr string

	mu     sync.Mutex
	target string
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cutProxy{addr: ln.Addr().String(), target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

// cut closes every connection relayed so far.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) retarget(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = addr
}

// esLine is a line testdata/eventsource/stream.js prints.
type esLine struct{ Event, ID, Key, Data string }

// TestServe_EventsEventSource: eventsource, the WHATWG EventSource for
// Node.js, reads /-/events through a connection the test cuts. It
// reconnects by itself, sending the last id it received, and gets the
// events committed while it was away, then the later ones, each once,
// the ids going on. Through a restart of the server its id cannot be
// resumed: a Gap of an unknown count (-1), then the events from then on.
func TestServe_EventsEventSource(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("this test needs Node.js 18 or later: install it (Debian: apt-get install nodejs npm), then run npm ci --prefix cmd/coldstore/testdata/eventsource")
	}
	dir := filepath.Join("testdata", "eventsource")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "eventsource")); err != nil {
		t.Fatal("this test needs eventsource: run npm ci --prefix cmd/coldstore/testdata/eventsource (from the repository's root; .ci/run does)")
	}
	path := filepath.Join(t.TempDir(), "s3.db")
	s := startServe(t, "-db", path, "-api", "s3")
	put := func(s *server, key string) {
		t.Helper()
		code, body := s.do(t, "PUT", "/bkt/"+key, key)
		require.Equal(t, 200, code, body)
	}
	code, body := s.do(t, "PUT", "/bkt", "")
	require.Equal(t, 200, code, body)
	p := newCutProxy(t, s.addr)

	cmd := exec.Command(node, filepath.Join(dir, "stream.js"), "http://"+p.addr+"/-/events")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan esLine, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l esLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				lines <- l
			}
		}
	}()
	next := func() esLine {
		t.Helper()
		select {
		case l, ok := <-lines:
			require.True(t, ok, "the script ended")
			return l
		case <-time.After(20 * time.Second):
			t.Fatal("nothing from the EventSource within 20 s")
			return esLine{}
		}
	}

	require.Equal(t, "open", next().Event)
	put(s, "a")
	a := next()
	require.Equal(t, esLine{Event: "ObjectCreated:Put", ID: a.ID, Key: "a"}, a)
	epoch, n, ok := strings.Cut(a.ID, "-")
	require.True(t, ok, a.ID)

	p.cut()
	put(s, "b") // while the client is away
	put(s, "c")
	require.Equal(t, "error", next().Event, "the cut")
	require.Equal(t, "open", next().Event, "reconnected by itself")
	for i, key := range []string{"b", "c"} {
		require.Equal(t, esLine{Event: "ObjectCreated:Put", ID: epoch + "-" + add(t, n, i+1), Key: key}, next())
	}
	put(s, "d")
	require.Equal(t, esLine{Event: "ObjectCreated:Put", ID: epoch + "-" + add(t, n, 3), Key: "d"}, next())

	c, _ := s.shutdown(t)
	require.Equal(t, 0, c, s.stderr.String())
	require.Equal(t, "error", next().Event, "the server went")
	s2 := startServe(t, "-db", path, "-api", "s3")
	p.retarget(s2.addr)
	require.Equal(t, "open", next().Event)
	gap := next()
	require.Equal(t, "Gap", gap.Event)
	require.JSONEq(t, `{"missed":-1}`, gap.Data, "a restarted server cannot count what was missed")
	put(s2, "e")
	e := next()
	require.Equal(t, "e", e.Key)
	require.NotEqual(t, epoch, strings.SplitN(e.ID, "-", 2)[0], "the new server's mark")
}

// add is the decimal n plus k.
func add(t *testing.T, n string, k int) string {
	t.Helper()
	v, err := strconv.Atoi(n)
	require.NoError(t, err)
	return strconv.Itoa(v + k)
}
