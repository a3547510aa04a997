package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// maxTimerDelay caps a timer's delay (about 36 years of local time) so
// that clock arithmetic cannot overflow: a node that asks for "forever"
// gets a timer that never fires within any run.
const maxTimerDelay = int64(1) << 60

// env is the nodes.Env (and nodes.ClientEnv) of one process. It lives in
// the proc, so handing it to a handler allocates nothing.
type env struct {
	p *proc
}

var (
	_ nodes.Env       = (*env)(nil)
	_ nodes.ClientEnv = (*env)(nil)
)

// live asserts that p's Env is used during p's own handler call: a node
// that kept its Env (or handed it to another node, a goroutine or another
// world) would act as p at the wrong time — send as another node, corrupt
// a world it does not belong to — so it fails there, named.
func (p *proc) live() {
	if p.sim.active != p {
		p.notLive()
	}
}

// notLive is live's failure, apart so that live inlines into every Env
// method.
func (p *proc) notLive() {
	if s := p.sim; s.active != p {
		who := "outside any handler"
		if s.active != nil {
			who = "during a handler of " + s.active.id.String()
		}
		panic(fmt.Sprintf("the Env of %s was used %s: an Env is valid only during the call it was passed to (do not keep it; use the one each call receives)", p.id, who))
	}
}

func (e *env) ID() nodes.ID { e.p.live(); return e.p.id }

// Peers returns this process's own copy of the list (computed on first
// use), so a node that sorts or shuffles it affects nobody else.
func (e *env) Peers() []nodes.ID {
	e.p.live()
	p := e.p
	if p.peers == nil {
		for _, id := range p.sim.servers {
			if id != p.id {
				p.peers = append(p.peers, id)
			}
		}
	}
	return p.peers
}

func (e *env) Now() time.Time {
	e.p.live()
	return Epoch.Add(time.Duration(e.p.clock.wall(e.p.sim.now)))
}

func (e *env) Monotonic() time.Duration {
	e.p.live()
	return time.Duration(e.p.clock.mono(e.p.sim.now) - e.p.monoStart)
}

func (e *env) Send(to nodes.ID, msg nodes.Message) {
	e.p.live()
	if !to.Valid() {
		// The trace could not name the receiver: fail here, where the
		// sender's stack says who made the mistake.
		panic(fmt.Sprintf("Send to invalid process id %d (want a server n1.. or a client c1..)", int32(to)))
	}
	e.p.sim.send(e.p, to, msg)
}

func (e *env) SetTimer(after time.Duration, tag uint64) nodes.TimerID {
	e.p.live()
	p, s := e.p, e.p.sim
	if after < 0 {
		after = 0
	}
	i := s.alloc()
	sl := &s.slots[i]
	sl.kind = evTimer
	sl.to = p.id
	sl.inc = p.inc
	sl.tag = tag
	sl.mono = p.clock.mono(s.now) + min(int64(after), maxTimerDelay)
	s.schedule(p.clock.trueAt(sl.mono), i)
	return nodes.TimerID(uint64(i)<<32 | uint64(sl.gen))
}

func (e *env) CancelTimer(id nodes.TimerID) {
	e.p.live()
	s := e.p.sim
	i, gen := uint32(id>>32), uint32(id)
	if int(i) >= len(s.slots) {
		return
	}
	sl := &s.slots[i]
	if sl.gen == gen && sl.kind == evTimer && sl.to == e.p.id && sl.inc == e.p.inc {
		s.release(i)
	}
}

func (e *env) Rand() *rand.Rand { e.p.live(); return e.p.rng }

func (e *env) Store() nodes.Store {
	e.p.live()
	e.p.disk.ensure()
	return &e.p.disk
}

func (e *env) Logf(format string, args ...any) {
	e.p.live()
	s := e.p.sim
	s.ev = trace.Event{Kind: trace.Log, Node: e.p.id, Type: "log"}
	if s.cfg.Record {
		s.ev.Text = fmt.Sprintf(format, args...)
	}
	// The line itself is rendered only when recording; its format string
	// keeps the hash identical either way.
	s.hash = s.hash.AddString(format)
	s.emit()
}

func (e *env) Invoke(op nodes.Op) int {
	e.p.live()
	s := e.p.sim
	s.opSeq++
	s.ev = trace.Event{Kind: trace.Invoke, Node: e.p.id, Num: int64(s.opSeq), Op: op}
	s.emit()
	return s.opSeq
}

func (e *env) Complete(handle int, outcome nodes.Outcome, op nodes.Op) {
	e.p.live()
	s := e.p.sim
	s.ev = trace.Event{Kind: trace.Return, Node: e.p.id, Num: int64(handle), Op: op, Outcome: outcome}
	s.emit()
}

func (e *env) Reached(name string) { e.p.live(); e.p.sim.probe(name, true) }

func (e *env) Sometimes(cond bool, name string) { e.p.live(); e.p.sim.probe(name, cond) }
