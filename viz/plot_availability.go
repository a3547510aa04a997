package viz

import (
	"io"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// PlotAvailability writes throughput and availability over time: how many
// operations completed ok, failed, or ended indeterminate (info) per
// second of virtual time, in buckets, over the fault windows shaded. A
// dip of ok to zero with fail or info rising is the cluster being
// unavailable.
func PlotAvailability(w io.Writer, f *trace.File, opts PlotOptions) error {
	format, ix, err := opts.overTime(f)
	if err != nil {
		return err
	}
	if opts.Bucket <= 0 {
		opts.Bucket = autoBucket(timeOf(ix.end))
	}
	opts.Title = plotTitle(f, opts.Title, availabilityTitle(opts.Bucket))
	p := availabilityPlot(Ops(f), ix.faultWindows(), timeOf(ix.end), &opts)
	peak := p.Y.Max / 1.3
	markTimes(p, failureOf(f), true)
	width, height := opts.size(4.5 * vg.Inch)
	clearLegend(p, width, height, peak)
	return writePlots(w, format, width, height, p)
}

// autoBucket picks a round bucket width giving 40–100 buckets over end,
// at most one second.
func autoBucket(end time.Duration) time.Duration {
	b := niceAtLeast(max(int64(end)/100, int64(time.Millisecond)))
	return time.Duration(min(b, int64(time.Second)))
}

func availabilityTitle(bucket time.Duration) string {
	return "throughput and availability (completions per second, by outcome; bucket " + bucket.String() + ")"
}

func availabilityPlot(ops []Op, faults []FaultWindow, end time.Duration, opts *PlotOptions) *plot.Plot {
	bucket, n := buckets(opts, end)
	counts := map[nodes.Outcome][]float64{nodes.OK: make([]float64, n), nodes.Fail: make([]float64, n), nodes.Info: make([]float64, n)}
	for _, o := range ops {
		if o.Outcome == nodes.Pending {
			continue
		}
		if b := int(o.End / bucket); b >= 0 && b < n {
			counts[o.Outcome][b]++
		}
	}
	p := timePlot(availabilityTitle(bucket), opts, faults, end)
	p.X.Max = end.Seconds()
	p.Y.Label.Text = "operations / s"
	p.Y.Min = 0
	p.Y.Tick.Marker = plainTicks{}
	peak := 0.0
	for _, c := range counts { //faultline:orderless the maximum does not depend on the order
		peak = max(peak, peakRate(c, bucket))
	}
	p.Y.Max = peak * 1.3 // headroom for the legend and fault names
	for _, s := range []struct {
		o   nodes.Outcome
		col any
	}{{nodes.OK, colOK}, {nodes.Fail, colFail}, {nodes.Info, colInfo}} {
		sty := draw.LineStyle{Color: colorOf(s.col), Width: vg.Points(1.4)}
		if s.o != nodes.OK {
			sty.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		l, err := rateLine(counts[s.o], bucket, sty)
		if err != nil {
			continue
		}
		p.Add(l)
		p.Legend.Add(s.o.String(), l)
	}
	return p
}

// plainTicks are gonum's default ticks labelled without trailing zeros
// (500, not 500.00).
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 6, 64)
		}
	}
	return ts
}
