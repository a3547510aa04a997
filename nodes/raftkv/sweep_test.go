package raftkv_test

import (
	"flag"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

var sweepSeeds = flag.Int("sweep", 10, "seeds for TestNemesisSweep")

// nemesisRun is a full-nemesis run of the correct protocol: an unreliable
// network, partitions, crashes with torn writes and flipped reads, clock
// skew, drift and jumps, for 4s; then heal and require convergence.
func nemesisRun(t testing.TB, seed uint64, cfg raftkv.Config) *cluster {
	c := newCluster(t, opts{seed: seed, nodes: 5, clients: 5, keys: 4, cfg: cfg, net: unreliable(),
		clocks: sim.Clocks{Skew: 100 * time.Millisecond, DriftPPM: 1000}})
	for _, id := range c.servers() {
		if err := c.w.SetDiskFaults(id, sim.DiskFaults{Tear: sim.Ratio{Num: 1, Den: 2}, Flip: sim.Ratio{Num: 1, Den: 20}}); err != nil {
			t.Fatal(err)
		}
	}
	c.every(500*time.Millisecond, 4*time.Second, func() {
		id := c.servers()[c.rng.IntN(5)]
		if err := c.w.JumpClock(id, time.Duration(c.rng.Int64N(int64(2*time.Second)))-time.Second); err != nil {
			t.Fatal(err)
		}
	})
	churn(c, 4*time.Second, true)
	c.mustConverge()
	return c
}

// TestNemesisSweep runs -sweep seeds of nemesisRun, in each read mode.
func TestNemesisSweep(t *testing.T) {
	unknown := 0
	for _, mode := range []raftkv.ReadMode{raftkv.ReadIndex, raftkv.ReadLog, raftkv.ReadLease} {
		for seed := uint64(1); seed <= uint64(*sweepSeeds); seed++ {
			c := nemesisRun(t, 1000+seed, raftkv.Config{ReadMode: mode})
			switch res := c.linearizable(); res.Verdict {
			case checker.Valid:
			case checker.Unknown:
				unknown++
			default:
				t.Fatalf("%v seed %d: not linearizable:\n%v", mode, 1000+seed, res)
			}
		}
	}
	if unknown > 0 {
		t.Logf("%d unknown verdicts", unknown)
	}
}

// TestDeterminism: the same seed gives the same run, hash for hash.
func TestDeterminism(t *testing.T) {
	run := func() sim.Result {
		c := newCluster(t, opts{seed: 77, nodes: 5, clients: 4, keys: 3, net: unreliable()})
		churn(c, 2*time.Second, true)
		return c.w.Run(3 * time.Second)
	}
	a, b := run(), run()
	if a.Hash != b.Hash || a.Events != b.Events {
		t.Fatalf("same seed, different runs: %v/%d vs %v/%d", a.Hash, a.Events, b.Hash, b.Events)
	}
}
