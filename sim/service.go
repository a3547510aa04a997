package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// Service is the servers' service-time model. The zero value is the
// simulator's historical behaviour exactly: handlers are instantaneous and
// a sync takes Disk.SyncLatency.
//
// With PerMessage > 0 a server is a single FIFO worker: a message
// delivered to it at t while it is busy until T is handled at
// max(t, T) + PerMessage (its Deliver event and handler run then, so
// what the handler sends leaves after the service time), and the server
// is busy until that instant. A slow server's queue therefore builds.
// Timers and sync callbacks are not queued behind messages (a slow
// server's own heartbeats stay on time: the gray in gray failure).
// Clients are load generators and never pay service time.
type Service struct {
	// PerMessage is how long a server takes to handle one delivered
	// message.
	PerMessage time.Duration
	// PerSync is added to every server disk sync's latency.
	PerSync time.Duration
}

// IsZero reports whether the model is off (instantaneous handlers).
func (s Service) IsZero() bool { return s == Service{} }

func (s Service) validate() error {
	if s.PerMessage < 0 || s.PerSync < 0 {
		return fmt.Errorf("sim: Service: negative service time (per message %v, per sync %v)", s.PerMessage, s.PerSync)
	}
	return nil
}

// Factor is a multiplier in thousandths: 1000 is ×1, 2500 is ×2.5. The
// zero Factor means ×1 (nothing changed). It scales service times (the
// slow fault) and the offered load (the overload fault).
type Factor int64

// FactorOne is ×1.
const FactorOne Factor = 1000

// MinFactor and MaxFactor bound a factor: ×0.001 to ×1000.
const (
	MinFactor Factor = 1
	MaxFactor Factor = 1000 * FactorOne
)

// Times returns the factor for ×x, rounded to the nearest thousandth.
func Times(x float64) Factor { return Factor(x*1000 + 0.5) }

// Permille returns the factor in thousandths (1000 for the zero Factor).
func (f Factor) Permille() int64 {
	if f == 0 {
		return int64(FactorOne)
	}
	return int64(f)
}

// String prints the factor as a decimal with an x: 4x, 2.5x, 0.125x.
func (f Factor) String() string {
	p := f.Permille()
	s := strconv.FormatInt(p/1000, 10)
	if frac := p % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	return s + "x"
}

// ParseFactor reads a factor written as String writes it (4x, 2.5x); the
// x may be left out. At most three decimals; the value must lie within
// [MinFactor, MaxFactor].
func ParseFactor(s string) (Factor, error) {
	bad := fmt.Errorf("sim: bad factor %q (want a multiplier such as 4x or 2.5x, from 0.001x to 1000x)", s)
	num := strings.TrimSuffix(strings.TrimSpace(s), "x")
	whole, frac, hasFrac := strings.Cut(num, ".")
	if whole == "" || len(frac) > 3 || (hasFrac && frac == "") {
		return 0, bad
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > int64(MaxFactor/FactorOne) {
		return 0, bad
	}
	f := w * 1000
	if hasFrac {
		d, _ := strconv.ParseInt((frac + "00")[:3], 10, 64)
		f += d
	}
	if Factor(f) < MinFactor || Factor(f) > MaxFactor {
		return 0, bad
	}
	return Factor(f), nil
}

// Valid reports whether f is zero (×1) or within [MinFactor, MaxFactor].
func (f Factor) Valid() bool { return f == 0 || (f >= MinFactor && f <= MaxFactor) }

// Scale returns d×f, rounded down to the nanosecond, without overflow for
// any duration below about 100 days.
func (f Factor) Scale(d int64) int64 {
	p := f.Permille()
	if p == 1000 {
		return d
	}
	return d/1000*p + d%1000*p/1000
}

// svcState is one server's part of the service-time model: it handles
// queued deliveries until busyUntil; each costs cost (Service.PerMessage
// scaled by factor, 0 meaning ×1).
type svcState struct {
	busyUntil int64
	cost      int64
	factor    Factor
	fifo      []item // deliveries waiting for service, from head on
	head      int
	serving   bool  // a delivery is in service (scheduled at its end, done set)
	work      int64 // service time the running handler declared (Work)
}

// service returns p's service state, creating it on first use.
func (p *proc) service() *svcState {
	if p.svc == nil {
		p.svc = &svcState{}
		p.svc.cost = int64(p.sim.cfg.Service.PerMessage)
	}
	return p.svc
}

// setServiceFactor recomputes a server's per-message cost for factor f.
func (p *proc) setServiceFactor(f Factor) {
	v := p.service()
	v.factor = f
	v.cost = f.Scale(int64(p.sim.cfg.Service.PerMessage))
}

// syncLatency is the latency of a sync that sampled lat: the service
// model's sync cost is added and the slow factor applied.
func (p *proc) syncLatency(lat int64) int64 {
	if p.svc == nil || p.id.IsClient() || (p.svc.factor == 0 && p.sim.cfg.Service.PerSync == 0) {
		return lat
	}
	return p.svc.factor.Scale(lat + int64(p.sim.cfg.Service.PerSync))
}

// SetServiceFactor multiplies a server's service time (each message's
// handling and each disk sync) by f from now on: messages already queued
// keep the time they were given. FactorOne (or 0) restores it. This is
// the slow fault's verb; with a zero Service.PerMessage only syncs slow.
func (s *Sim) SetServiceFactor(id nodes.ID, f Factor) error {
	p, err := s.mustProc(id)
	if err != nil {
		return err
	}
	if !f.Valid() {
		return fmt.Errorf("sim: service factor %d/1000 for %v is outside [%v, %v]", int64(f), id, MinFactor, MaxFactor)
	}
	if f == FactorOne {
		f = 0
	}
	if id.IsClient() || (f == 0 && p.svc == nil) {
		return nil // clients pay no service time; ×1 on an unused model changes nothing
	}
	p.setServiceFactor(f)
	return nil
}

// ServiceFactor returns a process's service-time factor (FactorOne when
// unchanged).
func (s *Sim) ServiceFactor(id nodes.ID) Factor {
	p := s.proc(id)
	if p == nil || p.svc == nil || p.svc.factor == 0 {
		return FactorOne
	}
	return p.svc.factor
}

// BusyUntil returns when a server finishes the message in service and the
// work declared so far (the current time or earlier when it is idle).
func (s *Sim) BusyUntil(id nodes.ID) time.Duration {
	p := s.proc(id)
	if p == nil || p.svc == nil {
		return 0
	}
	return time.Duration(p.svc.busyUntil)
}

// Queued returns how many delivered messages wait in a server's FIFO
// behind the one in service.
func (s *Sim) Queued(id nodes.ID) int {
	p := s.proc(id)
	if p == nil {
		return 0
	}
	return p.env.Queued()
}

// SetLoad sets the offered-load factor every client sees through
// nodes.LoadEnv (the overload fault's verb): an open-loop workload at rate
// r issues r×f operations per second. FactorOne (or 0) restores it.
func (s *Sim) SetLoad(f Factor) error {
	if !f.Valid() {
		return fmt.Errorf("sim: load factor %d/1000 is outside [%v, %v]", int64(f), MinFactor, MaxFactor)
	}
	if f == FactorOne {
		f = 0
	}
	s.load = f
	return nil
}

// Load returns the offered-load factor (FactorOne when unchanged).
func (s *Sim) Load() Factor {
	if s.load == 0 {
		return FactorOne
	}
	return s.load
}

// LoadPermille implements nodes.LoadEnv.
func (e *env) LoadPermille() int64 { return e.p.sim.load.Permille() }

// Work implements nodes.ServiceEnv: the running handler spends d more of
// service time (scaled by the server's factor). What it sends from now on
// leaves after that time, and the server's next delivery waits for it.
// Clients pay no service time: for them it does nothing.
func (e *env) Work(d time.Duration) {
	p := e.p
	if d <= 0 || p.id.IsClient() {
		return
	}
	v := p.service()
	w := v.factor.Scale(int64(d))
	v.work += w
	v.busyUntil = max(v.busyUntil, p.sim.now) + w
}

// Queued implements nodes.ServiceEnv: how many delivered messages wait in
// this server's FIFO for its handler (always 0 without service time).
func (e *env) Queued() int {
	if v := e.p.svc; v != nil {
		return len(v.fifo) - v.head
	}
	return 0
}

// serveNext starts serving the head of p's FIFO: it is handled when the
// work ahead of it (busyUntil) and its own service time are done. Work a
// handler declares pushes busyUntil, so it delays the messages behind.
func (s *Sim) serveNext(p *proc) {
	v := p.svc
	for v.head < len(v.fifo) {
		it := v.fifo[v.head]
		v.fifo[v.head] = item{}
		v.head++
		if v.head == len(v.fifo) {
			v.fifo, v.head = v.fifo[:0], 0
		} else if v.head > 64 && v.head*2 > len(v.fifo) {
			n := copy(v.fifo, v.fifo[v.head:])
			v.fifo, v.head = v.fifo[:n], 0
		}
		sl := &s.slots[it.slot]
		if sl.gen != it.gen {
			continue
		}
		v.busyUntil = max(v.busyUntil, s.now) + v.cost
		sl.done, sl.inc = true, p.inc
		v.serving = true
		s.schedule(v.busyUntil, it.slot)
		return
	}
}

// dropQueue discards p's FIFO at a crash.
func (s *Sim) dropQueue(p *proc) {
	v := p.svc
	for _, it := range v.fifo[v.head:] {
		sl := &s.slots[it.slot]
		if sl.gen == it.gen {
			s.emitMsg(trace.Drop, sl.from, p.id, sl.msgID, sl.mt, "crashed", sl.msg)
			s.release(it.slot)
		}
	}
	clear(v.fifo)
	v.fifo, v.head = v.fifo[:0], 0
	v.serving = false
	v.busyUntil = 0
}
