package main

import (
	"fmt"
	"path/filepath"

	"github.com/coldstore-dev/coldstore/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// costChart draws the bill so far, day by day, one line per policy.
func costChart(path string, reports []*sim.Report) error {
	p := plot.New()
	p.Title.Text = "Cost over time"
	p.X.Label.Text = "day"
	if len(reports) > 0 {
		p.Y.Label.Text = "bill so far (" + reports[0].Bill.Currency + ")"
	}
	var lines []any
	for _, r := range reports {
		pts := make(plotter.XYs, len(r.Series))
		for i, d := range r.Series {
			pts[i] = plotter.XY{X: float64(d.Day), Y: d.Cost}
		}
		lines = append(lines, r.Name, pts)
	}
	if err := plotutil.AddLines(p, lines...); err != nil {
		return err
	}
	p.Legend.Top, p.Legend.Left = true, true
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}

// mixCharts draws, for each policy, the billable GiB of each class day by
// day.
func mixCharts(dir string, reports []*sim.Report) error {
	for _, r := range reports {
		p := plot.New()
		p.Title.Text = "Class mix: " + r.Name
		p.X.Label.Text = "day"
		p.Y.Label.Text = "billable GiB"
		var lines []any
		for _, c := range r.Classes {
			pts := make(plotter.XYs, len(r.Series))
			used := false
			for i, d := range r.Series {
				pts[i] = plotter.XY{X: float64(d.Day), Y: float64(d.Bytes[c]) / (1 << 30)}
				used = used || d.Bytes[c] > 0
			}
			if used {
				lines = append(lines, string(c), pts)
			}
		}
		if len(lines) > 0 {
			if err := plotutil.AddLines(p, lines...); err != nil {
				return err
			}
		}
		p.Legend.Top, p.Legend.Left = true, true
		if err := p.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(dir, fmt.Sprintf("mix-%s.svg", r.Name))); err != nil {
			return err
		}
	}
	return nil
}
