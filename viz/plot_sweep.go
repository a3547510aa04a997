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

// mix names a run's fault mix: its fault kinds, sorted and joined by +.
func (p SweepPoint) mix() string {
	if len(p.Faults) == 0 {
		return "none"
	}
	fs := append([]string(nil), p.Faults...)
	sort.Strings(fs)
	out := fs[:0]
	for i, f := range fs {
		if i == 0 || f != fs[i-1] {
			out = append(out, f)
		}
	}
	return strings.Join(out, "+")
}

// PlotSweep writes three stacked panels about a seed sweep: the verdict of
// every seed against its fault mix, the failures (invalid and unknown) per
// fault mix, and the simulator's speed in events per second per seed.
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
	var mixes []string
	mixIdx := map[string]int{}
	for _, p := range pts {
		if _, ok := mixIdx[p.mix()]; !ok {
			mixIdx[p.mix()] = 0
			mixes = append(mixes, p.mix())
		}
	}
	sort.Strings(mixes)
	for i, m := range mixes {
		mixIdx[m] = i
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

	// 1. Verdict of each seed by fault mix.
	p1 := plot.New()
	p1.Title.Text = "verdict by seed and fault mix"
	if opts.Title != "" {
		p1.Title.Text = opts.Title
	}
	p1.X.Label.Text = xLabel
	p1.Legend.Top = true
	p1.Legend.TextStyle.Font.Size = 8
	p1.NominalY(mixes...)
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
		for i, p := range pts {
			if verdictName(p.Verdict) == vd.name {
				xys = append(xys, plotter.XY{X: xOf(i), Y: float64(mixIdx[p.mix()])})
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
		p1.Legend.Add(fmt.Sprintf("%s (%d)", vd.name, len(xys)), sc)
	}

	// 2. Failures per fault mix, stacked invalid on unknown.
	p2 := plot.New()
	p2.Title.Text = "failures by fault mix (out of the runs shown under each bar)"
	p2.Y.Label.Text = "runs"
	p2.Legend.Top = true
	p2.Legend.TextStyle.Font.Size = 8
	runs := make([]int, len(mixes))
	inv := make(plotter.Values, len(mixes))
	unk := make(plotter.Values, len(mixes))
	for _, p := range pts {
		m := mixIdx[p.mix()]
		runs[m]++
		switch verdictName(p.Verdict) {
		case "invalid":
			inv[m]++
		case "unknown":
			unk[m]++
		}
	}
	names := make([]string, len(mixes))
	for i, m := range mixes {
		names[i] = fmt.Sprintf("%s (%d)", m, runs[i])
	}
	barW := vg.Points(math.Max(4, math.Min(40, 500/float64(len(mixes)))))
	if bu, err := plotter.NewBarChart(unk, barW); err == nil {
		bu.Color, bu.LineStyle.Width = colInfo, 0
		p2.Add(bu)
		p2.Legend.Add("unknown", bu)
		if bi, err := plotter.NewBarChart(inv, barW); err == nil {
			bi.Color, bi.LineStyle.Width = colFail, 0
			bi.StackOn(bu)
			p2.Add(bi)
			p2.Legend.Add("invalid", bi)
		}
	}
	p2.NominalX(names...)
	if len(mixes) > 4 {
		p2.X.Tick.Label.Rotation = math.Pi / 8
		p2.X.Tick.Label.XAlign = draw.XRight
	}
	p2.Y.Min = 0

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
	return []*plot.Plot{p1, p2, p3}
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
