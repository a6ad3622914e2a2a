package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coldstore-dev/coldstore/lifecycle"
	"github.com/coldstore-dev/coldstore/sim"
	"github.com/coldstore-dev/coldstore/storageclass"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// policyFlags collects --policy FILE.xml, repeatable.
type policyFlags []string

func (p *policyFlags) String() string     { return strings.Join(*p, ",") }
func (p *policyFlags) Set(v string) error { *p = append(*p, v); return nil }

// parseSize reads sizes such as 4KiB, 1MiB, 2GiB or a byte count.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q: want a whole number of bytes, 0 or more, with B, KB, MB, GB, KiB, MiB or GiB or none", s)
	}
	return n * mult, nil
}

// simulate runs one workload under each policy and prints the comparison.
func simulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	w := sim.Default()
	var policies policyFlags
	fs.Var(&policies, "policy", "OSS lifecycle XML file; repeat to compare (none: all Standard, against the built-in example policies)")
	fs.IntVar(&w.Objects, "objects", w.Objects, "objects at the start")
	fs.IntVar(&w.ArrivalsPerDay, "arrivals", w.ArrivalsPerDay, "objects put per day")
	size := fs.String("size", "", "fixed object size (e.g. 256KiB); empty: log-normal by -median and -spread")
	median := fs.String("median", "64KiB", "median object size")
	fs.Float64Var(&w.Size.Spread, "spread", w.Size.Spread, "sigma of the log of the size")
	fs.Float64Var(&w.ReadsPerDay, "reads", w.ReadsPerDay, "reads per day of the bucket")
	fs.Float64Var(&w.ReadHalfLife, "half-life", w.ReadHalfLife, "days after which an object's reads halve (0: never)")
	fs.Float64Var(&w.Zipf, "zipf", w.Zipf, "Zipf exponent of read popularity (>1; 0: uniform)")
	fs.IntVar(&w.DeleteAfterDays, "delete-after", w.DeleteAfterDays, "delete objects at this age in days (0: never)")
	tier := fs.String("tier", "", "restore tier of reads that meet archived objects (Expedited, Standard, Bulk)")
	fs.IntVar(&w.RestoreDays, "restore-days", 0, "days a restore keeps the copy (0: the class default)")
	fs.Uint64Var(&w.Seed, "seed", w.Seed, "seed of the workload")
	days := fs.Int("days", 90, "simulated days")
	step := fs.Duration("step", time.Hour, "simulated time per step")
	out := fs.String("out", "", "folder for daily.csv and the SVG charts (none: no files)")
	dir := fs.String("dir", "", "folder for the simulation's bbolt files, kept (none: in memory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "coldstore simulate: unexpected arguments %q\n", fs.Args())
		return 2
	}
	var err error
	if *size != "" {
		if w.Size.Fixed, err = parseSize(*size); err != nil {
			fmt.Fprintln(stderr, "coldstore simulate:", err)
			return 2
		}
	} else if w.Size.Median, err = parseSize(*median); err != nil {
		fmt.Fprintln(stderr, "coldstore simulate:", err)
		return 2
	}
	if *tier != "" {
		t, err := storageclass.ParseTier(*tier)
		if err != nil {
			fmt.Fprintln(stderr, "coldstore simulate:", err)
			return 2
		}
		w.RestoreTier = t
	}
	ps, err := loadPolicies(policies)
	if err != nil {
		fmt.Fprintln(stderr, "coldstore simulate:", err)
		return 2
	}
	if *step <= 0 || 24*time.Hour%*step != 0 {
		fmt.Fprintf(stderr, "coldstore simulate: -step %v: want a positive duration that divides a day (1h, 30m, 6h, 24h)\n", *step)
		return 2
	}
	if *days <= 0 {
		fmt.Fprintf(stderr, "coldstore simulate: -days %d: want 1 or more\n", *days)
		return 2
	}
	if err := w.Validate(); err != nil {
		fmt.Fprintln(stderr, "coldstore simulate:", err)
		return 2
	}
	base := sim.Config{Workload: w, Days: *days, Step: *step, Dir: *dir}
	var bar *progressbar.ProgressBar
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions(*days*len(ps), progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("simulated days"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		base.Progress = func(int, int) { _ = bar.Add(1) }
	}
	reports, err := sim.Compare(context.Background(), base, ps)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		fmt.Fprintln(stderr, "coldstore simulate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "workload: %d objects + %d/day, reads %.0f/day (half-life %.0f d, zipf %.1f), %d days, seed %d\n\n",
		w.Objects, w.ArrivalsPerDay, w.ReadsPerDay, w.ReadHalfLife, w.Zipf, *days, w.Seed)
	if err := sim.WriteTable(stdout, reports); err != nil {
		fmt.Fprintln(stderr, "coldstore simulate:", err)
		return 1
	}
	if *out != "" {
		if err := writeOutputs(*out, reports); err != nil {
			fmt.Fprintln(stderr, "coldstore simulate:", err)
			return 1
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join([]string{filepath.Join(*out, "daily.csv"), filepath.Join(*out, "cost.svg"), filepath.Join(*out, "mix-*.svg")}, ", "))
	}
	return 0
}

// builtinPolicies are compared when no --policy is given.
func builtinPolicies() []sim.Policy {
	tr := func(d int, c storageclass.Class) lifecycle.Transition {
		return lifecycle.Transition{Days: d, StorageClass: c}
	}
	rule := func(ts ...lifecycle.Transition) *lifecycle.Configuration {
		return &lifecycle.Configuration{Rules: []lifecycle.Rule{{ID: "tier", Enabled: true, Transitions: ts}}}
	}
	return []sim.Policy{
		{Name: "standard"},
		{Name: "ia30-archive60", Config: rule(tr(30, storageclass.IA), tr(60, storageclass.Archive))},
		{Name: "coldarchive14", Config: rule(tr(14, storageclass.ColdArchive))},
	}
}

func loadPolicies(files []string) ([]sim.Policy, error) {
	if len(files) == 0 {
		return builtinPolicies(), nil
	}
	var out []sim.Policy
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cfg, err := lifecycle.ParseXML(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if err := cfg.Validate(storageclass.OSS()); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, sim.Policy{Name: strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)), Config: cfg})
	}
	return out, nil
}

func writeOutputs(dir string, reports []*sim.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "daily.csv"))
	if err != nil {
		return err
	}
	if err := sim.WriteCSV(f, reports); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return errors.Join(costChart(filepath.Join(dir, "cost.svg"), reports), mixCharts(dir, reports))
}
