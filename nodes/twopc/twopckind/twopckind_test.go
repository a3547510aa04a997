package twopckind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/bank/bankkind"
	"github.com/faultline/faultline/nodes/twopc/twopckind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(twopckind.Kind())
	scenarios.RegisterWorkload(bankkind.Workload())
	os.Exit(m.Run())
}

// TestLibrary: the library scenarios (crashes of the coordinator and the
// participants, partitions, pauses, a lossy network; the coordinator
// crashed for a fixed time) keep conservation, atomicity and no money
// created, decide everything after the heal and answer a read.
func TestLibrary(t *testing.T) {
	for _, c := range []struct {
		file  string
		seeds int
	}{{"twopc-crashes", 3}, {"twopc-blocking", 2}, {"twopc-swarm", 3}} {
		t.Run(c.file, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/"+c.file+".yaml"), faultlinetest.Seeds(c.seeds), faultlinetest.Parallel())
		})
	}
}

// TestBugsCaught: each planted bug's scenario goes red on atomicity, and
// green with the bug removed over the same seeds.
func TestBugsCaught(t *testing.T) {
	for _, bug := range twopckind.BugNames {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/twopc-"+bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.Seeds(20), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(bankkind.CheckAtomicity)))
		})
		t.Run(bug+"/off", func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/twopc-"+bug+".yaml")
			params := sc.Cluster.Params
			sc.Cluster.Params = nil
			for _, p := range params {
				if p.Key != "bugs" {
					sc.Cluster.Params = append(sc.Cluster.Params, p)
				}
			}
			faultlinetest.Run(t, sc, faultlinetest.Seeds(4), faultlinetest.NoDeterminismCheck())
		})
	}
}

// TestInvariantCatchesBugs: the online invariant (no attempt committed at
// one participant and aborted at another) stops the run at the step where
// a participant resolves an attempt the other way, for the bugs that do so.
func TestInvariantCatchesBugs(t *testing.T) {
	for _, bug := range []string{twopckind.BugForgetDecision, twopckind.BugUnilateralAbort} {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/twopc-"+bug+".yaml")
			sc.Check = []string{scenarios.CheckInvariants}
			faultlinetest.Run(t, sc, faultlinetest.Seeds(30), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(scenarios.CheckInvariants)))
		})
	}
}

// TestBlockingIsMeasured: with the coordinator crashed for 2s, some
// participant stays in doubt for most of it (the in-doubt maximum); the
// blocking is measured, not hidden by a timeout.
func TestBlockingIsMeasured(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "../../../scenarios/twopc-blocking.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	for _, c := range o.Checks {
		if c.Name != bankkind.CheckInDoubt {
			continue
		}
		for _, m := range c.Metrics {
			if m.Name == "in-doubt max ms" && m.Value < 1500 {
				t.Errorf("in-doubt max %v ms with the coordinator down 2s; want at least 1500", m.Value)
			}
			if m.Name == "in-doubt max ms" {
				return
			}
		}
	}
	t.Errorf("no in-doubt max among the checks %+v", o.Checks)
}

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{retransmit: 100ms, prepare_timeout: 150ms}", "prepare_timeout 150ms must be at least two retransmits (200ms)"},
		{"{bugs: forget}", "forget"},
		{"{inquiry: 0s}", "inquiry"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: twopc, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	for _, bad := range []string{
		"cluster: {node: twopc, size: 1}\n",
		"cluster: {node: twopc, size: 3}\ncheck: [linearizable]\n",
	} {
		if _, err := scenarios.Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("%q loaded; want an error", bad)
		}
	}
	// The workload's own constraints are load errors at the workload.
	_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: twopc, size: 3}\nworkload: {kind: bank, accounts: 1}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:2:") || !strings.Contains(err.Error(), "Bank.Accounts") {
		t.Errorf("one account: got %v, want a load error at bad.yaml:2 naming Bank.Accounts", err)
	}
}

// TestContract runs Faultline's conformance suite over the kind.
func TestContract(t *testing.T) { nodetest.Run(t, twopckind.Kind()) }
