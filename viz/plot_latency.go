package viz

import (
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// DefaultMaxPoints is PlotLatency's point budget when
// PlotOptions.MaxPoints is zero.
const DefaultMaxPoints = 4000

// PlotLatency writes Jepsen's latency graph of f: one point per client
// operation at its invocation time, its latency on a log scale, coloured
// by operation kind and shaped by outcome (ok ●, fail ✕, info ▲), over the
// fault windows shaded. Operations that never returned are not drawn. The
// time axis spans the whole run (to the footer's time or the last event),
// so the quiet and heal phases after the last operation show too.
func PlotLatency(w io.Writer, f *trace.File, opts PlotOptions) error {
	format, ix, err := opts.overTime(f)
	if err != nil {
		return err
	}
	opts.Title = plotTitle(f, opts.Title, "latency of client operations")
	p := latencyPlot(Ops(f), ix.faultWindows(), timeOf(ix.end), &opts)
	markLatency(p, failureOf(f))
	width, height := opts.size(4.5 * vg.Inch)
	return writePlots(w, format, width, height, p)
}

// series is one kind × outcome of operations.
type series struct {
	kind    string
	outcome nodes.Outcome
	xys     plotter.XYs
}

// latencyPlot draws ops over [0, end] (over the ops alone when end is 0).
func latencyPlot(ops []Op, faults []FaultWindow, end time.Duration, opts *PlotOptions) *plot.Plot {
	p := timePlot("latency of client operations", opts, faults, end)
	p.Y.Label.Text = "latency (ms)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = ticks125{}

	// Group by kind and outcome, in a fixed order.
	byKey := map[[2]string]*series{}
	var all []*series
	var tMax float64
	for _, o := range ops {
		if o.Outcome == nodes.Pending {
			continue
		}
		k := [2]string{string(o.Kind), o.Outcome.String()}
		s := byKey[k]
		if s == nil {
			s = &series{kind: string(o.Kind), outcome: o.Outcome}
			byKey[k] = s
			all = append(all, s)
		}
		ms := math.Max(float64(o.Latency())/1e6, 1e-3) // a log scale has no zero
		s.xys = append(s.xys, plotter.XY{X: o.Start.Seconds(), Y: ms})
		tMax = math.Max(tMax, o.Start.Seconds())
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].kind != all[b].kind {
			return all[a].kind < all[b].kind
		}
		return all[a].outcome < all[b].outcome
	})
	kinds := map[string]int{}
	for _, s := range all {
		if _, ok := kinds[s.kind]; !ok {
			kinds[s.kind] = len(kinds)
		}
	}
	total := 0
	for _, s := range all {
		total += len(s.xys)
	}
	budget := opts.MaxPoints
	if budget <= 0 {
		budget = DefaultMaxPoints
	}
	if total > budget {
		cols := max(budget/(2*max(1, len(all))), 50)
		for _, s := range all {
			s.xys = downsample(s.xys, tMax, cols)
		}
		p.Title.Text += " (downsampled: fastest and slowest per column)"
	}
	for _, s := range all {
		if len(s.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(s.xys)
		if err != nil {
			continue // NaN or Inf: nothing sensible to draw
		}
		sc.GlyphStyle = glyphFor(s.outcome, palette[kinds[s.kind]%len(palette)])
		p.Add(sc)
		p.Legend.Add(s.kind+" "+s.outcome.String(), sc)
	}
	if len(all) == 0 {
		p.Y.Scale = plot.LinearScale{}
		p.Y.Tick.Marker = plot.DefaultTicks{}
	} else {
		// Headroom above the slowest point for the legend and fault names.
		p.Y.Max *= 4
	}
	return p
}

func glyphFor(o nodes.Outcome, c interface{ RGBA() (r, g, b, a uint32) }) draw.GlyphStyle {
	g := draw.GlyphStyle{Color: c, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
	switch o {
	case nodes.Fail:
		g.Shape, g.Radius = draw.CrossGlyph{}, vg.Points(2.2)
	case nodes.Info:
		g.Shape, g.Radius = draw.TriangleGlyph{}, vg.Points(2.2)
	}
	return g
}

// downsample keeps, for each of cols columns of [0, tMax], the point with
// the lowest and the highest y, in x order: the shape of the cloud and
// every spike survive, the count is bounded by 2·cols.
func downsample(xys plotter.XYs, tMax float64, cols int) plotter.XYs {
	if len(xys) <= 2*cols || tMax <= 0 {
		return xys
	}
	type mm struct {
		lo, hi int
		set    bool
	}
	bins := make([]mm, cols)
	for i, p := range xys {
		b := int(p.X / tMax * float64(cols-1))
		b = min(max(b, 0), cols-1)
		m := &bins[b]
		if !m.set {
			*m = mm{i, i, true}
			continue
		}
		if p.Y < xys[m.lo].Y {
			m.lo = i
		}
		if p.Y > xys[m.hi].Y {
			m.hi = i
		}
	}
	out := make(plotter.XYs, 0, 2*cols)
	for _, m := range bins {
		if !m.set {
			continue
		}
		a, b := m.lo, m.hi
		if a > b {
			a, b = b, a
		}
		out = append(out, xys[a])
		if b != a {
			out = append(out, xys[b])
		}
	}
	return out
}

// ticks125 marks a log axis at 1, 2 and 5 times each power of ten, so a
// range of less than a decade still has labels.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	if lo <= 0 || hi <= lo {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		base := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * base
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64) // 1000, not 1e+03
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// timeTicks labels a time axis every 1, 2 or 5 × 10^k seconds, whichever
// gives 8 to 20 labels: gonum's default leaves a 10 s run with three.
type timeTicks struct{}

func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	if hi <= lo {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/10)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(m*step) <= 20 {
			step *= m
			break
		}
	}
	// Each tick is a whole multiple of step (not a sum of steps, which
	// drifts: 0.30000000000000004), labelled to step's decimals.
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var ts []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi+step/1e6; k++ {
		v := k * step
		ts = append(ts, plot.Tick{Value: v, Label: tickLabel(v, decimals)})
		if minor := v + step/2; minor < hi {
			ts = append(ts, plot.Tick{Value: minor})
		}
	}
	return ts
}

// tickLabel writes v with at most decimals digits after the point,
// without trailing zeros: 0.3, 1, 1.5.
func tickLabel(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
