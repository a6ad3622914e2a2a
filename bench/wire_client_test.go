package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// wireClient is the load generator's side of one server: Go's HTTP client
// with at most conns connections, and every request signed with SigV4
// (aws-sdk-go-v2's signer) and the SHA-256 of its payload, as an SDK
// signs over plain HTTP. The sums of the bodies are computed once, so the
// client hashes nothing per request; a server that checks them hashes
// every body it receives.
type wireClient struct {
	base   string
	hc     *http.Client
	signer *v4.Signer
	creds  aws.Credentials
}

func newWireClient(base string, conns int) *wireClient {
	return &wireClient{
		base: base,
		hc: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			DisableCompression:  true,
		}},
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
		creds:  aws.Credentials{AccessKeyID: wireAccess, SecretAccessKey: wireSecret},
	}
}

func (c *wireClient) close() { c.hc.CloseIdleConnections() }

// wireBody is a request body and the hex SHA-256 it is signed with.
type wireBody struct {
	data []byte
	sum  string
}

func newWireBody(data []byte) *wireBody {
	s := sha256.Sum256(data)
	return &wireBody{data, hex.EncodeToString(s[:])}
}

var emptyBody = newWireBody(nil)

var wireBodies struct {
	sync.Mutex
	m map[int]*wireBody
}

// bodyOf is size bytes that do not compress (in case a server would),
// the same in every run.
func bodyOf(size int) *wireBody {
	wireBodies.Lock()
	defer wireBodies.Unlock()
	if b := wireBodies.m[size]; b != nil {
		return b
	}
	if wireBodies.m == nil {
		wireBodies.m = map[int]*wireBody{}
	}
	r := rand.New(rand.NewPCG(uint64(size), 17))
	data := make([]byte, size)
	for i := 0; i < size; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < size; j++ {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	b := newWireBody(data)
	wireBodies.m[size] = b
	return b
}

// wireReq is one request: path is /bucket[/key], query is raw.
type wireReq struct {
	method, path, query string
	body                *wireBody // nil: none
	class               string    // x-amz-storage-class
	rng                 string    // Range
}

// send makes the request and reads the answer to its end through buf
// (nil: a fresh one), returning the status and the bytes of the answer's
// body; the first keep bytes of the body (all of it if keep < 0) are
// appended to *head when head is not nil.
func (c *wireClient) send(r wireReq, buf []byte, head *[]byte, keep int) (int, int64, error) {
	u := c.base + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	body := r.body
	if body == nil {
		body = emptyBody
	}
	var rd io.Reader
	if body.data != nil {
		rd = bytes.NewReader(body.data)
	}
	req, err := http.NewRequest(r.method, u, rd)
	if err != nil {
		return 0, 0, err
	}
	req.ContentLength = int64(len(body.data))
	req.Header.Set("X-Amz-Content-Sha256", body.sum)
	if r.class != "" {
		req.Header.Set("X-Amz-Storage-Class", r.class)
	}
	if r.rng != "" {
		req.Header.Set("Range", r.rng)
	}
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, body.sum, "s3", wireRegion, time.Now()); err != nil {
		return 0, 0, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if buf == nil {
		buf = make([]byte, 32<<10)
	}
	var n int64
	for {
		m, err := resp.Body.Read(buf)
		if head != nil && keep < 0 {
			*head = append(*head, buf[:m]...)
		} else if head != nil && len(*head) < keep {
			*head = append(*head, buf[:min(m, keep-len(*head))]...)
		}
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return resp.StatusCode, n, err
		}
	}
	return resp.StatusCode, n, nil
}

// fetch sends r and returns the status and the whole answer.
func (c *wireClient) fetch(r wireReq) (int, []byte, error) {
	var body []byte
	code, _, err := c.send(r, nil, &body, -1)
	return code, body, err
}

// expect sends r and fails unless the status is want; it returns the
// bytes of the answer's body.
func (c *wireClient) expect(r wireReq, want int, buf []byte) (int64, error) {
	var head []byte
	code, n, err := c.send(r, buf, &head, 1024)
	if err == nil && code != want {
		err = fmt.Errorf("%d, want %d: %s", code, want, errorCode(head))
	}
	if err != nil {
		target := r.path
		if r.query != "" {
			target += "?" + r.query
		}
		return n, fmt.Errorf("%s %s: %v", r.method, target, err)
	}
	return n, nil
}

var codeRE = regexp.MustCompile(`<Code>([^<]*)</Code>`)

// errorCode is the <Code> of an S3 error document, or the start of the
// body when it has none.
func errorCode(body []byte) string {
	if m := codeRE.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	if len(body) > 200 {
		body = body[:200]
	}
	return fmt.Sprintf("%q", body)
}

// wireParallel runs f(0) … f(n-1) from workers goroutines, stopping at the
// first error.
func wireParallel(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var first atomic.Pointer[error]
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return *p
	}
	return nil
}

// wireMeasure runs op b.N times from conns goroutines, each with a buffer
// of its own for answers, timing each op, and reports:
//
//   - ops/s, and MiB/s when bodyBytes (the body an op moves) is not 0;
//   - p50-us and p99-us: the latency of one op, from before the request
//     is made to the end of its answer;
//   - srv-cpu-us/op: the server process's CPU time (every thread's, from
//     /proc/<pid>/task/*/schedstat) over the run, divided by b.N. The load
//     generator's own CPU is not in it.
//   - srv-sys-%: the share of that time spent in the kernel (system
//     calls, page faults, the writeback a process starts), from the
//     ticks of /proc/<pid>/stat (10 ms each; none when the row took
//     fewer than 20).
//   - srv-cs/op: the server's context switches (every thread's, waiting
//     or preempted) over the run, divided by b.N: how often its threads
//     sleep and are woken, which a handoff between goroutines on
//     different threads costs.
//   - srv-peak-MiB: the server process's peak resident set during the run
//     (VmHWM, reset before it): what its heap, caches and mapped pages
//     took at most.
func wireMeasure(b *testing.B, s *wireServer, conns, bodyBytes int, op func(i int, buf []byte) error) {
	b.Helper()
	workers := min(conns, b.N)
	lat := make([][]time.Duration, workers)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	cpu0, cpuErr := procCPU(s.pid())
	user0, sys0, ticksErr := procTicks(s.pid())
	cs0, csErr := procSwitches(s.pid())
	peakErr := procResetPeak(s.pid())
	b.ResetTimer()
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			mine := make([]time.Duration, 0, b.N/workers+1)
			for failed.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					break
				}
				t := time.Now()
				if err := op(i, buf); err != nil {
					failed.CompareAndSwap(nil, &err)
					break
				}
				mine = append(mine, time.Since(t))
			}
			lat[w] = mine
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	cpu1, cpuErr1 := procCPU(s.pid())
	user1, sys1, ticksErr1 := procTicks(s.pid())
	cs1, csErr1 := procSwitches(s.pid())
	peak, peakErr1 := procPeakRSS(s.pid())
	if p := failed.Load(); p != nil {
		b.Fatal(*p)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		i := int(float64(len(all))*p+0.999999) - 1
		return float64(all[max(i, 0)]) / float64(time.Microsecond)
	}
	sec := elapsed.Seconds()
	b.ReportMetric(float64(b.N)/sec, "ops/s")
	if bodyBytes > 0 {
		b.ReportMetric(float64(b.N)*float64(bodyBytes)/(1<<20)/sec, "MiB/s")
	}
	b.ReportMetric(pct(0.50), "p50-us")
	b.ReportMetric(pct(0.99), "p99-us")
	if cpuErr == nil && cpuErr1 == nil {
		b.ReportMetric(float64(cpu1-cpu0)/float64(time.Microsecond)/float64(b.N), "srv-cpu-us/op")
	}
	if ticks := (user1 - user0) + (sys1 - sys0); ticksErr == nil && ticksErr1 == nil && ticks >= 20 {
		b.ReportMetric(100*float64(sys1-sys0)/float64(ticks), "srv-sys-%")
	}
	if csErr == nil && csErr1 == nil {
		b.ReportMetric(float64(cs1-cs0)/float64(b.N), "srv-cs/op")
	}
	if peakErr == nil && peakErr1 == nil {
		b.ReportMetric(float64(peak)/(1<<20), "srv-peak-MiB")
	}
}
