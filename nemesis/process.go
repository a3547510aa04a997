package nemesis

import (
	"fmt"
	"math/rand/v2"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Process faults stop servers: crash (kill -9: volatile state and
// unsynced writes lost), restart, crash-restart loops, and pause (SIGSTOP:
// nothing lost, everything deferred). Abstract targets pick among servers
// that are running (restart: among crashed ones).

func parseTargetOnly(mk func(Target) Fault) func([]string) (Fault, error) {
	return func(in []string) (Fault, error) {
		a := args{in}
		t, err := a.target()
		if err != nil {
			return nil, err
		}
		return mk(t), a.done()
	}
}

// Crash kills the target servers; when the fault stops they restart from
// their durable state.
type Crash struct{ Target Target }

func (Crash) Kind() string        { return "crash" }
func (f Crash) String() string    { return "crash " + f.Target.String() }
func (f Crash) Check(n int) error { return f.Target.check(n) }

var parseCrash = parseTargetOnly(func(t Target) Fault { return Crash{t} })

func (f Crash) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	plan.start = func(x *ctx) func() {
		for _, id := range ids {
			x.must(x.w.Crash(id))
		}
		return func() { x.restart(ids) }
	}
	return plan, nil
}

func (x *ctx) restart(ids []nodes.ID) {
	for _, id := range ids {
		x.must(x.w.Restart(id))
	}
}

// Restart starts crashed target servers again (running ones are left
// alone). It is instantaneous.
type Restart struct{ Target Target }

func (Restart) Kind() string        { return "restart" }
func (f Restart) String() string    { return "restart " + f.Target.String() }
func (f Restart) Check(n int) error { return f.Target.check(n) }

var parseRestart = parseTargetOnly(func(t Target) Fault { return Restart{t} })

func (f Restart) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, downServers)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		x.restart(ids)
		return nil
	}
	return plan, nil
}

// CrashLoop crashes the target servers, restarts them, crashes them
// again, and so on until it stops: each down time is drawn from Period,
// each up time from Up (Period when Up is zero). When it stops, servers
// that are down restart.
//
// With Retarget an abstract target is resolved again at every crash, as a
// run of separate crash steps would resolve it: "crash-loop leader 50ms..
// 300ms retarget" crashes whichever server leads at each crash (Jepsen's
// "kill the primary", over and over), where without it the loop keeps
// crashing the server that led when it started. A crash that finds no
// eligible server (no leader reported, an election under way) or that
// would exceed the recoverability budget is not made; the loop waits an
// up time and tries again.
type CrashLoop struct {
	Target   Target
	Period   Range // down times
	Up       Range // up times; zero: Period
	Retarget bool
}

// retargetWord is CrashLoop's optional last argument.
const retargetWord = "retarget"

func (CrashLoop) Kind() string { return "crash-loop" }
func (f CrashLoop) String() string {
	s := join("crash-loop", f.Target.String(), f.Period.String())
	if f.Up != (Range{}) && f.Up != f.Period {
		s += " " + f.Up.String()
	}
	if f.Retarget {
		s += " " + retargetWord
	}
	return s
}
func (f CrashLoop) Check(n int) error { return f.Target.check(n) }

func parseCrashLoop(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	s, err := a.next("period (such as 2s or 1s..3s)")
	if err != nil {
		return nil, err
	}
	p, err := ParseRange(s)
	if err != nil {
		return nil, err
	}
	if p.Min <= 0 {
		return nil, fmt.Errorf("crash-loop period %q must be positive", s)
	}
	f := CrashLoop{Target: t, Period: p}
	if a.more() && a.peek() != retargetWord {
		s, _ := a.next("")
		up, err := ParseRange(s)
		if err != nil {
			return nil, fmt.Errorf("crash-loop up time %q: %v", s, err)
		}
		if up.Min <= 0 {
			return nil, fmt.Errorf("crash-loop up time %q must be positive", s)
		}
		if up != p {
			f.Up = up // one text, one fault: an up range equal to the down range is the default
		}
	}
	if a.peek() == retargetWord {
		a.next("")
		if !t.Abstract() {
			return nil, fmt.Errorf("retarget needs a target resolved at run time (one, minority, majority, all, leader, leader-or-one), not the list %s", t)
		}
		f.Retarget = true
	}
	return f, a.done()
}

// upTime is the range the loop's up times are drawn from.
func (f CrashLoop) upTime() Range {
	if f.Up == (Range{}) {
		return f.Period
	}
	return f.Up
}

func (f CrashLoop) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	if !f.Retarget {
		plan.start = func(x *ctx) func() { return f.loop(x, ids, nil) }
		return plan, nil
	}
	// A retarget loop's plan has no Resolved text and no Node: the victims
	// change, and the crashes in the trace name them. Down is the current
	// victims while they are down (none in an up time), so the budget
	// counts exactly them.
	plan.Resolved, plan.Node = "", 0
	plan.start = func(x *ctx) func() {
		return f.loop(x, ids, func(up bool) []nodes.ID {
			plan.Down = nil
			if up {
				return nil
			}
			res := &resolver{x.w, x.r, len(x.w.Servers())}
			if next, err := res.nodes(f.Target, upServers, nil); err == nil && x.fitsBudget(next) {
				plan.Down = next
			}
			return plan.Down
		})
	}
	return plan, nil
}

// loop crashes down, restarts it after a down time, crashes it again
// after an up time, and so on; it returns the stop, which restarts what
// is down. With pick (retarget), each restart releases the victims
// (pick(true)) and each later crash takes pick(false)'s: nobody (none
// eligible, or the budget full) waits another up time.
func (f CrashLoop) loop(x *ctx, down []nodes.ID, pick func(up bool) []nodes.ID) func() {
	stopped := false
	var crash, restart func()
	crash = func() {
		if stopped {
			return
		}
		if down == nil {
			if down = pick(false); down == nil {
				x.w.After(f.upTime().Sample(x.r), crash)
				return
			}
		}
		for _, id := range down {
			x.must(x.w.Crash(id))
		}
		x.w.After(f.Period.Sample(x.r), restart)
	}
	restart = func() {
		if stopped {
			return
		}
		x.restart(down)
		if pick != nil {
			down = pick(true)
		}
		x.w.After(f.upTime().Sample(x.r), crash)
	}
	crash()
	return func() {
		stopped = true
		x.restart(down)
	}
}

// Pause stops the target servers without killing them: messages, timers
// and disk completions for them wait until the fault stops and they
// resume.
type Pause struct{ Target Target }

func (Pause) Kind() string        { return "pause" }
func (f Pause) String() string    { return "pause " + f.Target.String() }
func (f Pause) Check(n int) error { return f.Target.check(n) }

var parsePause = parseTargetOnly(func(t Target) Fault { return Pause{t} })

func (f Pause) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	plan.start = func(x *ctx) func() {
		for _, id := range ids {
			x.must(x.w.Pause(id))
		}
		return func() {
			for _, id := range ids {
				x.must(x.w.Resume(id))
			}
		}
	}
	return plan, nil
}

func genCrash(g *genCtx) Fault { return Crash{g.pick(One, Minority, Leader)} }
func genCrashLoop(g *genCtx) Fault {
	return CrashLoop{Target: g.pick(One, Leader), Period: g.in.CrashLoop}
}
func genPause(g *genCtx) Fault { return Pause{g.pick(One, Minority, Leader)} }
