package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkWire is coldstore's S3 server beside its peers, on loopback,
// driven by one load generator (this process) in interleaved rounds:
// COLDSTORE_WIRE_ROUNDS rounds (default 1), each running every row, and
// each row every server in turn, the first server of a row rotating from
// one round to the next. (`-count N` would not interleave: it runs each
// sub-benchmark N times in a row.) Go names the second round's
// sub-benchmarks …#01, the third's …#02; bench/wire.sh strips that before
// benchstat. The servers are processes of their own, started once per
// process (see wire_servers_test.go). The rows:
//
//   - op=PUT and op=GET, size=4KiB, 64KiB, 1MiB, 16MiB, conns=1 and 32:
//     PUTs to fresh keys; GETs of 64 stored objects (16 of 16 MiB),
//     answers read to the end.
//   - op=GETrange, size=8MiB: GETs of one half of a 16 MiB object, the
//     first or the second (Range: bytes=0-8388607, 206 expected), as the
//     aws command-line client and boto3 download a large object (in
//     ranges of 8 MiB, several at once).
//   - op=HEAD, size=4KiB: HEAD of the 4 KiB objects GET reads.
//   - op=Restore: RestoreObject (POST ?restore, 1 day, Standard tier) of
//     fresh 4 KiB objects put with x-amz-storage-class GLACIER before the
//     timer starts, 202 expected. A server that refuses either gets no
//     line for the row, and a line "Wire: unsupported row …" instead,
//     which bench/wireratio reads. (b.Skip would do too, these benchmarks
//     are measured in no CI, but a skipped sub-benchmark still prints a
//     result line that benchstat would take for a measurement.)
//   - op=List, delim=none and delim=slash, over the bucket "list" of
//     100,000 keys dir000/file00000 … dir099/file99999 (1,000 a folder;
//     COLDSTORE_WIRE_LIST_KEYS for another count), filled once per server
//     and process by 64 parallel PUTs: ListObjectsV2 of one page, 1,000
//     keys after start-after=dirNNN/ (the folder moving every op), or with
//     delimiter=/ the 100 folders as common prefixes, which a server
//     finds by walking or by skipping the 100,000 keys.
//
// Metrics are wireMeasure's: ops/s, MiB/s, p50-us, p99-us, srv-cpu-us/op.
// CI runs every kind of row once, a few requests each (TestWireSmoke),
// so that what would break the benchmark fails a test.
// After each PUT and Restore row the written objects of 64 KiB and more
// are deleted and the file systems synced (untimed), so that no server's
// row pays for the writeback of another's. bench/wire.sh runs the rounds
// and bench/wireratio makes the table of ratios; see README.md.
func BenchmarkWire(b *testing.B) {
	var servers []*wireServer
	for _, name := range wireServerNames() {
		if s := wireServerFor(b, name); s != nil {
			servers = append(servers, s)
		}
	}
	rounds := 1
	if n, err := strconv.Atoi(os.Getenv("COLDSTORE_WIRE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	for round := range rounds {
		load, _ := os.ReadFile("/proc/loadavg")
		wireNote(b, "round %d of %d begins; load average %s", round+1, rounds, bytes.TrimSpace(load))
		wireRows(b, servers, round)
	}
}

// wireRows runs every row once, each on every server, the first server
// of each row being servers[round%len(servers)].
func wireRows(b *testing.B, servers []*wireServer, round int) {
	row := func(name string, run func(b *testing.B, s *wireServer)) {
		for i := range servers {
			s := servers[(i+round)%len(servers)]
			if s.name == "coldstore-nosync" && !wireWrites(name) {
				continue // reads as coldstore does
			}
			if why := s.unsupported(name); why != "" {
				wireNote(b, "unsupported row %s server=%s: %s", name, s.name, why)
				continue
			}
			if _, err := settleCPU(); err != nil {
				wireNote(b, "row %s server=%s: the machine did not settle: %v", name, s.name, err)
			}
			b.Run(name+"/server="+s.name, func(b *testing.B) { run(b, s) })
		}
	}
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20, 16 << 20} {
		for _, conns := range []int{1, 32} {
			row(fmt.Sprintf("op=PUT/size=%s/conns=%d", sizeName(size), conns), func(b *testing.B, s *wireServer) { wirePut(b, s, size, conns) })
			row(fmt.Sprintf("op=GET/size=%s/conns=%d", sizeName(size), conns), func(b *testing.B, s *wireServer) { wireGet(b, s, size, conns) })
		}
	}
	for _, conns := range []int{1, 32} {
		row(fmt.Sprintf("op=GETrange/size=8MiB/conns=%d", conns), func(b *testing.B, s *wireServer) { wireGetRange(b, s, conns) })
	}
	for _, conns := range []int{1, 32} {
		row(fmt.Sprintf("op=HEAD/size=4KiB/conns=%d", conns), func(b *testing.B, s *wireServer) { wireHead(b, s, conns) })
	}
	for _, conns := range []int{1, 32} {
		row(fmt.Sprintf("op=Restore/conns=%d", conns), func(b *testing.B, s *wireServer) { wireRestore(b, s, conns) })
	}
	for _, delim := range []string{"none", "slash"} {
		for _, conns := range []int{1, 32} {
			row(fmt.Sprintf("op=List/delim=%s/conns=%d", delim, conns), func(b *testing.B, s *wireServer) { wireList(b, s, delim == "slash", conns) })
		}
	}
}

// wireWrites reports whether the row's timed requests write.
func wireWrites(row string) bool {
	return strings.HasPrefix(row, "op=PUT/") || strings.HasPrefix(row, "op=Restore/")
}

// wireNote prints a line of its own among the results, once per process
// for each text: b.Logf of a benchmark with sub-benchmarks shows only
// with -v, and benchstat ignores a line that starts with a capital.
func wireNote(b *testing.B, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	wireNotes.Lock()
	defer wireNotes.Unlock()
	if wireNotes.seen[msg] {
		return
	}
	if wireNotes.seen == nil {
		wireNotes.seen = map[string]bool{}
	}
	wireNotes.seen[msg] = true
	b.Log(msg)
	fmt.Println("Wire: " + msg)
}

var wireNotes struct {
	sync.Mutex
	seen map[string]bool
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

func wirePut(b *testing.B, s *wireServer, size, conns int) {
	c := newWireClient(s.url, conns)
	defer c.close()
	body := bodyOf(size)
	first := s.next(b.N)
	path := func(i int) string { return fmt.Sprintf("/bkt/put/%s/%d", sizeName(size), first+int64(i)) }
	wireMeasure(b, s, conns, size, func(i int, buf []byte) error {
		_, err := c.expect(wireReq{method: "PUT", path: path(i), body: body}, http.StatusOK, buf)
		return err
	})
	if size >= 64<<10 {
		del := newWireClient(s.url, 32)
		defer del.close()
		if err := wireParallel(b.N, 32, func(i int) error {
			_, err := del.expect(wireReq{method: "DELETE", path: path(i)}, http.StatusNoContent, nil)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	settleDisk()
}

// getObjects is how many objects of size GET reads: 64, fewer of 16 MiB
// (256 MiB a server).
func getObjects(size int) int { return min(64, (256<<20)/size) }

func getPath(size, i int) string { return fmt.Sprintf("/bkt/get/%s/%d", sizeName(size), i) }

// storeGetObjects puts the objects GET reads, once per server.
func storeGetObjects(b *testing.B, s *wireServer, size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stored[size] {
		return
	}
	c := newWireClient(s.url, 8)
	defer c.close()
	if err := wireParallel(getObjects(size), 8, func(i int) error {
		_, err := c.expect(wireReq{method: "PUT", path: getPath(size, i), body: bodyOf(size)}, http.StatusOK, nil)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	s.stored[size] = true
	settleDisk()
}

func wireGet(b *testing.B, s *wireServer, size, conns int) {
	storeGetObjects(b, s, size)
	c := newWireClient(s.url, conns)
	defer c.close()
	n := getObjects(size)
	wireMeasure(b, s, conns, size, func(i int, buf []byte) error {
		got, err := c.expect(wireReq{method: "GET", path: getPath(size, i%n)}, http.StatusOK, buf)
		if err == nil && got != int64(size) {
			err = fmt.Errorf("GET %s: %d bytes, want %d", getPath(size, i%n), got, size)
		}
		return err
	})
}

// wireGetRange GETs halves of the 16 MiB objects GET reads: object i%n,
// its first half, then (i/n odd) its second.
func wireGetRange(b *testing.B, s *wireServer, conns int) {
	const size, half = 16 << 20, 8 << 20
	storeGetObjects(b, s, size)
	c := newWireClient(s.url, conns)
	defer c.close()
	n := getObjects(size)
	wireMeasure(b, s, conns, half, func(i int, buf []byte) error {
		from := (i / n % 2) * half
		r := wireReq{method: "GET", path: getPath(size, i%n), rng: fmt.Sprintf("bytes=%d-%d", from, from+half-1)}
		got, err := c.expect(r, http.StatusPartialContent, buf)
		if err == nil && got != half {
			err = fmt.Errorf("GET %s %s: %d bytes, want %d", r.path, r.rng, got, half)
		}
		return err
	})
}

func wireHead(b *testing.B, s *wireServer, conns int) {
	const size = 4 << 10
	storeGetObjects(b, s, size)
	c := newWireClient(s.url, conns)
	defer c.close()
	n := getObjects(size)
	wireMeasure(b, s, conns, 0, func(i int, buf []byte) error {
		_, err := c.expect(wireReq{method: "HEAD", path: getPath(size, i%n)}, http.StatusOK, buf)
		return err
	})
}

var restoreBody = newWireBody([]byte(`<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Standard</Tier></GlacierJobParameters></RestoreRequest>`))

// unsupported says why s cannot run the row, or "".
func (s *wireServer) unsupported(row string) string {
	if len(row) < 10 || row[:10] != "op=Restore" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.restore == nil {
		why := probeRestore(s)
		s.restore = &why
	}
	return *s.restore
}

// probeRestore puts one GLACIER object and restores it: "" if both work
// (200, then 202), else what the server answered.
func probeRestore(s *wireServer) string {
	c := newWireClient(s.url, 1)
	defer c.close()
	path := "/bkt/glacier/probe"
	if _, err := c.expect(wireReq{method: "PUT", path: path, body: bodyOf(4 << 10), class: "GLACIER"}, http.StatusOK, nil); err != nil {
		return err.Error()
	}
	if _, err := c.expect(wireReq{method: "POST", path: path, query: "restore", body: restoreBody}, http.StatusAccepted, nil); err != nil {
		return err.Error()
	}
	return ""
}

func wireRestore(b *testing.B, s *wireServer, conns int) {
	c := newWireClient(s.url, max(conns, 32))
	defer c.close()
	first := s.next(b.N)
	path := func(i int) string { return fmt.Sprintf("/bkt/glacier/%d", first+int64(i)) }
	body := bodyOf(4 << 10)
	if err := wireParallel(b.N, 32, func(i int) error {
		_, err := c.expect(wireReq{method: "PUT", path: path(i), body: body, class: "GLACIER"}, http.StatusOK, nil)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	settleDisk()
	wireMeasure(b, s, conns, 0, func(i int, buf []byte) error {
		_, err := c.expect(wireReq{method: "POST", path: path(i), query: "restore", body: restoreBody}, http.StatusAccepted, buf)
		return err
	})
	settleDisk()
}

// listKeys is the number of keys in the bucket "list".
func listKeys() int {
	if n, err := strconv.Atoi(os.Getenv("COLDSTORE_WIRE_LIST_KEYS")); err == nil && n >= 1000 {
		return n / 1000 * 1000
	}
	return 100_000
}

func listKey(i int) string { return fmt.Sprintf("dir%03d/file%05d", i/1000, i) }

// fillList puts the keys of the bucket "list", once per server, and checks
// that both kinds of listing answer what they should.
func fillList(b *testing.B, s *wireServer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := listKeys()
	if s.listKeys == n {
		return
	}
	if s.listKeys != 0 {
		b.Fatalf("%s: the bucket list has %d keys, not %d", s.name, s.listKeys, n)
	}
	c := newWireClient(s.url, 64)
	defer c.close()
	body := bodyOf(16)
	start := time.Now()
	if err := wireParallel(n, 64, func(i int) error {
		_, err := c.expect(wireReq{method: "PUT", path: "/list/" + listKey(i), body: body}, http.StatusOK, nil)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d keys put in %v (64 at once)", s.name, n, time.Now().Sub(start).Round(1e6))
	settleDisk()
	for _, delim := range []bool{false, true} {
		q := listQuery(delim, 1)
		var page struct {
			Contents       []struct{ Key string }
			CommonPrefixes []struct{ Prefix string }
		}
		code, answer, err := c.fetch(wireReq{method: "GET", path: "/list", query: q})
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("%d %s", code, errorCode(answer))
		}
		if err == nil {
			err = xml.Unmarshal(answer, &page)
		}
		if err != nil {
			b.Fatalf("%s: GET /list?%s: %v", s.name, q, err)
		}
		wantKeys, wantPrefixes := 1000, 0
		if delim {
			wantKeys, wantPrefixes = 0, n/1000
		}
		if len(page.Contents) != wantKeys || len(page.CommonPrefixes) != wantPrefixes {
			b.Fatalf("%s: GET /list?%s: %d keys and %d prefixes, want %d and %d", s.name, q, len(page.Contents), len(page.CommonPrefixes), wantKeys, wantPrefixes)
		}
	}
	s.listKeys = n
}

// listQuery is the query of the i-th listing: a page of the keys after
// folder i%folders, or the folders as common prefixes.
func listQuery(delim bool, i int) string {
	if delim {
		return "delimiter=%2F&list-type=2"
	}
	return fmt.Sprintf("list-type=2&max-keys=1000&start-after=dir%03d%%2F", i%(listKeys()/1000))
}

func wireList(b *testing.B, s *wireServer, delim bool, conns int) {
	fillList(b, s)
	c := newWireClient(s.url, conns)
	defer c.close()
	wireMeasure(b, s, conns, 0, func(i int, buf []byte) error {
		_, err := c.expect(wireReq{method: "GET", path: "/list", query: listQuery(delim, i)}, http.StatusOK, buf)
		return err
	})
}
