package pbkind_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/pb"
	"github.com/faultline/faultline/nodes/pb/pbkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(pbkind.Kind())
	scenarios.RegisterNode(strictKind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

// strictKind is pb with sync mode's invariants whatever the mode: in
// async mode they report the first acknowledged write a failover lost.
func strictKind() scenarios.NodeKind {
	k := pbkind.Kind()
	k.Name = "pb-strict"
	build := k.Build
	k.Build = func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
		pr, err := build(p, size)
		if err != nil {
			return nil, err
		}
		pr.Invariants = func(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
			return pbkind.NewInvariants(pb.Sync, func(id nodes.ID) *pb.Node {
				s, _ := node(id).(*pb.Node)
				return s
			}).Check
		}
		return pr, nil
	}
	return k
}

const lib = "../../../scenarios/"

func seeds(n int) faultlinetest.Option {
	if testing.Short() {
		n = max(1, n/4)
	}
	return faultlinetest.Seeds(n)
}

// The node contract, in both modes and with both workloads. Async mode
// promises convergence only: the contract's restarts may lose an
// acknowledged write there.
func TestContract(t *testing.T) {
	sync := []scenarios.Param{{Key: "mode", Value: "sync"}}
	nodetest.Run(t, pbkind.Kind(), nodetest.Options{Params: sync})
	nodetest.Run(t, pbkind.Kind(), nodetest.Options{Params: sync, Workload: "register"})
	nodetest.Run(t, pbkind.Kind(), nodetest.Options{Params: []scenarios.Param{{Key: "mode", Value: "async"}}, Promise: scenarios.PromiseEventual})
}

// Sync mode is linearizable, keeps its invariants, recovers and converges
// under partitions, isolation, crashes, pauses and clock jumps, and under
// every fault kind overlapping with swarm-drawn clusters.
func TestSyncLibrary(t *testing.T) {
	for _, name := range []string{"pb-sync-partitions.yaml", "pb-swarm.yaml"} {
		t.Run(name, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, lib+name), seeds(20), faultlinetest.Parallel())
		})
	}
}

// The async failover scenario is green under its promise (eventual):
// lost writes are measured, not failures.
func TestAsyncFailoverScenario(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, lib+"pb-async-failover.yaml"), seeds(10), faultlinetest.Parallel())
}

// TestAsyncLosesAcknowledgedWrites shows async mode's trade-off on the
// async failover scenario: over the same seeds, with every check required,
// async mode fails linearizable and lost-writes, and (in runs of their
// own, since a violation stops the run) sync mode's invariant that
// acknowledged writes survive; sync mode passes all three.
func TestAsyncLosesAcknowledgedWrites(t *testing.T) {
	n := uint64(20)
	if testing.Short() {
		n = 5
	}
	base := faultlinetest.Load(t, lib+"pb-async-failover.yaml")
	type count struct{ lin, lost, lostWrites, inv int }
	counts := map[string]*count{}
	for _, mode := range []string{"async", "sync"} {
		sc := base.Clone()
		sc.Cluster.Params = []scenarios.Param{{Key: "mode", Value: mode}}
		sc.Check = []string{"linearizable", "lost-writes", "invariants", "liveness", "convergence"}
		sc.Promise = scenarios.PromiseAll
		strict := sc.Clone()
		strict.Cluster.Node = "pb-strict"
		strict.Check = []string{"invariants"}
		c := &count{}
		counts[mode] = c
		for seed := uint64(1); seed <= n; seed++ {
			o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{CheckBudget: 10 * time.Second})
			for _, ck := range o.Checks {
				switch {
				case ck.Verdict != checker.Invalid:
				case strings.HasPrefix(ck.Name, "linearizable"):
					c.lin++
				case ck.Name == "lost-writes":
					c.lost++
				default:
					t.Errorf("%s seed %d: %s failed: %s", mode, seed, ck.Name, ck.Explanation)
				}
				for _, m := range ck.Metrics {
					if m.Name == "lost writes" {
						c.lostWrites += int(m.Value)
					}
				}
			}
			if o.Status == scenarios.StatusPanic || o.Status == scenarios.StatusUnknown {
				t.Errorf("%s seed %d: %s: %s", mode, seed, o.Status, o.Reason)
			}
			if o := scenarios.RunSeed(strict, seed, scenarios.RunOptions{}); o.Status == scenarios.StatusInvalid {
				c.inv++
				if !strings.Contains(o.Reason, "acknowledged write lost") {
					t.Errorf("%s seed %d: an invariant other than lost writes failed: %s", mode, seed, o.Reason)
				}
			} else if o.Failed() {
				t.Errorf("%s seed %d with sync's invariants: %s: %s", mode, seed, o.Status, o.Reason)
			}
		}
		t.Logf("%s over seeds 1..%d: linearizable failed on %d, lost-writes on %d (%d acknowledged writes lost in all), the acknowledged-writes invariant on %d",
			mode, n, c.lin, c.lost, c.lostWrites, c.inv)
	}
	if a := counts["async"]; a.lin == 0 || a.lost == 0 || a.inv == 0 {
		t.Errorf("async mode lost no acknowledged write on seeds 1..%d (linearizable %d, lost-writes %d, invariant %d failures): the scenario no longer shows the trade-off", n, a.lin, a.lost, a.inv)
	}
	if s := counts["sync"]; s.lin+s.lost+s.inv > 0 {
		t.Errorf("sync mode failed on the same seeds: linearizable %d, lost-writes %d, invariant %d", s.lin, s.lost, s.inv)
	}
}

// A backup that stops answering (crashed for three seconds) is left out
// of the view by a view change, so sync-mode writes go on without it; once
// it is back and caught up, another view change lets it in again.
func TestSyncExcludesAndReadmitsABackup(t *testing.T) {
	sc := faultlinetest.Load(t, lib+"pb-sync-partitions.yaml")
	sc.Cluster.Size = 3
	sc.Nemesis = scenarios.Nemesis{Script: []scenarios.Step{{At: time.Second, Fault: "crash n3", For: 3 * time.Second}}}
	sc.Run = scenarios.RunSpec{Duration: 6 * time.Second, Heal: 2 * time.Second}
	o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("%s", scenarios.Explain(sc, &o, ""))
	}
	for _, p := range []string{"pb: view change excludes an unresponsive backup", "pb: view change readmits a caught-up backup"} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired", p)
		}
	}
	ok := 0
	for _, op := range o.History.Ops {
		if !op.Kind.IsRead() && op.Outcome == nodes.OK && op.Invoke > 1500*time.Millisecond && op.Return < 4*time.Second {
			ok++
		}
	}
	if ok == 0 {
		t.Error("no write completed while n3 was down")
	}
	t.Logf("%d writes completed while n3 was down", ok)
}

// Every planted bug is caught by its library scenario, by the check that
// names it.
func TestBugsCaught(t *testing.T) {
	for _, c := range []struct{ file, check string }{
		{"pb-ack-before-backup.yaml", scenarios.CheckInvariants},
		{"pb-view-not-persisted.yaml", scenarios.CheckInvariants},
		{"pb-stale-primary-reads.yaml", scenarios.CheckLinearizable},
	} {
		t.Run(c.file, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, lib+"bugs/"+c.file), faultlinetest.Seeds(60),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(c.check)))
		})
	}
}

// Every field of pb.Bugs has a name, and the names parse.
func TestBugNames(t *testing.T) {
	if n := reflect.TypeFor[pb.Bugs]().NumField(); n != len(pbkind.BugNames) {
		t.Errorf("pb.Bugs has %d fields, BugNames %d names", n, len(pbkind.BugNames))
	}
	for _, b := range pbkind.BugNames {
		if _, err := scenarios.Parse("x.yaml", []byte("cluster: {node: pb, params: {bugs: "+b+"}}\n")); err != nil {
			t.Errorf("bug %s: %v", b, err)
		}
	}
}

// A bad parameter is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{mode: semi}", "want one of sync, async"},
		{"{heartbeat: 100ms, view_timeout: 150ms}", "view_timeout 150ms must be at least two heartbeats (200ms)"},
		{"{heartbeat: 100ms, backup_timeout: 50ms}", "backup_timeout 50ms must be at least one heartbeat (100ms)"},
		{"{mode: async, bugs: ack-before-backup}", "sync mode only"},
		{"{bugs: stale-reads}", "stale-reads"},
		{"{view_timeout: 0s}", "view_timeout"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: pb, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	if _, err := scenarios.Parse("small.yaml", []byte("cluster: {node: pb, size: 2}\n")); err == nil {
		t.Error("a 2-node pb cluster loaded; want an error (MinSize 3)")
	}
}
