package scenarios_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

const pctYAML = `name: pct-test
cluster: {node: raftkv, size: 3}
network: {latency: uniform(1ms, 5ms), schedule: pct(2, 10ms)}
workload: {kind: kv, clients: 2, keys: 2}
run: {duration: 1s, heal: 500ms}
`

// TestScheduleRoundTripsAndReorders: network.schedule reads, writes back,
// replays its trace, and changes the trace of the same seed without it.
func TestScheduleRoundTripsAndReorders(t *testing.T) {
	sc, err := scenarios.Parse("pct.yaml", []byte(pctYAML))
	if err != nil {
		t.Fatal(err)
	}
	if want := (sim.Schedule{Depth: 2, Spread: 10e6}); sc.Network.Schedule != want {
		t.Fatalf("schedule %+v, want %+v", sc.Network.Schedule, want)
	}
	text := scenarios.Format(sc)
	if !strings.Contains(string(text), `schedule: "pct(2, 10ms)"`) {
		t.Fatalf("Format does not write the schedule:\n%s", text)
	}
	back, err := scenarios.Parse("back.yaml", text)
	if err != nil || !bytes.Equal(scenarios.Format(back), text) {
		t.Fatalf("does not read back: %v", err)
	}
	plain := sc.Clone()
	plain.Network.Schedule = sim.Schedule{}
	differs := 0
	for seed := uint64(1); seed <= 3; seed++ {
		a, b := scenarios.RunSeed(sc, seed, scenarios.RunOptions{}), scenarios.RunSeed(back, seed, scenarios.RunOptions{})
		if a.Hash != b.Hash || a.Status != scenarios.StatusValid {
			t.Fatalf("seed %d: %s %s and %s %s", seed, a.Status, a.Hash, b.Status, b.Hash)
		}
		if p := scenarios.RunSeed(plain, seed, scenarios.RunOptions{}); p.Hash != a.Hash {
			differs++
		}
	}
	if differs != 3 {
		t.Fatalf("the schedule changed %d of 3 traces", differs)
	}
}

// TestSwarmPCTShare: swarm.pct puts that share of the seeds under a PCT
// schedule of a depth within pct_depth, and leaves the other seeds'
// scenario exactly as without it.
func TestSwarmPCTShare(t *testing.T) {
	base := swarmYAML
	sc, err := scenarios.Parse("swarm.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	with, err := scenarios.Parse("swarm-pct.yaml", []byte(strings.Replace(base, "  mix: true\n", "  mix: true\n  pct: 1/3\n  pct_depth: 2..4\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if w := scenarios.Format(with); !bytes.Contains(w, []byte("  pct: \"1/3\"\n  pct_depth: 2..4\n")) {
		t.Fatalf("Format drops swarm.pct:\n%s", w)
	}
	under := 0
	for seed := uint64(1); seed <= 90; seed++ {
		a, b := scenarios.ApplySwarm(sc, seed), scenarios.ApplySwarm(with, seed)
		s := b.Network.Schedule
		if s.IsZero() {
			if !bytes.Equal(scenarios.Format(a), scenarios.Format(b)) {
				t.Fatalf("seed %d: not under PCT, yet drew a different scenario", seed)
			}
			continue
		}
		under++
		if s.Depth < 2 || s.Depth > 4 {
			t.Fatalf("seed %d: depth %d outside 2..4", seed, s.Depth)
		}
		if k := scenarios.SwarmKnobs(with, seed); !strings.Contains(k, "schedule pct(") {
			t.Fatalf("seed %d: knobs %q do not name the schedule", seed, k)
		}
	}
	if under < 15 || under > 45 {
		t.Fatalf("%d of 90 seeds under PCT, want about 30", under)
	}
}
