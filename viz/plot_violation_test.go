package viz

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// violating is the load run's trace as a failed linearizability check
// leaves it: ending with a violation event whose note names the
// operations, the first the one no order can place. lead is that one.
func violating(t testing.TB) (*trace.File, Op) {
	_, ld := demoRuns(t)
	f := *ld.File
	f.Events = append([]trace.Event(nil), f.Events...)
	var lead, other *Op
	for _, o := range Ops(&f) {
		if o.Outcome != nodes.OK || o.Start < 500*time.Millisecond {
			continue
		}
		if lead == nil {
			lead = &o
		} else if o.Client != lead.Client {
			other = &o
			break
		}
	}
	if lead == nil || other == nil {
		t.Fatal("the load run has too few operations")
	}
	ref := func(o *Op) string { return fmt.Sprintf("%s@%s", o.Client, trace.FormatTime(o.Start)) }
	last := f.Events[len(f.Events)-1]
	f.Events = append(f.Events, trace.Event{Seq: last.Seq + 1, At: last.At, Kind: trace.Violation, Node: lead.Client,
		Type: string(trace.ViolationLinearizability), Note: ref(lead) + "," + ref(other), Text: `key "k1" is not linearizable`})
	return &f, *lead
}

// Every plot over time marks the failure: the operation no order can
// place is ringed on the latency plot and its span shaded on the rate and
// availability plots, named along the bottom with its client, kind, times
// and outcome; an online invariant's violation is a dashed line at its
// time. A run without a failure marks nothing.
func TestPlotsMarkTheFailure(t *testing.T) {
	f, lead := violating(t)
	_, ld := demoRuns(t)
	inv := *ld.File
	last := inv.Events[len(inv.Events)-1]
	inv.Events = append(append([]trace.Event(nil), inv.Events...), trace.Event{Seq: last.Seq + 1, At: last.At, Kind: trace.Violation, Node: nodes.NodeID(1), Text: "two leaders in term 3"})
	name := fmt.Sprintf("violating: %s %s [%v, %v] ok", lead.Client, lead.Kind, lead.Start.Round(time.Millisecond), lead.End.Round(time.Millisecond))
	plots := map[string]func(*bytes.Buffer, *trace.File) error{
		"latency":      func(w *bytes.Buffer, f *trace.File) error { return PlotLatency(w, f, PlotOptions{}) },
		"availability": func(w *bytes.Buffer, f *trace.File) error { return PlotAvailability(w, f, PlotOptions{}) },
		"rate":         func(w *bytes.Buffer, f *trace.File) error { return PlotRate(w, f, PlotOptions{}) },
	}
	for _, tc := range []struct {
		name string
		f    *trace.File
		want []string
		not  []string
	}{
		{"linearizability", f, []string{name, ">violating op<"}, []string{">violation<"}},
		{"invariant", &inv, []string{">violation: two leaders in term 3<", ">violation<"}, []string{"violating"}},
		{"none", ld.File, nil, []string{"violating", ">violation"}},
	} {
		for plot, draw := range plots {
			var b bytes.Buffer
			if err := draw(&b, tc.f); err != nil {
				t.Fatal(err)
			}
			svg := b.String()
			for _, w := range tc.want {
				if !strings.Contains(svg, w) {
					t.Errorf("%s, %s plot: no %q", tc.name, plot, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(svg, w) {
					t.Errorf("%s, %s plot: %q, but there is no such failure", tc.name, plot, w)
				}
			}
		}
	}
	if fl := failureOf(f); fl.lead == nil || fl.lead.Start != lead.Start || len(fl.involved) != 1 || len(fl.at) != 0 {
		t.Errorf("failureOf: lead %v, involved %v, at %v; want the lead, one other, and no line for the violation event itself", fl.lead, fl.involved, fl.at)
	}
}

// The legend never covers data: however many entries it has (kinds ×
// outcomes, faults, the failure), the highest rate is drawn below its
// bottom edge.
func TestLegendClearsTheData(t *testing.T) {
	f, _ := violating(t)
	ix := buildIndex(f, nil)
	width, height := (&PlotOptions{}).size(4.5 * vg.Inch)
	// clear reports whether peak is drawn below the legend's bottom edge.
	clear := func(p *plot.Plot, peak float64) (bool, string) {
		dc := p.DataCanvas(draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: width, Y: height}}})
		_, trY := p.Transforms(&dc)
		legend := p.Legend.Rectangle(dc)
		top := trY(peak)
		return top < legend.Min.Y, fmt.Sprintf("the peak %.0f/s is drawn at y=%.1f, the legend's bottom is at y=%.1f", peak, top, legend.Min.Y)
	}
	check := func(name string, p *plot.Plot, peak float64) {
		t.Helper()
		if ok, why := clear(p, peak); !ok {
			t.Errorf("%s: the legend covers data: %s", name, why)
		}
	}
	opts := PlotOptions{Bucket: 50 * time.Millisecond} // narrow buckets: tall peaks
	p, peak := ratePlot(Ops(f), ix.faultWindows(), failureOf(f), timeOf(ix.end), &opts)
	clearLegend(p, width, height, peak)
	check("rate", p, peak)
	a := availabilityPlot(Ops(f), ix.faultWindows(), timeOf(ix.end), &opts)
	peak = a.Y.Max / 1.3
	markTimes(a, failureOf(f), true)
	clearLegend(a, width, height, peak)
	check("availability", a, peak)
	// The check can fail: with no headroom the peak reaches the top, under
	// the legend.
	p, peak = ratePlot(Ops(f), ix.faultWindows(), failureOf(f), timeOf(ix.end), &opts)
	p.Y.Max = peak
	if ok, why := clear(p, peak); ok {
		t.Errorf("a plot without headroom passes the check (%s): the check cannot fail", why)
	}
}
