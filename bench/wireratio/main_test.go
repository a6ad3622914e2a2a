package main

import (
	"math"
	"strings"
	"testing"
)

// runs is BenchmarkWire output as bench/wire.sh keeps it, with what Go
// prints around it: two rows, three rounds of PUT (the third with Go's
// #NN suffix left on), two of GET, a row a peer refused.
const runs = `goos: linux
Wire: server coldstore: pid 1, coldstore serve
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-2         	100	1 ns/op	1.0 MiB/s	100 ops/s	500 p50-us	900 p99-us	400 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-nosync-2  	100	1 ns/op	1.0 MiB/s	300 ops/s	200 p50-us	400 p99-us	200 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-nokeys-2  	100	1 ns/op	1.0 MiB/s	110 ops/s	480 p50-us	800 p99-us	380 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=gofakes3-2          	100	1 ns/op	1.0 MiB/s	50 ops/s	900 p50-us	990 p99-us	900 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=versitygw-2         	100	1 ns/op	1.0 MiB/s	150 ops/s	300 p50-us	600 p99-us	350 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-2         	100	1 ns/op	1.0 MiB/s	120 ops/s	500 p50-us	900 p99-us	420 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-nosync-2  	100	1 ns/op	1.0 MiB/s	310 ops/s	200 p50-us	400 p99-us	210 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-nokeys-2  	100	1 ns/op	1.0 MiB/s	130 ops/s	480 p50-us	800 p99-us	390 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=gofakes3-2          	100	1 ns/op	1.0 MiB/s	60 ops/s	900 p50-us	990 p99-us	880 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=versitygw-2         	100	1 ns/op	1.0 MiB/s	160 ops/s	300 p50-us	600 p99-us	340 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore#02-2      	100	1 ns/op	1.0 MiB/s	500 ops/s	500 p50-us	900 p99-us	410 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-nosync#02-2	100	1 ns/op	1.0 MiB/s	290 ops/s	200 p50-us	400 p99-us	205 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=coldstore-nokeys#02-2	100	1 ns/op	1.0 MiB/s	120 ops/s	480 p50-us	800 p99-us	385 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=gofakes3#02-2       	100	1 ns/op	1.0 MiB/s	55 ops/s	900 p50-us	990 p99-us	890 srv-cpu-us/op
BenchmarkWire/op=PUT/size=4KiB/conns=1/server=versitygw#02-2      	100	1 ns/op	1.0 MiB/s	155 ops/s	300 p50-us	600 p99-us	345 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=coldstore-2         	100	1 ns/op	1.0 MiB/s	1000 ops/s	100 p50-us	200 p99-us	100 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=coldstore-nokeys-2  	100	1 ns/op	1.0 MiB/s	1200 ops/s	90 p50-us	180 p99-us	90 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=gofakes3-2          	100	1 ns/op	1.0 MiB/s	1300 ops/s	80 p50-us	170 p99-us	95 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=versitygw-2         	100	1 ns/op	1.0 MiB/s	800 ops/s	120 p50-us	240 p99-us	200 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=coldstore-2         	100	1 ns/op	1.0 MiB/s	1100 ops/s	100 p50-us	200 p99-us	110 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=coldstore-nokeys-2  	100	1 ns/op	1.0 MiB/s	1400 ops/s	90 p50-us	180 p99-us	92 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=gofakes3-2          	100	1 ns/op	1.0 MiB/s	1500 ops/s	80 p50-us	170 p99-us	97 srv-cpu-us/op
BenchmarkWire/op=GET/size=4KiB/conns=1/server=versitygw-2         	100	1 ns/op	1.0 MiB/s	900 ops/s	120 p50-us	240 p99-us	210 srv-cpu-us/op
Wire: unsupported row op=Restore/conns=1 server=versitygw: 501: NotImplemented
BenchmarkWire/op=Restore/conns=1/server=coldstore-2               	100	1 ns/op	900 ops/s	500 p50-us	900 p99-us	400 srv-cpu-us/op
PASS
`

func readRuns(t *testing.T) *table {
	t.Helper()
	tb := &table{cells: map[string]map[string]*cell{}, unsupported: map[string]map[string]string{}}
	tb.read(strings.NewReader(runs))
	return tb
}

func TestRead_RowsServersAndRounds(t *testing.T) {
	tb := readRuns(t)
	if got, want := strings.Join(tb.rows, " "), "op=PUT/size=4KiB/conns=1 op=GET/size=4KiB/conns=1 op=Restore/conns=1"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	// coldstore first, then the others by name; #NN and -2 taken off.
	if got, want := strings.Join(tb.servers, " "), "coldstore coldstore-nokeys coldstore-nosync gofakes3 versitygw"; got != want {
		t.Errorf("servers %q, want %q", got, want)
	}
	if n := tb.rounds("op=PUT/size=4KiB/conns=1", "coldstore"); n != 3 {
		t.Errorf("PUT rounds of coldstore: %d, want 3", n)
	}
	if why := tb.unsupported["op=Restore/conns=1"]["versitygw"]; why != "501: NotImplemented" {
		t.Errorf("versitygw's Restore: %q", why)
	}
}

func TestGet_Median(t *testing.T) {
	tb := readRuns(t)
	for _, c := range []struct {
		row, server, unit string
		want              float64
	}{
		{"op=PUT/size=4KiB/conns=1", "coldstore", "ops/s", 120},         // 100, 120, 500: the middle
		{"op=PUT/size=4KiB/conns=1", "coldstore", "srv-cpu-us/op", 410}, // 400, 420, 410
		{"op=GET/size=4KiB/conns=1", "gofakes3", "ops/s", 1400},         // 1300 and 1500: their mean
		{"op=GET/size=4KiB/conns=1", "coldstore", "MiB/s", 1},
	} {
		if got := tb.get(c.row, c.server, c.unit); got != c.want {
			t.Errorf("%s %s %s: %v, want %v", c.row, c.server, c.unit, got, c.want)
		}
	}
	if got := tb.get("op=Restore/conns=1", "gofakes3", "ops/s"); !math.IsNaN(got) {
		t.Errorf("a server that did not run the row: %v, want NaN", got)
	}
}

func TestBestPeer_NeverAVariant(t *testing.T) {
	tb := readRuns(t)
	// coldstore-nosync has the most ops/s of the PUT row, but is coldstore.
	fast, frugal := tb.bestPeer("op=PUT/size=4KiB/conns=1", nil)
	if fast != "versitygw" || frugal != "versitygw" {
		t.Errorf("PUT: fastest %q, most frugal %q; want versitygw, versitygw", fast, frugal)
	}
	fast, frugal = tb.bestPeer("op=GET/size=4KiB/conns=1", nil)
	if fast != "gofakes3" || frugal != "gofakes3" {
		t.Errorf("GET: fastest %q, most frugal %q; want gofakes3, gofakes3", fast, frugal)
	}
}

func TestMatchedVariant(t *testing.T) {
	for _, c := range []struct{ row, peer, want string }{
		{"op=PUT/size=4KiB/conns=1", "versitygw", "coldstore-nosync"}, // writes, no fsync
		{"op=Restore/conns=32", "versitygw", "coldstore-nosync"},
		{"op=GET/size=4KiB/conns=1", "versitygw", "coldstore"}, // reads: syncing is no part of it
		{"op=List/delim=slash/conns=1", "versitygw", "coldstore"},
		{"op=PUT/size=4KiB/conns=1", "gofakes3", "coldstore-nokeys"}, // syncs, checks no signature
		{"op=GET/size=16MiB/conns=32", "gofakes3", "coldstore-nokeys"},
		{"op=PUT/size=16MiB/conns=1", "minio", "coldstore"},
	} {
		if got := matchedVariant(c.row, c.peer); got != c.want {
			t.Errorf("matchedVariant(%s, %s) = %s, want %s", c.row, c.peer, got, c.want)
		}
	}
}

func TestLeastMatched(t *testing.T) {
	tb := readRuns(t)
	// PUT: gofakes3 beside coldstore-nokeys 120/55 = 2.18, versitygw
	// beside coldstore-nosync 300/155 = 1.94: the least is versitygw's.
	peer, variant, r := tb.leastMatched("op=PUT/size=4KiB/conns=1")
	if peer != "versitygw" || variant != "coldstore-nosync" || math.Abs(r-300.0/155) > 1e-9 {
		t.Errorf("PUT: %s beside %s, %.4f; want versitygw beside coldstore-nosync, %.4f", peer, variant, r, 300.0/155)
	}
	// GET: gofakes3 beside coldstore-nokeys 1300/1400, below 1, against
	// versitygw beside coldstore 1050/850.
	peer, variant, r = tb.leastMatched("op=GET/size=4KiB/conns=1")
	if peer != "gofakes3" || variant != "coldstore-nokeys" || math.Abs(r-1300.0/1400) > 1e-9 {
		t.Errorf("GET: %s beside %s, %.4f; want gofakes3 beside coldstore-nokeys, %.4f", peer, variant, r, 1300.0/1400)
	}
	// Restore: the one peer that answered refused it; no ratio.
	if peer, _, _ := tb.leastMatched("op=Restore/conns=1"); peer != "" {
		t.Errorf("Restore: a matched ratio beside %s, want none", peer)
	}
}

func TestSummary_Line(t *testing.T) {
	tb := readRuns(t)
	var b strings.Builder
	tb.summary(&b)
	for _, want := range []string{
		"| op=GET/size=4KiB/conns=1 | 1,050 | 1.00 | 100 / 200 | 105 | gofakes3 | 1,400 | 80.0 / 170 | 0.75× | 0.93× (gofakes3, coldstore-nokeys) | 1.09× (gofakes3) |  |",
		"| op=Restore/conns=1 | 900 | — | 500 / 900 | 400 | — | — | — / — | — | — | — | versitygw (NotImplemented) |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks\n%s\nin\n%s", want, b.String())
		}
	}
}

func TestNum(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{math.NaN(), "—"}, {0, "0"}, {1, "1.00"}, {12.34, "12.3"}, {123.4, "123"},
		{1234, "1,230"}, {1_234_567, "1,230,000"}, {0.01234, "0.0123"}, {-1234, "-1,230"},
	} {
		if got := num(c.v); got != c.want {
			t.Errorf("num(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
