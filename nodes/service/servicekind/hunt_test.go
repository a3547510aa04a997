package servicekind_test

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/service/servicekind"
	"github.com/faultline/faultline/scenarios"
)

// TestHuntJudges: the generic hunt of the service draws the overload fault
// (the requests workload reads the offered load) and runs with the kind's
// shape (servicekind.Hunt): requests through a heal longer than
// recover_within, at a rate near the replicas' capacity. recovers-within
// then judges the seeds the hunt's default shape left undecided, the
// planted shed-after-work fails it in the first seeds, and the same seeds
// pass with the bug removed.
func TestHuntJudges(t *testing.T) {
	bug := scenarios.PlantedBug{Node: servicekind.NodeService, Bug: servicekind.BugShedAfterWork, Need: scenarios.BugNeed{Params: "max_queue=20"}}
	control, err := scenarios.HuntBugScenario(bug, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(control.Nemesis.Generate.Faults, "overload") || control.Run.Heal != servicekind.Hunt.Heal {
		t.Fatalf("hunt scenario: faults %v, heal %v; want overload among them and the kind's heal %v", control.Nemesis.Generate.Faults, control.Run.Heal, servicekind.Hunt.Heal)
	}
	plain, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: servicekind.NodeService})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(plain.Cluster.Params, func(p scenarios.Param) bool { return p.Key == "max_queue" && p.Value == "20" }) {
		t.Errorf("the service's hunt runs without admission control: params %v, want max_queue=20 from servicekind.Hunt", plain.Cluster.Params)
	}
	unbounded, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: servicekind.NodeService, Params: []scenarios.Param{{Key: "max_queue", Value: "0"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(unbounded.Cluster.Params); n != 1 || unbounded.Cluster.Params[0].Value != "0" {
		t.Errorf("--params max_queue=0: params %v, want the hunt's own value only", unbounded.Cluster.Params)
	}
	def := control.Clone()
	def.Run.Heal = 3 * time.Second
	def.Workload.Rate = 0
	def.Workload.Params = nil
	const seeds = 10
	count := func(sc *scenarios.Scenario) (undecided, failed int, first uint64) {
		for seed := uint64(1); seed <= seeds; seed++ {
			switch o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{}); {
			case o.Status == scenarios.StatusUnknown:
				undecided++
			case o.Failed():
				failed++
				if first == 0 {
					first = seed
				}
			}
		}
		return undecided, failed, first
	}
	if u, f, first := count(control); u > 1 || f > 0 {
		t.Errorf("the correct service (max_queue=20), hunt seeds 1..%d: %d undecided, %d failed (first %d); want at most 1 undecided and none failed", seeds, u, f, first)
	}
	if u, _, _ := count(def); u < seeds/2 {
		t.Errorf("with the hunt's default shape only %d of %d seeds undecided: the test no longer shows what the shape is for", u, seeds)
	}
	planted, err := scenarios.HuntBugScenario(bug, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, f, _ := count(planted); f == 0 {
		t.Errorf("shed-after-work not caught in hunt seeds 1..%d", seeds)
	}
}
