package pbkvkind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/examples/pbkv/pbkvkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(pbkvkind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

// TestPartitions: the library scenario (partitions, isolation, crashes,
// clock jumps, a lossy network) is linearizable, keeps the invariants,
// recovers after the heal and converges.
func TestPartitions(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../scenarios/pbkv-partitions.yaml"), faultlinetest.Seeds(10), faultlinetest.Parallel())
}

// TestSwarm: every fault kind, overlapping, with the cluster size,
// clients and network drawn per seed.
func TestSwarm(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../scenarios/pbkv-swarm.yaml"), faultlinetest.Seeds(20), faultlinetest.Parallel())
}

// TestStaleReadsCaught: with the planted bug, a deposed primary's reads
// are not linearizable, and some seed shows it.
func TestStaleReadsCaught(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../scenarios/bugs/pbkv-stale-reads.yaml"), faultlinetest.Seeds(30),
		faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(scenarios.CheckLinearizable)))
}

// TestStaleReadsControl: the same scenario without the bug is green.
func TestStaleReadsControl(t *testing.T) {
	sc := faultlinetest.Load(t, "../../scenarios/bugs/pbkv-stale-reads.yaml")
	sc.Cluster.Params = nil
	faultlinetest.Run(t, sc, faultlinetest.Seeds(10), faultlinetest.Parallel(), faultlinetest.NoDeterminismCheck())
}

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{heartbeat: 100ms, view_timeout: 150ms}", "view_timeout 150ms must be at least two heartbeats (200ms)"},
		{"{bugs: stale-read}", "stale-read"},
		{"{view_timeout: 0s}", "view_timeout"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: pbkv, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	if _, err := scenarios.Parse("small.yaml", []byte("cluster: {node: pbkv, size: 2}\n")); err == nil {
		t.Error("a 2-node pbkv cluster loaded; want an error (MinSize 3)")
	}
}

// TestContract runs Faultline's conformance suite over the kind, with both
// workloads it speaks.
func TestContract(t *testing.T) {
	nodetest.Run(t, pbkvkind.Kind())
	nodetest.Run(t, pbkvkind.Kind(), nodetest.Options{Workload: "register"})
}

// pbkv declares its replication message, so the generic hunt gives half
// of its seeds a replication storm timed on Prepare.
func TestHuntReplicationStorm(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "pbkv"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Swarm == nil || sc.Swarm.ReplicationStorm.IsZero() {
		t.Fatalf("the pbkv hunt scenario has no replication storm: %+v", sc.Swarm)
	}
	if k, _ := scenarios.LookupNode("pbkv"); k.Hunt.Replication != "Prepare" {
		t.Errorf("Hunt.Replication = %q, want Prepare", k.Hunt.Replication)
	}
}

// TestOpsPerClient: an outside protocol gets workload.ops_per_client from
// the stock kv clients: each client issues at most that many operations
// before the heal (its liveness probes come after).
func TestOpsPerClient(t *testing.T) {
	const cap = 4
	for _, w := range []string{"kv, keys: 2", "register"} {
		sc, err := scenarios.Parse("opcap.yaml", []byte("cluster: {node: pbkv, size: 3}\nworkload: {kind: "+w+", clients: 3, ops_per_client: 4}\nrun: {duration: 2s, heal: 1s}\n"))
		if err != nil {
			t.Fatal(err)
		}
		o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
		if o.History == nil {
			t.Fatalf("%s: no history: %s %s", w, o.Status, o.Reason)
		}
		n := map[string]int{}
		for _, op := range o.History.Ops {
			if op.Invoke < sc.Run.Duration {
				n[op.Client.String()]++
			}
		}
		if len(n) != 3 {
			t.Errorf("%s: %d clients issued operations, want 3 (%v)", w, len(n), n)
		}
		for c, k := range n {
			if k != cap {
				t.Errorf("%s: %s issued %d operations before the heal, want %d", w, c, k, cap)
			}
		}
	}
}
