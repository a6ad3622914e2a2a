package bench

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var gomaxprocsSuffix = regexp.MustCompile(`-\d+$`)

// TestWireSmoke runs BenchmarkWire once, briefly, in CI, where it is
// never measured: this test binary again, with -test.bench choosing every
// kind of row at one connection (PUT and GET of 4 and 64 KiB, GETrange,
// HEAD, Restore, both listings over 2,000 keys), 5 requests a row, on
// coldstore and gofakes3. A change to serve, to the S3 front or to the
// harness that would break the benchmark fails here: every row must give
// a result line with its requests counted (the harness fails a row on
// any answer but the one it expects), and gofakes3's RestoreObject must be
// reported unsupported, as the whole runs report it.
func TestWireSmoke(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run", "^$",
		"-test.bench", `^BenchmarkWire$/^op=(PUT|GET|GETrange|HEAD|Restore|List)$/^(size=(4KiB|64KiB|8MiB)|conns=1|delim=(none|slash))$/^(conns=1|server=.*)$`,
		"-test.benchtime", "5x", "-test.timeout", "5m")
	cmd.Env = append(os.Environ(), "COLDSTORE_WIRE_SERVERS=coldstore,gofakes3", "COLDSTORE_WIRE_ROUNDS=1",
		"COLDSTORE_WIRE_LIST_KEYS=2000", "COLDSTORE_WIRE_SETTLE_MAX=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("BenchmarkWire: %v\n%s", err, out)
	}
	ops := map[string]float64{} // row/server=name → ops/s
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkWire/") {
			continue
		}
		// The -GOMAXPROCS suffix, which Go leaves off at GOMAXPROCS=1.
		name := gomaxprocsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "BenchmarkWire/"), "")
		for i := 2; i+1 < len(f); i += 2 {
			if f[i+1] == "ops/s" {
				ops[name], _ = strconv.ParseFloat(f[i], 64)
			}
		}
	}
	rows := []string{
		"op=PUT/size=4KiB/conns=1", "op=GET/size=4KiB/conns=1",
		"op=PUT/size=64KiB/conns=1", "op=GET/size=64KiB/conns=1",
		"op=GETrange/size=8MiB/conns=1", "op=HEAD/size=4KiB/conns=1",
		"op=List/delim=none/conns=1", "op=List/delim=slash/conns=1",
	}
	for _, server := range []string{"coldstore", "gofakes3"} {
		for _, row := range rows {
			if v := ops[row+"/server="+server]; !(v > 0) {
				t.Errorf("%s on %s: no requests measured (ops/s %v)", row, server, v)
			}
		}
	}
	if v := ops["op=Restore/conns=1/server=coldstore"]; !(v > 0) {
		t.Errorf("Restore on coldstore: no requests measured (ops/s %v)", v)
	}
	if want := "Wire: unsupported row op=Restore/conns=1 server=gofakes3: "; !bytes.Contains(out, []byte(want)) {
		t.Errorf("no line %q", want)
	}
	if t.Failed() {
		t.Logf("the benchmark's output:\n%s", out)
	}
}
