package raftkv_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv"
)

// The MIT 6.5840 Raft test battery (labs 3A-3D), expressed in virtual
// time. Every test runs with the online invariants; tests with clients
// also check the history for linearizability.

// 3A: initial election.
func TestInitialElection(t *testing.T) {
	c := newCluster(t, opts{seed: 1, nodes: 3})
	c.mustLeader(time.Second)
	term := c.maxTerm()
	if term < 1 {
		t.Fatalf("term is %d after an election", term)
	}
	// With no failures, the leader keeps its term.
	c.mustRun(c.w.Now() + 2*time.Second)
	if got := c.maxTerm(); got != term {
		t.Errorf("term changed from %d to %d without failures", term, got)
	}
	c.mustLeader(time.Second)
}

// 3A: re-election after the leader is cut off, and no leader without a
// majority.
func TestReElection(t *testing.T) {
	c := newCluster(t, opts{seed: 2, nodes: 3})
	l1 := c.mustLeader(time.Second)
	c.isolate(l1)
	l2 := c.mustLeader(time.Second)
	if l2 == l1 {
		t.Fatalf("isolated leader %v is still the only leader", l1)
	}
	// The old leader rejoins: it must not disturb the new one.
	c.heal()
	l3 := c.mustLeader(time.Second)
	if l3 != l2 {
		t.Logf("leadership moved from %v to %v after heal", l2, l3)
	}
	// No quorum: no leader among the connected nodes.
	others := []nodes.ID{}
	for _, id := range c.servers() {
		if id != l3 {
			others = append(others, id)
		}
	}
	c.split([]nodes.ID{l3}, []nodes.ID{others[0]}, []nodes.ID{others[1]})
	c.mustRun(c.w.Now() + 2*time.Second)
	if id, ok := c.oneLeader(); ok {
		t.Fatalf("leader %v elected without a majority", id)
	}
	c.heal()
	c.mustLeader(time.Second)
}

// 3A: many elections among 7 nodes with 3 random ones cut off at a time.
func TestManyElections(t *testing.T) {
	c := newCluster(t, opts{seed: 3, nodes: 7})
	c.mustLeader(time.Second)
	for range 10 {
		cut := c.rng.Perm(7)[:3]
		var g []nodes.ID
		for _, i := range cut {
			g = append(g, nodes.NodeID(i+1))
		}
		c.split(g)
		c.mustLeader(2 * time.Second)
		c.heal()
	}
	c.mustLeader(time.Second)
}

// 3B: basic agreement: clients' operations commit on every node.
func TestBasicAgree(t *testing.T) {
	c := newCluster(t, opts{seed: 4, nodes: 3, clients: 3, keys: 3, stopAt: 2 * time.Second})
	c.mustRun(3 * time.Second)
	if ok := c.okSince(0, ""); ok < 100 {
		t.Fatalf("only %d operations completed", ok)
	}
	c.mustConverge()
	c.mustLinearizable()
}

// 3B: agreement despite a follower failing (cut off, then back), and no
// agreement once a majority is gone.
func TestFollowerFailure(t *testing.T) {
	c := newCluster(t, opts{seed: 5, nodes: 3, clients: 2, keys: 2})
	l := c.mustLeader(time.Second)
	f1 := other(c, l)
	c.crash(f1)
	mark := c.w.Now()
	c.mustRun(mark + time.Second)
	if c.okSince(mark, "") < 20 {
		t.Fatalf("no progress with one follower down")
	}
	f2 := other(c, l, f1)
	c.crash(f2)
	c.mustRun(c.w.Now() + 200*time.Millisecond) // let in-flight operations settle
	mark = c.w.Now()
	c.mustRun(mark + time.Second)
	if n := c.okWrites(mark); n != 0 {
		t.Fatalf("%d writes committed with a majority down", n)
	}
	c.restart(f1)
	c.restart(f2)
	mark = c.w.Now()
	c.mustRun(mark + 2*time.Second)
	if c.okSince(mark, "") < 20 {
		t.Fatalf("no progress after the followers returned")
	}
	c.mustLinearizable()
}

// 3B: no agreement without a majority: 3 of 5 followers cut off.
func TestFailNoAgree(t *testing.T) {
	c := newCluster(t, opts{seed: 6, nodes: 5, clients: 2, keys: 2})
	l := c.mustLeader(time.Second)
	rest := []nodes.ID{}
	for _, id := range c.servers() {
		if id != l {
			rest = append(rest, id)
		}
	}
	c.split([]nodes.ID{l, rest[0]}, rest[1:])
	c.mustRun(c.w.Now() + 300*time.Millisecond)
	mark := c.w.Now()
	c.mustRun(mark + time.Second)
	// The majority side may elect a leader and commit: but the old
	// leader's side must not. Check via the invariants and the history.
	c.heal()
	mark = c.w.Now()
	c.mustRun(mark + 2*time.Second)
	if c.okSince(mark, "") < 20 {
		t.Fatalf("no progress after heal")
	}
	c.mustLinearizable()
}

// 3B: concurrent starts: many clients at once.
func TestConcurrentStarts(t *testing.T) {
	c := newCluster(t, opts{seed: 7, nodes: 3, clients: 8, keys: 4, thinkMax: time.Millisecond, stopAt: time.Second})
	c.mustRun(2 * time.Second)
	if ok := c.okSince(0, ""); ok < 200 {
		t.Fatalf("only %d operations completed", ok)
	}
	c.mustConverge()
	c.mustLinearizable()
}

// 3B: rejoin of a partitioned leader that accepted writes it could not
// commit.
func TestRejoin(t *testing.T) {
	c := newCluster(t, opts{seed: 8, nodes: 3, clients: 3, keys: 2})
	l1 := c.mustLeader(time.Second)
	c.isolate(l1) // clients still reach it, so it gets writes it cannot commit
	c.mustRun(c.w.Now() + 500*time.Millisecond)
	l2 := c.mustLeader(time.Second)
	c.heal()
	c.isolate(l2)
	c.mustRun(c.w.Now() + time.Second)
	c.heal()
	mark := c.w.Now()
	c.mustRun(mark + 2*time.Second)
	if c.okSince(mark, "") < 20 {
		t.Fatalf("no progress after rejoin")
	}
	c.mustConverge()
	c.mustLinearizable()
}

// 3B: backup: a leader and a follower cut off with many uncommitted
// entries, the other side commits many; then the sides swap. Fast
// conflict back-off must bring every log in line quickly.
func TestBackup(t *testing.T) {
	c := newCluster(t, opts{seed: 9, nodes: 5, clients: 6, keys: 3, thinkMax: time.Millisecond})
	l := c.mustLeader(time.Second)
	f := other(c, l)
	rest := []nodes.ID{}
	for _, id := range c.servers() {
		if id != l && id != f {
			rest = append(rest, id)
		}
	}
	c.split([]nodes.ID{l, f}, rest)
	c.mustRun(c.w.Now() + time.Second)
	c.split([]nodes.ID{l, f, rest[0]}, rest[1:]) // old leader's side gets a majority
	c.heal()
	c.split([]nodes.ID{l, f, rest[0]}, rest[1:])
	c.mustRun(c.w.Now() + time.Second)
	c.heal()
	mark := c.w.Now()
	c.mustRun(mark + 2*time.Second)
	if c.okSince(mark, "") < 50 {
		t.Fatalf("no progress after heal")
	}
	c.mustConverge()
	c.mustLinearizable()
}

// 3C: persistence: crash and restart everything, then the leader, then a
// minority, checking that committed state survives.
func TestPersist(t *testing.T) {
	c := newCluster(t, opts{seed: 10, nodes: 5, clients: 3, keys: 3})
	c.mustLeader(time.Second)
	c.mustRun(c.w.Now() + 500*time.Millisecond)
	for round := range 4 {
		switch round {
		case 0: // everyone
			for _, id := range c.servers() {
				c.crash(id)
			}
		case 1: // the leader
			l, _ := c.oneLeader()
			c.crash(l)
		default: // a random minority
			for _, i := range c.rng.Perm(5)[:2] {
				c.crash(nodes.NodeID(i + 1))
			}
		}
		c.mustRun(c.w.Now() + 300*time.Millisecond)
		c.restartAll()
		c.mustLeader(2 * time.Second)
		mark := c.w.Now()
		c.mustRun(mark + 500*time.Millisecond)
		if c.okSince(mark, "") < 10 {
			t.Fatalf("round %d: no progress after restart", round)
		}
	}
	c.mustConverge()
	c.mustLinearizable()
}

// 3C: Figure 8: leaders crash at random moments, with a varying number of
// nodes up; the commit rule must never lose a committed entry.
func TestFigure8(t *testing.T) {
	for seed := uint64(11); seed < 14; seed++ {
		c := newCluster(t, opts{seed: seed, nodes: 5, clients: 3, keys: 2})
		figure8(c, 5*time.Second, false)
		c.mustConverge()
		c.mustLinearizable()
	}
}

// 3C: Figure 8 on an unreliable network: loss, duplication, long delays.
func TestFigure8Unreliable(t *testing.T) {
	for seed := uint64(21); seed < 24; seed++ {
		c := newCluster(t, opts{seed: seed, nodes: 5, clients: 3, keys: 2, net: unreliable()})
		figure8(c, 5*time.Second, true)
		c.mustConverge()
		c.mustLinearizable()
	}
}

// 3C: churn: random crashes, restarts and partitions of any node on an
// unreliable network, clients running throughout.
func TestUnreliableChurn(t *testing.T) {
	for seed := uint64(31); seed < 34; seed++ {
		c := newCluster(t, opts{seed: seed, nodes: 5, clients: 4, keys: 3, net: unreliable()})
		churn(c, 5*time.Second, true)
		c.mustConverge()
		c.mustLinearizable()
	}
}

// 3D: snapshots with crashes and partitions: a small threshold forces
// compaction, and nodes that fall behind must catch up by InstallSnapshot.
func TestSnapshots(t *testing.T) {
	installed := 0
	for seed := uint64(41); seed < 44; seed++ {
		c := newCluster(t, opts{seed: seed, nodes: 3, clients: 4, keys: 3, thinkMax: time.Millisecond,
			cfg: raftkv.Config{SnapshotThreshold: 20}, net: unreliable()})
		l := c.mustLeader(time.Second)
		f := other(c, l)
		c.isolate(f) // falls far behind
		c.mustRun(c.w.Now() + time.Second)
		c.heal()
		c.mustRun(c.w.Now() + time.Second)
		if n := c.node(f); n != nil && n.Status().SnapshotIndex > 0 {
			installed++
		}
		churn(c, 4*time.Second, false)
		c.mustConverge()
		c.mustLinearizable()
	}
	if installed == 0 {
		t.Errorf("no lagging follower ever received a snapshot")
	}
}
