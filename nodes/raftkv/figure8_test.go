package raftkv_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

// dropIf is a packet rule that drops the packets a predicate selects.
type dropIf struct {
	name string
	fn   func(p *sim.Packet) bool
}

func (d *dropIf) Judge(p *sim.Packet, _ *rand.Rand) sim.Verdict {
	if d.fn(p) {
		return sim.Verdict{Action: sim.Drop}
	}
	return sim.Verdict{}
}

func (d *dropIf) String() string { return d.name }

// figure8Script replays the paper's Figure 8 step by step on 3 nodes:
// (a) leader A appends X but is cut off before replicating it; (b) B
// becomes leader and appends its no-op, which does not replicate, then
// crashes; (c) A becomes leader again and replicates X (alone: one entry
// per AppendEntries) to C, but its own no-op never reaches C; (d) A crashes, B
// restarts and wins C's vote with its newer last term, and overwrites X.
// A leader that commits X in (c) by counting replicas has lost a
// committed entry in (d).
func figure8Script(t *testing.T, bugs raftkv.Bugs) *cluster {
	c := huntCluster(t, opts{seed: 1, nodes: 3,
		cfg: raftkv.Config{MaxEntriesPerAppend: 1, Bugs: bugs}})
	a := c.mustLeader(time.Second)
	c.mustRun(c.w.Now() + 100*time.Millisecond)
	b := other(c, a)
	cc := other(c, a, b)
	fromTo := func(from nodes.ID, fn func(p *sim.Packet) bool) *dropIf {
		return &dropIf{fmt.Sprintf("from %v", from), func(p *sim.Packet) bool { return p.From == from && !p.To.IsClient() && fn(p) }}
	}
	all := func(*sim.Packet) bool { return true }
	isAppend := func(p *sim.Packet) bool { _, ok := p.Msg.(*raftkv.AppendEntries); return ok }

	// (a) A appends X, replicated nowhere.
	cutA := c.w.AddRule(fromTo(a, all))
	if err := c.w.Inject(nodes.ClientID(1), a, kv.Request{Client: nodes.ClientID(1), Seq: 1, Op: nodes.Op{Kind: "put", Key: "k0", Value: "X"}}, 0); err != nil {
		t.Fatal(err)
	}
	c.mustRun(c.w.Now() + 5*time.Millisecond)
	// (b) B or C becomes leader; say it is B (swap names if not). Its
	// AppendEntries are dropped, so its no-op stays on it.
	cutAppends := c.w.AddRule(&dropIf{"appends from B/C", func(p *sim.Packet) bool { return p.From != a && isAppend(p) && !p.To.IsClient() }})
	c.crash(a)
	c.w.RemoveRule(cutA)
	c.mustRun(c.w.Now() + time.Second)
	l, ok := c.currentLeader()
	if !ok {
		t.Fatalf("no leader in step (b)")
	}
	if l != b {
		b, cc = cc, b
	}
	c.crash(b)
	c.w.RemoveRule(cutAppends)
	// (c) A returns and wins (C votes for it: A's last term is newer or
	// equal and its log longer). Its own-term entries do not reach C.
	ownTerm := c.w.AddRule(fromTo(a, func(p *sim.Packet) bool {
		m, ok := p.Msg.(*raftkv.AppendEntries)
		if !ok {
			return false
		}
		if n := c.node(p.To); n == nil || n.Status().LastIndex < m.PrevIndex {
			return false // C would reject it anyway, which A needs to back off
		}
		for _, e := range m.Entries {
			if e.Term == m.Term {
				return true
			}
		}
		return false
	}))
	c.restart(a)
	c.mustRun(c.w.Now() + time.Second)
	// (d) A crashes; B returns and is elected with C's vote.
	c.crash(a)
	c.w.RemoveRule(ownTerm)
	c.restart(b)
	c.mustRun(c.w.Now() + time.Second)
	return c
}

func TestBugFigure8Commit(t *testing.T) {
	c := figure8Script(t, raftkv.Bugs{Figure8Commit: true})
	if c.failure == nil {
		t.Fatalf("the Figure 8 commit bug was not caught")
	}
	t.Logf("caught: %v", c.failure.Err)
}

func TestFigure8Script(t *testing.T) {
	c := figure8Script(t, raftkv.Bugs{})
	if c.failure != nil {
		t.Fatalf("correct commit rule failed the Figure 8 script: %v", c.failure)
	}
}
