//go:build unix

package main

// The multi-node tests: several `coldstore serve` processes, each a child
// process of its own (the test binary run again, see
// TestHelperClusterNode), over one PostgreSQL database. They need
// PostgreSQL, and fail without it: run them under scripts/with-postgres,
//
//	scripts/with-postgres go test -race -count=1 ./cmd/coldstore -run TestCluster -v
//
// A node's log is printed when its test fails; with
// COLDSTORE_CLUSTER_LOGS set, always (less the request lines).

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/kv/pgkv/pgtest"
	"github.com/stretchr/testify/require"
)

// clusterNodeEnv carries a child's serve arguments, as JSON.
const clusterNodeEnv = "COLDSTORE_CLUSTER_NODE_ARGS"

// The lines serve logs when its process takes and loses the lead of the
// background work (engine/loop.go).
const (
	logLeading = "coldstore: leading the background work"
	logLost    = "coldstore: lost the lead of the background work"
)

// TestHelperClusterNode is not a test: it is the body of a cluster node,
// the test binary run again with clusterNodeEnv set, which serves until
// it is signalled. Without the variable it does nothing.
func TestHelperClusterNode(t *testing.T) {
	env := os.Getenv(clusterNodeEnv)
	if env == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(env), &args); err != nil {
		fmt.Fprintf(os.Stderr, "cluster node: %s: %v\n", clusterNodeEnv, err)
		os.Exit(2)
	}
	os.Exit(serve(args, os.Stdout, os.Stderr))
}

// clusterNode is one `coldstore serve` process.
type clusterNode struct {
	name   string // node0, node1, …
	addr   string // host:port it serves on
	cmd    *exec.Cmd
	out    *lockedBuffer // its stdout
	log    *lockedBuffer // its stderr: the slog lines
	done   chan struct{} // closed once it has exited
	err    error         // Wait's error, once done
	killed bool          // by the test
}

func (n *clusterNode) url(path string) string { return "http://" + n.addr + path }

// leads is how many times the node logged that it took the lead.
func (n *clusterNode) leads() int { return strings.Count(n.log.String(), logLeading) }

// leading reports whether the node leads by its log: it took the lead
// more times than it lost it.
func (n *clusterNode) leading() bool {
	s := n.log.String()
	return strings.Count(s, logLeading) > strings.Count(s, logLost)
}

// ledAt is the time of the node's last log line saying it took the lead
// (its slog time), zero if none.
func (n *clusterNode) ledAt() time.Time {
	var at time.Time
	for _, l := range strings.Split(n.log.String(), "\n") {
		if !strings.Contains(l, logLeading) || !strings.HasPrefix(l, "time=") {
			continue
		}
		f, _, _ := strings.Cut(strings.TrimPrefix(l, "time="), " ")
		if t, err := time.Parse(time.RFC3339Nano, f); err == nil {
			at = t
		}
	}
	return at
}

func (n *clusterNode) exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the process to end.
func (n *clusterNode) kill(t *testing.T) {
	t.Helper()
	n.killed = true
	require.NoError(t, n.cmd.Process.Signal(syscall.SIGKILL), "SIGKILL %s", n.name)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still running 10s after SIGKILL", n.name)
	}
}

// logTail is the end of the node's log, for a failure message.
func (n *clusterNode) logTail() string {
	s := n.log.String()
	if len(s) > 6000 {
		s = "…" + s[len(s)-6000:]
	}
	return s
}

// startCluster starts count serve processes with args (and -addr
// 127.0.0.1:0) at once and returns once every one of them listens. The
// test's cleanup stops them with SIGTERM, fails the test when one does
// not exit 0 or reported a data race, and prints their logs when the test
// failed.
func startCluster(t *testing.T, count int, args ...string) []*clusterNode {
	t.Helper()
	a, err := json.Marshal(append([]string{"-addr", "127.0.0.1:0"}, args...))
	require.NoError(t, err)
	nodes := make([]*clusterNode, 0, count)
	t.Cleanup(func() { stopCluster(t, nodes) })
	for i := range count {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperClusterNode$", "-test.count=1")
		cmd.Env = append(os.Environ(), clusterNodeEnv+"="+string(a))
		n := &clusterNode{name: fmt.Sprintf("node%d", i), cmd: cmd, out: newLockedBuffer(), log: newLockedBuffer(), done: make(chan struct{})}
		cmd.Stdout, cmd.Stderr = n.out, n.log
		clusterDeathSignal(cmd)
		require.NoError(t, cmd.Start(), "start %s", n.name)
		go func() { n.err = cmd.Wait(); close(n.done) }()
		nodes = append(nodes, n)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range nodes {
		for n.addr == "" {
			const prefix = "coldstore: serving OSS on http://"
			if s := n.out.String(); strings.Contains(s, prefix) {
				rest := s[strings.Index(s, prefix)+len(prefix):]
				if i := strings.IndexByte(rest, '\n'); i >= 0 {
					n.addr = strings.TrimSpace(rest[:i])
					break
				}
			}
			if n.exited() {
				t.Fatalf("%s exited before serving (%v); stdout %q; log:\n%s", n.name, n.err, n.out.String(), n.logTail())
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not say it serves within 30s; stdout %q; log:\n%s", n.name, n.out.String(), n.logTail())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nodes
}

// stopCluster ends the nodes still running with SIGTERM (SIGKILL after
// 20s) and checks that those the test did not kill exited 0.
func stopCluster(t *testing.T, nodes []*clusterNode) {
	for _, n := range nodes {
		if !n.exited() {
			_ = n.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, n := range nodes {
		select {
		case <-n.done:
		case <-time.After(20 * time.Second):
			_ = n.cmd.Process.Kill()
			<-n.done
			t.Errorf("%s did not exit within 20s of SIGTERM; log:\n%s", n.name, n.logTail())
		}
		if !n.killed && n.err != nil {
			t.Errorf("%s exited with %v after SIGTERM, want 0; log:\n%s", n.name, n.err, n.logTail())
		}
		if strings.Contains(n.log.String(), "WARNING: DATA RACE") {
			t.Errorf("%s reported a data race; log:\n%s", n.name, n.log.String())
		}
	}
	if os.Getenv("COLDSTORE_CLUSTER_LOGS") != "" {
		for _, n := range nodes {
			var ls []string
			for _, l := range strings.Split(n.log.String(), "\n") {
				if !strings.Contains(l, "msg=request") {
					ls = append(ls, l)
				}
			}
			t.Logf("%s log, less its request lines:\n%s", n.name, strings.Join(ls, "\n"))
		}
	}
	if t.Failed() {
		for _, n := range nodes {
			t.Logf("%s (%s), ended with %v; log:\n%s", n.name, n.addr, n.err, n.logTail())
		}
	}
}

// waitLeader waits up to within for a node to log that it took the lead
// more times than base (its count before) says, and returns it and how
// long that took.
func waitLeader(t *testing.T, nodes []*clusterNode, base map[*clusterNode]int, within time.Duration) (*clusterNode, time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		for _, n := range nodes {
			if !n.exited() && n.leads() > base[n] {
				return n, time.Since(start)
			}
		}
		if time.Since(start) > within {
			var b strings.Builder
			for _, n := range nodes {
				fmt.Fprintf(&b, "\n--- %s (exited %v, led %d times, %d before) ---\n%s", n.name, n.exited(), n.leads(), base[n], n.logTail())
			}
			t.Fatalf("no node logged %q within %v; logs:%s", logLeading, within, b.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// requireOneLeader checks that exactly one live node leads by the logs.
func requireOneLeader(t *testing.T, nodes []*clusterNode, when string) *clusterNode {
	t.Helper()
	var leaders []string
	var leader *clusterNode
	for _, n := range nodes {
		if !n.exited() && n.leading() {
			leaders = append(leaders, n.name)
			leader = n
		}
	}
	require.Len(t, leaders, 1, "%s: want exactly one live node leading the background work by the logs, got %v", when, leaders)
	return leader
}

// reply is an HTTP exchange's outcome.
type reply struct {
	status int
	body   string
	header http.Header
	err    error // the request got no answer
}

func (r reply) String() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	b := r.body
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return fmt.Sprintf("%d %q", r.status, b)
}

func newClusterClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 128, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 20 * time.Second, Transport: tr}
}

// clusterDo sends a request; hdr are header name/value pairs.
func clusterDo(c *http.Client, method, url, body string, hdr ...string) reply {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: string(b), header: resp.Header, err: err}
}

// mustDo sends a request to n and requires the status want.
func mustDo(t *testing.T, c *http.Client, n *clusterNode, want int, method, path, body string, hdr ...string) reply {
	t.Helper()
	r := clusterDo(c, method, n.url(path), body, hdr...)
	require.NoError(t, r.err, "%s %s via %s", method, path, n.name)
	require.Equal(t, want, r.status, "%s %s via %s: answered %s", method, path, n.name, r)
	return r
}

// advance moves the cluster's mock clock by d through n.
func advance(t *testing.T, c *http.Client, n *clusterNode, d string) string {
	t.Helper()
	r := mustDo(t, c, n, 200, "POST", "/-/clock?advance="+d, "")
	return strings.TrimSpace(r.body)
}

// requireClock checks that every node tells the instant want.
func requireClock(t *testing.T, c *http.Client, nodes []*clusterNode, want string) {
	t.Helper()
	for _, n := range nodes {
		r := mustDo(t, c, n, 200, "GET", "/-/clock", "")
		require.Equal(t, want, strings.TrimSpace(r.body), "GET /-/clock via %s: the cluster's clock", n.name)
	}
}

// requireArchived checks that every node answers GET 403
// InvalidObjectState for each key, and HEAD without x-oss-restore.
func requireArchived(t *testing.T, c *http.Client, nodes []*clusterNode, bucket string, keys []string, when string) {
	t.Helper()
	for _, n := range nodes {
		for _, k := range keys {
			r := clusterDo(c, "GET", n.url("/"+bucket+"/"+k), "")
			require.NoError(t, r.err, "%s: GET %s via %s", when, k, n.name)
			require.Equal(t, 403, r.status, "%s: GET %s via %s: want 403 (archived), got %s", when, k, n.name, r)
			require.Contains(t, r.body, "InvalidObjectState", "%s: GET %s via %s", when, k, n.name)
			r = clusterDo(c, "HEAD", n.url("/"+bucket+"/"+k), "")
			require.NoError(t, r.err, "%s: HEAD %s via %s", when, k, n.name)
			require.Equal(t, 200, r.status, "%s: HEAD %s via %s: %s", when, k, n.name, r)
			require.Equal(t, "Archive", r.header.Get("x-oss-storage-class"), "%s: HEAD %s via %s", when, k, n.name)
			require.Empty(t, r.header.Get("x-oss-restore"), "%s: HEAD %s via %s: an archived object has no restored copy", when, k, n.name)
		}
	}
}

// requireRestored checks that every node answers GET 200 with the bytes
// for each key, and that they agree on its x-oss-restore.
func requireRestored(t *testing.T, c *http.Client, nodes []*clusterNode, bucket string, bodies map[string]string, when string) {
	t.Helper()
	for k, want := range bodies {
		header := map[string]string{}
		for _, n := range nodes {
			r := clusterDo(c, "GET", n.url("/"+bucket+"/"+k), "")
			require.NoError(t, r.err, "%s: GET %s via %s", when, k, n.name)
			require.Equal(t, 200, r.status, "%s: GET %s via %s: want 200 (restored), got %s", when, k, n.name, r)
			require.Equal(t, want, r.body, "%s: GET %s via %s: the bytes", when, k, n.name)
			h := r.header.Get("x-oss-restore")
			require.True(t, strings.HasPrefix(h, `ongoing-request="false", expiry-date=`), "%s: GET %s via %s: x-oss-restore %q", when, k, n.name, h)
			header[n.name] = h
		}
		first := header[nodes[0].name]
		for name, h := range header {
			require.Equal(t, first, h, "%s: %s: %s and %s disagree on x-oss-restore", when, k, nodes[0].name, name)
		}
	}
}

// tally counts answers by status ("error" for none) and by node.
func tally(rs []reply, node func(i int) string) string {
	counts := map[string]int{}
	for i, r := range rs {
		s := "error"
		if r.err == nil {
			s = fmt.Sprint(r.status)
		}
		counts[s+" via "+node(i)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %d; ", k, counts[k])
	}
	return b.String()
}

// TestCluster_RacingRestores: three servers on one database, 32 clients
// restoring each archived object at once through all three: exactly one
// 202 per object, 31 409 RestoreAlreadyInProgress; a move of the shared
// mock clock through one server past the restore's latency makes every
// server serve the bytes, and one past the expiry archives the object
// again on every server.
func TestCluster_RacingRestores(t *testing.T) {
	url := pgtest.URL(t, t.TempDir())
	start := time.Now()
	nodes := startCluster(t, 3, "-db", url, "-clock", "mock", "-api", "oss")
	t.Logf("3 servers up in %v", time.Since(start).Round(time.Millisecond))
	c := newClusterClient(t)
	waitLeader(t, nodes, nil, 15*time.Second)
	time.Sleep(200 * time.Millisecond) // time for a second leader to show, were there one
	leader := requireOneLeader(t, nodes, "at start")
	t.Logf("leader: %s", leader.name)

	const bucket, objects, clients = "race", 6, 32
	mustDo(t, c, nodes[0], 200, "PUT", "/"+bucket+"/", "")
	bodies := map[string]string{}
	var keys []string
	for i := range objects {
		k := fmt.Sprintf("obj-%d", i)
		bodies[k] = fmt.Sprintf("archived object %d, written through %s: %s", i, nodes[i%3].name, strings.Repeat("0123456789", 50*i))
		keys = append(keys, k)
		mustDo(t, c, nodes[i%3], 200, "PUT", "/"+bucket+"/"+k, bodies[k], "x-oss-storage-class", "Archive")
	}
	requireArchived(t, c, nodes, bucket, keys, "before the restores")

	for _, k := range keys {
		replies := make([]reply, clients)
		via := func(i int) string { return nodes[i%3].name }
		var ready, done sync.WaitGroup
		gate := make(chan struct{})
		for i := range clients {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-gate
				replies[i] = clusterDo(c, "POST", nodes[i%3].url("/"+bucket+"/"+k+"?restore"), "")
			}()
		}
		ready.Wait()
		close(gate)
		done.Wait()
		var accepted, conflicts int
		for i, r := range replies {
			require.NoError(t, r.err, "restore %s, client %d via %s", k, i, via(i))
			switch r.status {
			case 202:
				accepted++
			case 409:
				conflicts++
				require.Contains(t, r.body, "RestoreAlreadyInProgress", "restore %s, client %d via %s: %s", k, i, via(i), r)
			default:
				t.Errorf("restore %s, client %d via %s: want 202 or 409, got %s", k, i, via(i), r)
			}
		}
		require.Equal(t, 1, accepted, "restore %s by %d clients at once: want exactly one 202; answers: %s", k, clients, tally(replies, via))
		require.Equal(t, clients-1, conflicts, "restore %s by %d clients at once: want %d 409; answers: %s", k, clients, clients-1, tally(replies, via))
		t.Logf("restore %s by %d clients at once: %s", k, clients, tally(replies, via))
	}
	// Restoring, on every server.
	for _, n := range nodes {
		for _, k := range keys {
			r := mustDo(t, c, n, 200, "HEAD", "/"+bucket+"/"+k, "")
			require.Equal(t, `ongoing-request="true"`, r.header.Get("x-oss-restore"), "HEAD %s via %s while restoring", k, n.name)
			mustDo(t, c, n, 403, "GET", "/"+bucket+"/"+k, "")
			r = mustDo(t, c, n, 409, "POST", "/"+bucket+"/"+k+"?restore", "")
			require.Contains(t, r.body, "RestoreAlreadyInProgress")
		}
	}
	// An Archive restore takes 4 hours (storageclass: the maximum of its
	// latency): 3 hours on, still restoring; 5 hours on, restored.
	now := advance(t, c, nodes[1], "3h")
	requireClock(t, c, nodes, now)
	t.Logf("clock moved 3h through %s to %s", nodes[1].name, now)
	for _, n := range nodes {
		for _, k := range keys {
			r := mustDo(t, c, n, 403, "GET", "/"+bucket+"/"+k, "")
			require.Contains(t, r.body, "InvalidObjectState", "GET %s via %s 3h into a 4h restore", k, n.name)
		}
	}
	now = advance(t, c, nodes[1], "2h")
	requireClock(t, c, nodes, now)
	t.Logf("clock moved 2h more through %s to %s", nodes[1].name, now)
	requireRestored(t, c, nodes, bucket, bodies, "5h after the restores")
	// A restore of a restored object answers 200, on every server.
	for _, n := range nodes {
		for _, k := range keys {
			mustDo(t, c, n, 200, "POST", "/"+bucket+"/"+k+"?restore", "")
		}
	}
	// Each prolonged the copy by its Days (1, the default) from its
	// expiry: ready at 04:00 for a day, then three days more.
	const expiry = `ongoing-request="false", expiry-date="Fri, 05 Jan 2024 04:00:00 GMT"`
	for _, n := range nodes {
		for _, k := range keys {
			r := mustDo(t, c, n, 200, "HEAD", "/"+bucket+"/"+k, "")
			require.Equal(t, expiry, r.header.Get("x-oss-restore"), "HEAD %s via %s after a restore through each of the 3 servers", k, n.name)
		}
	}
	now = advance(t, c, nodes[2], "94h")
	requireClock(t, c, nodes, now)
	t.Logf("clock moved 94h through %s to %s", nodes[2].name, now)
	requireRestored(t, c, nodes, bucket, bodies, "an hour before the expiry")
	// Past the expiry: archived again everywhere.
	now = advance(t, c, nodes[2], "2h")
	requireClock(t, c, nodes, now)
	t.Logf("clock moved 2h more through %s to %s", nodes[2].name, now)
	requireArchived(t, c, nodes, bucket, keys, "an hour after the expiry")
	requireOneLeader(t, nodes, "at the end")
}

// outcome is one request of a load.
type outcome struct {
	node   *clusterNode
	op     string // PUT, or RESTORE
	key    string
	sent   string // a PUT's body
	start  time.Time
	end    time.Time
	status int
	reply  string // the answer's body when it is not 2xx
	err    error
}

func (o outcome) String() string {
	if o.err != nil {
		return fmt.Sprintf("%s %s via %s at %s: error: %v", o.op, o.key, o.node.name, o.end.Format("15:04:05.000"), o.err)
	}
	r := o.reply
	if len(r) > 300 {
		r = r[:300] + "…"
	}
	return fmt.Sprintf("%s %s via %s at %s: %d %q", o.op, o.key, o.node.name, o.end.Format("15:04:05.000"), o.status, r)
}

// clusterLoad is clients writing distinct keys (and, the first
// restorers of them, restoring archived objects) through every node in
// turn, until stopped. It records every request.
type clusterLoad struct {
	mu   sync.Mutex
	out  []outcome
	stop chan struct{}
	wg   sync.WaitGroup
}

func startLoad(c *http.Client, nodes []*clusterNode, bucket string, clients, restorers int, restoreKeys []string) *clusterLoad {
	l := &clusterLoad{stop: make(chan struct{})}
	for w := range clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 16))
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				n := nodes[(w+i)%len(nodes)]
				o := outcome{node: n, start: time.Now()}
				var r reply
				if w < restorers && len(restoreKeys) > 0 {
					o.op, o.key = "RESTORE", restoreKeys[(w+i)%len(restoreKeys)]
					r = clusterDo(c, "POST", n.url("/"+bucket+"/"+o.key+"?restore"), "")
				} else {
					o.op, o.key = "PUT", fmt.Sprintf("w%02d/%05d", w, i)
					o.sent = fmt.Sprintf("%s through %s: %s", o.key, n.name, strings.Repeat("abcdefghij", rng.IntN(200)))
					r = clusterDo(c, "PUT", n.url("/"+bucket+"/"+o.key), o.sent)
				}
				o.end, o.status, o.err = time.Now(), r.status, r.err
				if r.err == nil && r.status/100 != 2 {
					o.reply = r.body
				}
				l.mu.Lock()
				l.out = append(l.out, o)
				l.mu.Unlock()
				if o.err != nil || o.status >= 500 {
					time.Sleep(5 * time.Millisecond) // no spinning on a server gone
				}
			}
		}()
	}
	return l
}

// snapshot returns the outcomes recorded so far.
func (l *clusterLoad) snapshot() []outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.out)
}

// acked counts the PUTs answered 200 so far.
func (l *clusterLoad) acked() int {
	n := 0
	for _, o := range l.snapshot() {
		if o.op == "PUT" && o.err == nil && o.status == 200 {
			n++
		}
	}
	return n
}

// waitAcked waits up to within for n acknowledged PUTs.
func (l *clusterLoad) waitAcked(t *testing.T, n int, within time.Duration) {
	t.Helper()
	start := time.Now()
	for l.acked() < n {
		if time.Since(start) > within {
			out := l.snapshot()
			if len(out) > 20 {
				out = out[len(out)-20:]
			}
			t.Fatalf("the load had %d PUTs acknowledged after %v, want %d; its last requests: %v", l.acked(), within, n, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// end stops the load and returns every outcome.
func (l *clusterLoad) end() []outcome {
	close(l.stop)
	l.wg.Wait()
	return l.snapshot()
}

// requireAcked checks that every PUT answered 200 reads back its bytes
// through nodes (each key through one of them, in turn) and returns how
// many it checked.
func requireAcked(t *testing.T, c *http.Client, nodes []*clusterNode, bucket string, out []outcome) int {
	t.Helper()
	var acked []outcome
	for _, o := range out {
		if o.op == "PUT" && o.err == nil && o.status == 200 {
			acked = append(acked, o)
		}
	}
	var mu sync.Mutex
	var missing []string
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := acked[i]
				n := nodes[i%len(nodes)]
				r := clusterDo(c, "GET", n.url("/"+bucket+"/"+o.key), "")
				if r.err != nil || r.status != 200 || r.body != o.sent {
					got := r.String()
					if r.err == nil && r.status == 200 {
						got = fmt.Sprintf("200 with %d other bytes", len(r.body))
					}
					mu.Lock()
					missing = append(missing, fmt.Sprintf("%s (acknowledged by %s at %s) via %s: %s", o.key, o.node.name, o.end.Format("15:04:05.000"), n.name, got))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range acked {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("%d of %d acknowledged PUTs do not read back their bytes; the first: %v", len(missing), len(acked), missing[:min(len(missing), 20)])
	}
	return len(acked)
}

// TestCluster_LeaderKilled: three servers under a load of PUTs and
// restores through all of them; the leader is killed (SIGKILL) in the
// middle. Another server leads within seconds, every acknowledged PUT
// reads back through the survivors, the restores raced across the kill
// still gave one 202 at most per object, and a move of the clock through
// a survivor completes and then expires them.
func TestCluster_LeaderKilled(t *testing.T) {
	url := pgtest.URL(t, t.TempDir())
	nodes := startCluster(t, 3, "-db", url, "-clock", "mock", "-api", "oss")
	c := newClusterClient(t)
	waitLeader(t, nodes, nil, 15*time.Second)
	time.Sleep(200 * time.Millisecond)
	leader := requireOneLeader(t, nodes, "at start")
	var survivors []*clusterNode
	for _, n := range nodes {
		if n != leader {
			survivors = append(survivors, n)
		}
	}
	t.Logf("leader: %s", leader.name)

	const bucket = "load"
	mustDo(t, c, nodes[0], 200, "PUT", "/"+bucket+"/", "")
	restoreBodies := map[string]string{}
	var restoreKeys []string
	for i := range 4 {
		k := fmt.Sprintf("arch-%d", i)
		restoreBodies[k] = fmt.Sprintf("archived %d: %s", i, strings.Repeat("z", 100*i))
		restoreKeys = append(restoreKeys, k)
		mustDo(t, c, nodes[i%3], 200, "PUT", "/"+bucket+"/"+k, restoreBodies[k], "x-oss-storage-class", "Archive")
	}

	loadStart := time.Now()
	l := startLoad(c, nodes, bucket, 16, 4, restoreKeys)
	l.waitAcked(t, 100, 20*time.Second)
	killAt := time.Now()
	base := map[*clusterNode]int{}
	for _, n := range survivors {
		base[n] = n.leads()
	}
	leader.kill(t)
	t.Logf("%s killed %v into the load, %d PUTs acknowledged; it ended with %v", leader.name, killAt.Sub(loadStart).Round(time.Millisecond), l.acked(), leader.err)
	successor, _ := waitLeader(t, survivors, base, 5*time.Second)
	t.Logf("%s took the lead %v after the SIGKILL was sent (by its log line %q)", successor.name, successor.ledAt().Sub(killAt).Round(time.Millisecond), logLeading)
	time.Sleep(time.Second) // the load goes on through the survivors
	out := l.end()
	t.Logf("load: %d requests in %v", len(out), time.Since(loadStart).Round(time.Millisecond))

	// Every request had an answer, except those to the killed server that
	// ended after the SIGKILL was sent; PUTs answered 200, restores 202 or
	// 409 RestoreAlreadyInProgress.
	var bad []string
	var killedErrs, ackedByKilled, putsOK int
	restores := map[string]map[int]int{} // key → status → count
	lost202 := map[string]bool{}         // a restore through the killed node that got no answer
	for _, o := range out {
		if o.err != nil {
			if o.node == leader && !o.end.Before(killAt) {
				killedErrs++
				if o.op == "RESTORE" {
					lost202[o.key] = true
				}
				continue
			}
			bad = append(bad, o.String())
			continue
		}
		switch o.op {
		case "PUT":
			if o.status != 200 {
				bad = append(bad, o.String())
				continue
			}
			putsOK++
			if o.node == leader {
				ackedByKilled++
			}
		case "RESTORE":
			if restores[o.key] == nil {
				restores[o.key] = map[int]int{}
			}
			restores[o.key][o.status]++
			if o.status != 202 && !(o.status == 409 && strings.Contains(o.reply, "RestoreAlreadyInProgress")) {
				bad = append(bad, o.String())
			}
		}
	}
	if len(bad) > 0 {
		t.Fatalf("%d requests of the load failed (other than those to the killed %s after the kill); the first: %v", len(bad), leader.name, bad[:min(len(bad), 20)])
	}
	t.Logf("load: %d PUTs acknowledged (%d by %s before it was killed), %d requests to it failed after the kill; restores: %v",
		putsOK, ackedByKilled, leader.name, killedErrs, restores)
	for _, k := range restoreKeys {
		switch restores[k][202] {
		case 1:
		case 0:
			require.True(t, lost202[k], "restore %s: no 202 among %v, and no restore through the killed server went unanswered", k, restores[k])
		default:
			t.Fatalf("restore %s: want at most one 202, got %v", k, restores[k])
		}
	}
	checked := requireAcked(t, c, survivors, bucket, out)
	t.Logf("%d acknowledged PUTs read back through %s and %s", checked, survivors[0].name, survivors[1].name)
	// Every restore committed once, whatever its client saw.
	for _, n := range survivors {
		for _, k := range restoreKeys {
			mustDo(t, c, n, 409, "POST", "/"+bucket+"/"+k+"?restore", "")
		}
	}

	// The new leader's sweeps: through the survivor that does not lead,
	// the restores complete, then expire.
	requireOneLeader(t, survivors, "after the kill")
	other := survivors[0]
	if other == successor {
		other = survivors[1]
	}
	now := advance(t, c, other, "5h")
	t.Logf("clock moved through %s to %s", other.name, now)
	requireClock(t, c, survivors, now)
	requireRestored(t, c, survivors, bucket, restoreBodies, "5h after the restores")
	now = advance(t, c, other, "72h")
	t.Logf("clock moved through %s to %s", other.name, now)
	requireClock(t, c, survivors, now)
	requireArchived(t, c, survivors, bucket, restoreKeys, "72h after the restores completed")
	require.Equal(t, successor, requireOneLeader(t, survivors, "at the end"), "the lead moved again")
	if s := successor.log.String(); strings.Contains(s, "coldstore: background work failed") {
		t.Errorf("the new leader %s logged failed background work:\n%s", successor.name, successor.logTail())
	}
}

// TestCluster_PostgresRestart: two servers under a load of PUTs while
// PostgreSQL restarts, once with -m fast and once with -m immediate (a
// crash). During the outage requests fail 503 ServiceUnavailable, never
// another 5xx nor a dropped connection; within seconds of PostgreSQL's
// return both servers succeed again and a leader is elected again; every
// acknowledged PUT reads back.
func TestCluster_PostgresRestart(t *testing.T) {
	// A server of this test's own: the shared one serves other tests
	// meanwhile.
	pg := pgtest.Start(t)
	url := pg.URL
	nodes := startCluster(t, 2, "-db", url, "-api", "oss")
	c := newClusterClient(t)
	waitLeader(t, nodes, nil, 15*time.Second)
	time.Sleep(200 * time.Millisecond)
	t.Logf("leader: %s", requireOneLeader(t, nodes, "at start").name)
	const bucket = "restart"
	mustDo(t, c, nodes[0], 200, "PUT", "/"+bucket+"/", "")

	loadStart := time.Now()
	l := startLoad(c, nodes, bucket, 12, 0, nil)
	acked := 100
	for _, mode := range []string{"fast", "immediate"} {
		l.waitAcked(t, acked, 20*time.Second)
		base := map[*clusterNode]int{}
		for _, n := range nodes {
			base[n] = n.leads()
		}
		restartAt := time.Now()
		pg.Restart(mode)
		backAt := time.Now()
		took := backAt.Sub(restartAt)
		t.Logf("PostgreSQL restarted with -m %s in %v", mode, took.Round(time.Millisecond))
		// Both servers answer 200 again within 10s of PostgreSQL's return.
		for _, n := range nodes {
			deadline := time.Now().Add(10 * time.Second)
			for {
				var ok bool
				for _, o := range l.snapshot() {
					if o.node == n && o.op == "PUT" && o.err == nil && o.status == 200 && o.start.After(backAt) {
						ok = true
						break
					}
				}
				if ok {
					t.Logf("-m %s: %s acknowledged a PUT again %v after PostgreSQL was back", mode, n.name, time.Since(backAt).Round(time.Millisecond))
					break
				}
				if time.Now().After(deadline) {
					out := l.snapshot()
					t.Fatalf("-m %s: %s acknowledged no PUT within 10s of PostgreSQL's return; the load's last requests: %v; its log:\n%s",
						mode, n.name, out[max(len(out)-20, 0):], n.logTail())
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		leader, _ := waitLeader(t, nodes, base, 10*time.Second)
		t.Logf("-m %s: %s took the lead again %v after the restart began (PostgreSQL back after %v)",
			mode, leader.name, leader.ledAt().Sub(restartAt).Round(time.Millisecond), backAt.Sub(restartAt).Round(time.Millisecond))
		// The outage as the clients saw it: 503s from the restart on, none
		// long after PostgreSQL's return.
		var s503 int
		var last503 time.Time
		for _, o := range l.snapshot() {
			if o.err == nil && o.status == 503 && !o.end.Before(restartAt) {
				s503++
				if o.end.After(last503) {
					last503 = o.end
				}
			}
		}
		require.Positive(t, s503, "-m %s: no request failed 503 while PostgreSQL restarted (%v): the load did not meet the outage", mode, took)
		t.Logf("-m %s: %d answers 503 since the restart began, the last %v after it began",
			mode, s503, last503.Sub(restartAt).Round(time.Millisecond))
		require.Less(t, last503.Sub(backAt), 5*time.Second, "-m %s: requests still failed 503 %v after PostgreSQL was back", mode, last503.Sub(backAt))
		acked = l.acked() + 100
	}
	time.Sleep(300 * time.Millisecond)
	out := l.end()
	// Every request was answered: 200, or 503 ServiceUnavailable.
	var bad []string
	var ok, unavailable int
	for _, o := range out {
		switch {
		case o.err == nil && o.status == 200:
			ok++
		case o.err == nil && o.status == 503:
			unavailable++
			if !strings.Contains(o.reply, "ServiceUnavailable") {
				bad = append(bad, o.String())
			}
		default:
			bad = append(bad, o.String())
		}
	}
	t.Logf("load: %d requests in %v: %d PUTs acknowledged, %d answered 503", len(out), time.Since(loadStart).Round(time.Millisecond), ok, unavailable)
	if len(bad) > 0 {
		t.Fatalf("%d requests of the load were neither 200 nor 503 ServiceUnavailable; the first: %v", len(bad), bad[:min(len(bad), 20)])
	}
	checked := requireAcked(t, c, nodes, bucket, out)
	t.Logf("%d acknowledged PUTs read back", checked)
	requireOneLeader(t, nodes, "at the end")
}
