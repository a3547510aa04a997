package raftkv_test

import (
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Fault schedules and end-of-run checks shared by the battery and the
// planted-bug tests.

// unreliable is 6.5840's unreliable network: loss, duplicates, and a long
// tail of delays that reorders messages.
func unreliable() sim.Network {
	return sim.Network{
		Latency:   sim.ParetoDist(200*time.Microsecond, 1.2, 50*time.Millisecond),
		Drop:      sim.Ratio{Num: 1, Den: 10},
		Duplicate: sim.Ratio{Num: 1, Den: 20},
	}
}

// other returns a server that is none of excl.
func other(c *cluster, excl ...nodes.ID) nodes.ID {
	for _, id := range c.servers() {
		if !slices.Contains(excl, id) {
			return id
		}
	}
	c.t.Fatal("no other server")
	return 0
}

func (c *cluster) upCount() int {
	n := 0
	for _, id := range c.servers() {
		if c.w.IsUp(id) {
			n++
		}
	}
	return n
}

func (c *cluster) randomCrashed() (nodes.ID, bool) {
	var down []nodes.ID
	for _, id := range c.servers() {
		if !c.w.IsUp(id) {
			down = append(down, id)
		}
	}
	if len(down) == 0 {
		return 0, false
	}
	return down[c.rng.IntN(len(down))], true
}

// currentLeader returns an up node that believes it leads (the one with
// the highest term), ignoring reachability.
func (c *cluster) currentLeader() (nodes.ID, bool) {
	var best nodes.ID
	var term uint64
	for _, id := range c.servers() {
		if n := c.node(id); n != nil && n.IsLeader() && n.Status().Term >= term {
			best, term = id, n.Status().Term
		}
	}
	return best, best != 0
}

// figure8 is 6.5840's Figure 8 test: repeatedly wait a little (usually a
// few milliseconds, sometimes up to half a second), then crash the leader
// (or, with cut, sometimes cut it off instead), and restart a crashed node
// whenever fewer than a quorum are up. Leaders often die right after
// being elected, before their own entries replicate.
func figure8(c *cluster, d time.Duration, cut bool) {
	end := c.w.Now() + d
	quorum := len(c.servers())/2 + 1
	var step func()
	step = func() {
		if c.w.Now() >= end {
			return
		}
		if l, ok := c.currentLeader(); ok {
			if cut && c.rng.IntN(2) == 0 {
				c.heal()
				c.isolate(l)
			} else {
				c.crash(l)
			}
		}
		if c.upCount() < quorum {
			if id, ok := c.randomCrashed(); ok {
				c.restart(id)
			}
		}
		wait := time.Duration(c.rng.Int64N(int64(13 * time.Millisecond)))
		if c.rng.IntN(10) == 0 {
			wait = time.Duration(c.rng.Int64N(int64(500 * time.Millisecond)))
		}
		c.w.After(wait, step)
	}
	c.w.After(0, step)
	c.mustRun(end)
}

// churn crashes, restarts and partitions nodes at random for d.
func churn(c *cluster, d time.Duration, crashes bool) {
	end := c.w.Now() + d
	servers := c.servers()
	c.every(50*time.Millisecond, end, func() {
		switch c.rng.IntN(8) {
		case 0:
			if crashes {
				c.crash(servers[c.rng.IntN(len(servers))])
			}
		case 1, 2:
			if id, ok := c.randomCrashed(); ok {
				c.restart(id)
			}
		case 3:
			c.heal()
			perm := c.rng.Perm(len(servers))
			k := 1 + c.rng.IntN(len(servers)/2)
			var g []nodes.ID
			for _, i := range perm[:k] {
				g = append(g, servers[i])
			}
			c.split(g)
		case 4:
			c.heal()
		}
	})
	c.mustRun(end)
}

// mustConverge stops the clients, heals everything, restarts crashed
// nodes, and requires a leader and identical state on every node once the
// dust settles — and, before that, that a write committed after the heal
// (liveness).
func (c *cluster) mustConverge() {
	c.t.Helper()
	c.heal()
	c.restartAll()
	mark := c.w.Now()
	c.mustRun(mark + 2*time.Second)
	if c.o.clients > 0 && c.o.stopAt > mark && c.okSince(mark, "") == 0 {
		c.t.Fatalf("seed %d: no operation completed within 2s of healing at %v", c.o.seed, mark)
	}
	c.o.stopAt = c.w.Now()
	c.mustRun(c.w.Now() + 2*time.Second)
	c.mustLeader(time.Second)
	var ref *nodes.ID
	var applied uint64
	for _, id := range c.servers() {
		st := c.node(id).Status()
		if ref == nil {
			ref, applied = &id, st.LastApplied
			continue
		}
		if st.LastApplied != applied {
			c.t.Fatalf("seed %d: %v applied %d entries but %v applied %d", c.o.seed, id, st.LastApplied, *ref, applied)
		}
		for k := range max(c.o.keys, 1) {
			key := ""
			if c.o.keys > 0 {
				key = "k" + string(rune('0'+k))
			}
			v1, _ := c.node(*ref).Value(key)
			v2, _ := c.node(id).Value(key)
			if v1 != v2 {
				c.t.Fatalf("seed %d: key %q is %q on %v but %q on %v", c.o.seed, key, v1, *ref, v2, id)
			}
		}
	}
}

// okWrites counts writes that completed OK at or after from.
func (c *cluster) okWrites(from time.Duration) int {
	return c.okSince(from, "put") + c.okSince(from, "append") + c.okSince(from, "cas") + c.okSince(from, "write")
}
