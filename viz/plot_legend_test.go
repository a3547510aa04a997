package viz

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A fault's name never runs under the legend (top right): a run that
// ended by a violation before its heal has fault windows there. A name
// beside, below or above the legend is drawn whole; one that would run
// into it is cut short with "…" before its left edge; one that starts
// under it is left out (the legend's swatch names the band's kind).
func TestFaultNamesClearTheLegend(t *testing.T) {
	sty := draw.TextStyle{Font: font.From(plot.DefaultFont, 7), Handler: plot.DefaultTextHandler}
	legend := vg.Rectangle{Min: vg.Point{X: 600, Y: 250}, Max: vg.Point{X: 700, Y: 300}}
	const name = "bridge [n1|n3 via n2]"
	w := sty.Width(name)
	for _, tc := range []struct {
		what          string
		x, lo, hi     vg.Length
		legend        vg.Rectangle
		whole, absent bool
	}{
		{what: "left of the legend", x: 600 - w - 10, lo: 290, hi: 298, legend: legend, whole: true},
		{what: "below the legend", x: 620, lo: 200, hi: 208, legend: legend, whole: true},
		{what: "no legend", x: 620, lo: 290, hi: 298, whole: true},
		{what: "running into it", x: 600 - w/2, lo: 290, hi: 298, legend: legend},
		{what: "starting under it", x: 620, lo: 290, hi: 298, legend: legend, absent: true},
	} {
		got := fitLeftOf(sty, name, tc.x, tc.lo, tc.hi, tc.legend)
		switch {
		case tc.whole && got != name:
			t.Errorf("%s: %q, want the whole name", tc.what, got)
		case tc.absent && got != "":
			t.Errorf("%s: %q, want no name", tc.what, got)
		case !tc.whole && !tc.absent && (got == "" || !strings.HasSuffix(got, "…") || tc.x+sty.Width(got) > legend.Min.X):
			t.Errorf("%s: %q (ends at %.1f), want a name cut short before the legend at %.1f", tc.what, got, tc.x+sty.Width(got), legend.Min.X)
		}
	}
}

// Time ticks are whole multiples of their step, labelled without float
// noise (0.3, not 0.30000000000000004).
func TestTimeTickLabels(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 2, "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8 1.9 2"},
		{0, 6.8, "0 0.5 1 1.5 2 2.5 3 3.5 4 4.5 5 5.5 6 6.5"},
		{0, 15, "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"},
		{0, 0.07, "0 0.005 0.01 0.015 0.02 0.025 0.03 0.035 0.04 0.045 0.05 0.055 0.06 0.065 0.07"},
	} {
		var labels []string
		for _, tk := range (timeTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("ticks of %g..%g: %s\nwant %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}

// The latency plot's log axis is labelled in plain numbers (1000, not
// 1e+03) at 1, 2 and 5 times each power of ten.
func TestLogTickLabels(t *testing.T) {
	var labels []string
	for _, tk := range (ticks125{}).Ticks(0.5, 3000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "0.5 1 2 5 10 20 50 100 200 500 1000 2000"; got != want {
		t.Errorf("log ticks of 0.5..3000: %s, want %s", got, want)
	}
}
