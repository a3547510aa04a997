package scenarios_test

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// Every swarm value a registered kind declares (ParamSpec.Swarm) builds a
// valid scenario drawn together with the kind's other drawn parameters:
// 80 seeds of each kind's generic hunt read back, and between them draw
// every value of every menu.
func TestSwarmValuesOfEveryKind(t *testing.T) {
	for _, name := range scenarios.NodeKindNames() {
		nk, _ := scenarios.LookupNode(name)
		menus := map[string][]string{}
		for _, ps := range nk.Params {
			if len(ps.Swarm) > 0 {
				menus[ps.Key] = ps.Swarm
			}
		}
		if len(menus) == 0 {
			continue
		}
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: name})
		if err != nil {
			if nk.ValidateWorkload != nil {
				continue // the parameters decide the workload (crdt)
			}
			t.Fatalf("%s: %v", name, err)
		}
		seen := map[string]bool{}
		for seed := uint64(1); seed <= 80; seed++ {
			x := scenarios.ApplySwarm(sc, seed)
			for _, p := range x.Cluster.Params {
				if m, ok := menus[p.Key]; ok {
					if !slices.Contains(m, p.Value) {
						t.Fatalf("%s seed %d drew %s=%s, not in its menu %q", name, seed, p.Key, p.Value, m)
					}
					seen[p.Key+"="+p.Value] = true
				}
			}
			if _, err := scenarios.Parse("x.yaml", scenarios.Format(x)); err != nil {
				t.Fatalf("%s seed %d: the drawn scenario does not load: %v", name, seed, err)
			}
		}
		for k, m := range menus {
			for _, v := range m {
				if !seen[k+"="+v] {
					t.Errorf("%s: 80 seeds never drew %s=%s", name, k, v)
				}
			}
		}
	}
}

// The kinds of issue 16's last bugs swarm the parameters their bugs need
// a non-default value of: abd's retransmit (a slow one leaves a lost
// store at one server), etcdraft's check_quorum (off, a deposed leader
// keeps serving) and snapshot threshold (50 and 10: snapshot-without-
// sessions needs snapshots, and no hint), paxos's election timeout, pb's
// view and backup timeouts. The plain hunt ran each at its defaults.
func TestSwarmDrawsKindTimings(t *testing.T) {
	for _, tc := range []struct{ node, key, value string }{
		{"abd", "retransmit", "300ms"},
		{"etcdraft", "check_quorum", "false"},
		{"etcdraft", "election_ticks", "30"},
		{"etcdraft", "snapshot_threshold", "50"},
		{"etcdraft", "snapshot_threshold", "10"},
		{"paxos", "election_timeout", "300ms..1s"},
		{"pb", "view_timeout", "1s"},
		{"pb", "backup_timeout", "500ms"},
	} {
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: tc.node})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for seed := uint64(1); seed <= 60; seed++ {
			for _, p := range scenarios.ApplySwarm(sc, seed).Cluster.Params {
				if p.Key == tc.key && p.Value == tc.value {
					n++
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no seed of 60 drew %s=%s", tc.node, tc.key, tc.value)
		}
	}
}

// A kind that declares RoundTrips never draws a client timeout below
// twice that many of the seed's slowest round trips; a kind that does not
// keeps the drawn timeout. At abd's hunt seed 70 (13ms links, 27ms syncs)
// the drawn 165ms timeout is raised: the correct ABD failed liveness there
// (every write of one client took about 165ms, and timed out), and now
// passes.
func TestSwarmTimeoutFloor(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "abd"})
	if err != nil {
		t.Fatal(err)
	}
	raised := 0
	for seed := uint64(1); seed <= 200; seed++ {
		x := scenarios.ApplySwarm(sc, seed)
		floor := scenarios.SwarmTimeoutFloor(x)
		rt := 2*x.Network.Latency.Max + x.Disk.SyncLatency.Max
		if floor < 8*rt-time.Millisecond || x.Workload.Timeout < floor {
			t.Fatalf("seed %d: timeout %v, floor %v, round trip %v: want a floor of 8 round trips, and the timeout above it", seed, x.Workload.Timeout, floor, rt)
		}
		if x.Workload.Timeout == floor {
			raised++
		}
	}
	if raised == 0 {
		t.Errorf("200 seeds of abd's hunt never raised the drawn timeout")
	}
	x := scenarios.ApplySwarm(sc, 70)
	if x.Workload.Timeout != scenarios.SwarmTimeoutFloor(x) {
		t.Errorf("seed 70: timeout %v, want it raised to the floor %v", x.Workload.Timeout, scenarios.SwarmTimeoutFloor(x))
	}
	if o := scenarios.RunSeed(sc, 70, scenarios.RunOptions{}); o.Status != scenarios.StatusValid {
		t.Errorf("the correct ABD at hunt seed 70: %s: %s", o.Status, o.Reason)
	}
	raft, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 50; seed++ {
		if x := scenarios.ApplySwarm(raft, seed); scenarios.SwarmTimeoutFloor(x) != 0 || x.Workload.Timeout < 150*time.Millisecond || x.Workload.Timeout > 500*time.Millisecond {
			t.Fatalf("raftkv seed %d: floor %v, timeout %v: want no floor and the drawn 150ms..500ms", seed, scenarios.SwarmTimeoutFloor(x), x.Workload.Timeout)
		}
	}
}
