package scenarios_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// Every run of a generated hunt is labelled with every strategy it drew,
// each told from the seed's knobs (SwarmKnobs, the line a failure prints)
// or the faults it fired — the labels the hunt table's "found by" column
// and hunt-summary.json show — and "swarm" only when no other applied.
func TestHuntStrategyLabels(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	sc.Check = []string{scenarios.CheckInvariants}
	const n = 32
	got := map[uint64][]scenarios.Strategy{}
	faults := map[uint64][]string{}
	res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: 1, Seeds: n, Workers: 2, ShrinkBudget: -1,
		Progress: func(p scenarios.HuntProgress) { got[p.Last.Seed], faults[p.Last.Seed] = p.Strategies, p.Last.Faults }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failure != nil {
		t.Fatalf("the correct Raft KV failed seed %d: %s", res.Failure.Seed, res.Failure.Reason)
	}
	seen := map[scenarios.Strategy]int{}
	for seed := uint64(1); seed <= n; seed++ {
		knobs := scenarios.SwarmKnobs(sc, seed)
		fired := func(kinds ...string) bool {
			return slices.ContainsFunc(faults[seed], func(f string) bool { return slices.Contains(kinds, f) })
		}
		has := func(knob string) bool { return strings.Contains(knobs, knob) }
		var want []scenarios.Strategy
		for _, c := range []struct {
			s  scenarios.Strategy
			on bool
		}{
			{scenarios.StrategyMessageTargeted, fired("drop-type", "delay-type", "duplicate-type")},
			{scenarios.StrategyPCT, !has("schedule latency")},
			{scenarios.StrategyOverlap, has("concurrent faults true")},
			{scenarios.StrategyCrashStorm, scenarios.ApplySwarm(sc, seed).Nemesis.Generate.Storm},
			{scenarios.StrategyCrashOnSend, has("crash-on-send storm true") || fired("crash-on-send") && !has("replication storm true")},
			{scenarios.StrategyHotKey, has("hot key true")},
			{scenarios.StrategyReplicationStorm, has("replication storm true")},
		} {
			if c.on {
				want = append(want, c.s)
			}
		}
		if len(want) == 0 {
			want = []scenarios.Strategy{scenarios.StrategySwarm}
		}
		slices.Sort(want)
		g := slices.Clone(got[seed])
		slices.Sort(g)
		if !slices.Equal(g, want) {
			t.Errorf("seed %d: labelled %v, want %v (knobs: %s; faults %v)", seed, got[seed], want, knobs, faults[seed])
		}
		for _, s := range g {
			seen[s]++
		}
	}
	for _, s := range []scenarios.Strategy{scenarios.StrategyMessageTargeted, scenarios.StrategyPCT, scenarios.StrategyOverlap,
		scenarios.StrategyCrashStorm, scenarios.StrategyCrashOnSend, scenarios.StrategyHotKey, scenarios.StrategyReplicationStorm} {
		if seen[s] == 0 {
			t.Errorf("no seed of 1..%d labelled %s: the test no longer covers it (%v)", n, s, seen)
		}
	}
}
