package paxoskind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/paxos"
	"github.com/faultline/faultline/nodes/paxos/paxoskind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(paxoskind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

const lib = "../../../scenarios/"

func seeds(n int) faultlinetest.Option {
	if testing.Short() {
		n = max(1, n/2)
	}
	return faultlinetest.Seeds(n)
}

// TestContract runs Faultline's conformance suite over the kind: both
// workloads it speaks, and lease reads.
func TestContract(t *testing.T) {
	for _, c := range []struct {
		name, workload string
		params         []scenarios.Param
	}{
		{"kv", "kv", nil},
		{"register", "register", nil},
		{"kv-lease", "kv", []scenarios.Param{{Key: "read_mode", Value: "lease"}, {Key: "snapshot_every", Value: "8"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			nodetest.Run(t, paxoskind.Kind(), nodetest.Options{Workload: c.workload, Params: c.params, Seeds: 2})
		})
	}
}

// TestLibrary: the library scenarios (partitions, the full nemesis, lease
// reads) are linearizable, keep the invariants, recover after the heal and
// converge. The determinism double-run covers the first seed of each.
func TestLibrary(t *testing.T) {
	for _, c := range []struct {
		name  string
		seeds int
	}{
		{"paxos-partitions.yaml", 4},
		{"paxos-full.yaml", 3},
		{"paxos-lease.yaml", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, lib+c.name), seeds(c.seeds), faultlinetest.Parallel())
		})
	}
}

// TestBugsCaught: each planted bug's scenario goes red (from the seed
// given on, a few seeds known to catch it quickly), and the same scenario
// without the bug stays green over as many seeds.
func TestBugsCaught(t *testing.T) {
	for _, c := range []struct {
		bug   string
		first uint64
	}{
		{paxoskind.BugPromiseNotPersisted, 1},
		{paxoskind.BugSkipPhase1Unlearned, 2},
		{paxoskind.BugOwnValue, 2},
	} {
		t.Run(c.bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, lib+"bugs/paxos-"+c.bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.FirstSeed(c.first), faultlinetest.Seeds(3), faultlinetest.NoDeterminismCheck(),
				faultlinetest.StopAtFirstFailure(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(scenarios.CheckInvariants)))
			ctl := sc.Clone()
			ctl.Name += "-control"
			ctl.Cluster.Params = withoutBugs(ctl.Cluster.Params)
			faultlinetest.Run(t, ctl, faultlinetest.FirstSeed(c.first), faultlinetest.Seeds(3), faultlinetest.NoDeterminismCheck(), faultlinetest.Parallel())
		})
	}
}

func withoutBugs(ps []scenarios.Param) []scenarios.Param {
	var out []scenarios.Param
	for _, p := range ps {
		if p.Key != "bugs" {
			out = append(out, p)
		}
	}
	return out
}

// TestParamErrors: a bad parameter or combination is a load error that
// names the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{heartbeat: 100ms, election_timeout: 150ms..300ms}", "at least two heartbeats"},
		{"{election_timeout: 300ms..150ms}", "election_timeout"},
		{"{bugs: own-values}", "own-values"},
		{"{read_mode: quorum}", "read_mode"},
		{"{snapshot_every: 0}", "snapshot_every"},
		{"{lease_drift_bound: 1000000ppm}", "lease_drift_bound"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: paxos, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	if _, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: paxos, size: 2}\n")); err == nil {
		t.Error("a 2-server cluster loaded; want an error (MinSize 3)")
	}
}

// TestProbesFire: one seed of the full nemesis reaches the protocol's
// interesting moments.
func TestProbesFire(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, lib+"paxos-full.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	for _, p := range []string{paxos.ProbeElected, paxos.ProbeAdopted, paxos.ProbeSnapInstalled, paxos.ProbeCompacted, paxos.ProbeSession} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 1", p)
		}
	}
}
