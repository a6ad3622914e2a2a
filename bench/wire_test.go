package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/coldstore-dev/coldstore/dialect"
	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/s3api"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
)

// The server beside a peer, on loopback, in the same run: coldstore's S3
// front (s3api over the engine on bbolt, fsync on) and gofakes3 over its
// bbolt backend (fsync on: bbolt's default), each an in-process HTTP
// server driven by Go's HTTP client with path-style unsigned requests.
// PUT and GET of 4 KiB and 1 MiB at 1 connection and at 32 (RunParallel
// runs conns goroutines per GOMAXPROCS: run with -cpu 1 for exactly that
// many). Compare with benchstat:
//
//	go test ./bench -run '^$' -bench Wire -cpu 1 -count 8

// wireServer is a server under test: its base URL with a bucket "bkt".
type wireServer struct {
	name string
	url  string
}

func startColdstore(b *testing.B) wireServer {
	b.Helper()
	m := clock.NewMock()
	m.Set(epoch)
	db, err := engine.Open(filepath.Join(b.TempDir(), "engine.db"), &engine.Options{Clock: m, DisableSweeper: true, Dialect: dialect.S3()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(s3api.New(db, &s3api.Options{Clock: m}))
	b.Cleanup(srv.Close)
	return mkbucket(b, wireServer{"coldstore", srv.URL})
}

func startGofakes3(b *testing.B) wireServer {
	b.Helper()
	be, err := s3bolt.NewFile(filepath.Join(b.TempDir(), "gofakes3.db"))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	b.Cleanup(srv.Close)
	return mkbucket(b, wireServer{"gofakes3", srv.URL})
}

func mkbucket(b *testing.B, s wireServer) wireServer {
	b.Helper()
	wireDo(b, http.DefaultClient, "PUT", s.url+"/bkt", nil)
	return s
}

// wireDo sends one request and reads the answer to the end, failing the
// benchmark on any status but 200.
func wireDo(b *testing.B, c *http.Client, method, url string, body []byte) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		b.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: %s", method, url, resp.Status)
	}
	if method == "GET" && n == 0 {
		b.Fatalf("GET %s: empty body", url)
	}
}

func BenchmarkWire(b *testing.B) {
	for _, size := range []int{4 << 10, 1 << 20} {
		for _, conns := range []int{1, 32} {
			for _, srv := range []struct {
				name  string
				start func(*testing.B) wireServer
			}{{"coldstore", startColdstore}, {"gofakes3", startGofakes3}} {
				for _, op := range []string{"PUT", "GET"} {
					b.Run(fmt.Sprintf("%s/%s/size=%s/conns=%d", op, srv.name, sizeName(size), conns), func(b *testing.B) {
						wireBench(b, srv.start(b), op, size, conns)
					})
				}
			}
		}
	}
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// wireBench runs op on s with conns connections: PUTs to fresh keys, or
// GETs of 64 objects stored first.
func wireBench(b *testing.B, s wireServer, op string, size, conns int) {
	body := bytes.Repeat([]byte("x"), size)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	const stored = 64
	if op == "GET" {
		for i := range stored {
			wireDo(b, c, "PUT", fmt.Sprintf("%s/bkt/%s", s.url, key(i)), body)
		}
	}
	var next atomic.Int64
	b.SetBytes(int64(size))
	b.SetParallelism(conns)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			if op == "PUT" {
				wireDo(b, c, "PUT", fmt.Sprintf("%s/bkt/%s", s.url, key(i)), body)
			} else {
				wireDo(b, c, "GET", fmt.Sprintf("%s/bkt/%s", s.url, key(i%stored)), nil)
			}
		}
	})
}
