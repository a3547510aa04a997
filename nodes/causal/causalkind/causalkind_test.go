package causalkind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/causal/causalkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(causalkind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

// TestPartitions: the library scenario (partitions, isolation, crashes,
// pauses, clock jumps, a lossy, duplicating, reordering network) is
// causal across keys, keeps the invariants (every replica causally
// closed, its clock above its stamps), recovers and converges after the
// heal; the first seed runs twice (determinism).
func TestPartitions(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/causal-partitions.yaml"), faultlinetest.Seeds(3), faultlinetest.Parallel())
}

// TestSwarm: every network, process, disk-loss and clock fault,
// overlapping, with the cluster, clients, keys and network drawn per seed.
func TestSwarm(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/causal-swarm.yaml"), faultlinetest.Seeds(3), faultlinetest.Parallel())
}

// TestMechanismsAreExercised: the scenario does what it is for — updates
// wait for their dependencies and are delivered later, clients that move
// wait for their past, retried writes are found applied, and anti-entropy
// repairs what was lost.
func TestMechanismsAreExercised(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "../../../scenarios/causal-partitions.yaml"), 2, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 2: %s: %s", o.Status, o.Reason)
	}
	for _, p := range []string{
		"causal: update buffered until its dependencies are visible",
		"causal: buffered update delivered",
		"causal: request parked until the client's past is visible",
		"causal: parked request served once its past arrived",
		"causal: retried write found already applied",
		"causal: anti-entropy brought newer versions",
	} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 2", p)
		}
	}
}

// TestBugsCaught: each planted bug's scenario goes red on the causal
// check, and green with the bug removed over the same seeds.
func TestBugsCaught(t *testing.T) {
	for _, bug := range causalkind.BugNames {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/causal-"+bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.Seeds(20), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(scenarios.CheckCausal)))
			fixed := *sc
			fixed.Cluster.Params = nil
			for _, p := range sc.Cluster.Params {
				if p.Key != "bugs" {
					fixed.Cluster.Params = append(fixed.Cluster.Params, p)
				}
			}
			faultlinetest.Run(t, &fixed, faultlinetest.Seeds(5), faultlinetest.NoDeterminismCheck())
		})
	}
}

// TestParamErrors: a bad parameter is a load error naming it.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{anti_entropy: 0s}", "anti_entropy"},
		{"{bugs: deliver-early}", "deliver-early"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: causal, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	for _, bad := range []string{
		"cluster: {node: causal, size: 1}\n",
		"cluster: {node: causal, size: 3}\nnemesis: {script: [{at: 1s, fault: crash leader}]}\n",
	} {
		if _, err := scenarios.Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("%q loaded; want an error (MinSize 2, no leader)", bad)
		}
	}
}

// TestContract runs Faultline's conformance suite over the kind, with both
// workloads it speaks.
func TestContract(t *testing.T) {
	for _, w := range []string{"kv", "register"} {
		t.Run(w, func(t *testing.T) {
			nodetest.Run(t, causalkind.Kind(), nodetest.Options{Workload: w, Promise: scenarios.PromiseCausal})
		})
	}
}
