package scenarios_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

const swarmYAML = `name: swarm-test
cluster: {node: raftkv, size: 5}
workload: {kind: kv, clients: 3, keys: 4, mix: {get: 50, put: 30, append: 10, cas: 10}}
nemesis:
  generate: {faults: [partition, crash, delay, clock-jump], interval: 1s..2s, duration: 500ms..1s}
swarm:
  size: 3..7
  clients: 1..8
  keys: 1..10
  latency: 1ms..20ms
  drop: 0..1/20
  duplicate: 0..1/100
  skew: 0s..200ms
  sync_latency: 100us..20ms
  mix: true
  faults: true
  fault_interval: 200ms..3s
  fault_duration: 100ms..2s
run: {duration: 2s, heal: 1s}
`

func TestSwarmDeterministicBoundedVaried(t *testing.T) {
	sc, err := scenarios.Parse("swarm.yaml", []byte(swarmYAML))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	sizes := map[int]bool{}
	for seed := uint64(1); seed <= 60; seed++ {
		a, b := scenarios.ApplySwarm(sc, seed), scenarios.ApplySwarm(sc, seed)
		fa := scenarios.Format(a)
		if !bytes.Equal(fa, scenarios.Format(b)) {
			t.Fatalf("seed %d: two draws differ", seed)
		}
		if a.Swarm != nil {
			t.Fatalf("seed %d: resolved scenario keeps its swarm section", seed)
		}
		if scenarios.ApplySwarm(a, seed) != a {
			t.Fatalf("seed %d: ApplySwarm is not the identity on a resolved scenario", seed)
		}
		seen[string(fa)] = true
		sizes[a.Cluster.Size] = true
		if s := a.Cluster.Size; s < 3 || s > 7 {
			t.Errorf("seed %d: size %d outside 3..7", seed, s)
		}
		if c := a.Workload.Clients; c < 1 || c > 8 {
			t.Errorf("seed %d: clients %d outside 1..8", seed, c)
		}
		if k := a.Workload.Keys; k < 1 || k > 10 {
			t.Errorf("seed %d: keys %d outside 1..10", seed, k)
		}
		if l := a.Network.Latency; l.Min < time.Millisecond || l.Max > 20*time.Millisecond || l.Min > l.Max {
			t.Errorf("seed %d: latency %s outside 1ms..20ms", seed, l)
		}
		if d := a.Network.Drop; d.Num*20 > d.Den {
			t.Errorf("seed %d: drop %s above 1/20", seed, d)
		}
		if d := a.Network.Duplicate; d.Num*100 > d.Den {
			t.Errorf("seed %d: duplicate %s above 1/100", seed, d)
		}
		if s := a.Clocks.Skew; s < 0 || s > 200*time.Millisecond {
			t.Errorf("seed %d: skew %s outside 0..200ms", seed, s)
		}
		if d := a.Disk.SyncLatency; d.Min < 100*time.Microsecond || d.Max > 20*time.Millisecond {
			t.Errorf("seed %d: sync latency %s outside 100us..20ms", seed, d)
		}
		g := a.Nemesis.Generate
		if !g.Swarm || g.Interval.Min < 200*time.Millisecond || g.Interval.Max > 3*time.Second || g.Duration.Max > 2*time.Second {
			t.Errorf("seed %d: generate %+v not within the swarm bounds", seed, g)
		}
		total := 0
		for _, m := range a.Workload.Mix {
			total += m.Weight
		}
		if total == 0 {
			t.Errorf("seed %d: mix all zero", seed)
		}
		// The resolved scenario is ordinary YAML.
		back, err := scenarios.Parse("resolved.yaml", fa)
		if err != nil {
			t.Fatalf("seed %d: resolved scenario does not parse: %v\n%s", seed, err, fa)
		}
		if !bytes.Equal(scenarios.Format(back), fa) {
			t.Fatalf("seed %d: resolved scenario does not round-trip", seed)
		}
		if scenarios.SwarmKnobs(sc, seed) == "" {
			t.Fatalf("seed %d: no knobs described", seed)
		}
	}
	if len(seen) < 55 || len(sizes) < 4 {
		t.Errorf("60 seeds gave %d distinct configurations and %d sizes: not varied enough", len(seen), len(sizes))
	}
}

func TestSwarmSectionRoundTrips(t *testing.T) {
	sc, err := scenarios.Parse("swarm.yaml", []byte(swarmYAML))
	if err != nil {
		t.Fatal(err)
	}
	out := scenarios.Format(sc)
	back, err := scenarios.Parse("formatted.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !bytes.Equal(scenarios.Format(back), out) {
		t.Fatalf("swarm section does not round-trip:\n%s\n---\n%s", out, scenarios.Format(back))
	}
	if !bytes.Contains(out, []byte("swarm:\n  size: 3..7\n")) {
		t.Fatalf("formatted scenario lacks the swarm section:\n%s", out)
	}
}

// A swarm scenario runs: the knobs drawn for a seed are what the run uses,
// and the same seed gives the same trace.
func TestSwarmRuns(t *testing.T) {
	sc, err := scenarios.Parse("swarm.yaml", []byte(swarmYAML))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		x := scenarios.ApplySwarm(sc, seed)
		a := scenarios.RunSeed(x, seed, scenarios.RunOptions{})
		b := scenarios.RunSeed(scenarios.ApplySwarm(sc, seed), seed, scenarios.RunOptions{})
		if a.Hash != b.Hash {
			t.Fatalf("seed %d: hashes differ: %s vs %s", seed, a.Hash, b.Hash)
		}
		if a.Status != scenarios.StatusValid {
			t.Errorf("seed %d (%s): %s: %s", seed, scenarios.SwarmKnobs(sc, seed), a.Status, a.Reason)
		}
	}
}
