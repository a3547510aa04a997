package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepPoint is one run of a seed sweep, as PlotSweep draws it.
type SweepPoint struct {
	Seed uint64
	// Verdict is "valid", "invalid" or "unknown" (checker.Verdict.String).
	Verdict string
	// Faults are the kinds of fault the run injected (its fault mix);
	// their order does not matter.
	Faults       []string
	EventsPerSec float64
}

// kinds returns a run's fault kinds, sorted, without repeats.
func (p SweepPoint) kinds() []string {
	fs := append([]string(nil), p.Faults...)
	sort.Strings(fs)
	out := fs[:0]
	for i, f := range fs {
		if i == 0 || f != fs[i-1] {
			out = append(out, f)
		}
	}
	return out
}

// MaxSweepKinds is how many fault kinds PlotSweep names; the rarer ones
// are counted together as "other".
const MaxSweepKinds = 15

// kindRow is one row of the sweep panels: a fault kind (or "other", or
// "no faults") and the runs that injected it.
type kindRow struct {
	name                  string
	runs, invalid, unknow int
}

func (r *kindRow) failed() int { return r.invalid + r.unknow }

// label names the row with its counts: "partition (8 of 212 failed)".
func (r *kindRow) label() string {
	if r.failed() == 0 {
		return fmt.Sprintf("%s (%d runs)", r.name, r.runs)
	}
	return fmt.Sprintf("%s (%d of %d failed)", r.name, r.failed(), r.runs)
}

// sweepRows counts runs, invalid and unknown verdicts per fault kind (a
// run counts once under each kind it injected), keeps the MaxSweepKinds
// most frequent kinds, and folds the rest into "other (N kinds)". Runs
// without faults get a "no faults" row. rowsOf[i] lists the rows of
// pts[i]. Rows come most frequent first.
func sweepRows(pts []SweepPoint) (rows []kindRow, rowsOf [][]int) {
	count := map[string]int{}
	for _, p := range pts {
		for _, k := range p.kinds() {
			count[k]++
		}
	}
	names := make([]string, 0, len(count))
	for k := range count {
		names = append(names, k)
	}
	sort.Slice(names, func(a, b int) bool {
		if count[names[a]] != count[names[b]] {
			return count[names[a]] > count[names[b]]
		}
		return names[a] < names[b]
	})
	rowOf := map[string]int{}
	for i, k := range names {
		if i == MaxSweepKinds {
			break
		}
		rowOf[k] = len(rows)
		rows = append(rows, kindRow{name: k})
	}
	other, none := -1, -1
	if len(names) > MaxSweepKinds {
		other = len(rows)
		rows = append(rows, kindRow{name: fmt.Sprintf("other (%d kinds)", len(names)-MaxSweepKinds)})
	}
	rowsOf = make([][]int, len(pts))
	for i, p := range pts {
		ks := p.kinds()
		if len(ks) == 0 {
			if none < 0 {
				none = len(rows)
				rows = append(rows, kindRow{name: "no faults"})
			}
			rowsOf[i] = []int{none}
		}
		inOther := false
		for _, k := range ks {
			if r, ok := rowOf[k]; ok {
				rowsOf[i] = append(rowsOf[i], r)
			} else if !inOther {
				inOther = true
				rowsOf[i] = append(rowsOf[i], other)
			}
		}
		for _, r := range rowsOf[i] {
			rows[r].runs++
			switch verdictName(p.Verdict) {
			case "invalid":
				rows[r].invalid++
			case "unknown":
				rows[r].unknow++
			}
		}
	}
	return rows, rowsOf
}

// PlotSweep writes three stacked panels about a seed sweep: the verdict of
// every seed on a row per fault kind it injected, the failure rate
// (invalid and unknown) per fault kind, and the simulator's speed in
// events per second per seed. Fault kinds are counted one by one, not as
// mixes, so a swarm sweep with hundreds of distinct mixes stays readable;
// beyond the MaxSweepKinds most frequent, kinds are grouped as "other".
func PlotSweep(w io.Writer, pts []SweepPoint, opts PlotOptions) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	if len(pts) == 0 {
		return fmt.Errorf("viz: PlotSweep: no runs to plot")
	}
	ps := sweepPlots(pts, &opts)
	width, height := opts.size(9 * vg.Inch)
	return writePlots(w, format, width, height, ps...)
}

func sweepPlots(pts []SweepPoint, opts *PlotOptions) []*plot.Plot {
	pts = append([]SweepPoint(nil), pts...)
	sort.SliceStable(pts, func(a, b int) bool { return pts[a].Seed < pts[b].Seed })
	rows, rowsOf := sweepRows(pts)
	// Nominal axes count from the bottom: the most frequent kind on top.
	yOf := func(r int) float64 { return float64(len(rows) - 1 - r) }
	labels := make([]string, len(rows))
	for r := range rows {
		labels[len(rows)-1-r] = rows[r].label()
	}
	// Seeds go on the x axis as they are when small, else by rank.
	byRank := pts[len(pts)-1].Seed > 1e7
	xOf := func(i int) float64 {
		if byRank {
			return float64(i)
		}
		return float64(pts[i].Seed)
	}
	xLabel := "seed"
	if byRank {
		xLabel = "run (by seed order)"
	}
	var nInvalid, nUnknown int
	for _, p := range pts {
		switch verdictName(p.Verdict) {
		case "invalid":
			nInvalid++
		case "unknown":
			nUnknown++
		}
	}

	// 1. Verdict of each seed, on the row of each fault kind it injected.
	p1 := plot.New()
	p1.Title.Text = fmt.Sprintf("verdict by seed and fault kind (%d runs; a run shows on the row of each kind it injected)", len(pts))
	if opts.Title != "" && !isFileName(opts.Title) {
		p1.Title.Text = opts.Title
	}
	p1.X.Label.Text = xLabel
	p1.Legend.Top = true
	p1.Legend.TextStyle.Font.Size = 8
	p1.NominalY(labels...)
	p1.Y.Tick.Label.Font.Size = 8
	p1.Add(plotter.NewGrid())
	verdicts := []struct {
		name  string
		style draw.GlyphStyle
	}{
		{"valid", draw.GlyphStyle{Color: colOK, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}},
		{"unknown", draw.GlyphStyle{Color: colInfo, Radius: vg.Points(3), Shape: draw.TriangleGlyph{}}},
		{"invalid", draw.GlyphStyle{Color: colFail, Radius: vg.Points(3.5), Shape: draw.CrossGlyph{}}},
	}
	for _, vd := range verdicts {
		var xys plotter.XYs
		n := 0
		for i, p := range pts {
			if verdictName(p.Verdict) != vd.name {
				continue
			}
			n++
			for _, r := range rowsOf[i] {
				xys = append(xys, plotter.XY{X: xOf(i), Y: yOf(r)})
			}
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			continue
		}
		sc.GlyphStyle = vd.style
		p1.Add(sc)
		p1.Legend.Add(fmt.Sprintf("%s (%d)", vd.name, n), sc)
	}
	legendRoom(p1)

	// 2. Failure rate per fault kind, invalid stacked on unknown; with no
	// failures, the runs per kind, and the title says so.
	p2 := plot.New()
	p2.Legend.Top = true
	p2.Legend.TextStyle.Font.Size = 8
	p2.NominalY(labels...)
	p2.Y.Tick.Label.Font.Size = 8
	p2.X.Min = 0
	barW := vg.Points(math.Max(3, math.Min(14, 160/float64(len(rows)))))
	bar := func(vals plotter.Values, c color.Color) *plotter.BarChart {
		b, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return nil
		}
		b.Horizontal, b.Color, b.LineStyle.Width = true, c, 0
		return b
	}
	vals := func(f func(r *kindRow) float64) plotter.Values {
		v := make(plotter.Values, len(rows))
		for r := range rows {
			v[len(rows)-1-r] = f(&rows[r])
		}
		return v
	}
	if nInvalid+nUnknown == 0 {
		p2.Title.Text = fmt.Sprintf("no failures in %d runs — runs per fault kind", len(pts))
		p2.X.Label.Text = "runs"
		if b := bar(vals(func(r *kindRow) float64 { return float64(r.runs) }), colOK); b != nil {
			p2.Add(b)
		}
	} else {
		p2.Title.Text = fmt.Sprintf("failure rate by fault kind (%d invalid, %d unknown in %d runs)", nInvalid, nUnknown, len(pts))
		p2.X.Label.Text = "runs that failed (%) among those that injected the kind"
		pct := func(n int, r *kindRow) float64 { return 100 * float64(n) / float64(max(1, r.runs)) }
		bu := bar(vals(func(r *kindRow) float64 { return pct(r.unknow, r) }), colInfo)
		bi := bar(vals(func(r *kindRow) float64 { return pct(r.invalid, r) }), colFail)
		if bu != nil && bi != nil {
			bi.StackOn(bu)
			p2.Add(bu, bi)
			if nUnknown > 0 {
				p2.Legend.Add("unknown", bu)
			}
			if nInvalid > 0 {
				p2.Legend.Add("invalid", bi)
			}
		}
	}
	legendRoom(p2)

	// 3. Events per second by seed.
	p3 := plot.New()
	p3.Title.Text = "simulation speed"
	p3.X.Label.Text = xLabel
	p3.Y.Label.Text = "events / s"
	p3.Y.Min = 0
	p3.Legend.Top = true
	p3.Legend.TextStyle.Font.Size = 8
	p3.Add(plotter.NewGrid())
	xys := make(plotter.XYs, len(pts))
	speeds := make([]float64, len(pts))
	unit := 1.0
	if pts[0].EventsPerSec >= 1e5 {
		unit = 1e6
		p3.Y.Label.Text = "million events / s"
	}
	for i, p := range pts {
		xys[i] = plotter.XY{X: xOf(i), Y: p.EventsPerSec / unit}
		speeds[i] = p.EventsPerSec / unit
	}
	if sc, err := plotter.NewScatter(xys); err == nil {
		sc.GlyphStyle = draw.GlyphStyle{Color: palette[0], Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}
		p3.Add(sc)
		p3.Legend.Add("run", sc)
	}
	sort.Float64s(speeds)
	med := speeds[len(speeds)/2]
	if l, err := plotter.NewLine(plotter.XYs{{X: xOf(0), Y: med}, {X: xOf(len(pts) - 1), Y: med}}); err == nil {
		l.LineStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
		p3.Add(l)
		p3.Legend.Add(fmt.Sprintf("median %.3g", med), l)
	}
	legendRoom(p3)
	return []*plot.Plot{p1, p2, p3}
}

// legendRoom widens a plot's x axis on the right so its legend (top
// right) sits beside the data rather than on it; the axis is labelled
// only under the data.
func legendRoom(p *plot.Plot) {
	p.X.Tick.Marker = ticksUpTo{p.X.Max}
	p.X.Max += 0.14 * (p.X.Max - p.X.Min)
}

// ticksUpTo are plainTicks no further than max.
type ticksUpTo struct{ max float64 }

func (t ticksUpTo) Ticks(lo, hi float64) []plot.Tick {
	ts := plainTicks{}.Ticks(lo, hi)
	out := ts[:0]
	for _, tk := range ts {
		if tk.Value <= t.max {
			out = append(out, tk)
		}
	}
	return out
}

// verdictName normalises a verdict string; anything unrecognised counts
// as unknown (never as a pass).
func verdictName(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "valid", "ok", "pass", "true":
		return "valid"
	case "invalid", "fail", "false":
		return "invalid"
	}
	return "unknown"
}

func colorOf(c any) color.Color {
	if cc, ok := c.(color.Color); ok {
		return cc
	}
	return color.Black
}
