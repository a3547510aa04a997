package nemesis

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// CrashOnSend crashes each target server right after it sends a message to
// another server (of type Type, if set), keeps it down for a time drawn
// from Down, restarts it, and so on until the fault stops. The crash comes
// after the handler that sent the message, at the same instant: every
// message of that handler goes out, and whatever it wrote but did not sync
// is lost. It is the crash at the worst moment for a protocol that sends a
// promise (a granted vote, an acknowledgement) before the write behind it
// is durable — a moment a crash-loop hits only by chance — and it does
// nothing to a protocol that syncs first. When it stops, servers that are
// down restart.
type CrashOnSend struct {
	Target Target
	Down   Range
	// Type, if set, limits the trigger to messages of that type name, as
	// the trace writes it, or AnyType (one the servers have sent each other
	// so far, picked when the fault starts). Empty: every message.
	Type string
	// After, if set (Min ≥ 1), spares a target's first messages: each time
	// a target starts (the fault starting, or its restart) it draws a count
	// k from After and crashes right after the handler that sends its k-th
	// (matching) message. Zero: the first message, as After 1. A leader
	// that crashes after its first AppendEntries has replicated nothing of
	// its term; one that crashes after its third or sixth has had a reply,
	// advanced its commit index, and sent the next batch: the Raft paper's
	// Figure 8 (d) moment.
	After Count
}

func (CrashOnSend) Kind() string { return "crash-on-send" }

func (f CrashOnSend) String() string {
	s := join("crash-on-send", f.Target.String(), f.Down.String())
	if f.Type != "" {
		s += " " + f.Type
	}
	if f.After.Max > 0 {
		s += " after " + f.After.String()
	}
	return s
}

func (f CrashOnSend) Check(n int) error { return f.Target.check(n) }

func parseCrashOnSend(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	s, err := a.next("down time (such as 5ms or 1ms..10ms)")
	if err != nil {
		return nil, err
	}
	d, err := ParseRange(s)
	if err != nil {
		return nil, err
	}
	if d.Min <= 0 {
		return nil, fmt.Errorf("crash-on-send down time %q must be positive", s)
	}
	f := CrashOnSend{Target: t, Down: d}
	if a.more() && a.peek() != "after" {
		if f.Type, err = parseTypeWord(&a); err != nil {
			return nil, err
		}
	}
	if a.more() && a.peek() == "after" {
		a.next("after")
		s, err := a.next("count after \"after\" (such as 3 or 1..6)")
		if err != nil {
			return nil, err
		}
		if f.After, err = ParseCount(s); err != nil {
			return nil, err
		}
	}
	return f, a.done()
}

func (f CrashOnSend) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	typ := f.Type
	if typ == AnyType {
		seen := w.PeerMessageTypes()
		if len(seen) == 0 {
			return nil, skipf("no messages between servers yet to pick a type from")
		}
		typ = seen[r.IntN(len(seen))]
		plan.Resolved = joinResolved([]string{plan.Resolved, typ})
	}
	plan.Down = ids
	n := len(w.Servers())
	plan.start = func(x *ctx) func() {
		cs := &crashOnSend{x: x, typ: typ, down: f.Down, after: f.After, text: f.String(), n: n, on: make([]bool, n+1), pending: make([]bool, n+1)}
		for _, id := range ids {
			cs.on[id] = true
		}
		if f.After.Max > 0 {
			cs.left = make([]int, n+1)
			for _, id := range ids {
				cs.left[id] = f.After.Draw(x.r)
			}
		}
		h := x.w.InsertRule(cs) // first, so no other rule's verdict hides a send from it
		return func() {
			cs.stopped = true
			x.must(x.w.RemoveRule(h))
			x.restart(ids)
		}
	}
	return plan, nil
}

// crashOnSend is CrashOnSend's packet rule: it only watches, always
// passes and never draws from the network stream; a send by a target
// schedules its crash.
type crashOnSend struct {
	x       *ctx
	typ     string
	down    Range
	text    string
	n       int
	on      []bool // on[id]: a target
	pending []bool // pending[id]: a crash is scheduled or the server is down
	after   Count
	left    []int // left[id]: matching messages until the crash (After set)
	stopped bool
}

func (c *crashOnSend) String() string { return c.text }

func (c *crashOnSend) Judge(p *sim.Packet, _ *rand.Rand) sim.Verdict {
	f := int(p.From)
	if p.From.IsClient() || p.To.IsClient() || f < 1 || f > c.n || !c.on[f] || c.pending[f] {
		return sim.Verdict{}
	}
	if c.typ != "" && p.Type != c.typ {
		return sim.Verdict{}
	}
	if c.left != nil {
		if c.left[f]--; c.left[f] > 0 {
			return sim.Verdict{}
		}
	}
	c.pending[f] = true
	id := p.From
	c.x.w.After(0, func() { c.crash(id) })
	return sim.Verdict{}
}

// crash takes id down after the handler that sent, and brings it back
// after a drawn down time.
func (c *crashOnSend) crash(id nodes.ID) {
	if c.stopped {
		return
	}
	c.x.must(c.x.w.Crash(id))
	c.x.w.After(c.down.Sample(c.x.r), func() {
		if c.stopped {
			return
		}
		c.x.must(c.x.w.Restart(id))
		c.pending[id] = false
		if c.left != nil {
			c.left[id] = c.after.Draw(c.x.r)
		}
	})
}

// genCrashOnSend crashes one server (or the leader) after every message it
// sends, for a few milliseconds each time.
func genCrashOnSend(g *genCtx) Fault {
	return CrashOnSend{Target: g.pick(One, Leader), Down: crashOnSendDown}
}

// crashOnSendDown is how long a generated CrashOnSend keeps a server down:
// shorter than a network round trip, so it is back before a second
// candidate's request arrives.
var crashOnSendDown = Span(time.Millisecond, 10*time.Millisecond)
