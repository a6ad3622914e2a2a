package sim

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/coldstore-dev/coldstore/engine"
	"github.com/coldstore-dev/coldstore/storageclass"
)

// Report is what a run saw.
type Report struct {
	Name    string
	Days    int
	Classes []storageclass.Class // the catalog's classes, warm to cold

	Series []Day // one per simulated day

	Reads        int // reads issued
	ReadsDelayed int // of which met an archived or restoring object
	Restores     int // restores accepted (202)
	Conflicts    int // restores refused as already in progress (409)
	Waiting      int // clients still waiting at the end
	Expired      int // objects the lifecycle deleted
	RestoreWait  Waits

	Usage engine.Usage
	Bill  engine.Bill
}

// Day is the state at the end of one simulated day.
type Day struct {
	Day     int
	Objects map[storageclass.Class]int64
	Bytes   map[storageclass.Class]int64 // billable
	Cost    float64                      // the bill so far
}

// Waits summarises how long readers waited for restores.
type Waits struct {
	Count         int
	P50, P99, Max time.Duration
}

func percentiles(ws []time.Duration) Waits {
	if len(ws) == 0 {
		return Waits{}
	}
	s := slices.Clone(ws)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return Waits{Count: len(s), P50: at(0.50), P99: at(0.99), Max: s[len(s)-1]}
}

// Lines of the bill, summed by kind.
func (r *Report) costOf(item string) float64 {
	total := 0.0
	for _, l := range r.Bill.Lines {
		if l.Item == item || (item == "retrieval" && l.Item == "retrieval requests") {
			total += l.Amount
		}
	}
	return total
}

// WriteTable writes the reports side by side: storage, retrieval, early
// deletion, requests, total, and the p99 read delay.
func WriteTable(w io.Writer, reports []*Report) error {
	_, err := fmt.Fprintf(w, "%-24s %12s %12s %12s %12s %12s %10s %12s\n",
		"policy", "storage", "retrieval", "early del.", "requests", "total", "restores", "p99 delay")
	if err != nil {
		return err
	}
	for _, r := range reports {
		if _, err := fmt.Fprintf(w, "%-24s %12.4f %12.4f %12.4f %12.4f %12.4f %10d %12s\n",
			r.Name, r.costOf("storage"), r.costOf("retrieval"), r.costOf("early deletion"), r.costOf("requests"),
			r.Bill.Total, r.Restores, r.RestoreWait.P99); err != nil {
			return err
		}
	}
	if len(reports) > 0 {
		_, err = fmt.Fprintf(w, "(%s; %d days)\n", reports[0].Bill.Currency, reports[0].Days)
	}
	return err
}

// WriteCSV writes the daily series of every report: one row per policy and
// day, with objects and billable bytes per class and the cost so far. The
// class columns are the reports' Classes, in order, each once.
func WriteCSV(w io.Writer, reports []*Report) error {
	cw := csv.NewWriter(w)
	classes := classesOf(reports)
	head := []string{"policy", "day", "cost"}
	for _, c := range classes {
		head = append(head, "objects_"+string(c), "bytes_"+string(c))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range reports {
		for _, d := range r.Series {
			row := []string{r.Name, strconv.Itoa(d.Day), strconv.FormatFloat(d.Cost, 'f', 6, 64)}
			for _, c := range classes {
				row = append(row, strconv.FormatInt(d.Objects[c], 10), strconv.FormatInt(d.Bytes[c], 10))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// classesOf returns the Classes of the reports, in order, each once.
func classesOf(reports []*Report) []storageclass.Class {
	var out []storageclass.Class
	for _, r := range reports {
		for _, c := range r.Classes {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// Compare runs the same workload under each policy, one after the other.
// It returns Run's errors, those of base's days, step and workload before
// any policy runs.
func Compare(ctx context.Context, base Config, policies []Policy) ([]*Report, error) {
	if err := base.validate(); err != nil {
		return nil, err
	}
	var out []*Report
	for _, p := range policies {
		cfg := base
		cfg.Name, cfg.Policy = p.Name, p.Config
		r, err := Run(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}
