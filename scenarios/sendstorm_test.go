package scenarios_test

import (
	"context"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

// swarm.send_storm gives a controlled share of the seeds a crash-on-send
// storm, labels them beyond the budget (a generated nemesis with
// send_storm, Nemesis.BeyondBudget, the knobs), and leaves every other
// seed exactly as it is without the knob.
func TestSwarmSendStormShare(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Swarm.SendStorm != scenarios.HuntSendStorm {
		t.Fatalf("hunt gives %v of its seeds a send storm, want %v", sc.Swarm.SendStorm, scenarios.HuntSendStorm)
	}
	back, err := scenarios.Parse("back.yaml", scenarios.Format(sc))
	if err != nil || back.Swarm.SendStorm != sc.Swarm.SendStorm {
		t.Fatalf("swarm.send_storm does not round-trip: %v", err)
	}
	off := sc.Clone()
	off.Swarm.SendStorm = sim.Never
	const n = 800
	storms := 0
	for seed := uint64(1); seed <= n; seed++ {
		x := scenarios.ApplySwarm(sc, seed)
		if !x.Nemesis.Generate.SendStorm {
			if a, b := string(scenarios.Format(x)), string(scenarios.Format(scenarios.ApplySwarm(off, seed))); a != b {
				t.Fatalf("seed %d: without a storm, the knob changed the drawn scenario:\n%s\nvs\n%s", seed, a, b)
			}
			continue
		}
		storms++
		if !x.Nemesis.BeyondBudget {
			t.Fatalf("seed %d: a send storm not labelled beyond the budget", seed)
		}
		if k := scenarios.SwarmKnobs(sc, seed); !strings.Contains(k, "crash-on-send storm true") || !strings.Contains(k, "beyond budget true") {
			t.Errorf("seed %d: the knobs do not say so: %s", seed, k)
		}
		if storms == 1 { // the resolved scenario replays the storm
			rt, err := scenarios.Parse("x.yaml", scenarios.Format(x))
			if err != nil || !rt.Nemesis.Generate.SendStorm || !rt.Nemesis.BeyondBudget {
				t.Fatalf("seed %d: nemesis.generate.send_storm does not round-trip: %v", seed, err)
			}
			if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{CheckSteps: 1000}); err != nil {
				t.Errorf("send-storm seed %d: %v", seed, err)
			}
		}
	}
	if lo, hi := n/8-n/32, n/8+n/32; storms < lo || storms > hi {
		t.Errorf("%d of %d seeds with a send storm, want about 1/8 (%d..%d)", storms, n, lo, hi)
	}
}

// The storm reaches what the plain generator does not: a voter that
// forgets a vote it granted and grants it again in the same term, so the
// term gets two leaders. The same hunt seeds, with the storm on every
// seed and with it off, for both planted bugs; and the correct protocols
// keep election safety under the storm.
func TestSendStormReachesDoubleVote(t *testing.T) {
	const seeds = 40
	for _, tc := range []struct {
		node, bug, signature string
	}{
		{"raftkv", "vote-not-persisted", "election safety"},
		{"etcdraft", "hardstate-not-synced", "election safety"},
	} {
		t.Run(tc.node, func(t *testing.T) {
			sweep := func(bug string, storm sim.Ratio) *scenarios.Summary {
				t.Helper()
				var params []scenarios.Param
				if bug != "" {
					params = []scenarios.Param{{Key: "bugs", Value: bug}}
				}
				sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: tc.node, Params: params})
				if err != nil {
					t.Fatal(err)
				}
				sc.Swarm.SendStorm = storm
				sc.Check = []string{scenarios.CheckInvariants} // election safety; no long linearizability checks
				sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: seeds, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				return sum
			}
			doubles := func(sum *scenarios.Summary) (n int) {
				for _, o := range sum.Failures {
					if o.Status == scenarios.StatusInvalid && strings.Contains(o.Failure+o.Reason, tc.signature) {
						n++
					}
				}
				return n
			}
			with, plain := sweep(tc.bug, sim.Always), sweep(tc.bug, sim.Never)
			t.Logf("%s %s: two leaders of a term in %d of %d seeds with the storm, %d without", tc.node, tc.bug, doubles(with), seeds, doubles(plain))
			if doubles(with) < 2 || doubles(plain) != 0 {
				t.Errorf("%s %s: two leaders of a term in %d of %d seeds with the storm (want ≥2), %d without (want 0)",
					tc.node, tc.bug, doubles(with), seeds, doubles(plain))
			}
			if correct := sweep("", sim.Always); correct.Worst() != scenarios.StatusValid && correct.Worst() != scenarios.StatusUnknown {
				t.Errorf("correct %s under the storm: %v, failures %v", tc.node, correct.Counts, correct.Failures)
			}
		})
	}
}

// A hunt labels the runs the storm fired in with its strategy, and only
// those: the coverage by strategy counts them.
func TestSendStormStrategyLabel(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	sc.Check = []string{scenarios.CheckInvariants}
	const n = 24
	storms := 0
	for seed := uint64(1); seed <= n; seed++ {
		if scenarios.ApplySwarm(sc, seed).Nemesis.Generate.SendStorm {
			storms++
		}
	}
	res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: 1, Seeds: n, Workers: 2, ShrinkBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := -1
	for _, s := range res.Strategies {
		if s.Strategy == scenarios.StrategyCrashOnSend {
			got = s.Seeds
		}
	}
	if storms == 0 || got != storms {
		t.Errorf("%d of seeds 1..%d have a send storm; the hunt labelled %d runs %s", storms, n, got, scenarios.StrategyCrashOnSend)
	}
}
