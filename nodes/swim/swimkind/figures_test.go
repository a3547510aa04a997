package swimkind

import (
	"flag"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/swim"
	"github.com/faultline/faultline/scenarios"
)

// The detection figures in docs/BENCHMARKS.md, by hand (minutes of CPU):
//
//	go test ./nodes/swim/swimkind -run 'TestFigures|TestLoad' -faultline.long -v -timeout 60m
var (
	long  = flag.Bool("faultline.long", false, "measure the detection figures and the load table (minutes of CPU)")
	seeds = flag.Int("swim.seeds", 200, "seeds per detector and fault mix")
	png   = flag.String("swim.plot", "", "write the detection-time distributions per detector to this PNG")
)

var (
	figMu   sync.Mutex
	figRuns []Analysis
	figRun  []*Run
	figConv []checker.Result
)

var registerFigures = sync.OnceFunc(func() {
	if _, ok := scenarios.LookupNode("swim"); !ok {
		scenarios.RegisterNode(Kind())
		scenarios.RegisterWorkload(Workload())
	}
	scenarios.RegisterCheck(scenarios.CheckKind{
		Name: "test-figures", Help: "collects the detection analysis of each run (a test check)", Class: scenarios.Safety,
		Online: collect,
		Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
			r := runOf(f)
			views := map[nodes.ID][]swim.Member{}
			for _, id := range f.Servers {
				if s, ok := f.Node(id).(*swim.Node); ok && s.Ready() {
					views[id] = s.View()
				}
			}
			conv := Converge(r, views)
			figMu.Lock()
			figRuns = append(figRuns, r.Analyze())
			figRun = append(figRun, r)
			figConv = append(figConv, conv)
			figMu.Unlock()
			return checker.Result{Verdict: checker.Valid}
		},
	})
})

func figScenario(t *testing.T, detector, faults string, size int, duration time.Duration) *scenarios.Scenario {
	nemesis := ""
	if faults != "" {
		nemesis = fmt.Sprintf("nemesis:\n  generate: {faults: [%s], interval: 1s..3s, duration: 1s..5s}\n", faults)
	}
	sc, err := scenarios.Parse("fig.yaml", []byte(fmt.Sprintf(`name: fig
cluster: {node: swim, size: %d, params: {detector: %s, detect_within: 3s, max_false_positives: 1000000}}
network: {latency: uniform(1ms, 10ms), drop: 1/50}
clocks: {skew: 50ms, drift: 100ppm}
workload: {kind: membership, clients: 1}
%srun: {duration: %s, heal: 5s}
check: [test-figures]
`, size, detector, nemesis, duration)))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func measure(t *testing.T, sc *scenarios.Scenario, n int) ([]Analysis, []*Run) {
	figMu.Lock()
	figRuns, figRun, figConv = nil, nil, nil
	figMu.Unlock()
	for seed := uint64(1); seed <= uint64(n); seed++ {
		if o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{}); o.Failed() {
			t.Fatalf("seed %d: %s: %s", seed, o.Status, o.Reason)
		}
	}
	return figRuns, figRun
}

func TestFigures(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	registerFigures()
	mixes := []struct{ name, faults string }{
		{"crashes", "crash"},
		{"crashes + pauses", "crash, pause"},
		{"crashes + loss (drop 1/10)", "crash, drop"},
		{"crashes + slow links (delay 10..100ms)", "crash, delay"},
		{"crashes + partitions", "crash, partition, isolate"},
	}
	var out strings.Builder
	fmt.Fprintf(&out, "| detector | faults | crashes judged | first p50 | first p99 | all p50 | all p99 | missed | false positives (paused) | FP per member-hour | seeds with an FP | converged after heal p50 / p99 (seeds not converged) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	pooled := map[string][]time.Duration{}
	for _, d := range []string{"swim", "heartbeat", "phi"} {
		for _, m := range mixes {
			as, rs := measure(t, figScenario(t, d, m.faults, 8, 20*time.Second), *seeds)
			var first, all []time.Duration
			judged, missed, fps, paused, fpSeeds := 0, 0, 0, 0, 0
			memberSecs := 0.0
			for i, a := range as {
				r := rs[i]
				memberSecs += float64(len(r.Servers)) * r.End.Seconds()
				for _, c := range a.Crashes {
					if c.to-c.from < r.Bounds.DetectWithin || c.from >= r.Duration {
						continue
					}
					judged++
					first = append(first, c.First-c.from)
					if c.All >= 0 {
						all = append(all, c.All-c.from)
					} else {
						missed++
					}
				}
				fps += len(a.FalsePositives)
				for _, fp := range a.FalsePositives {
					if fp.Paused {
						paused++
					}
				}
				if len(a.FalsePositives) > 0 {
					fpSeeds++
				}
			}
			pooled[d] = append(pooled[d], all...)
			var conv []time.Duration
			notConverged := 0
			for _, c := range figConv {
				if c.Verdict != checker.Valid {
					notConverged++
				}
				for _, m := range c.Metrics {
					if m.Name == "converged after heal s" {
						conv = append(conv, time.Duration(m.Value*1e9))
					}
				}
			}
			slices.Sort(conv)
			slices.Sort(first)
			slices.Sort(all)
			ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }
			fmt.Fprintf(&out, "| %s | %s | %d | %s | %s | %s | %s | %d | %d (%d) | %.2f | %d/%d | %s / %s (%d) |\n", d, m.name, judged,
				ms(percentile(first, 50)), ms(percentile(first, 99)), ms(percentile(all, 50)), ms(percentile(all, 99)),
				missed, fps, paused, float64(fps)/memberSecs*3600, fpSeeds, len(as),
				ms(percentile(conv, 50)), ms(percentile(conv, 99)), notConverged)
		}
	}
	t.Logf("detection over seeds 1..%d (8 members, 20s + 5s heal each):\n%s", *seeds, out.String())
	if *png != "" {
		if err := plotDetection(*png, pooled); err != nil {
			t.Fatal(err)
		}
	}
}

// plotDetection draws, per detector, the distribution of all-members
// detection times pooled over the fault mixes.
func plotDetection(path string, pooled map[string][]time.Duration) error {
	p := plot.New()
	p.Title.Text = "time until every member declared a crashed member dead (8 members, all fault mixes pooled)"
	p.X.Label.Text = "detection time, all members (ms)"
	p.Y.Label.Text = "crashes"
	colors := map[string]color.RGBA{"swim": {R: 0x1f, G: 0x77, B: 0xb4, A: 0xc0}, "heartbeat": {R: 0xd6, G: 0x27, B: 0x28, A: 0xc0}, "phi": {R: 0x2c, G: 0xa0, B: 0x2c, A: 0xc0}}
	for _, d := range []string{"swim", "heartbeat", "phi"} {
		var vs plotter.Values
		for _, x := range pooled[d] {
			vs = append(vs, float64(x)/1e6)
		}
		if len(vs) == 0 {
			continue
		}
		h, err := plotter.NewHist(vs, 40)
		if err != nil {
			return err
		}
		h.FillColor, h.LineStyle.Width = colors[d], 0
		p.Add(h)
		p.Legend.Add(fmt.Sprintf("%s (p50 %.0f ms, p99 %.0f ms)", d, float64(percentile(sorted(pooled[d]), 50))/1e6, float64(percentile(sorted(pooled[d]), 99))/1e6), h)
	}
	p.Legend.Top = true
	return p.Save(10*vg.Inch, 4.5*vg.Inch, path)
}

func sorted(xs []time.Duration) []time.Duration {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestLoad: messages per member per virtual second, fault-free, as the
// cluster grows. SWIM's is flat; all-to-all heartbeats' grows with n.
func TestLoad(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	registerFigures()
	var out strings.Builder
	fmt.Fprintf(&out, "| members | swim | heartbeat | phi |\n|---|---|---|---|\n")
	for _, n := range []int{8, 16, 32, 64, 128} {
		fmt.Fprintf(&out, "| %d |", n)
		for _, d := range []string{"swim", "heartbeat", "phi"} {
			_, rs := measure(t, figScenario(t, d, "", n, 10*time.Second), 1)
			r := rs[0]
			sent := 0
			for _, s := range r.Sent {
				sent += s
			}
			fmt.Fprintf(&out, " %.1f |", float64(sent)/float64(len(r.Servers))/r.End.Seconds())
		}
		out.WriteString("\n")
	}
	t.Logf("messages sent per member per virtual second (fault-free, 10s + 5s heal, seed 1):\n%s", out.String())
}
