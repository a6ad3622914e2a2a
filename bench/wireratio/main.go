// Command wireratio makes the tables of bench/README.md's "The server
// beside its peers" from the output of BenchmarkWire (one file or more, or
// standard input): for each row, the median over the rounds of every
// server's ops/s, MiB/s, p50 and p99 latency and server CPU per op, and
// coldstore's ratio to the best peer.
//
//	go run ./bench/wireratio bench/wire.txt
//
// The best peer of a row is the peer with the most ops/s; coldstore's
// ratio is its ops/s over that peer's (above 1: coldstore is faster), and
// its CPU ratio is its server CPU per op over the least any peer used
// (above 1: coldstore uses more). A row a server refused (a line "Wire:
// unsupported row …") shows "unsupported". Servers whose names start
// with "coldstore" are coldstore's variants, never peers.
//
// The peers do not all do the same work: versitygw calls no fsync
// (-nosync), gofakes3 checks no signature (-nokeys). So each row also has
// the matched ratios: each peer beside the variant of coldstore that does
// what it does — coldstore-nosync (serve -no-sync) for a peer that does
// not sync, on the rows that write (PUT, Restore); coldstore-nokeys (serve
// without -keys) for a peer that checks no signature; coldstore for the
// others — and the least of them, the row's matched ratio. The second
// table has every server, each with its ops/s over the best of the row
// (-long; by default a line per row, every server's ops/s and CPU per
// op), the third the matched ratios, the last the peak memory.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// self is the server measured; the peers are the servers whose names do
// not start with it (coldstore-nosync, coldstore-b... are variants of it).
const self = "coldstore"

type cell struct {
	vals map[string][]float64 // unit → one value a round
}

type table struct {
	rows        []string // in order of first appearance
	servers     []string
	cells       map[string]map[string]*cell // row → server → cell
	unsupported map[string]map[string]string
}

var (
	procs       = regexp.MustCompile(`(#\d+)?(-\d+)?$`)
	unsupported = regexp.MustCompile(`^Wire: unsupported row (\S+) server=(\S+): (.*)$`)
)

var (
	nosync = flag.String("nosync", "versitygw", "comma-separated peers that do not sync their writes")
	nokeys = flag.String("nokeys", "gofakes3", "comma-separated peers that check no signature")
	long   = flag.Bool("long", false, "the second table with a line per row and server, every metric")
)

func main() {
	flag.Parse()
	t := &table{cells: map[string]map[string]*cell{}, unsupported: map[string]map[string]string{}}
	if flag.NArg() == 0 {
		t.read(os.Stdin)
	}
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wireratio:", err)
			os.Exit(1)
		}
		t.read(f)
		f.Close()
	}
	if len(t.rows) == 0 {
		fmt.Fprintln(os.Stderr, "wireratio: no BenchmarkWire results")
		os.Exit(1)
	}
	t.summary(os.Stdout)
	fmt.Println()
	if *long {
		t.full(os.Stdout)
	} else {
		t.matrix(os.Stdout)
	}
	t.matched(os.Stdout)
	t.peaks(os.Stdout)
}

func (t *table) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := unsupported.FindStringSubmatch(line); m != nil {
			if t.unsupported[m[1]] == nil {
				t.unsupported[m[1]] = map[string]string{}
			}
			t.unsupported[m[1]][m[2]] = m[3]
			t.server(m[2])
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkWire/") {
			continue
		}
		name := procs.ReplaceAllString(strings.TrimPrefix(f[0], "BenchmarkWire/"), "")
		var row []string
		server := ""
		for _, e := range strings.Split(name, "/") {
			if s, ok := strings.CutPrefix(e, "server="); ok {
				server = s
			} else {
				row = append(row, e)
			}
		}
		if server == "" {
			continue
		}
		rowName := strings.Join(row, "/")
		if t.cells[rowName] == nil {
			t.cells[rowName] = map[string]*cell{}
			t.rows = append(t.rows, rowName)
		}
		t.server(server)
		c := t.cells[rowName][server]
		if c == nil {
			c = &cell{vals: map[string][]float64{}}
			t.cells[rowName][server] = c
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				c.vals[f[i+1]] = append(c.vals[f[i+1]], v)
			}
		}
	}
}

func (t *table) server(s string) {
	for _, x := range t.servers {
		if x == s {
			return
		}
	}
	t.servers = append(t.servers, s)
	// coldstore first, then the peers by name.
	sort.Slice(t.servers, func(i, j int) bool {
		a, b := t.servers[i], t.servers[j]
		if (a == self) != (b == self) {
			return a == self
		}
		return a < b
	})
}

// get is the median of unit in row for server, NaN when there is none.
func (t *table) get(row, server, unit string) float64 {
	c := t.cells[row][server]
	if c == nil || len(c.vals[unit]) == 0 {
		return math.NaN()
	}
	v := append([]float64(nil), c.vals[unit]...)
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func (t *table) rounds(row, server string) int {
	if c := t.cells[row][server]; c != nil {
		return len(c.vals["ops/s"])
	}
	return 0
}

// bestPeer is the peer of row with the most ops/s, and the one with the
// least server CPU per op.
func (t *table) bestPeer(row string, skip map[string]bool) (fast, frugal string) {
	for _, s := range t.servers {
		if strings.HasPrefix(s, self) || skip[s] {
			continue
		}
		if v := t.get(row, s, "ops/s"); !math.IsNaN(v) && (fast == "" || v > t.get(row, fast, "ops/s")) {
			fast = s
		}
		if v := t.get(row, s, "srv-cpu-us/op"); !math.IsNaN(v) && (frugal == "" || v < t.get(row, frugal, "srv-cpu-us/op")) {
			frugal = s
		}
	}
	return fast, frugal
}

func (t *table) summary(w io.Writer) {
	fmt.Fprintln(w, "| row | coldstore ops/s | MiB/s | p50 / p99 µs | CPU µs/op | best peer | its ops/s | its p50 / p99 µs | ops/s ratio | matched ratio: the least (peer, beside) | CPU ratio (least-CPU peer) | unsupported |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, row := range t.rows {
		fast, frugal := t.bestPeer(row, nil)
		least := "—"
		if peer, variant, r := t.leastMatched(row); peer != "" {
			least = fmt.Sprintf("%.2f× (%s, %s)", r, peer, variant)
		}
		var uns []string
		for _, s := range t.servers {
			if why, ok := t.unsupported[row][s]; ok {
				uns = append(uns, s+" ("+shortWhy(why)+")")
			}
		}
		ratio, cpuRatio := "—", "—"
		if fast != "" {
			ratio = fmt.Sprintf("%.2f×", t.get(row, self, "ops/s")/t.get(row, fast, "ops/s"))
		}
		if frugal != "" {
			c, p := t.get(row, self, "srv-cpu-us/op"), t.get(row, frugal, "srv-cpu-us/op")
			if p > 0 {
				cpuRatio = fmt.Sprintf("%.2f× (%s)", c/p, frugal)
			} else {
				cpuRatio = fmt.Sprintf("— (%s: 0)", frugal)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s / %s | %s | %s | %s | %s / %s | %s | %s | %s | %s |\n", row,
			num(t.get(row, self, "ops/s")), num(t.get(row, self, "MiB/s")),
			num(t.get(row, self, "p50-us")), num(t.get(row, self, "p99-us")), num(t.get(row, self, "srv-cpu-us/op")),
			orDash(fast), num(t.get(row, fast, "ops/s")), num(t.get(row, fast, "p50-us")), num(t.get(row, fast, "p99-us")),
			ratio, least, cpuRatio, strings.Join(uns, ", "))
	}
}

// listed reports whether name is among the comma-separated names of list.
func listed(list, name string) bool {
	for _, s := range strings.Split(list, ",") {
		if s == name {
			return true
		}
	}
	return false
}

// matchedVariant is the variant of coldstore that does the work peer does
// in row: without fsync beside a peer that does not sync, in a row that
// writes; checking no signature beside a peer that checks none.
func matchedVariant(row, peer string) string {
	v := self
	if listed(*nosync, peer) && (strings.HasPrefix(row, "op=PUT/") || strings.HasPrefix(row, "op=Restore/")) {
		v += "-nosync"
	}
	if listed(*nokeys, peer) {
		v += "-nokeys"
	}
	return v
}

// matchedRatio is the ops/s of peer's matched variant over peer's, and
// the variant; NaN when either did not run the row.
func (t *table) matchedRatio(row, peer string) (float64, string) {
	v := matchedVariant(row, peer)
	return t.get(row, v, "ops/s") / t.get(row, peer, "ops/s"), v
}

// leastMatched is the peer of row whose matched ratio is least, its
// variant and the ratio; "" when no peer has one.
func (t *table) leastMatched(row string) (peer, variant string, ratio float64) {
	for _, s := range t.servers {
		if strings.HasPrefix(s, self) {
			continue
		}
		if r, v := t.matchedRatio(row, s); !math.IsNaN(r) && (peer == "" || r < ratio) {
			peer, variant, ratio = s, v, r
		}
	}
	return peer, variant, ratio
}

// matched is a line per row: each peer's matched ratio and, in
// parentheses, the variant it was measured against.
func (t *table) matched(w io.Writer) {
	fmt.Fprintln(w, "\nMatched ratios: the ops/s of the coldstore that does what the peer does, over the peer's:")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| row |")
	var peers []string
	for _, s := range t.servers {
		if !strings.HasPrefix(s, self) {
			peers = append(peers, s)
			fmt.Fprintf(w, " %s |", s)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| --- |"+strings.Repeat(" ---: |", len(peers)))
	for _, row := range t.rows {
		fmt.Fprintf(w, "| %s |", row)
		for _, p := range peers {
			if r, v := t.matchedRatio(row, p); math.IsNaN(r) {
				fmt.Fprint(w, " — |")
			} else {
				fmt.Fprintf(w, " %.2f× (%s) |", r, v)
			}
		}
		fmt.Fprintln(w)
	}
}

func (t *table) full(w io.Writer) {
	fmt.Fprintln(w, "| row | server | rounds | ops/s | MiB/s | p50 µs | p99 µs | server CPU µs/op | ops/s ÷ the row's best |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, row := range t.rows {
		best := 0.0
		for _, s := range t.servers {
			if v := t.get(row, s, "ops/s"); v > best {
				best = v
			}
		}
		for _, s := range t.servers {
			if why, ok := t.unsupported[row][s]; ok {
				fmt.Fprintf(w, "| %s | %s | | unsupported: %s | | | | | |\n", row, s, why)
				continue
			}
			if t.cells[row][s] == nil {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %.2f |\n", row, s, t.rounds(row, s),
				num(t.get(row, s, "ops/s")), num(t.get(row, s, "MiB/s")), num(t.get(row, s, "p50-us")),
				num(t.get(row, s, "p99-us")), num(t.get(row, s, "srv-cpu-us/op")), t.get(row, s, "ops/s")/best)
		}
	}
}

// matrix is a line per row: every server's ops/s and, in parentheses,
// its server CPU per op in µs.
func (t *table) matrix(w io.Writer) {
	t.grid(w, func(row, s string) string {
		return num(t.get(row, s, "ops/s")) + " (" + num(t.get(row, s, "srv-cpu-us/op")) + ")"
	})
}

// peaks is a line per row: every server's peak resident set during the
// row, in MiB (srv-peak-MiB); nothing when no result has it.
func (t *table) peaks(w io.Writer) {
	for _, row := range t.rows {
		for _, s := range t.servers {
			if !math.IsNaN(t.get(row, s, "srv-peak-MiB")) {
				fmt.Fprintln(w, "\nServer peak resident set during the row, MiB (median of the rounds):")
				fmt.Fprintln(w)
				t.grid(w, func(row, s string) string { return num(t.get(row, s, "srv-peak-MiB")) })
				return
			}
		}
	}
}

// grid is a line per row, a column per server: what cell says of each.
func (t *table) grid(w io.Writer, cellOf func(row, server string) string) {
	fmt.Fprint(w, "| row |")
	for _, s := range t.servers {
		fmt.Fprintf(w, " %s |", s)
	}
	fmt.Fprint(w, "\n| --- |")
	for range t.servers {
		fmt.Fprint(w, " ---: |")
	}
	fmt.Fprintln(w)
	for _, row := range t.rows {
		fmt.Fprintf(w, "| %s |", row)
		for _, s := range t.servers {
			switch {
			case t.unsupported[row][s] != "":
				fmt.Fprint(w, " unsupported |")
			case t.cells[row][s] == nil:
				fmt.Fprint(w, " |")
			default:
				fmt.Fprintf(w, " %s |", cellOf(row, s))
			}
		}
		fmt.Fprintln(w)
	}
}

// shortWhy is the S3 error code at the end of an unsupported row's reason.
func shortWhy(why string) string {
	if i := strings.LastIndex(why, ": "); i >= 0 {
		return why[i+2:]
	}
	return why
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// num is v to three significant digits, with thousands separated.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v == 0:
		return "0"
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if digits < 0 {
		p := math.Pow(10, float64(-digits))
		v = math.Round(v/p) * p
		digits = 0
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 && intPart[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}
