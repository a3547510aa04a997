package queuekind_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/queue/queuekind"
	"github.com/faultline/faultline/scenarios"
)

// TestHuntJudges: the generic hunt of the queue runs with the kind's shape
// (queuekind.Hunt) — a heal the consumers can drain in, and a consumer in
// every group — and judges its seeds, where the hunt's default shape (3s
// heal, 1..6 clients) leaves most of them undecided; with the shape the
// planted dedup-not-persisted is caught in the first seeds.
func TestHuntJudges(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: queuekind.Name})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Run.Heal != queuekind.Hunt.Heal || sc.Swarm.Clients.Min != queuekind.Hunt.MinClients {
		t.Fatalf("hunt scenario: heal %v, clients %v; want the kind's %v and at least %d", sc.Run.Heal, sc.Swarm.Clients, queuekind.Hunt.Heal, queuekind.Hunt.MinClients)
	}
	def := sc.Clone()
	def.Run.Heal = 3 * time.Second
	def.Swarm.Clients = scenarios.IntRange{Min: 1, Max: 6}
	const seeds = 12
	count := func(sc *scenarios.Scenario) (undecided, failed int) {
		for seed := uint64(1); seed <= seeds; seed++ {
			o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
			switch {
			case o.Status == scenarios.StatusUnknown:
				undecided++
			case o.Failed():
				failed++
				t.Errorf("the correct queue failed hunt seed %d: %s: %s", seed, o.Status, o.Reason)
			}
		}
		return undecided, failed
	}
	if u, _ := count(sc); u > 1 {
		t.Errorf("with the kind's shape %d of %d seeds undecided, want at most 1", u, seeds)
	}
	if u, _ := count(def); u < seeds/2 {
		t.Errorf("with the default shape only %d of %d seeds undecided: the test no longer shows what the shape is for", u, seeds)
	}

	bug, err := scenarios.HuntBugScenario(scenarios.PlantedBug{Node: queuekind.Name, Bug: queuekind.BugDedupNotPersisted}, true)
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		if o := scenarios.RunSeed(bug, seed, scenarios.RunOptions{}); o.Failed() {
			return
		}
	}
	t.Errorf("dedup-not-persisted not caught in hunt seeds 1..%d", seeds)
}
