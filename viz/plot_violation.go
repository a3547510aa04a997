package viz

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/faultline/faultline/sim/trace"
)

// failure is what the plots mark as a run's failure: the operation the
// checker says no order can place (the lead of the trace's
// linearizability highlight, as the viewer's v jumps to it) with the
// other operations it named, and the time of every other violation and
// panic (online invariants, node panics), with what it says.
type failure struct {
	lead     *Op
	involved []Op
	at       []failureAt
}

type failureAt struct {
	At    time.Duration
	Label string
}

// failureOf reads f's failure. A trace without one marks nothing.
func failureOf(f *trace.File) failure {
	ix := buildIndex(f, &Options{})
	var fl failure
	for k := range ix.ops {
		o := &ix.ops[k]
		if !o.hi {
			continue
		}
		e := &ix.ev[o.inv]
		op := Op{Client: e.Node, Handle: o.handle, Kind: e.Op.Kind, Start: timeOf(o.start), End: timeOf(o.end), Outcome: o.outcome}
		if int32(k) == ix.lead {
			fl.lead = &op
		} else {
			fl.involved = append(fl.involved, op)
		}
	}
	for i := range ix.ev {
		e := &ix.ev[i]
		switch {
		case e.Kind == trace.Violation && e.ViolationType() == trace.ViolationLinearizability && fl.lead != nil:
			// Marked by its operation: the event's own time is the run's end.
		case e.Kind == trace.Violation:
			what := strings.TrimSpace(string(e.ViolationType()) + " violation")
			if e.Text != "" {
				what += ": " + firstLine(e.Text)
			}
			fl.at = append(fl.at, failureAt{timeOf(int64(e.At)), what})
		case e.Kind == trace.Panic:
			fl.at = append(fl.at, failureAt{timeOf(int64(e.At)), e.Node.String() + " panicked"})
		}
	}
	return fl
}

// describe names the lead operation: "c3 get k2 [2.43s, 2.61s] ok".
func (o *Op) describe() string {
	return fmt.Sprintf("%s %s [%v, %v] %s", o.Client, o.Kind, o.Start.Round(time.Millisecond), o.End.Round(time.Millisecond), o.Outcome)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 60 {
		s = s[:57] + "…"
	}
	return s
}

// colViolation marks the failure on every plot.
var colViolation = color.NRGBA{R: 0xc0, G: 0x00, B: 0x30, A: 0xff}

// markLatency rings the failure's operations on the latency plot (the
// lead larger, named in the legend) and marks its other violations.
func markLatency(p *plot.Plot, fl failure) {
	ring := func(ops []Op, r vg.Length, width vg.Length) *plotter.Scatter {
		var xys plotter.XYs
		for _, o := range ops {
			xys = append(xys, plotter.XY{X: o.Start.Seconds(), Y: max(float64(o.Latency())/1e6, 1e-3)})
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colViolation, Radius: r, Shape: ringGlyph{width}}
		return sc
	}
	if len(fl.involved) > 0 {
		if sc := ring(fl.involved, vg.Points(4), vg.Points(0.8)); sc != nil {
			p.Add(sc)
			p.Legend.Add("ops the checker names", sc)
		}
	}
	if fl.lead != nil {
		if sc := ring([]Op{*fl.lead}, vg.Points(7), vg.Points(1.6)); sc != nil {
			p.Add(sc)
			p.Legend.Add("violating op", sc)
		}
	}
	markTimes(p, fl, false)
}

// (markTimes with band false adds no legend entry for the lead: the ring
// has one.)

// markTimes marks the failure on a plot over time: the lead operation
// named along the bottom (band true: its span shaded too, and in the
// legend) and every other violation as a dashed line, named likewise.
// Legend entries stay short, so the legend stays over the heal.
func markTimes(p *plot.Plot, fl failure, band bool) {
	if fl.lead == nil && len(fl.at) == 0 {
		return
	}
	m := failureMarks{fl: fl, band: band}
	p.Add(m)
	if band && fl.lead != nil {
		p.Legend.Add("violating op", violationLegend{})
	}
	if len(fl.at) > 0 {
		p.Legend.Add("violation", violationLegend{line: true})
	}
}

type failureMarks struct {
	fl   failure
	band bool
}

func (m failureMarks) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	sty := draw.TextStyle{Color: colViolation, Font: font.From(plot.DefaultFont, 7), Handler: plot.DefaultTextHandler,
		XAlign: draw.XLeft, YAlign: draw.YBottom}
	line := draw.LineStyle{Color: colViolation, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	// Along the bottom, above the heal's name, so no fault name (along the
	// top) and no legend (top right) is covered.
	y := c.Min.Y + 12
	if o := m.fl.lead; o != nil {
		x1, x2 := max(trX(o.Start.Seconds()), c.Min.X), min(trX(o.End.Seconds()), c.Max.X)
		if x2-x1 < 2 {
			x2 = x1 + 2
		}
		if m.band {
			fill := colViolation
			fill.A = 0x30
			c.FillPolygon(fill, []vg.Point{{X: x1, Y: c.Min.Y}, {X: x2, Y: c.Min.Y}, {X: x2, Y: c.Max.Y}, {X: x1, Y: c.Max.Y}})
			c.StrokeLine2(line, x1, c.Min.Y, x1, c.Max.Y)
		}
		c.FillText(sty, vg.Point{X: x2 + 2, Y: y}, "violating: "+o.describe())
		y += 9
	}
	for _, a := range m.fl.at {
		x := trX(a.At.Seconds())
		if x < c.Min.X || x > c.Max.X {
			continue
		}
		c.StrokeLine2(line, x, c.Min.Y, x, c.Max.Y)
		c.FillText(sty, vg.Point{X: x + 2, Y: y}, a.Label)
		y += 9
	}
}

// violationLegend is the legend's thumbnail of a failure mark: a band, or
// a dashed line.
type violationLegend struct{ line bool }

func (l violationLegend) Thumbnail(c *draw.Canvas) {
	if l.line {
		x := (c.Min.X + c.Max.X) / 2
		c.StrokeLine2(draw.LineStyle{Color: colViolation, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}, x, c.Min.Y, x, c.Max.Y)
		return
	}
	fill := colViolation
	fill.A = 0x30
	c.FillPolygon(fill, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

// ringGlyph is a circle outline of the given line width: drawn around a
// point, it marks it without hiding it.
type ringGlyph struct{ width vg.Length }

func (g ringGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: g.width})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// clearLegend raises the top of p's y axis until the legend, drawn at the
// top right of a width × height picture, sits above peak, the highest
// value any series reaches: the legend never covers data, however many
// entries it has.
func clearLegend(p *plot.Plot, width, height vg.Length, peak float64) {
	if peak <= 0 {
		return
	}
	dc := p.DataCanvas(draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: width, Y: height}}})
	r := p.Legend.Rectangle(dc)
	h := float64(dc.Max.Y - dc.Min.Y)
	free := h - float64(r.Max.Y-r.Min.Y) - 6 // a little air under the legend
	if free <= h/4 {
		free = h / 4 // a legend taller than the plot: keep the data readable
	}
	if need := p.Y.Min + (peak-p.Y.Min)*h/free; need > p.Y.Max {
		p.Y.Max = need
	}
}
