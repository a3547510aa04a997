package scenarios_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/sim"
)

// reference is the reference load of issue 5: 5 replicas, 5 closed-loop
// clients, 10 keys, links 0.05–1 ms, 10 virtual seconds.
func reference(checks ...string) *scenarios.Scenario {
	sc := &scenarios.Scenario{
		Name:     "reference",
		Cluster:  scenarios.Cluster{Node: "raftkv", Size: 5},
		Network:  scenarios.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)},
		Workload: scenarios.Workload{Kind: "kv", Clients: 5, Keys: 10},
		Run:      scenarios.RunSpec{Duration: 10 * time.Second, Heal: time.Millisecond},
		Check:    checks,
	}
	if checks == nil {
		sc.Check = []string{}
	} else {
		sc.Run.Heal = time.Second // room for the liveness probe
	}
	if err := sc.Validate(); err != nil {
		panic(err)
	}
	return sc
}

// BenchmarkRaftReference measures the simulator running Raft KV under the
// reference load, without checks: events/s, time dilation (virtual ÷ wall,
// and virtual ÷ CPU time) and allocations per event, on one goroutine.
func BenchmarkRaftReference(b *testing.B) {
	faultlinetest.Bench(b, reference())
}

// BenchmarkRaftReferenceChecked is the same with Porcupine, invariants and
// liveness: what a sweep pays per seed.
func BenchmarkRaftReferenceChecked(b *testing.B) {
	sc := reference("linearizable", "invariants", "liveness")
	var virtual time.Duration
	for i := 0; i < b.N; i++ {
		o := scenarios.RunSeed(sc, uint64(i+1), scenarios.RunOptions{})
		if o.Failed() {
			b.Fatalf("seed %d: %s %s", i+1, o.Status, o.Reason)
		}
		virtual += o.Virtual
	}
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "dilation")
}

// BenchmarkSweepOverhead compares a sweep of N seeds with one worker
// against calling RunSeed N times directly: the runner's own cost.
func BenchmarkSweepOverhead(b *testing.B) {
	sc := reference("linearizable", "invariants", "liveness")
	const seeds = 8
	b.Run("direct", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for s := uint64(1); s <= seeds; s++ {
				scenarios.RunSeed(sc, s, scenarios.RunOptions{})
			}
		}
	})
	b.Run("sweep", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: seeds, Workers: 1, Out: b.TempDir()}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSweepThroughput: seeds per hour of a 10-virtual-second, 5-node
// Raft KV scenario with faults and all checks, on every core.
func BenchmarkSweepThroughput(b *testing.B) {
	sc, err := scenarios.LoadFile("raft-kv-partitions.yaml")
	if err != nil {
		b.Fatal(err)
	}
	seeds := uint64(b.N)
	sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: seeds, Workers: runtime.NumCPU()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(sum.Seeds)/b.Elapsed().Hours(), "seeds/hour")
	b.ReportMetric(float64(sum.Events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEtcdRaftReference is BenchmarkRaftReference with
// go.etcd.io/raft/v3 (nodes/etcdraft, unmodified etcd raft) in place of
// Raft KV: the two Rafts under the same load, simulation only.
func BenchmarkEtcdRaftReference(b *testing.B) {
	sc := reference()
	sc.Cluster.Node = "etcdraft"
	var events uint64
	var virtual time.Duration
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		o := scenarios.RunSeed(sc, uint64(i+1), scenarios.RunOptions{})
		if o.Failed() {
			b.Fatalf("seed %d: %s %s", i+1, o.Status, o.Reason)
		}
		events += o.Events
		virtual += o.Virtual
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "dilation")
}
