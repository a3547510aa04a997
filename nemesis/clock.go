package nemesis

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Clock faults change what servers' clocks read. They never take a server
// down: a correct protocol must stay safe under them. Each one restores
// what it changed when it stops; the heal phase puts every clock back in
// sync (see Options.Clocks).

// planNodes resolves t among the eligible servers into a plan for f.
func planNodes(f Fault, w *sim.Sim, r *rand.Rand, t Target, e eligibility) (*Plan, []nodes.ID, error) {
	res := &resolver{w, r, len(w.Servers())}
	ids, err := res.nodes(t, e, nil)
	if err != nil {
		return nil, nil, err
	}
	plan := &Plan{Fault: f}
	if t.Abstract() && !(t.Kind == TargetAll && len(ids) == res.n) {
		plan.Resolved = idList(ids)
	}
	if len(ids) == 1 {
		plan.Node = ids[0]
	}
	return plan, ids, nil
}

// Skew sets the target servers' wall-clock offset to Offset (ahead when
// positive, behind when negative).
type Skew struct {
	Target Target
	Offset time.Duration
}

func (Skew) Kind() string        { return "skew" }
func (f Skew) String() string    { return join("skew", f.Target.String(), fmtSigned(f.Offset)) }
func (f Skew) Check(n int) error { return f.Target.check(n) }

func parseSkew(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	s, err := a.next("offset (such as +300ms or -1s)")
	if err != nil {
		return nil, err
	}
	d, err := parseDur(s)
	if err != nil {
		return nil, err
	}
	return Skew{t, d}, a.done()
}

func (f Skew) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, anyServer)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		old := make([]time.Duration, len(ids))
		for i, id := range ids {
			old[i], _ = x.w.Clock(id)
			x.must(x.w.SetClockOffset(id, f.Offset))
		}
		return func() {
			for i, id := range ids {
				x.must(x.w.SetClockOffset(id, old[i]))
			}
		}
	}
	return plan, nil
}

// Drift sets the target servers' oscillator rate to 1 + PPM/10⁶: timers
// of a fast clock fire early in true time, a slow clock's late.
type Drift struct {
	Target Target
	PPM    int64
}

func (Drift) Kind() string        { return "drift" }
func (f Drift) String() string    { return join("drift", f.Target.String(), fmtPPM(f.PPM)) }
func (f Drift) Check(n int) error { return f.Target.check(n) }

func parseDrift(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	s, err := a.next("drift (such as +200ppm)")
	if err != nil {
		return nil, err
	}
	ppm, err := parsePPM(s)
	if err != nil {
		return nil, err
	}
	return Drift{t, ppm}, a.done()
}

func (f Drift) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, anyServer)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		old := make([]int64, len(ids))
		for i, id := range ids {
			_, old[i] = x.w.Clock(id)
			x.must(x.w.SetDrift(id, f.PPM))
		}
		return func() {
			for i, id := range ids {
				x.must(x.w.SetDrift(id, old[i]))
			}
		}
	}
	return plan, nil
}

// Jump moves the target servers' wall clocks by By at once (backwards when
// negative); monotonic clocks and timers are unaffected. When the fault
// stops, the clocks jump back by the same amount.
type Jump struct {
	Target Target
	By     time.Duration
}

func (Jump) Kind() string        { return "clock-jump" }
func (f Jump) String() string    { return join("clock-jump", f.Target.String(), fmtSigned(f.By)) }
func (f Jump) Check(n int) error { return f.Target.check(n) }

func parseJump(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	s, err := a.next("jump (such as -300ms or +2s)")
	if err != nil {
		return nil, err
	}
	d, err := parseDur(s)
	if err != nil {
		return nil, err
	}
	if d == 0 {
		return nil, fmt.Errorf("jump %q is zero: the fault would do nothing", s)
	}
	return Jump{t, d}, a.done()
}

func (f Jump) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, anyServer)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		for _, id := range ids {
			x.must(x.w.JumpClock(id, f.By))
		}
		return func() {
			for _, id := range ids {
				x.must(x.w.JumpClock(id, -f.By))
			}
		}
	}
	return plan, nil
}

// Strobe jumps the target servers' wall clocks forward by Amplitude and
// back again, every Period, until it stops.
type Strobe struct {
	Target    Target
	Amplitude time.Duration
	Period    time.Duration
}

func (Strobe) Kind() string { return "strobe" }
func (f Strobe) String() string {
	return join("strobe", f.Target.String(), fmtDur(f.Amplitude), fmtDur(f.Period))
}
func (f Strobe) Check(n int) error { return f.Target.check(n) }

func parseStrobe(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	f := Strobe{Target: t}
	s, err := a.next("amplitude (such as 100ms)")
	if err != nil {
		return nil, err
	}
	if f.Amplitude, err = parsePositive("strobe amplitude", s); err != nil {
		return nil, err
	}
	if s, err = a.next("period (such as 10ms)"); err != nil {
		return nil, err
	}
	if f.Period, err = parsePositive("strobe period", s); err != nil {
		return nil, err
	}
	return f, a.done()
}

func (f Strobe) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, anyServer)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		ahead, stopped := false, false
		var flip func()
		flip = func() {
			if stopped {
				return
			}
			d := f.Amplitude
			if ahead {
				d = -d
			}
			ahead = !ahead
			for _, id := range ids {
				x.must(x.w.JumpClock(id, d))
			}
			x.w.After(f.Period, flip)
		}
		flip()
		return func() {
			stopped = true
			if ahead {
				for _, id := range ids {
					x.must(x.w.JumpClock(id, -f.Amplitude))
				}
			}
		}
	}
	return plan, nil
}

// ClockReset puts the target servers' clocks back in sync at once (offset
// and drift as Options.Clocks says; zero by default). Default target: all.
type ClockReset struct{ Target Target }

func (ClockReset) Kind() string { return "clock-reset" }
func (f ClockReset) String() string {
	if f.Target.Kind == TargetAll {
		return "clock-reset"
	}
	return "clock-reset " + f.Target.String()
}
func (f ClockReset) Check(n int) error { return f.Target.check(n) }

func parseClockReset(in []string) (Fault, error) {
	a := args{in}
	if !a.more() {
		return ClockReset{All}, nil
	}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	return ClockReset{t}, a.done()
}

func (f ClockReset) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, anyServer)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		for _, id := range ids {
			x.resetClock(id)
		}
		return nil
	}
	return plan, nil
}

// resetClock puts one server's clock back in sync, emitting clock events
// only for what changes.
func (x *ctx) resetClock(id nodes.ID) {
	off, ppm := x.inSync(id)
	curOff, curPPM := x.w.Clock(id)
	if curPPM != ppm {
		x.must(x.w.SetDrift(id, ppm))
	}
	if curOff != off {
		x.must(x.w.SetClockOffset(id, off))
	}
}

func genSkew(g *genCtx) Fault { return Skew{g.pick(One, Minority, Leader), g.signed(g.in.Skew)} }

func genDrift(g *genCtx) Fault {
	ppm := g.r.Int64N(g.in.DriftPPM) + 1
	if g.r.IntN(2) == 0 {
		ppm = -ppm
	}
	return Drift{g.pick(One, Minority, Leader), ppm}
}

func genJump(g *genCtx) Fault { return Jump{g.pick(One, Minority, Leader, All), g.signed(g.in.Jump)} }

func genStrobe(g *genCtx) Fault {
	return Strobe{g.pick(One, Minority, Leader), g.in.StrobeAmplitude, g.in.StrobePeriod}
}
