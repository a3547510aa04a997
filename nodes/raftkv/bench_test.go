package raftkv_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

// BenchmarkReference is the reference load of issue 5: 5 replicas, 5
// closed-loop clients, 10 keys, links 0.05–1ms, 10 virtual seconds, with
// the online invariants on. It reports steps (queue events) and trace
// events per wall second and the time dilation (virtual ÷ wall).
func BenchmarkReference(b *testing.B) {
	for _, inv := range []bool{false, true} {
		name := "plain"
		if inv {
			name = "invariants"
		}
		b.Run(name, func(b *testing.B) {
			var steps, events uint64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				o := opts{seed: uint64(i + 1), nodes: 5, clients: 5, keys: 10}
				o.fill()
				w, err := sim.New(sim.Config{
					Seed: o.seed, Nodes: 5, Node: raftkv.New(raftkv.Config{}),
					Clients: 5, Client: func(nodes.ID) nodes.Node { return &testClient{o: &o} },
					Network: sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)},
				})
				if err != nil {
					b.Fatal(err)
				}
				if inv {
					iv := raftkv.NewInvariants(func(id nodes.ID) *raftkv.Node { n, _ := w.Node(id).(*raftkv.Node); return n })
					w.AfterEachHandler(iv.Check)
				}
				res := w.Run(10 * time.Second)
				if res.Failure != nil {
					b.Fatal(res.Failure)
				}
				steps += res.Steps
				events += res.Events
			}
			wall := time.Since(start).Seconds()
			b.ReportMetric(float64(steps)/wall, "steps/s")
			b.ReportMetric(float64(events)/wall, "events/s")
			b.ReportMetric(10*float64(b.N)/wall, "dilation")
		})
	}
}
