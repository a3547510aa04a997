package faultlinetest

import (
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// Bench runs the scenario as a benchmark, one seed per iteration (seeds
// FirstSeed, FirstSeed+1, ...; WithRunOptions applies), and reports what a
// protocol author needs to judge the cost of a protocol in the simulator:
//
//	events/s      trace events per second of wall time
//	dilation      virtual time ÷ wall time
//	cpu-dilation  virtual time ÷ the process's CPU time (user + system,
//	              the garbage collector included): steadier than dilation
//	              on a busy machine, and what one core achieves
//	allocs/event  heap allocations per trace event
//	B/event       bytes allocated per trace event
//
// A seed that does not come out valid fails the benchmark. One line does it:
//
//	func BenchmarkMyProtocol(b *testing.B) {
//		sc, err := scenarios.LoadFile("testdata/my.yaml")
//		if err != nil {
//			b.Fatal(err)
//		}
//		faultlinetest.Bench(b, sc)
//	}
//
// Compare runs with benchstat (go test -bench . -count 6).
func Bench(b *testing.B, sc *scenarios.Scenario, options ...Option) {
	b.Helper()
	c := config{first: 1}
	for _, o := range options {
		o(&c)
	}
	if err := sc.Validate(); err != nil {
		b.Fatal(err)
	}
	var events uint64
	var virtual time.Duration
	var before, after runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		seed := c.first + uint64(i)
		o := scenarios.RunSeed(sc, seed, c.opts)
		if o.Failed() {
			b.Fatalf("seed %d: %s %s", seed, o.Status, o.Reason)
		}
		events += o.Events
		virtual += o.Virtual
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	runtime.ReadMemStats(&after)
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(virtual.Seconds()/wall, "dilation")
	if cpu > 0 {
		b.ReportMetric(virtual.Seconds()/cpu.Seconds(), "cpu-dilation")
	}
	if events > 0 {
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(events), "allocs/event")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(events), "B/event")
	}
}
