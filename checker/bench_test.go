package checker

import (
	"slices"
	"testing"
	"time"
)

// benchCheck checks h on every iteration and reports the median time as
// p50-ms next to the mean, and the process's CPU time per check as cpu-ms
// (steadier on a busy machine; the garbage collector included).
func benchCheck(b *testing.B, h *History, want Verdict) {
	var ds []time.Duration
	cpu0 := cpuTime()
	for b.Loop() {
		start := time.Now()
		res := Check(h, Options{Budget: time.Minute})
		ds = append(ds, time.Since(start))
		if res.Verdict != want {
			b.Fatalf("%v, want %v\n%s", res.Verdict, want, res)
		}
	}
	reportCPU(b, cpuTime()-cpu0)
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2])/1e6, "p50-ms")
}

// reportCPU reports cpu, the CPU time of b's loop, per iteration.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms")
	}
}

// A linearizable 10,000-operation, 10-key, 5-client KV history.
// Goal: p50 ≤ 20 ms.
func BenchmarkKV10k(b *testing.B) {
	h, _ := genKV(1, 10_000, 10, 5)
	benchCheck(b, h, Valid)
}

// The same shape at 100,000 operations. Goal: ≤ 1 s.
func BenchmarkKV100k(b *testing.B) {
	h, _ := genKV(2, 100_000, 10, 5)
	benchCheck(b, h, Valid)
}

// The 10,000-operation history with one planted stale read: the cost of
// finding, explaining and not visualizing a violation.
func BenchmarkKV10kStaleRead(b *testing.B) {
	h, _ := genKV(1, 10_000, 10, 5)
	plantStaleRead(h)
	benchCheck(b, h, Invalid)
}
