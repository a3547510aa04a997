package raftkv_test

import (
	"flag"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

// Each planted bug must be caught — by an online invariant or by
// Porcupine — within a bounded number of seeds, in a scenario built to
// expose it. The tests log how many seeds each took; -bugseeds raises the
// bound for measuring.

// flapOdds and flapDown tune the crash storm of flapping: the chance (1
// in flapOdds) of a short outage every 2ms during an election, and its
// length.
var flapOdds, flapDown = 5, 500 * time.Microsecond

var bugSeeds = flag.Int("bugseeds", 200, "seeds each planted-bug test may try")

// caught reports how a run exposed the bug ("" if it did not).
func caught(c *cluster) string {
	if c.failure != nil {
		return c.failure.Kind.String() + ": " + c.failure.Err
	}
	if res := c.linearizable(); res.Verdict == checker.Invalid {
		return "linearizability: " + res.Explanation
	}
	return ""
}

// hunt runs scenario over seeds 1, 2, ... until a run catches the bug, and
// returns the number of seeds it took.
func hunt(t *testing.T, scenario func(seed uint64) *cluster) int {
	t.Helper()
	for seed := uint64(1); seed <= uint64(*bugSeeds); seed++ {
		c := scenario(seed)
		if how := caught(c); how != "" {
			t.Logf("caught after %d seed(s): %s", seed, firstLine(how))
			return int(seed)
		}
	}
	t.Fatalf("bug not caught in %d seeds", *bugSeeds)
	return 0
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

func huntCluster(t *testing.T, o opts) *cluster {
	c := newCluster(t, o)
	c.hunt = true
	return c
}

// Followers serving reads return stale values when they are cut off.
func TestBugFollowerReads(t *testing.T) {
	hunt(t, func(seed uint64) *cluster {
		c := huntCluster(t, opts{seed: seed, nodes: 3, clients: 4, keys: 2, readPct: 50,
			cfg: raftkv.Config{Bugs: raftkv.Bugs{FollowerReads: true}}})
		churn(c, 3*time.Second, false)
		return c
	})
}

// A lease timed by the wall clock survives a backwards clock jump on a
// leader that has been cut off while a new leader takes writes.
func TestBugLeaseUnbounded(t *testing.T) {
	hunt(t, func(seed uint64) *cluster {
		return leaseScenario(t, seed, raftkv.Bugs{LeaseUnbounded: true})
	})
}

// The same scenario is safe with the correct (monotonic, bounded) lease.
func TestLeaseSurvivesClockJumps(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c := leaseScenario(t, seed, raftkv.Bugs{})
		if how := caught(c); how != "" {
			t.Fatalf("seed %d: correct lease failed: %s", seed, how)
		}
	}
}

// leaseScenario: lease reads; once a second the leader may be cut off
// from its peers (clients still reach it; two clients only read, so they
// stay with it while it answers) and its wall clock jumps back 1s; clocks also drift within the lease's bound. A wide election timeout
// range keeps a deposed leader (which steps down only after
// ElectionTimeoutMax without a quorum) around while a new one is elected.
func leaseScenario(t *testing.T, seed uint64, bugs raftkv.Bugs) *cluster {
	return leaseScenarioHook(t, seed, bugs, nil)
}

func leaseScenarioHook(t *testing.T, seed uint64, bugs raftkv.Bugs, hook func(*cluster)) *cluster {
	c := huntCluster(t, opts{seed: seed, nodes: 3, clients: 4, readers: 2, keys: 1, readPct: 50, record: hook != nil,
		cfg: raftkv.Config{ReadMode: raftkv.ReadLease, Bugs: bugs,
			ElectionTimeoutMin: 150 * time.Millisecond, ElectionTimeoutMax: 600 * time.Millisecond, HeartbeatInterval: 50 * time.Millisecond},
		clocks: sim.Clocks{DriftPPM: 20_000}})
	if hook != nil {
		hook(c)
	}
	end := 4 * time.Second
	c.every(time.Second, end, func() {
		c.heal()
		if l, ok := c.currentLeader(); ok && c.rng.IntN(2) == 0 {
			c.isolate(l)
			if err := c.w.JumpClock(l, -time.Second); err != nil {
				t.Fatal(err)
			}
		}
	})
	c.mustRun(end)
	return c
}

// A vote forgotten by a crash lets a node vote twice in one term: two
// leaders in a term. Narrow election timeouts make split candidacies
// common; nodes crash and restart quickly and often.
func TestBugVoteNotPersisted(t *testing.T) {
	hunt(t, func(seed uint64) *cluster {
		c := huntCluster(t, opts{seed: seed, nodes: 5,
			net: sim.Network{Latency: sim.UniformDist(time.Millisecond, 10*time.Millisecond)},
			cfg: raftkv.Config{ElectionTimeoutMin: 100 * time.Millisecond, ElectionTimeoutMax: 110 * time.Millisecond,
				Bugs: raftkv.Bugs{VoteNotPersisted: true}}})
		flapping(c, 10*time.Second)
		return c
	})
}

// flapping crashes the leader every half second and restarts it 50ms
// later; during the election that follows, nodes crash and restart within
// milliseconds at random (a storm of short outages).
func flapping(c *cluster, d time.Duration) {
	servers := c.servers()
	c.every(500*time.Millisecond, d, func() {
		l, ok := c.currentLeader()
		if !ok {
			return
		}
		c.crash(l)
		c.w.After(50*time.Millisecond, func() { c.restart(l) })
		for at := 60 * time.Millisecond; at < 250*time.Millisecond; at += 2 * time.Millisecond {
			if c.rng.IntN(flapOdds) != 0 {
				continue
			}
			id := servers[c.rng.IntN(len(servers))]
			c.w.After(at, func() {
				if c.w.IsUp(id) {
					c.crash(id)
					c.w.After(flapDown, func() { c.restart(id) })
				}
			})
		}
	})
	c.mustRun(d)
}

// Acknowledging before the sync completes loses acknowledged entries (and
// votes) in a machine crash. Slow syncs widen the window.
func TestBugAckBeforeSync(t *testing.T) {
	hunt(t, func(seed uint64) *cluster {
		c := huntCluster(t, opts{seed: seed, nodes: 3, clients: 3, keys: 2,
			disk: sim.Disk{SyncLatency: sim.UniformDist(5*time.Millisecond, 20*time.Millisecond)},
			cfg:  raftkv.Config{Bugs: raftkv.Bugs{AckBeforeSync: true}}})
		flapping(c, 5*time.Second)
		return c
	})
}

// Without a session table, a write whose reply was lost is applied again
// when the client retries it (an append appears twice).
func TestBugNoSessions(t *testing.T) {
	hunt(t, func(seed uint64) *cluster {
		c := huntCluster(t, opts{seed: seed, nodes: 3, clients: 3, keys: 2, readPct: 30,
			net: sim.Network{Latency: sim.UniformDist(time.Millisecond, 5*time.Millisecond), Drop: sim.Ratio{Num: 1, Den: 5}},
			cfg: raftkv.Config{Bugs: raftkv.Bugs{NoSessions: true}}})
		c.mustRun(2 * time.Second)
		return c
	})
}

// The correct protocol survives the same bug-hunting scenarios.
func TestNoBugsInHuntScenarios(t *testing.T) {
	type sc struct {
		name string
		run  func(seed uint64) *cluster
	}
	for _, s := range []sc{
		{"flapping", func(seed uint64) *cluster {
			c := huntCluster(t, opts{seed: seed, nodes: 3, clients: 3, keys: 2,
				disk: sim.Disk{SyncLatency: sim.UniformDist(5*time.Millisecond, 20*time.Millisecond)},
				cfg:  raftkv.Config{ElectionTimeoutMin: 100 * time.Millisecond, ElectionTimeoutMax: 110 * time.Millisecond}})
			flapping(c, 5*time.Second)
			return c
		}},
		{"lossy", func(seed uint64) *cluster {
			c := huntCluster(t, opts{seed: seed, nodes: 3, clients: 3, keys: 2, readPct: 30,
				net: sim.Network{Latency: sim.UniformDist(time.Millisecond, 5*time.Millisecond), Drop: sim.Ratio{Num: 1, Den: 5}}})
			churn(c, 3*time.Second, true)
			return c
		}},
	} {
		for seed := uint64(1); seed <= 3; seed++ {
			c := s.run(seed)
			if how := caught(c); how != "" {
				t.Fatalf("%s seed %d: %s", s.name, seed, how)
			}
		}
	}
}
