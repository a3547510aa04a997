package viz

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

func sweepPoints() []SweepPoint {
	mixes := [][]string{{"partition"}, {"crash"}, {"crash", "partition"}, {"clock-skew"}, nil}
	var pts []SweepPoint
	for s := uint64(1); s <= 40; s++ {
		v := "valid"
		if s%7 == 0 {
			v = "invalid"
		}
		if s%11 == 0 {
			v = "unknown"
		}
		pts = append(pts, SweepPoint{Seed: s, Verdict: v, Faults: mixes[s%5], EventsPerSec: 1e6 + float64(s%13)*5e4})
	}
	return pts
}

// The plots of a small run are golden (SVG), and identical from one run
// to the next.
func TestPlotsGolden(t *testing.T) {
	_, ld := demoRuns(t)
	bad, _ := violating(t)
	for _, tc := range []struct {
		name string
		draw func(w *bytes.Buffer) error
	}{
		{"latency.svg", func(w *bytes.Buffer) error { return PlotLatency(w, ld.File, PlotOptions{}) }},
		{"availability.svg", func(w *bytes.Buffer) error { return PlotAvailability(w, ld.File, PlotOptions{Format: "svg"}) }},
		{"sweep.svg", func(w *bytes.Buffer) error { return PlotSweep(w, sweepPoints(), PlotOptions{}) }},
		{"rate.svg", func(w *bytes.Buffer) error { return PlotRate(w, ld.File, PlotOptions{}) }},
		{"latency-violation.svg", func(w *bytes.Buffer) error { return PlotLatency(w, bad, PlotOptions{}) }},
		{"rate-violation.svg", func(w *bytes.Buffer) error { return PlotRate(w, bad, PlotOptions{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tc.draw(&a); err != nil {
				t.Fatal(err)
			}
			if err := tc.draw(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renderings differ")
			}
			if !strings.Contains(a.String(), "<svg") {
				t.Fatal("not an SVG")
			}
			golden.Check(t, tc.name, a.Bytes())
		})
	}
}

func TestPlotPNG(t *testing.T) {
	_, ld := demoRuns(t)
	for name, draw := range map[string]func(*bytes.Buffer) error{
		"latency":      func(w *bytes.Buffer) error { return PlotLatency(w, ld.File, PlotOptions{Format: "png"}) },
		"availability": func(w *bytes.Buffer) error { return PlotAvailability(w, ld.File, PlotOptions{Format: "PNG"}) },
		"sweep":        func(w *bytes.Buffer) error { return PlotSweep(w, sweepPoints(), PlotOptions{Format: "png"}) },
	} {
		var a, b bytes.Buffer
		if err := draw(&a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		draw(&b)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two PNG renderings differ", name)
		}
		img, err := png.Decode(&a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w := img.Bounds().Dx(); w != 960 {
			t.Errorf("%s: width %d px, want 960 (10in at 96 dpi)", name, w)
		}
	}
}

func TestPlotErrors(t *testing.T) {
	_, ld := demoRuns(t)
	var b bytes.Buffer
	if err := PlotLatency(&b, ld.File, PlotOptions{Format: "gif"}); err == nil || !strings.Contains(err.Error(), `viz: plot format "gif"`) {
		t.Errorf("bad format: %v", err)
	}
	if err := PlotSweep(&b, nil, PlotOptions{}); err == nil {
		t.Error("an empty sweep should be an error")
	}
	// A trace without operations still plots (empty axes).
	empty := &trace.File{Events: []trace.Event{{Seq: 1, At: time.Second, Kind: trace.Start, Node: 1}}}
	if err := PlotLatency(&b, empty, PlotOptions{}); err != nil {
		t.Error(err)
	}
	if err := PlotAvailability(&b, empty, PlotOptions{}); err != nil {
		t.Error(err)
	}
}

// The load run's fault windows line up with what the plots show: the
// availability buckets during each crash have fewer ok completions than
// the median bucket.
func TestAvailabilityDipsDuringCrashes(t *testing.T) {
	_, ld := demoRuns(t)
	ops := Ops(ld.File)
	fw := FaultWindows(ld.File)
	okIn := func(from, to time.Duration) int {
		n := 0
		for _, o := range ops {
			if o.Outcome == nodes.OK && o.End >= from && o.End < to {
				n++
			}
		}
		return n
	}
	var crashes int
	for _, w := range fw {
		if !strings.HasPrefix(w.Text, "crash") {
			continue
		}
		crashes++
		during := okIn(w.Start, w.Stop)
		before := okIn(w.Start-(w.Stop-w.Start), w.Start)
		if during >= before {
			t.Errorf("%s at %v: %d ok during, %d in as long before", w.Text, w.Start, during, before)
		}
	}
	if crashes == 0 {
		t.Fatal("no crash windows in the load run")
	}
}

func TestDownsample(t *testing.T) {
	ops := make([]Op, 100_000)
	for i := range ops {
		lat := time.Duration(1+i%7) * time.Millisecond
		if i == 50_000 {
			lat = 3 * time.Second // the spike must survive
		}
		ops[i] = Op{Kind: []nodes.OpKind{nodes.OpGet, nodes.OpPut}[i%2], Start: time.Duration(i) * 100 * time.Microsecond, Outcome: nodes.OK}
		ops[i].End = ops[i].Start + lat
	}
	p := latencyPlot(ops, nil, 0, &PlotOptions{})
	var b bytes.Buffer
	if err := writePlots(&b, "svg", 800, 400, p); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "<path"); n > 2*DefaultMaxPoints+200 {
		t.Errorf("%d paths drawn for 100k ops", n)
	}
	if !strings.Contains(p.Title.Text, "downsampled") {
		t.Error("the title should say the plot is downsampled")
	}
	if p.Y.Max < 3000 {
		t.Errorf("the 3s spike was lost: y max %v ms", p.Y.Max)
	}
}

func ExamplePlotSweep() {
	pts := []SweepPoint{
		{Seed: 1, Verdict: "valid", Faults: []string{"partition"}, EventsPerSec: 2.1e6},
		{Seed: 2, Verdict: "invalid", Faults: []string{"partition", "crash"}, EventsPerSec: 1.9e6},
	}
	var b bytes.Buffer
	err := PlotSweep(&b, pts, PlotOptions{Format: "svg"})
	fmt.Println(err, strings.HasPrefix(b.String(), "<?xml"))
	// Output: <nil> true
}

func TestPlotTitle(t *testing.T) {
	f := &trace.File{Header: trace.Header{Seed: 7, Scenario: "raft-kv-partitions"}}
	for _, tc := range []struct{ given, want string }{
		{"", "raft-kv-partitions seed 7 — latency"},
		{"trace.jsonl", "raft-kv-partitions seed 7 — latency"},
		{"out/seed-7/trace", "raft-kv-partitions seed 7 — latency"},
		{"my plot", "my plot"},
		{"nightly", "nightly"},
	} {
		if got := plotTitle(f, tc.given, "latency"); got != tc.want {
			t.Errorf("%q: got %q", tc.given, got)
		}
	}
	if got := plotTitle(&trace.File{}, "", "latency"); got != "latency" {
		t.Errorf("no header: %q", got)
	}
}

// The latency and availability plots span the whole run, not only the
// operations: a trace whose footer ends 3s after the last operation has
// its time axis to the footer's time, and its title names the run.
func TestPlotsSpanTheRun(t *testing.T) {
	_, ld := demoRuns(t)
	f := *ld.File
	end := f.Events[len(f.Events)-1].At + 3*time.Second
	f.Footer = &trace.Footer{End: true, At: end}
	ix := buildIndex(&f, nil)
	if got := timeOf(ix.end); got != end {
		t.Fatalf("index end %v, want the footer's %v", got, end)
	}
	p := latencyPlot(Ops(&f), ix.faultWindows(), timeOf(ix.end), &PlotOptions{})
	if p.X.Max != end.Seconds() {
		t.Errorf("latency x axis ends at %vs, want %vs", p.X.Max, end.Seconds())
	}
	p = availabilityPlot(Ops(&f), ix.faultWindows(), timeOf(ix.end), &PlotOptions{})
	if p.X.Max != end.Seconds() {
		t.Errorf("availability x axis ends at %vs, want %vs", p.X.Max, end.Seconds())
	}
	for name, draw := range map[string]func(*bytes.Buffer) error{
		"latency":      func(w *bytes.Buffer) error { return PlotLatency(w, &f, PlotOptions{Title: "trace.jsonl"}) },
		"availability": func(w *bytes.Buffer) error { return PlotAvailability(w, &f, PlotOptions{}) },
	} {
		var b bytes.Buffer
		if err := draw(&b); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s seed %d — ", f.Header.Scenario, f.Header.Seed)
		if !strings.Contains(b.String(), want) || strings.Contains(b.String(), "trace.jsonl") {
			t.Errorf("%s: title is not %q…", name, want)
		}
	}
}

// A swarm sweep: hundreds of seeds, 40 fault kinds in hundreds of mixes.
// The panels name at most MaxSweepKinds kinds (most frequent first) plus
// "other", count each run once per row, and say when nothing failed.
func TestPlotSweepAggregatesKinds(t *testing.T) {
	var pts []SweepPoint
	for s := uint64(1); s <= 400; s++ {
		var fs []string
		for k := 0; k < 40; k++ {
			if (s*uint64(k+3))%uint64(k+2) == 0 { // kind k in about 1/(k+2) of the runs
				fs = append(fs, fmt.Sprintf("fault-%02d", k))
			}
		}
		pts = append(pts, SweepPoint{Seed: s, Verdict: "valid", Faults: fs, EventsPerSec: 1e6})
	}
	pts[10].Faults = nil
	pts[20].Verdict = "invalid"
	rows, rowsOf := sweepRows(pts)
	if len(rows) != MaxSweepKinds+2 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0].name != "fault-00" || rows[MaxSweepKinds].name != "other (25 kinds)" || rows[MaxSweepKinds+1].name != "no faults" {
		t.Errorf("rows %q … %q, %q", rows[0].name, rows[MaxSweepKinds].name, rows[MaxSweepKinds+1].name)
	}
	for r := 1; r < MaxSweepKinds; r++ {
		if rows[r].runs > rows[r-1].runs {
			t.Errorf("row %d (%d runs) after row %d (%d runs)", r, rows[r].runs, r-1, rows[r-1].runs)
		}
	}
	total := 0
	for i := range pts {
		seen := map[int]bool{}
		for _, r := range rowsOf[i] {
			if seen[r] {
				t.Errorf("run %d counted twice in row %d", i, r)
			}
			seen[r] = true
		}
		total += len(rowsOf[i])
	}
	sum := 0
	for _, r := range rows {
		sum += r.runs
	}
	if sum != total {
		t.Errorf("rows count %d runs, runs are on %d rows", sum, total)
	}
	ps := sweepPlots(pts, &PlotOptions{Title: "results.jsonl"})
	if !strings.HasPrefix(ps[1].Title.Text, "failure rate by fault kind (1 invalid, 0 unknown in 400 runs)") {
		t.Errorf("failures panel title %q", ps[1].Title.Text)
	}
	if strings.Contains(ps[0].Title.Text, "results.jsonl") {
		t.Errorf("a file name as the title: %q", ps[0].Title.Text)
	}
	pts[20].Verdict = "valid"
	ps = sweepPlots(pts, &PlotOptions{})
	if ps[1].Title.Text != "no failures in 400 runs — runs per fault kind" || ps[1].X.Min != 0 || ps[1].X.Max < 100 {
		t.Errorf("no-failure panel: %q, x %v…%v", ps[1].Title.Text, ps[1].X.Min, ps[1].X.Max)
	}
	var b bytes.Buffer
	if err := PlotSweep(&b, pts, PlotOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "fault-"); n != 2*MaxSweepKinds {
		t.Errorf("%d fault-kind labels drawn", n)
	}
}

func TestPlotCompare(t *testing.T) {
	var b bytes.Buffer
	rows := []CompareRow{{Name: "raftkv", Availability: 0.91, FaultAvailability: 0.7, StaleShare: 0, LostShare: 0},
		{Name: "dynamo", Availability: 0.99, FaultAvailability: 0.98, StaleShare: 0.04, LostShare: -1}}
	if err := PlotCompare(&b, rows, PlotOptions{}); err != nil || !strings.Contains(b.String(), "<svg") || !strings.Contains(b.String(), "dynamo") {
		t.Fatalf("%v\n%.200s", err, b.String())
	}
	if err := PlotCompare(&b, nil, PlotOptions{}); err == nil {
		t.Error("an empty comparison plotted")
	}
}

func TestPlotStaleness(t *testing.T) {
	var b bytes.Buffer
	s := Staleness{K: []int{0, 1, 3, 0, 2}, Behind: []time.Duration{0, 10 * time.Millisecond, 90 * time.Millisecond, 0, 40 * time.Millisecond}}
	if err := PlotStaleness(&b, s, PlotOptions{}); err != nil || !strings.Contains(b.String(), "3 of 5 reads stale") {
		t.Fatalf("%v\n%.300s", err, b.String())
	}
	b.Reset()
	if err := PlotStaleness(&b, Staleness{K: []int{0}, Behind: []time.Duration{0}}, PlotOptions{}); err != nil || !strings.Contains(b.String(), "every read saw") {
		t.Fatalf("fresh reads: %v", err)
	}
}

// The heal phase is shaded and named on the latency and availability
// plots, so its quiet is not read as an outage.
func TestPlotsShadeTheHeal(t *testing.T) {
	c := nodes.ClientID(1)
	f := &trace.File{Header: trace.Header{Nodes: 1, Clients: 1}, Events: []trace.Event{
		{Seq: 1, At: 0, Kind: trace.Start, Node: 1},
		{Seq: 2, At: 100 * time.Millisecond, Kind: trace.Invoke, Node: c, Num: 1, Op: nodes.Op{Kind: nodes.OpGet, Key: "x"}},
		{Seq: 3, At: 120 * time.Millisecond, Kind: trace.Return, Node: c, Num: 1, Outcome: nodes.OK, Op: nodes.Op{Kind: nodes.OpGet, Key: "x"}},
		{Seq: 4, At: time.Second, Kind: trace.Mark, Type: string(trace.MarkPhase), Text: "heal: faults undone"},
		{Seq: 5, At: 2 * time.Second, Kind: trace.Crash, Node: 1},
	}}
	for name, plot := range map[string]func(io.Writer, *trace.File, PlotOptions) error{"latency": PlotLatency, "availability": PlotAvailability} {
		var b bytes.Buffer
		if err := plot(&b, f, PlotOptions{Format: "svg"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), ">heal<") || !strings.Contains(b.String(), "heal (faults undone, probes)") {
			t.Errorf("%s plot does not mark the heal", name)
		}
	}
	// Without a heal mark, no heal band.
	f.Events = f.Events[:3]
	var b bytes.Buffer
	PlotLatency(&b, f, PlotOptions{Format: "svg"})
	if strings.Contains(b.String(), ">heal<") {
		t.Error("a heal band without a heal")
	}
}
