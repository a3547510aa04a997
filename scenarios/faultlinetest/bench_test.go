package faultlinetest_test

import (
	"testing"

	"github.com/faultline/faultline/scenarios/faultlinetest"
)

func TestBenchReportsTheMetrics(t *testing.T) {
	sc := load(t, quickFile)
	r := testing.Benchmark(func(b *testing.B) { faultlinetest.Bench(b, sc) })
	if r.N == 0 {
		t.Fatal("the benchmark did not run")
	}
	for _, m := range []string{"events/s", "dilation", "cpu-dilation", "allocs/event", "B/event"} {
		if v, ok := r.Extra[m]; !ok || v <= 0 {
			t.Errorf("metric %s = %v, %v; want a positive figure (all: %v)", m, v, ok, r.Extra)
		}
	}
	if r.AllocsPerOp() <= 0 {
		t.Errorf("allocs/op = %d; want ReportAllocs on", r.AllocsPerOp())
	}
}
