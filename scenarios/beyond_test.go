package scenarios_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

// swarm.beyond_budget draws a controlled share of the seeds beyond the
// recoverability budget, labels them (Nemesis.BeyondBudget, a storm in the
// generated nemesis), and leaves the others as they were.
func TestSwarmBeyondBudgetShare(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Swarm.BeyondBudget != scenarios.HuntBeyondBudget {
		t.Fatalf("hunt draws %v of its seeds beyond the budget, want %v", sc.Swarm.BeyondBudget, scenarios.HuntBeyondBudget)
	}
	back, err := scenarios.Parse("back.yaml", scenarios.Format(sc))
	if err != nil || back.Swarm.BeyondBudget != sc.Swarm.BeyondBudget || !back.Swarm.Correlated {
		t.Fatalf("swarm.beyond_budget and swarm.correlated do not round-trip: %v", err)
	}
	sc.Swarm.SendStorm = sim.Never        // labels its seeds beyond the budget too (sendstorm_test.go)
	sc.Swarm.ReplicationStorm = sim.Never // and so does this (replstorm_test.go)
	off := sc.Clone()
	off.Swarm.BeyondBudget = sim.Never
	const n = 800
	beyond := 0
	for seed := uint64(1); seed <= n; seed++ {
		x := scenarios.ApplySwarm(sc, seed)
		if x.Nemesis.BeyondBudget != x.Nemesis.Generate.Storm {
			t.Fatalf("seed %d: beyond budget %t but storm %t", seed, x.Nemesis.BeyondBudget, x.Nemesis.Generate.Storm)
		}
		if x.Nemesis.BeyondBudget {
			beyond++
			if beyond == 1 { // a storm is as deterministic as the rest
				if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{CheckSteps: 1000}); err != nil {
					t.Errorf("beyond-budget seed %d: %v", seed, err)
				}
			}
			if !strings.Contains(scenarios.SwarmKnobs(sc, seed), "beyond budget true") {
				t.Errorf("seed %d: the knobs do not say it went beyond the budget: %s", seed, scenarios.SwarmKnobs(sc, seed))
			}
			continue
		}
		// A seed within the budget draws exactly what it draws without the knob.
		if a, b := string(scenarios.Format(x)), string(scenarios.Format(scenarios.ApplySwarm(off, seed))); a != b {
			t.Fatalf("seed %d: within the budget, the knob changed the drawn scenario:\n%s\nvs\n%s", seed, a, b)
		}
	}
	if lo, hi := n/8-n/32, n/8+n/32; beyond < lo || beyond > hi {
		t.Errorf("%d of %d seeds beyond the budget, want about 1/8 (%d..%d)", beyond, n, lo, hi)
	}
}

// The judgement rule: beyond the budget, a liveness failure is reported
// (labelled, explained) but excused, and a safety violation counts as
// always. The same runs within the budget (nemesis.unbounded alone) fail
// liveness.
func TestBeyondBudgetJudgement(t *testing.T) {
	const crashAll = `name: crash-all
cluster: {node: raftkv, size: 3}
network: {latency: uniform(1ms, 10ms)}
workload: {kind: kv, clients: 2, keys: 2}
nemesis:
  LABEL: true
  script:
    - {at: 1s, fault: "crash all"}
run: {duration: 2s, heal: 100ms}
check: [linearizable, invariants, liveness]
`
	load := func(label string) *scenarios.Scenario {
		sc, err := scenarios.Parse("crash-all.yaml", []byte(strings.Replace(crashAll, "LABEL", label, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	o := scenarios.RunSeed(load("unbounded"), 1, scenarios.RunOptions{})
	if o.Status != scenarios.StatusLiveness || o.BeyondBudget {
		t.Fatalf("unbounded, unlabelled: %s (beyond budget %t), want a liveness failure: the heal is too short to elect a leader", o.Status, o.BeyondBudget)
	}
	o = scenarios.RunSeed(load("beyond_budget"), 1, scenarios.RunOptions{})
	excused := false
	for _, c := range o.Checks {
		excused = excused || c.Name == scenarios.CheckLiveness && c.Excused
	}
	if o.Status != scenarios.StatusValid || !o.BeyondBudget || o.Excused == "" || !excused {
		t.Errorf("beyond the budget: %s, beyond budget %t, excused %q, liveness check excused %t; want valid with the liveness failure excused", o.Status, o.BeyondBudget, o.Excused, excused)
	}
	back, err := scenarios.Parse("back.yaml", scenarios.Format(load("beyond_budget")))
	if err != nil || !back.Nemesis.BeyondBudget {
		t.Errorf("nemesis.beyond_budget does not round-trip: %v", err)
	}

	// A safety violation beyond the budget is a bug: two leaders of one term
	// because a crash made a server forget its vote.
	sc, err := scenarios.LoadFile("bugs/vote-not-persisted.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc = sc.Clone()
	sc.Nemesis.Unbounded, sc.Nemesis.BeyondBudget = false, true
	if o := scenarios.RunSeed(sc, 5, scenarios.RunOptions{}); o.Status != scenarios.StatusInvalid || !o.BeyondBudget {
		t.Errorf("vote-not-persisted seed 5 beyond the budget: %s (beyond budget %t), want invalid: %s", o.Status, o.BeyondBudget, o.Reason)
	}
}
