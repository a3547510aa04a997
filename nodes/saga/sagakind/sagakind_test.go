package sagakind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/bank/bankkind"
	"github.com/faultline/faultline/nodes/saga/sagakind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(sagakind.Kind())
	scenarios.RegisterWorkload(bankkind.Workload())
	os.Exit(m.Run())
}

// TestLibrary: the library scenarios keep atomicity at the end and no
// money created, and decide every saga after the heal.
func TestLibrary(t *testing.T) {
	for _, c := range []struct {
		file  string
		seeds int
	}{{"saga-partitions", 3}, {"saga-blocking", 2}, {"saga-swarm", 3}} {
		t.Run(c.file, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/"+c.file+".yaml"), faultlinetest.Seeds(c.seeds), faultlinetest.Parallel())
		})
	}
}

// TestAnomaliesAreMeasured: the Saga promises no atomic reads; reads see
// transfers half-done, and conservation measures their share without
// failing the run. Compensations and recovery really happen.
func TestAnomaliesAreMeasured(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "../../../scenarios/saga-partitions.yaml"), 3, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 3: %s: %s", o.Status, o.Reason)
	}
	share := -1.0
	for _, c := range o.Checks {
		if c.Name == bankkind.CheckConservation {
			if !c.Measured {
				t.Errorf("conservation is not reported as measured under the promise eventual")
			}
			for _, m := range c.Metrics {
				if m.Name == "anomaly share" {
					share = m.Value
				}
			}
		}
	}
	if share <= 0 || share >= 1 {
		t.Errorf("anomaly share %v; want some reads, not all, to see a transfer half-done", share)
	}
	for _, p := range []string{"saga: credit cancelled, compensating the debit", "saga: orchestrator re-drives unfinished sagas after a restart"} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 3", p)
		}
	}
}

// TestBugsCaught: the planted bug creates money (no-money-created), and
// its scenario is green with the bug removed.
func TestBugsCaught(t *testing.T) {
	for _, bug := range sagakind.BugNames {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/saga-"+bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.Seeds(20), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(bankkind.CheckNoMoneyCreated)))
		})
		t.Run(bug+"/off", func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/saga-"+bug+".yaml")
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

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{retransmit: 100ms, step_timeout: 150ms}", "step_timeout 150ms must be at least two retransmits (200ms)"},
		{"{bugs: compensation}", "compensation"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: saga, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
}

// TestContract runs Faultline's conformance suite over the kind, with the
// clients routed to their home servers.
func TestContract(t *testing.T) {
	nodetest.Run(t, sagakind.Kind(), nodetest.Options{WorkloadParams: []scenarios.Param{{Key: "route", Value: "home"}}, Promise: scenarios.PromiseEventual})
}
