package etcdraftkind_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/etcdraft/etcdraftkind"
	"github.com/faultline/faultline/scenarios"
)

// TestHuntFindsLostSessions: the generic hunt finds snapshot-without-
// sessions with nothing but the bug switch (no BugNeed: the swarm's
// snapshot thresholds make snapshots happen), and the invariants name it
// at the step a server applies a retried write that the others answer from
// their session tables. Hunt seed 200010 (run 10 of `faultline hunt --node
// etcdraft --params bugs=snapshot-without-sessions --first 200001`) fails
// so; with the bug removed the same seed passes.
func TestHuntFindsLostSessions(t *testing.T) {
	b := scenarios.PlantedBug{Node: "etcdraft", Bug: etcdraftkind.BugSnapshotWithoutSessions}
	if need, ok := etcdraftkind.Kind().BugNeeds[b.Bug]; ok {
		t.Fatalf("the bug declares a need (%+v): the hunt should find it with the switch alone", need)
	}
	const seed = 200010
	for _, planted := range []bool{true, false} {
		sc, err := scenarios.HuntBugScenario(b, planted)
		if err != nil {
			t.Fatal(err)
		}
		o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		switch {
		case planted && (o.Status != scenarios.StatusInvalid || !strings.Contains(o.Reason, "state-machine safety")):
			t.Errorf("the bug at hunt seed %d: %s: %s; want invalid, a state-machine safety violation", seed, o.Status, o.Reason)
		case !planted && o.Failed():
			t.Errorf("the correct etcdraft at hunt seed %d: %s: %s", seed, o.Status, o.Reason)
		}
	}
}
