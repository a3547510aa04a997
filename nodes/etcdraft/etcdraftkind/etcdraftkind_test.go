package etcdraftkind_test

import (
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/etcdraft"
	"github.com/faultline/faultline/nodes/etcdraft/etcdraftkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

// long is the repository's flag for measurements of minutes (the same
// name as in scenarios' tests).
var long = flag.Bool("faultline.long", false, "run the long measurements (minutes of CPU)")

func TestMain(m *testing.M) {
	scenarios.RegisterNode(etcdraftkind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

func load(t *testing.T, path string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestLibrary: the two library scenarios (raft-kv-partitions' and
// raft-kv-full's faults and checks) are green on a few seeds, and the
// first seed of each runs twice to the same trace.
func TestLibrary(t *testing.T) {
	for _, name := range []string{"etcdraft-partitions", "etcdraft-full", "etcdraft-membership", "etcdraft-membership-joint"} {
		t.Run(name, func(t *testing.T) {
			faultlinetest.Run(t, load(t, "../../../scenarios/"+name+".yaml"), faultlinetest.Seeds(3), faultlinetest.Parallel())
		})
	}
}

// TestProbes: the full scenario reaches etcd raft's moments of interest
// (seed 1 of the library scenario, measured: every probe fires).
func TestProbes(t *testing.T) {
	o := scenarios.RunSeed(load(t, "../../../scenarios/etcdraft-full.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	for _, p := range []string{etcdraft.ProbeLeaderChanged, etcdraft.ProbeBecameLeader, etcdraft.ProbeSnapshotTaken,
		etcdraft.ProbeSnapshotSent, etcdraft.ProbeReadIndexServed, etcdraft.ProbeRetriedWrite} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 1", p)
		}
	}
}

// TestMembershipProbes: the membership scenario adds n4 and n5 as
// learners, promotes them and removes the leavers (seed 1, measured).
func TestMembershipProbes(t *testing.T) {
	o := scenarios.RunSeed(load(t, "../../../scenarios/etcdraft-membership.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	for _, p := range []string{etcdraft.ProbeConfChangeProposed, etcdraft.ProbeConfChangeApplied,
		etcdraft.ProbeLearnerAdded, etcdraft.ProbeLearnerPromoted, etcdraft.ProbeRemoved} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 1", p)
		}
	}
}

// TestJointConsensus: with joint_consensus every change goes through a
// joint configuration, which etcd raft leaves by itself; the single-step
// scenario never enters one (seed 1 of each, measured).
func TestJointConsensus(t *testing.T) {
	joint := scenarios.RunSeed(load(t, "../../../scenarios/etcdraft-membership-joint.yaml"), 1, scenarios.RunOptions{})
	single := scenarios.RunSeed(load(t, "../../../scenarios/etcdraft-membership.yaml"), 1, scenarios.RunOptions{})
	if joint.Failed() || single.Failed() {
		t.Fatalf("seed 1: joint %s (%s), single %s (%s)", joint.Status, joint.Reason, single.Status, single.Reason)
	}
	for _, p := range []string{etcdraft.ProbeJointEntered, etcdraft.ProbeJointLeft, etcdraft.ProbeLearnerPromoted, etcdraft.ProbeRemoved} {
		if joint.Probes[p] == 0 {
			t.Errorf("joint: probe %q never fired in seed 1", p)
		}
	}
	if single.Probes[etcdraft.ProbeJointEntered] != 0 {
		t.Errorf("single-step changes entered a joint configuration")
	}
}

// TestBugsCaught: each planted bug's scenario goes red, the way the bug
// shows (a vote lost: two leaders of a term, an invariant; stale reads:
// linearizability; a lost session table: a retry applied on one server
// and answered from the table on another, an invariant), within the
// seeds measured.
func TestBugsCaught(t *testing.T) {
	for _, c := range []struct {
		bug, check string
		seeds      int
	}{
		{etcdraftkind.BugHardStateNotSynced, scenarios.CheckInvariants, 6},
		{etcdraftkind.BugReadWithoutReadIndex, scenarios.CheckLinearizable, 4},
		{etcdraftkind.BugSnapshotWithoutSessions, scenarios.CheckInvariants, 12},
	} {
		t.Run(c.bug, func(t *testing.T) {
			sc := load(t, "../../../scenarios/bugs/etcdraft-"+c.bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.Seeds(c.seeds), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(c.check)))
		})
	}
}

// TestBugNames: every field of etcdraft.Bugs has a name.
func TestBugNames(t *testing.T) {
	if n := reflect.TypeFor[etcdraft.Bugs]().NumField(); n != len(etcdraftkind.BugNames) {
		t.Errorf("etcdraft.Bugs has %d fields, BugNames %d names", n, len(etcdraftkind.BugNames))
	}
}

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{election_ticks: 5, heartbeat_ticks: 5}", "election ticks 5 must exceed heartbeat ticks 5"},
		{"{bugs: read-without-read-index}", "read-without-read-index"},
		{"{tick: 0s}", "tick"},
		{"{pre_vote: maybe}", "pre_vote"},
		{"{initial_voters: -1}", "initial_voters"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: etcdraft, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	if _, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: etcdraft, size: 2}\n")); err == nil {
		t.Error("a 2-node cluster loaded; want an error (MinSize 3)")
	}
}

// TestContract runs Faultline's conformance suite over the kind, with both
// workloads it speaks, PreVote and CheckQuorum on and off.
func TestContract(t *testing.T) {
	for _, w := range []string{"kv", "register"} {
		t.Run(w, func(t *testing.T) { nodetest.Run(t, etcdraftkind.Kind(), nodetest.Options{Workload: w}) })
	}
	t.Run("no-prevote-no-checkquorum", func(t *testing.T) {
		nodetest.Run(t, etcdraftkind.Kind(), nodetest.Options{Params: []scenarios.Param{{Key: "pre_vote", Value: "false"}, {Key: "check_quorum", Value: "false"}}})
	})
	// Servers beyond the first voter start as non-members and join.
	t.Run("initial-voters", func(t *testing.T) {
		nodetest.Run(t, etcdraftkind.Kind(), nodetest.Options{Params: []scenarios.Param{{Key: "initial_voters", Value: "1"}}})
	})
}

// TestDeterminismLong: the double-run check (every event of two runs of
// a seed compared) over seeds 1..200 of the full nemesis, where crashes,
// restarts, power losses and snapshots make etcd raft draw its election
// timeouts at every kind of moment. Behind -faultline.long:
//
//	go test ./nodes/etcdraft/etcdraftkind -run TestDeterminismLong -faultline.long -v
func TestDeterminismLong(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	sc := load(t, "../../../scenarios/etcdraft-full.yaml")
	for seed := uint64(1); seed <= 200; seed++ {
		if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
	t.Log("200 seeds, each run twice: identical traces")
}
