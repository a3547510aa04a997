package sim

import (
	"testing"

	"github.com/faultline/faultline/nodes"
)

type idle struct{ nodes.Base }

// BenchmarkEventLoop measures the bare queue: each no-op event schedules
// the next at a pseudo-random near-future time, with ~1,000 pending.
func BenchmarkEventLoop(b *testing.B) {
	s, err := New(Config{Nodes: 1, Node: func(nodes.ID) nodes.Node { return idle{} }})
	if err != nil {
		b.Fatal(err)
	}
	const pending = 1000
	x := uint64(1)
	next := func() int64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int64(x % 1_000_000)
	}
	push := func() {
		i := s.alloc()
		s.slots[i].kind = evNoop
		s.schedule(s.now+next(), i)
	}
	for range pending {
		push()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		it := s.q.pop()
		if s.slots[it.slot].gen != it.gen {
			continue
		}
		s.now = it.at
		s.steps++
		s.fire(it.slot)
		push()
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		// On a busy machine wall time is mostly waiting: compare this.
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N)/(float64(cpu)/1e9), "cpu-events/s")
	}
}
