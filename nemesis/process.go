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
// again, and so on until it stops: each down time and each up time is
// drawn from Period. When it stops, servers that are down restart.
type CrashLoop struct {
	Target Target
	Period Range
}

func (CrashLoop) Kind() string        { return "crash-loop" }
func (f CrashLoop) String() string    { return join("crash-loop", f.Target.String(), f.Period.String()) }
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
	return CrashLoop{t, p}, a.done()
}

func (f CrashLoop) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	plan.start = func(x *ctx) func() {
		stopped := false
		var crash, restart func()
		crash = func() {
			if stopped {
				return
			}
			for _, id := range ids {
				x.must(x.w.Crash(id))
			}
			x.w.After(f.Period.Sample(x.r), restart)
		}
		restart = func() {
			if stopped {
				return
			}
			x.restart(ids)
			x.w.After(f.Period.Sample(x.r), crash)
		}
		crash()
		return func() {
			stopped = true
			x.restart(ids)
		}
	}
	return plan, nil
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

func genCrash(g *genCtx) Fault     { return Crash{g.pick(One, Minority, Leader)} }
func genCrashLoop(g *genCtx) Fault { return CrashLoop{g.pick(One, Leader), g.in.CrashLoop} }
func genPause(g *genCtx) Fault     { return Pause{g.pick(One, Minority, Leader)} }
