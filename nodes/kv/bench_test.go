package kv_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
)

// BenchmarkClosedLoop measures the clients' cost: 5 closed-loop clients, a
// one-node fake store, links of 0.05–1 ms, 10 virtual seconds per
// iteration. Reports client operations and simulator events per wall
// second.
func BenchmarkClosedLoop(b *testing.B) {
	var ops, events uint64
	for i := 0; i < b.N; i++ {
		f := &fake{}
		wl := kv.Workload{Keys: 10}
		w, err := sim.New(sim.Config{Seed: uint64(i), Nodes: 1, Node: f.factory(), Clients: 5, Client: wl.Factory(),
			Network: sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)}})
		if err != nil {
			b.Fatal(err)
		}
		res := w.Run(10 * time.Second)
		events += res.Events
		ops += uint64(len(f.Requests))
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(ops)/s, "ops/s")
	b.ReportMetric(float64(events)/s, "events/s")
}
