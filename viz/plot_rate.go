package viz

import (
	"io"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// PlotRate writes Jepsen's rate graph of f: how many operations of each
// kind completed per second of virtual time, by outcome — a line per kind
// and outcome, coloured by kind as on the latency plot, solid for ok,
// dashed for fail, dotted for info — over the fault windows and the heal
// shaded, with the failure marked (the operation the checker could not
// place, other violations). Where availability sums the kinds, the rate
// shows which kind stopped: reads served while writes fail, for one.
func PlotRate(w io.Writer, f *trace.File, opts PlotOptions) error {
	format, ix, err := opts.overTime(f)
	if err != nil {
		return err
	}
	if opts.Bucket <= 0 {
		opts.Bucket = autoBucket(timeOf(ix.end))
	}
	opts.Title = plotTitle(f, opts.Title, rateTitle(opts.Bucket))
	width, height := opts.size(4.5 * vg.Inch)
	p, peak := ratePlot(Ops(f), ix.faultWindows(), failureOf(f), timeOf(ix.end), &opts)
	clearLegend(p, width, height, peak)
	return writePlots(w, format, width, height, p)
}

func rateTitle(bucket time.Duration) string {
	return "rate (operations completed per second, by kind and outcome; bucket " + bucket.String() + ")"
}

// ratePlot draws the rate plot and returns it with its highest rate.
func ratePlot(ops []Op, faults []FaultWindow, fl failure, end time.Duration, opts *PlotOptions) (*plot.Plot, float64) {
	bucket, n := buckets(opts, end)
	type key struct {
		kind    string
		outcome nodes.Outcome
	}
	counts := map[key][]float64{}
	var keys []key
	for _, o := range ops {
		if o.Outcome == nodes.Pending {
			continue
		}
		k := key{string(o.Kind), o.Outcome}
		if counts[k] == nil {
			counts[k] = make([]float64, n)
			keys = append(keys, k)
		}
		if b := int(o.End / bucket); b >= 0 && b < n {
			counts[k][b]++
		}
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].kind != keys[b].kind {
			return keys[a].kind < keys[b].kind
		}
		return keys[a].outcome < keys[b].outcome
	})
	kinds := map[string]int{}
	for _, k := range keys {
		if _, ok := kinds[k.kind]; !ok {
			kinds[k.kind] = len(kinds)
		}
	}
	p := timePlot(rateTitle(bucket), opts, faults, end)
	p.X.Max = end.Seconds()
	p.Y.Label.Text = "operations / s"
	p.Y.Tick.Marker = plainTicks{}
	p.Y.Min = 0
	peak := 0.0
	for _, k := range keys {
		peak = max(peak, peakRate(counts[k], bucket))
	}
	// Headroom for the fault names; clearLegend adds what the legend needs.
	p.Y.Max = max(peak, 1) * 1.3
	for _, k := range keys {
		sty := draw.LineStyle{Color: palette[kinds[k.kind]%len(palette)], Width: vg.Points(1.2)}
		switch k.outcome {
		case nodes.Fail:
			sty.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		case nodes.Info:
			sty.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
		}
		l, err := rateLine(counts[k], bucket, sty)
		if err != nil {
			continue
		}
		p.Add(l)
		p.Legend.Add(k.kind+" "+k.outcome.String(), l)
	}
	markTimes(p, fl, true)
	return p, peak
}
