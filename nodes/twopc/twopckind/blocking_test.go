package twopckind_test

import (
	"flag"
	"fmt"
	"image/color"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/faultline/faultline/nodes/bank/bankkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
)

var blockingPlot = flag.String("blocking-plot", "", "TestBlockingGrowsWithCrashLength also draws in-doubt time against the crash length into this .png or .svg")

// crashLengths are testdata/blocking-*.yaml: twopc-blocking with the
// coordinator down for each length.
var crashLengths = []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}

// TestBlockingGrowsWithCrashLength: 2PC blocks. With the coordinator
// crashed for longer, the longest in-doubt interval grows with the crash
// (at least three quarters of it: participants that voted yes just before
// the crash wait for the restart, with their locks held), and every run
// stays correct. The same figures come from
// faultline compare nodes/twopc/twopckind/testdata/blocking-*.yaml.
func TestBlockingGrowsWithCrashLength(t *testing.T) {
	const seeds = 2
	maxes := make([]float64, len(crashLengths))
	p99s := make([]float64, len(crashLengths))
	for i, d := range crashLengths {
		sc := faultlinetest.Load(t, fmt.Sprintf("testdata/blocking-%v.yaml", d))
		for seed := uint64(1); seed <= seeds; seed++ {
			o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
			if o.Failed() {
				t.Fatalf("%s seed %d: %s: %s", sc.Name, seed, o.Status, o.Reason)
			}
			m := map[string]float64{}
			for _, c := range o.Checks {
				if c.Name == bankkind.CheckInDoubt {
					for _, x := range c.Metrics {
						m[x.Name] = x.Value
					}
				}
			}
			maxes[i] = max(maxes[i], m["in-doubt max ms"])
			p99s[i] = max(p99s[i], m["in-doubt p99 ms"])
		}
		crashMS := float64(d.Milliseconds())
		t.Logf("coordinator down %v: in-doubt p99 %.0f ms, max %.0f ms", d, p99s[i], maxes[i])
		if maxes[i] < 0.75*crashMS {
			t.Errorf("coordinator down %v: longest in-doubt interval %.0f ms, want at least %.0f", d, maxes[i], 0.75*crashMS)
		}
		if i > 0 && maxes[i] <= maxes[i-1] {
			t.Errorf("coordinator down %v: in-doubt max %.0f ms is not above %.0f ms for %v", d, maxes[i], maxes[i-1], crashLengths[i-1])
		}
	}
	if *blockingPlot == "" {
		return
	}
	p := plot.New()
	p.Title.Text = "2PC blocking: participants in doubt while the coordinator is down"
	p.X.Label.Text = "coordinator crash length (ms)"
	p.Y.Label.Text = "in-doubt time (ms)"
	line := func(label string, ys []float64, c color.Color) {
		xy := make(plotter.XYs, len(ys))
		for i := range ys {
			xy[i].X, xy[i].Y = float64(crashLengths[i].Milliseconds()), ys[i]
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			t.Fatal(err)
		}
		l.Color, pts.Color = c, c
		p.Add(l, pts)
		p.Legend.Add(label, l)
	}
	line("max", maxes, color.RGBA{R: 200, A: 255})
	line("p99", p99s, color.RGBA{B: 200, A: 255})
	p.Legend.Top, p.Legend.Left = true, true
	if err := p.Save(6*vg.Inch, 4*vg.Inch, *blockingPlot); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", *blockingPlot)
}
