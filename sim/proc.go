package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// proc is one simulated process (server or client) across its
// incarnations: the Node value is replaced at every restart; the clock,
// disk and random stream belong to the machine and persist.
type proc struct {
	id        nodes.ID
	factory   nodes.Factory
	sim       *Sim
	node      nodes.Node
	up        bool
	paused    bool
	held      bool // not started with the others (Hold)
	inc       uint32
	monoStart int64
	rng       *rand.Rand
	clock     clock
	disk      disk
	deferred  []item
	sent      int        // messages sent, ever (Sim.Sent)
	peers     []nodes.ID // lazily built by Env.Peers
	env       env
	// svc is the service-time model's state (service.go), nil until the
	// model is used, so a world without it pays one pointer per process.
	svc *svcState
}

func (p *proc) start() {
	s := p.sim
	p.inc++
	p.up = true
	p.paused = false
	p.monoStart = p.clock.mono(s.now)
	s.ev = trace.Event{Kind: trace.Start, Node: p.id, Num: int64(p.inc)}
	s.emit()
	if p.callStart() {
		p.checkAfter()
	}
}

// Each handler call runs under recover: a panic becomes the run's failure
// (and the call reports false); a call that returns normally is followed
// by the after-handler checks (online invariants over node state). No
// closures: the hot path allocates nothing.

func (p *proc) callStart() (ok bool) {
	defer p.recover(&ok)
	p.sim.active = p
	if p.svc != nil {
		p.svc.work = 0
	}
	p.node = p.factory(p.id)
	p.node.Start(&p.env)
	ok = true
	return ok
}

func (p *proc) deliver(from nodes.ID, msg nodes.Message) {
	if p.callMessage(from, msg) && len(p.sim.after) > 0 {
		p.checkAfter()
	}
}

func (p *proc) callMessage(from nodes.ID, msg nodes.Message) (ok bool) {
	defer p.recover(&ok)
	p.sim.active = p
	if p.svc != nil {
		p.svc.work = 0
	}
	p.node.Message(&p.env, from, msg)
	ok = true
	return ok
}

func (p *proc) timer(id nodes.TimerID, tag uint64) {
	if p.callTimer(id, tag) && len(p.sim.after) > 0 {
		p.checkAfter()
	}
}

func (p *proc) callTimer(id nodes.TimerID, tag uint64) (ok bool) {
	defer p.recover(&ok)
	p.sim.active = p
	if p.svc != nil {
		p.svc.work = 0
	}
	p.node.Timer(&p.env, id, tag)
	ok = true
	return ok
}

func (p *proc) synced(tag uint64) {
	if p.callSynced(tag) && len(p.sim.after) > 0 {
		p.checkAfter()
	}
}

func (p *proc) callSynced(tag uint64) (ok bool) {
	defer p.recover(&ok)
	p.sim.active = p
	if p.svc != nil {
		p.svc.work = 0
	}
	p.node.Synced(&p.env, tag)
	ok = true
	return ok
}

// recover ends a handler call: ok says it returned normally (the call
// sets it last), so only a call that did not asks the runtime for the
// panic.
func (p *proc) recover(ok *bool) {
	p.sim.active = nil
	if *ok {
		return
	}
	if v := recover(); v != nil {
		p.sim.panicked(p, v)
	}
}

// checkAfter runs the after-handler checks once a handler of p returned.
func (p *proc) checkAfter() {
	s := p.sim
	if s.failure != nil {
		return
	}
	for _, check := range s.after {
		if err := check(p.id); err != nil {
			s.violation(p.id, err)
			return
		}
	}
}

// Crash kills a process: its Node value, timers, pending sync callbacks
// and deferred deliveries are lost, and unsynced disk writes are lost (or
// torn, under disk faults). Crashing a process that is down does nothing.
func (s *Sim) Crash(id nodes.ID) error {
	p, err := s.mustProc(id)
	if err != nil || !p.up {
		return err
	}
	p.up = false
	p.paused = false
	p.node = nil
	s.ev = trace.Event{Kind: trace.Crash, Node: id}
	s.emit()
	if p.svc != nil {
		s.dropQueue(p) // the message in service drops when its time comes
	}
	for _, it := range p.deferred {
		sl := &s.slots[it.slot]
		if sl.gen != it.gen {
			continue
		}
		if sl.kind == evDeliver {
			s.emitMsg(trace.Drop, sl.from, id, sl.msgID, sl.mt, "crashed", sl.msg)
		}
		s.release(it.slot)
	}
	p.deferred = p.deferred[:0]
	p.disk.crash(s, p)
	return nil
}

// Restart starts a crashed process again from its durable state: a new Node
// from the factory, Start called with the surviving store. Restarting a
// running process does nothing.
func (s *Sim) Restart(id nodes.ID) error {
	p, err := s.mustProc(id)
	if err != nil || p.up {
		return err
	}
	p.held = false
	s.ev = trace.Event{Kind: trace.Restart, Node: id}
	s.emit()
	p.start()
	return nil
}

// Pause stops a process without killing it (SIGSTOP): messages, timers
// and sync completions for it wait until Resume.
func (s *Sim) Pause(id nodes.ID) error {
	p, err := s.mustProc(id)
	if err != nil || !p.up || p.paused {
		return err
	}
	p.paused = true
	s.ev = trace.Event{Kind: trace.Pause, Node: id}
	s.emit()
	return nil
}

// Resume continues a paused process: everything that arrived while it was
// stopped is handled now, in arrival order.
func (s *Sim) Resume(id nodes.ID) error {
	p, err := s.mustProc(id)
	if err != nil || !p.up || !p.paused {
		return err
	}
	p.paused = false
	s.ev = trace.Event{Kind: trace.Resume, Node: id}
	s.emit()
	// Deferred work runs before anything else due at this instant, in the
	// order it arrived: it gets sequence numbers from a low counter that
	// stays below every ordinary one (each deferred item consumed an
	// ordinary number when first scheduled).
	for _, it := range p.deferred {
		if s.slots[it.slot].gen == it.gen {
			s.lowSeq++
			s.q.push(item{at: s.now, seq: s.lowSeq, slot: it.slot, gen: it.gen})
		}
	}
	p.deferred = p.deferred[:0]
	return nil
}

// Hold keeps a server from starting with the others when the run starts:
// it stays down, absent from the cluster, until Restart starts it (a
// member joining later: the nemesis's join). It must be called before the
// run starts; a held server has no start event until it joins.
func (s *Sim) Hold(id nodes.ID) error {
	p, err := s.mustProc(id)
	switch {
	case err != nil:
		return err
	case s.started:
		return fmt.Errorf("sim: Hold(%v) after the run started", id)
	case id.IsClient():
		return fmt.Errorf("sim: Hold(%v): only servers join later", id)
	}
	p.held = true
	return nil
}

// Leave asks a running server to leave gracefully: its node's Leave
// method runs (if it implements nodes.Leaver) as a handler at this
// instant. Stopping it afterwards is the caller's (Crash). Asking a
// server that is down or paused does nothing: it cannot act on it.
func (s *Sim) Leave(id nodes.ID) error {
	p, err := s.mustProc(id)
	if err != nil || !p.up || p.paused {
		return err
	}
	if l, ok := p.node.(nodes.Leaver); ok && p.callLeave(l) {
		p.checkAfter()
	}
	return nil
}

func (p *proc) callLeave(l nodes.Leaver) (ok bool) {
	defer p.recover(&ok)
	p.sim.active = p
	l.Leave(&p.env)
	ok = true
	return ok
}

// IsUp reports whether a process is running (possibly paused).
func (s *Sim) IsUp(id nodes.ID) bool {
	p := s.proc(id)
	return p != nil && p.up
}

// IsPaused reports whether a process is paused.
func (s *Sim) IsPaused(id nodes.ID) bool {
	p := s.proc(id)
	return p != nil && p.up && p.paused
}

// --- clocks ---------------------------------------------------------------

// SetClockOffset sets a node's wall-clock offset from its oscillator (skew).
func (s *Sim) SetClockOffset(id nodes.ID, offset time.Duration) error {
	p, err := s.mustProc(id)
	if err != nil {
		return err
	}
	p.clock.offset = int64(offset)
	s.clockEvent(p, "offset="+offset.String())
	return nil
}

// JumpClock moves a node's wall clock by d (negative jumps go backwards).
// The monotonic clock and timers are unaffected.
func (s *Sim) JumpClock(id nodes.ID, d time.Duration) error {
	p, err := s.mustProc(id)
	if err != nil {
		return err
	}
	p.clock.offset += int64(d)
	s.clockEvent(p, "jump="+d.String())
	return nil
}

// SetDrift sets a node's oscillator rate to 1 + ppm/10⁶. Pending timers
// follow the new rate: a fast clock fires its timers early in true time.
func (s *Sim) SetDrift(id nodes.ID, ppm int64) error {
	p, err := s.mustProc(id)
	if err != nil {
		return err
	}
	if ppm < -MaxDriftPPM || ppm > MaxDriftPPM {
		return fmt.Errorf("sim: drift %dppm for %v is outside ±%d", ppm, id, MaxDriftPPM)
	}
	p.clock.setDrift(s.now, ppm)
	// Timers set under the old rate may now be due earlier: queue an extra
	// item at the new time; whichever fires first wins, the other is stale.
	for i := range s.slots {
		sl := &s.slots[i]
		if sl.kind == evTimer && sl.to == id && sl.inc == p.inc {
			s.schedule(p.clock.trueAt(sl.mono), uint32(i))
		}
	}
	s.clockEvent(p, fmt.Sprintf("drift=%dppm", ppm))
	return nil
}

// Clock reports a node's wall-clock offset and drift now.
func (s *Sim) Clock(id nodes.ID) (offset time.Duration, ppm int64) {
	p := s.proc(id)
	if p == nil {
		return 0, 0
	}
	return time.Duration(p.clock.offset), p.clock.ppm
}

// WallClock returns what a node's wall clock reads now.
func (s *Sim) WallClock(id nodes.ID) time.Time {
	p := s.proc(id)
	return Epoch.Add(time.Duration(p.clock.wall(s.now)))
}

// MonotonicClock returns a node's oscillator reading since the run began
// (not since its incarnation).
func (s *Sim) MonotonicClock(id nodes.ID) time.Duration {
	p := s.proc(id)
	return time.Duration(p.clock.mono(s.now))
}

func (s *Sim) clockEvent(p *proc, note string) {
	s.ev = trace.Event{Kind: trace.Clock, Node: p.id, Note: note}
	s.emit()
}
