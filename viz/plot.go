package viz

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/faultline/faultline/sim/trace"
)

// PlotOptions configure the plots. Use keyed literals.
type PlotOptions struct {
	// Format is "svg" (the default) or "png".
	Format string
	// Width and Height of the picture (default 10in × 4.5in; PlotSweep
	// defaults to 10in × 9in).
	Width, Height vg.Length
	// Title replaces the default title, which names the run (scenario and
	// seed from the trace header) and the plot. A file name (trace.jsonl,
	// out/results.jsonl: no spaces, an extension or a slash) says nothing
	// a reader needs and is replaced by the default too.
	Title string
	// Bucket is the width of a PlotAvailability bar in virtual time
	// (default: a round duration giving 40–100 buckets, at most 1s).
	Bucket time.Duration
	// MaxPoints is how many latency points PlotLatency draws before it
	// downsamples (default 4000). Downsampling keeps, per series and per
	// column of the picture, the fastest and slowest operation, so spikes
	// survive.
	MaxPoints int

	// heal is when the run's heal began (from the trace's phase mark),
	// 0 for none: the heal is shaded, so its quiet is not read as an
	// outage.
	heal time.Duration

	_ struct{}
}

// overTime is what every plot over a trace's virtual time starts from:
// the output format, the trace's index, and the heal the trace marks.
func (o *PlotOptions) overTime(f *trace.File) (format string, ix *index, err error) {
	if format, err = o.format(); err != nil {
		return "", nil, err
	}
	ix = buildIndex(f, nil)
	if ix.healAt > 0 {
		o.heal = time.Duration(ix.healAt)
	}
	return format, ix, nil
}

func (o *PlotOptions) format() (string, error) {
	switch strings.ToLower(o.Format) {
	case "", "svg":
		return "svg", nil
	case "png":
		return "png", nil
	}
	return "", fmt.Errorf("viz: plot format %q: want svg or png", o.Format)
}

func (o *PlotOptions) size(h vg.Length) (vg.Length, vg.Length) {
	w := o.Width
	if w <= 0 {
		w = 10 * vg.Inch
	}
	if o.Height > 0 {
		h = o.Height
	}
	return w, h
}

// plotTitle returns the title of a plot of f: given, unless it is empty
// or a file name, else "<scenario> seed <n> — <what>".
func plotTitle(f *trace.File, given, what string) string {
	if given != "" && !isFileName(given) {
		return given
	}
	run := strings.TrimSpace(fmt.Sprintf("%s seed %d", f.Header.Scenario, f.Header.Seed))
	if f.Header.Seed == 0 && f.Header.Scenario == "" {
		run = ""
	}
	if run != "" {
		run += " — "
	}
	return run + what
}

// isFileName reports whether a title looks like a path rather than words.
func isFileName(s string) bool {
	return !strings.ContainsAny(s, " \t") && (strings.Contains(s, "/") || filepath.Ext(s) != "")
}

// canvas is a picture being drawn, in either format.
type canvas interface {
	vg.CanvasWriterTo
}

func newCanvas(format string, w, h vg.Length) canvas {
	if format == "png" {
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96))}
	}
	return vgsvg.New(w, h)
}

// writePlots draws plots stacked vertically on one picture and writes it.
func writePlots(w io.Writer, format string, width, height vg.Length, ps ...*plot.Plot) error {
	c := newCanvas(format, width, height)
	dc := draw.New(c)
	if len(ps) == 1 {
		ps[0].Draw(dc)
	} else {
		grid := make([][]*plot.Plot, len(ps))
		for i, p := range ps {
			grid[i] = []*plot.Plot{p}
		}
		t := draw.Tiles{Rows: len(ps), Cols: 1, PadY: 6 * vg.Millimeter, PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter,
			PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}
		cs := plot.Align(grid, t, dc)
		for i, p := range ps {
			p.Draw(cs[i][0])
		}
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("viz: writing the plot: %w", err)
	}
	return nil
}

// Colours: outcome colours match the viewer (ok green, fail red, info
// amber); series colours are a fixed palette, so output is stable.
var (
	colOK      = color.NRGBA{R: 0x2e, G: 0x9d, B: 0x3a, A: 0xff}
	colFail    = color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	colInfo    = color.NRGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}
	colPending = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	colFault   = color.NRGBA{R: 0xff, G: 0x8c, B: 0x00, A: 0x30}
	colText    = color.NRGBA{R: 0x80, G: 0x40, B: 0x00, A: 0xff}
	palette    = []color.Color{
		color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		color.NRGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
		color.NRGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff},
		color.NRGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
		color.NRGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff},
		color.NRGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
		color.NRGBA{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff},
		color.NRGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	}
)

// faultBands shades fault windows across the whole height of a plot, and
// names them along the top (staggered so overlapping names stay legible).
type faultBands struct {
	w []FaultWindow
}

func (b faultBands) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	sty := draw.TextStyle{Color: colText, Font: font.From(plot.DefaultFont, 7), Handler: plot.DefaultTextHandler,
		XAlign: draw.XLeft, YAlign: draw.YTop}
	lineH := vg.Length(8)
	kinds := faultKinds(b.w)
	legend := legendBox(&plt.Legend, c) // no name runs under it
	for i, fw := range b.w {
		x1, x2 := trX(fw.Start.Seconds()), trX(fw.Stop.Seconds())
		x1, x2 = max(x1, c.Min.X), min(x2, c.Max.X)
		if x2 < c.Min.X || x1 > c.Max.X {
			continue
		}
		if x2-x1 < 1 {
			x2 = x1 + 1
		}
		c.FillPolygon(faultColour(kinds[faultKind(fw.Text)]), []vg.Point{{X: x1, Y: c.Min.Y}, {X: x2, Y: c.Min.Y}, {X: x2, Y: c.Max.Y}, {X: x1, Y: c.Max.Y}})
		y := c.Max.Y - 2 - lineH*vg.Length(i%4)
		if name := fitLeftOf(sty, fw.Text, x1+2, y-lineH, y, legend); name != "" {
			c.FillText(sty, vg.Point{X: x1 + 2, Y: y}, name)
		}
	}
}

// legendBox is where the legend, top right as timePlot puts it, is drawn
// over the data canvas c (a little further out, in fact: gonum draws it on
// the canvas before the axes' padding). Legend.Rectangle gives its size;
// its position puts a right-hand legend on the left.
func legendBox(l *plot.Legend, c draw.Canvas) vg.Rectangle {
	r := l.Rectangle(c)
	w, h := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	right, top := c.Max.X+l.XOffs, c.Max.Y+l.YOffs
	return vg.Rectangle{Min: vg.Point{X: right - w, Y: top - h}, Max: vg.Point{X: right, Y: top}}
}

// fitLeftOf is a fault's name drawn from x between the heights lo and hi,
// cut short with "…" so it ends before the legend's box r (with a little
// air), or empty when not even a letter fits. The legend sits over the
// heal, where no fault is named; a run that ended before its heal (a
// violation) has fault windows under the legend, and their names would
// run into its entries. The legend's kinds name the bands there.
func fitLeftOf(sty draw.TextStyle, name string, x, lo, hi vg.Length, r vg.Rectangle) string {
	const air = 3
	if r.Max.X <= r.Min.X || hi < r.Min.Y-air || lo > r.Max.Y+air || x+sty.Width(name) < r.Min.X-air {
		return name // beside, under or above the legend, or no legend
	}
	room := r.Min.X - air - x
	rs := []rune(name)
	for n := len(rs) - 1; n > 0; n-- {
		if cut := string(rs[:n]) + "…"; sty.Width(cut) <= room {
			return cut
		}
	}
	return ""
}

// faultKind is a fault's kind: the first word of its text form.
func faultKind(text string) string {
	if k, _, ok := strings.Cut(text, " "); ok {
		return k
	}
	return text
}

// faultKinds numbers the fault kinds of w in order of first appearance
// (stable output: the same trace, the same colours).
func faultKinds(w []FaultWindow) map[string]int {
	kinds := map[string]int{}
	for _, fw := range w {
		if _, ok := kinds[faultKind(fw.Text)]; !ok {
			kinds[faultKind(fw.Text)] = len(kinds)
		}
	}
	return kinds
}

// faultColours shade fault windows, one per kind (translucent, so
// overlapping windows show both).
var faultColours = []color.NRGBA{
	colFault,
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0x28},
	{R: 0xd6, G: 0x27, B: 0x28, A: 0x28},
	{R: 0x94, G: 0x67, B: 0xbd, A: 0x28},
	{R: 0x8c, G: 0x56, B: 0x4b, A: 0x28},
	{R: 0x17, G: 0xbe, B: 0xcf, A: 0x28},
	{R: 0xbc, G: 0xbd, B: 0x22, A: 0x30},
	{R: 0x7f, G: 0x7f, B: 0x7f, A: 0x28},
}

func faultColour(k int) color.NRGBA { return faultColours[k%len(faultColours)] }

// faultLegend is a legend thumbnail for one kind's fault bands.
type faultLegend struct{ col color.NRGBA }

func (l faultLegend) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(l.col, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

// timePlot is the frame every plot over virtual time shares: the title
// (opts.Title over def), the time axis over [0, end] (from 0 alone when end
// is 0), the legend top right — over the heal, where no fault is named
// (faults are undone by then) and only probes run, so it covers no fault
// label and little data — and, behind the data, the heal and the fault
// windows shaded and a grid. The caller sets the y axis and adds the data.
func timePlot(def string, opts *PlotOptions, faults []FaultWindow, end time.Duration) *plot.Plot {
	p := plot.New()
	p.Title.Text = def
	if opts.Title != "" {
		p.Title.Text = opts.Title
	}
	p.X.Label.Text = "virtual time (s)"
	p.X.Tick.Marker = timeTicks{}
	p.X.Min = 0
	if end > 0 {
		p.X.Max = end.Seconds()
	}
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.TextStyle.Font.Size = 8
	addHeal(p, opts.heal)
	addFaults(p, faults)
	p.Add(plotter.NewGrid())
	return p
}

// buckets counts completions per bucket of virtual time over [0, end]:
// the bucket width (opts.Bucket, or autoBucket's) and how many there are.
func buckets(opts *PlotOptions, end time.Duration) (width time.Duration, n int) {
	width = opts.Bucket
	if width <= 0 {
		width = autoBucket(end)
	}
	return width, int(end/width) + 1
}

// rateLine draws counts per bucket as a step line in operations per second.
func rateLine(counts []float64, bucket time.Duration, sty draw.LineStyle) (*plotter.Line, error) {
	perSec := float64(time.Second) / float64(bucket)
	xys := make(plotter.XYs, len(counts))
	for b, c := range counts {
		xys[b] = plotter.XY{X: (time.Duration(b) * bucket).Seconds(), Y: c * perSec}
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.StepStyle = plotter.PostStep
	l.LineStyle = sty
	return l, nil
}

// peakRate is the highest of counts per bucket, in operations per second.
func peakRate(counts []float64, bucket time.Duration) float64 {
	peak := 0.0
	for _, c := range counts {
		peak = max(peak, c)
	}
	return peak * float64(time.Second) / float64(bucket)
}

// addHeal shades the heal phase, from the heal to the end of the plot,
// and names it.
func addHeal(p *plot.Plot, heal time.Duration) {
	if heal <= 0 {
		return
	}
	p.Add(healBand{at: heal})
	p.Legend.Add("heal (faults undone, probes)", healLegend{})
}

// colHeal is the heal phase's shade: a pale green behind everything.
var colHeal = color.NRGBA{R: 0x2e, G: 0x9d, B: 0x3a, A: 0x18}

type healBand struct{ at time.Duration }

func (b healBand) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	x1 := max(trX(b.at.Seconds()), c.Min.X)
	if x1 >= c.Max.X {
		return
	}
	c.FillPolygon(colHeal, []vg.Point{{X: x1, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: x1, Y: c.Max.Y}})
	sty := draw.TextStyle{Color: colOK, Font: font.From(plot.DefaultFont, 7), Handler: plot.DefaultTextHandler,
		XAlign: draw.XLeft, YAlign: draw.YBottom}
	c.FillText(sty, vg.Point{X: x1 + 2, Y: c.Min.Y + 2}, "heal")
}

type healLegend struct{}

func (healLegend) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(colHeal, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

func addFaults(p *plot.Plot, w []FaultWindow) {
	if len(w) == 0 {
		return
	}
	p.Add(faultBands{w: w})
	kinds := faultKinds(w)
	names := make([]string, len(kinds))
	for k, i := range kinds { //faultline:orderless each name goes to its own index
		names[i] = k
	}
	for i, k := range names {
		p.Legend.Add(k, faultLegend{faultColour(i)})
	}
}
