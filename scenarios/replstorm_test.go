package scenarios_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

// swarm.replication_storm gives a controlled share of the seeds of a kind
// that declares its replication message a replication storm — the
// smallest cluster, the kind's storm parameters, the crash-on-send and the
// bursts of loss of that message as script steps, labelled beyond the
// budget — and leaves every other seed exactly as it is without the knob.
// A kind that declares no replication message gets no knob, so its hunt
// is as it was.
func TestSwarmReplicationStormShare(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Swarm.ReplicationStorm != scenarios.HuntReplicationStorm {
		t.Fatalf("hunt gives %v of its seeds a replication storm, want %v", sc.Swarm.ReplicationStorm, scenarios.HuntReplicationStorm)
	}
	back, err := scenarios.Parse("back.yaml", scenarios.Format(sc))
	if err != nil || back.Swarm.ReplicationStorm != sc.Swarm.ReplicationStorm {
		t.Fatalf("swarm.replication_storm does not round-trip: %v", err)
	}
	// etcdraft declares MsgApp (its RaftMessage is a nodes.Envelope).
	if e, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "etcdraft"}); err != nil || e.Swarm.ReplicationStorm != scenarios.HuntReplicationStorm {
		t.Errorf("etcdraft's hunt: replication storms %v (%v), want %v", e.Swarm.ReplicationStorm, err, scenarios.HuntReplicationStorm)
	}
	for _, node := range []string{"paxos", "abd"} {
		other, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: node})
		if err != nil {
			t.Fatal(err)
		}
		if !other.Swarm.ReplicationStorm.IsZero() || strings.Contains(string(scenarios.Format(other)), "replication_storm") {
			t.Errorf("%s declares no replication message, but its hunt draws replication storms", node)
		}
	}
	off := sc.Clone()
	off.Swarm.ReplicationStorm = sim.Never
	const n = 800
	storms := 0
	for seed := uint64(1); seed <= n; seed++ {
		x := scenarios.ApplySwarm(sc, seed)
		knobs := scenarios.SwarmKnobs(sc, seed)
		if !strings.Contains(knobs, "replication storm true") {
			if a, b := string(scenarios.Format(x)), string(scenarios.Format(scenarios.ApplySwarm(off, seed))); a != b {
				t.Fatalf("seed %d: without a storm, the knob changed the drawn scenario:\n%s\nvs\n%s", seed, a, b)
			}
			continue
		}
		storms++
		if !x.Nemesis.BeyondBudget || !strings.Contains(knobs, "beyond budget true") {
			t.Fatalf("seed %d: a replication storm not labelled beyond the budget: %s", seed, knobs)
		}
		if x.Cluster.Size != sc.Swarm.Size.Min {
			t.Errorf("seed %d: a replication storm on %d servers, want the swarm's smallest, %d", seed, x.Cluster.Size, sc.Swarm.Size.Min)
		}
		if p := paramOf(x, "max_entries_per_append"); p != "4" {
			t.Errorf("seed %d: a replication storm with max_entries_per_append %q, want the kind's 4", seed, p)
		}
		var crash, bursts int
		for _, st := range x.Nemesis.Script {
			switch st.Fault {
			case "crash-on-send all 1ms..50ms AppendEntries after 1..6":
				crash++
			case "drop-type AppendEntries":
				bursts++
			default:
				t.Errorf("seed %d: unexpected storm step %+v", seed, st)
			}
		}
		if crash != 1 || bursts != 5 {
			t.Errorf("seed %d: %d crash-on-send and %d bursts, want 1 and 5", seed, crash, bursts)
		}
		if storms == 1 { // the resolved scenario replays the storm
			rt, err := scenarios.Parse("x.yaml", scenarios.Format(x))
			if err != nil || len(rt.Nemesis.Script) != len(x.Nemesis.Script) || !rt.Nemesis.BeyondBudget {
				t.Fatalf("seed %d: the storm does not round-trip: %v", seed, err)
			}
			if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{CheckSteps: 1000}); err != nil {
				t.Errorf("replication-storm seed %d: %v", seed, err)
			}
		}
	}
	if lo, hi := n/2-n/16, n/2+n/16; storms < lo || storms > hi {
		t.Errorf("%d of %d seeds with a replication storm, want about 1/2 (%d..%d)", storms, n, lo, hi)
	}
	// A scenario cannot ask for storms of a kind with no replication message.
	bad := strings.Replace(string(scenarios.Format(sc)), "node: raftkv", "node: paxos", 1)
	if _, err := scenarios.Parse("bad.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "declares no replication message") {
		t.Errorf("replication_storm on paxos: %v, want an error naming the missing declaration", err)
	}
}

func paramOf(sc *scenarios.Scenario, key string) string {
	for _, p := range sc.Cluster.Params {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// The generic hunt reaches raftkv figure8-commit through the replication
// storm: at hunt seed replicationStormSeed (a storm seed) the bug loses a
// committed entry, caught by the online invariant at the step, and the
// correct Raft KV passes the same seed. A hunt labels the seed with the
// storm's strategy, not the crash-on-send storm's, and so it does the
// seed's resolved scenario (a corpus mutant's or a shrink's start).
// replicationStormSeed is a hunt seed the storm reaches figure8-commit at.
const replicationStormSeed = 200039

func TestReplicationStormReachesFigure8(t *testing.T) {
	const seed = replicationStormSeed
	hunt := func(params []scenarios.Param) *scenarios.Scenario {
		t.Helper()
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv", Workload: "kv", Params: params})
		if err != nil {
			t.Fatal(err)
		}
		sc.Check = []string{scenarios.CheckInvariants} // the invariant is the catch; no linearizability search
		return sc
	}
	buggy := hunt([]scenarios.Param{{Key: "bugs", Value: "figure8-commit"}})
	if k := scenarios.SwarmKnobs(buggy, seed); !strings.Contains(k, "replication storm true") {
		t.Fatalf("seed %d draws no replication storm: %s", seed, k)
	}
	out := scenarios.RunSeed(buggy, seed, scenarios.RunOptions{})
	if out.Status != scenarios.StatusInvalid || !(strings.Contains(out.Failure, "leader completeness") || strings.Contains(out.Failure, "state machine safety")) {
		t.Errorf("figure8-commit at hunt seed %d: %s %s, want a lost committed entry", seed, out.Status, out.Failure)
	}
	if c := scenarios.RunSeed(hunt(nil), seed, scenarios.RunOptions{}); c.Status != scenarios.StatusValid {
		t.Errorf("correct raftkv at hunt seed %d: %s %s, want valid", seed, c.Status, c.Failure)
	}
	res, err := scenarios.Hunt(context.Background(), buggy, scenarios.HuntOptions{First: seed, Seeds: 1, Workers: 1, ShrinkBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failure == nil || !slices.Contains(res.FailureStrategies, scenarios.StrategyReplicationStorm) || slices.Contains(res.FailureStrategies, scenarios.StrategyCrashOnSend) {
		t.Errorf("hunt at seed %d: failure %v, strategies %v, want %s and not %s", seed, res.Failure != nil, res.FailureStrategies, scenarios.StrategyReplicationStorm, scenarios.StrategyCrashOnSend)
	}
	// The seed's resolved scenario (what a corpus mutant or a shrink
	// starts from: no swarm section) scripts the storm and keeps its label.
	res, err = scenarios.Hunt(context.Background(), scenarios.ApplySwarm(buggy, seed), scenarios.HuntOptions{First: seed, Seeds: 1, Workers: 1, ShrinkBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failure == nil || !slices.Contains(res.FailureStrategies, scenarios.StrategyReplicationStorm) || slices.Contains(res.FailureStrategies, scenarios.StrategyCrashOnSend) {
		t.Errorf("resolved seed %d: failure %v, strategies %v, want %s and not %s", seed, res.Failure != nil, res.FailureStrategies, scenarios.StrategyReplicationStorm, scenarios.StrategyCrashOnSend)
	}
}

// A hunt counts its replication storms and the runs among them that sent
// the declared message: Raft KV's AppendEntries goes out in every storm; a
// kind whose declaration names a message it never sends ("AppendEntry")
// gets storms that crash nothing, and the result says so (Idle) with the
// types its servers did send.
func TestReplicationStormsTally(t *testing.T) {
	for _, tc := range []struct {
		node string
		idle bool
	}{{"raftkv", false}, {"test-misspelt", true}} {
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: tc.node})
		if err != nil {
			t.Fatal(err)
		}
		sc.Check = []string{scenarios.CheckInvariants}
		storms := 0
		for seed := uint64(1); seed <= 12; seed++ {
			if strings.Contains(scenarios.SwarmKnobs(sc, seed), "replication storm true") {
				storms++
			}
		}
		res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: 1, Seeds: 12, Workers: 2, ShrinkBudget: -1})
		if err != nil {
			t.Fatal(err)
		}
		r := res.ReplicationStorms
		if r == nil || storms == 0 || r.Runs != storms || r.Idle() != tc.idle {
			t.Fatalf("%s: %d storm seeds of 12; tally %+v, want idle %t", tc.node, storms, r, tc.idle)
		}
		if tc.idle && (r.Sent != 0 || !slices.Contains(r.Others, "AppendEntries")) {
			t.Errorf("%s: %+v, want none sent and AppendEntries among the others", tc.node, r)
		}
		if !tc.idle && (r.Sent != r.Runs || r.Others != nil) {
			t.Errorf("%s: %+v, want every storm run to send AppendEntries", tc.node, r)
		}
	}
	// A kind that declares none has no tally.
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "abd"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: 1, Seeds: 2, Workers: 1, ShrinkBudget: -1})
	if err != nil || res.ReplicationStorms != nil {
		t.Errorf("abd: %v, %+v; want no tally", err, res.ReplicationStorms)
	}
}
