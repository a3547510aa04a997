package nemesis_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// A generated schedule is drawn and installed up front (drawing it as the
// run goes could not keep every trace hash: see docs/ISOLATION.md). What
// an hour of it holds, measured: small beside the run's own history, and
// bounded by the cap on generated faults.
func TestHourOfGeneratedFaultsIsSmall(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval nemesis.Range
		duration nemesis.Range
		maxBytes uint64
	}{
		{"default intervals and durations", nemesis.Range{}, nemesis.Range{}, 1 << 20},
		{"dense (every 100..200ms, for 50..100ms)", nemesis.Span(100*time.Millisecond, 200*time.Millisecond), nemesis.Span(50*time.Millisecond, 100*time.Millisecond), 16 << 20},
	} {
		gen := nemesis.GenOptions{End: time.Hour, Interval: tc.interval, Duration: tc.duration}
		w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return idle{} }})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := nemesis.Generate(1, gen)
		if err != nil {
			t.Fatal(err)
		}
		nm, err := nemesis.Install(w, s, nemesis.Options{HealAt: time.Hour, Quiet: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(w)
		runtime.KeepAlive(nm)
		held := after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
		t.Logf("%s: %d steps, %d KiB held (%d bytes a step)", tc.name, len(s.Steps), held>>10, held/uint64(len(s.Steps)))
		if held > tc.maxBytes {
			t.Errorf("%s: an hour of faults holds %d bytes, want at most %d", tc.name, held, tc.maxBytes)
		}
	}
}
