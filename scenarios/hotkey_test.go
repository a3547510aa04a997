package scenarios_test

import (
	"context"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

// swarm.hot_key gives a controlled share of a keyed hunt's seeds one key,
// the swarm's most clients and a read-heavy mix, says so in the knobs and
// the strategy label, and leaves every other seed exactly as it is without
// the knob; a hunt of an unkeyed workload does not write it.
func TestSwarmHotKeyShare(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "abd"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Swarm.HotKey != scenarios.HuntHotKey {
		t.Fatalf("hunt gives %v of its seeds a hot key, want %v", sc.Swarm.HotKey, scenarios.HuntHotKey)
	}
	back, err := scenarios.Parse("back.yaml", scenarios.Format(sc))
	if err != nil || back.Swarm.HotKey != sc.Swarm.HotKey {
		t.Fatalf("swarm.hot_key does not round-trip: %v", err)
	}
	if reg, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "abd", Workload: "register"}); err != nil || !reg.Swarm.HotKey.IsZero() {
		t.Fatalf("the register workload's hunt (no keyspace) draws a hot key: %v, %v", err, reg.Swarm.HotKey)
	}
	off := sc.Clone()
	off.Swarm.HotKey = sim.Never
	const n = 800
	hot := 0
	for seed := uint64(1); seed <= n; seed++ {
		x, plain := scenarios.ApplySwarm(sc, seed), scenarios.ApplySwarm(off, seed)
		knobs := scenarios.SwarmKnobs(sc, seed)
		if !strings.Contains(knobs, "hot key true") {
			if a, b := string(scenarios.Format(x)), string(scenarios.Format(plain)); a != b {
				t.Fatalf("seed %d: without a hot key, the knob changed the drawn scenario:\n%s\nvs\n%s", seed, a, b)
			}
			continue
		}
		hot++
		w := x.Workload
		if w.Keys != 1 || w.Clients != sc.Swarm.Clients.Max {
			t.Fatalf("seed %d: a hot key with %d keys and %d clients, want 1 and %d", seed, w.Keys, w.Clients, sc.Swarm.Clients.Max)
		}
		reads, all := 0, 0
		for _, m := range w.Mix {
			all += m.Weight
			if nodes.OpKind(m.Op).IsRead() {
				reads += m.Weight
			}
		}
		if writes := all - reads; reads != scenarios.HotKeyReadShare || writes < 1 || writes > 100-scenarios.HotKeyReadShare {
			t.Fatalf("seed %d: a hot key's mix %v weighs reads %d and writes %d, want %d and 1..%d", seed, w.Mix, reads, writes, scenarios.HotKeyReadShare, 100-scenarios.HotKeyReadShare)
		}
		// Everything but the workload is what the seed draws without it.
		plain.Workload = x.Workload
		if a, b := string(scenarios.Format(x)), string(scenarios.Format(plain)); a != b {
			t.Fatalf("seed %d: the hot key changed more than the workload:\n%s\nvs\n%s", seed, a, b)
		}
		if hot == 1 {
			if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{CheckSteps: 1000}); err != nil {
				t.Errorf("hot-key seed %d: %v", seed, err)
			}
		}
	}
	if lo, hi := n/8-n/32, n/8+n/32; hot < lo || hot > hi {
		t.Errorf("%d of %d seeds with a hot key, want about 1/8 (%d..%d)", hot, n, lo, hi)
	}
}

// The hot key reaches what the swarm's usual shape does not: an ABD read
// that skips its write-back returns a write only some servers hold, and a
// later read the older value. The same hunt seeds of abd no-write-back
// (retransmit fixed at the slow 300ms it needs, so that a lost store stays
// lost a while), with the hot key on every seed and off; and the correct
// ABD stays linearizable under the hot key.
func TestHotKeyReachesNoWriteBack(t *testing.T) {
	const seeds = 40
	sweep := func(bugs string, hot sim.Ratio) *scenarios.Summary {
		t.Helper()
		params := []scenarios.Param{{Key: "retransmit", Value: "300ms"}}
		if bugs != "" {
			params = append(params, scenarios.Param{Key: "bugs", Value: bugs})
		}
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "abd", Params: params})
		if err != nil {
			t.Fatal(err)
		}
		sc.Swarm.HotKey = hot
		sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: seeds, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	stale := func(sum *scenarios.Summary) (n int) {
		for _, o := range sum.Failures {
			if o.Status == scenarios.StatusInvalid && strings.Contains(o.Failure+o.Reason, "not linearizable") {
				n++
			}
		}
		return n
	}
	with, plain := sweep("no-write-back", sim.Always), sweep("no-write-back", sim.Never)
	t.Logf("abd no-write-back: not linearizable in %d of %d seeds with the hot key, %d without", stale(with), seeds, stale(plain))
	if stale(with) < 2 || stale(plain) != 0 {
		t.Errorf("abd no-write-back: not linearizable in %d of %d seeds with the hot key (want ≥2), %d without (want 0)", stale(with), seeds, stale(plain))
	}
	if correct := sweep("", sim.Always); correct.Worst() != scenarios.StatusValid && correct.Worst() != scenarios.StatusUnknown {
		t.Errorf("correct abd under the hot key: %v, failures %v", correct.Counts, correct.Failures)
	}
}

// A hunt labels the hot-key seeds with their strategy, and only those.
func TestHotKeyStrategyLabel(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "abd"})
	if err != nil {
		t.Fatal(err)
	}
	sc.Check = []string{scenarios.CheckInvariants}
	const n = 24
	hot := 0
	for seed := uint64(1); seed <= n; seed++ {
		if strings.Contains(scenarios.SwarmKnobs(sc, seed), "hot key true") {
			hot++
		}
	}
	res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: 1, Seeds: n, Workers: 2, ShrinkBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := -1
	for _, s := range res.Strategies {
		if s.Strategy == scenarios.StrategyHotKey {
			got = s.Seeds
		}
	}
	if hot == 0 || got != hot {
		t.Errorf("%d of seeds 1..%d have a hot key; the hunt labelled %d runs %s", hot, n, got, scenarios.StrategyHotKey)
	}
}
