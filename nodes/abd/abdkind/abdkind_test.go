package abdkind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/abd/abdkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(abdkind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

// TestPartitions: the library scenario (partitions, isolation, crashes,
// pauses, clock jumps, a lossy network) is linearizable, keeps the
// invariants and recovers after the heal.
func TestPartitions(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/abd-partitions.yaml"), faultlinetest.Seeds(3), faultlinetest.Parallel())
}

// TestRetries: with a 10ms attempt timeout over a lossy network, writes
// are retried at other coordinators while the first attempt still runs;
// each keeps one tag (the invariant) and the history stays linearizable.
func TestRetries(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/abd-retries.yaml"), faultlinetest.Seeds(4), faultlinetest.Parallel(), faultlinetest.NoDeterminismCheck())
}

// TestRetriesAreExercised: the retry scenario does what it is for — some
// write is re-coordinated and adopts the tag reserved by an earlier
// attempt, and some reservation meets another coordinator's tag.
func TestRetriesAreExercised(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "../../../scenarios/abd-retries.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	for _, p := range []string{"abd: retried write adopted its reserved tag", "abd: write took the tag another coordinator reserved"} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 1", p)
		}
	}
}

// TestBugsCaught: each planted bug's scenario goes red on linearizability,
// and green with the bug removed (over the seeds up to the catch).
func TestBugsCaught(t *testing.T) {
	for _, bug := range abdkind.BugNames {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/abd-"+bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.Seeds(20), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(scenarios.CheckLinearizable)))
		})
	}
}

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{retransmit: 100ms, op_timeout: 150ms}", "op_timeout 150ms must be at least two retransmits (200ms)"},
		{"{bugs: no-writeback}", "no-writeback"},
		{"{retransmit: 0s}", "retransmit"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: abd, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	for _, bad := range []string{
		"cluster: {node: abd, size: 2}\n",
		"cluster: {node: abd, size: 3}\ncheck: [convergence]\n",
		"cluster: {node: abd, size: 3}\nnemesis: {script: [{at: 1s, fault: crash leader}]}\n",
	} {
		if _, err := scenarios.Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("%q loaded; want an error (MinSize 3, no digest, no leader)", bad)
		}
	}
}

// TestContract runs Faultline's conformance suite over the kind, with both
// workloads it speaks (the kind declares the operations it performs, so
// the suite's mix leaves out cas and append).
func TestContract(t *testing.T) {
	for _, w := range []string{"kv", "register"} {
		t.Run(w, func(t *testing.T) { nodetest.Run(t, abdkind.Kind(), nodetest.Options{Workload: w}) })
	}
}
