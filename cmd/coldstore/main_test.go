package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/ossapi"
	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coldstore.db")
	for round := range 2 { // a second run on the same file tells the same story
		var out, errb bytes.Buffer
		require.Equal(t, 0, run([]string{"demo", "-db", path}, &out, &errb), errb.String())
		text := out.String()
		order := []string{
			"403 InvalidObjectState",
			"202 Accepted  x-oss-restore: ongoing-request=\"true\"",
			"(ready at 2024-01-01T04:00:00Z, readable until 2024-01-03T04:00:00Z)",
			"409 RestoreAlreadyInProgress",
			`x-oss-restore: ongoing-request="true"`,
			"403 InvalidObjectState",
			`x-oss-restore: ongoing-request="false", expiry-date="Wed, 03 Jan 2024 04:00:00 GMT"`,
			`200 OK  23 bytes: "sand, sea and a seagull"`,
			`200 OK  x-oss-restore: ongoing-request="false", expiry-date="Thu, 04 Jan 2024 04:00:00 GMT"`,
			"x-oss-restore: (absent)",
			"403 InvalidObjectState",
			"sweep: 1 expired",
		}
		rest := text
		for _, want := range order {
			i := strings.Index(rest, want)
			require.GreaterOrEqual(t, i, 0, "run %d: %q missing or out of order in:\n%s", round, want, text)
			rest = rest[i+len(want):]
		}
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 2, run(nil, &out, &errb))
	require.Contains(t, errb.String(), "demo")
	require.Equal(t, 2, run([]string{"nope"}, &out, &errb))
}

func TestSimulate(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "cold.xml")
	require.NoError(t, os.WriteFile(policy, []byte(`<LifecycleConfiguration><Rule><ID>r</ID><Prefix></Prefix><Status>Enabled</Status>
<Transition><Days>2</Days><StorageClass>ColdArchive</StorageClass><AllowSmallFile>true</AllowSmallFile></Transition></Rule></LifecycleConfiguration>`), 0o600))
	var out, errb bytes.Buffer
	code := run([]string{"simulate", "-objects", "50", "-arrivals", "5", "-size", "8KiB", "-reads", "40", "-days", "6",
		"-policy", policy, "-out", filepath.Join(dir, "out")}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.Contains(t, out.String(), "cold ")
	require.Contains(t, out.String(), "(CNY; 6 days)")
	for _, f := range []string{"daily.csv", "cost.svg", "mix-cold.svg"} {
		st, err := os.Stat(filepath.Join(dir, "out", f))
		require.NoError(t, err, f)
		require.Positive(t, st.Size(), f)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "out", "cost.svg"))
	require.NoError(t, err)
	require.Contains(t, string(svg), "<svg")

	require.Equal(t, 2, run([]string{"simulate", "-size", "lots"}, &out, &errb))
	require.Equal(t, 2, run([]string{"simulate", "-policy", filepath.Join(dir, "missing.xml")}, &out, &errb))
}

// TestSimulate_Refusals: what no workload can be is refused, exit 2,
// before anything runs: sizes that are not whole byte counts (fractions,
// unknown units, negatives, overflow), a step that does not divide a day,
// negative counts and rates, a Zipf exponent in (0, 1], stray arguments.
func TestSimulate_Refusals(t *testing.T) {
	for _, args := range [][]string{
		{"-size", "1.5MiB"}, {"-size", "12XB"}, {"-size", "-1KiB"}, {"-size", "9999999999GiB"}, {"-median", "-5KiB"},
		{"-step", "7h"}, {"-step", "25h"}, {"-step", "0s"}, {"-days", "0"},
		{"-objects", "-1"}, {"-arrivals", "-2"}, {"-reads", "-1"}, {"-zipf", "0.5"}, {"-spread", "-1"},
		{"extra"},
	} {
		var out, errb bytes.Buffer
		require.Equal(t, 2, run(append([]string{"simulate", "-days", "1", "-objects", "1"}, args...), &out, &errb), "%v", args)
		require.Empty(t, out.String(), "%v", args)
		require.Contains(t, errb.String(), "coldstore simulate:", "%v", args)
	}
	var out, errb bytes.Buffer
	require.Equal(t, 2, run([]string{"demo", "extra"}, &out, &errb))
	require.Contains(t, errb.String(), "unexpected arguments")
}

// TestParseSize: whole byte counts with or without a unit.
func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "512": 512, "12B": 12, "8KiB": 8 << 10, "3MiB": 3 << 20, "2GiB": 2 << 30, "5KB": 5000, "7MB": 7e6, "1GB": 1e9} {
		got, err := parseSize(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
}

// TestServe: the server answers an OSS request and shuts down gracefully,
// closing the database (a second open succeeds at once).
func TestServe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, &engine.Options{OpenTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- serveUntil(ctx, ln, front{name: "OSS", h: ossapi.New(db, nil)}, testConfig(), &out, &errb)
	}()
	req, err := http.NewRequest(http.MethodPut, "http://"+ln.Addr().String()+"/bkt", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("x-oss-request-id"))
	stop()
	require.Equal(t, 0, <-done, errb.String())
	require.NoError(t, db.Close())
	db, err = engine.Open(path, &engine.Options{OpenTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	bs, err := db.ListBuckets(context.Background())
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.NoError(t, db.Close())
	require.Equal(t, 2, run([]string{"serve", "-clock", "sundial"}, &out, &errb))
	require.Equal(t, 2, run([]string{"serve", "-keys", "no-secret"}, &out, &errb))
	keys, err := parseKeys("a:1,b:2")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, keys)
}
