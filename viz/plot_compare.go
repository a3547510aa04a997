package viz

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// CompareRow is one protocol of a comparison as the plot draws it: shares
// in [0, 1].
type CompareRow struct {
	Name string
	// Availability and FaultAvailability: the share of operations that
	// succeeded, overall and while a fault was on.
	Availability, FaultAvailability float64
	// StaleShare is the share of reads that were stale; LostShare the
	// share of acknowledged writes that were lost (negative: not measured).
	StaleShare, LostShare float64
}

// PlotCompare draws a comparison (faultline compare) as grouped bars, one
// group per protocol: availability overall and during faults, stale reads
// and lost writes, each in percent.
func PlotCompare(w io.Writer, rows []CompareRow, opts PlotOptions) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("viz: nothing to compare")
	}
	p := plot.New()
	p.Title.Text = opts.Title
	if p.Title.Text == "" {
		p.Title.Text = "the same workload, faults and seeds against each protocol"
	}
	p.Y.Label.Text = "%"
	p.Y.Min, p.Y.Max = 0, 135 // room above the bars for the legend
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = 9
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Name
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(rows))-0.4
	series := []struct {
		label string
		get   func(CompareRow) float64
		c     color.Color
	}{
		{"operations OK", func(r CompareRow) float64 { return r.Availability }, colorOf(colOK)},
		{"operations OK during faults", func(r CompareRow) float64 { return r.FaultAvailability }, color.RGBA{R: 0x55, G: 0x99, B: 0xdd, A: 0xff}},
		{"stale reads", func(r CompareRow) float64 { return r.StaleShare }, colorOf(colInfo)},
		{"lost writes", func(r CompareRow) float64 { return r.LostShare }, colorOf(colFail)},
	}
	barW := vg.Points(min(18, 320/float64(len(rows)*len(series))))
	for i, s := range series {
		vals := make(plotter.Values, len(rows))
		for j, r := range rows {
			vals[j] = max(0, 100*s.get(r))
		}
		b, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return fmt.Errorf("viz: %v", err)
		}
		b.Color, b.LineStyle.Width = s.c, 0
		b.Offset = barW * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(b)
		p.Legend.Add(s.label, b)
	}
	width, height := opts.size(4.5 * vg.Inch)
	return writePlots(w, format, width, height, p)
}
