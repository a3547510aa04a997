package nemesis

import (
	"fmt"
	"math/rand/v2"

	"github.com/faultline/faultline/sim"
)

// Gray failures: nothing is down, nothing is cut, and yet the system is
// sick. slow makes servers take longer to do their work (the simulator's
// service-time model, sim.Service: every handled message and every disk
// sync takes FACTOR times as long, so a slow server's queue builds while
// its heartbeats still look healthy); overload steps the clients' offered
// load (nodes.LoadEnv). Neither counts against the recoverability budget.
// Both restore what they changed when they stop, and the heal sweep puts
// every service time and the load back to ×1.

// DefaultSlowFactor and DefaultOverloadFactor are what generated schedules
// use.
var (
	DefaultSlowFactor     = sim.Times(10)
	DefaultOverloadFactor = sim.Times(3)
)

func parseFactor(what, s string) (sim.Factor, error) {
	f, err := sim.ParseFactor(s)
	if err != nil {
		return 0, fmt.Errorf("%s: bad factor %q (want a multiplier such as 4x or 2.5x, from %v to %v)", what, s, sim.MinFactor, sim.MaxFactor)
	}
	return f, nil
}

// Slow multiplies the target servers' service time by Factor while it
// lasts (sim.Sim.SetServiceFactor). With a zero per-message service time
// (the default world) only their disk syncs slow down.
type Slow struct {
	Target Target
	Factor sim.Factor
}

func (Slow) Kind() string        { return "slow" }
func (f Slow) String() string    { return join("slow", f.Target.String(), f.Factor.String()) }
func (f Slow) Check(n int) error { return f.Target.check(n) }

func parseSlow(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	s, err := a.next("factor (such as 10x)")
	if err != nil {
		return nil, err
	}
	factor, err := parseFactor("slow", s)
	if err != nil {
		return nil, err
	}
	return Slow{t, factor}, a.done()
}

func (f Slow) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, anyServer)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		old := make([]sim.Factor, len(ids))
		for i, id := range ids {
			old[i] = x.w.ServiceFactor(id)
			x.must(x.w.SetServiceFactor(id, f.Factor))
		}
		return func() {
			for i, id := range ids {
				x.must(x.w.SetServiceFactor(id, old[i]))
			}
		}
	}
	return plan, nil
}

func genSlow(g *genCtx) Fault { return Slow{g.pick(One, Leader), DefaultSlowFactor} }

// Overload multiplies the clients' offered load by Factor while it lasts
// (sim.Sim.SetLoad): an open-loop workload issues Factor times as many
// operations per second. Workloads that do not read nodes.LoadEnv are
// unaffected.
type Overload struct {
	Factor sim.Factor
}

func (Overload) Kind() string      { return "overload" }
func (f Overload) String() string  { return "overload " + f.Factor.String() }
func (Overload) Check(n int) error { return nil }

func parseOverload(in []string) (Fault, error) {
	a := args{in}
	s, err := a.next("factor (such as 3x)")
	if err != nil {
		return nil, err
	}
	factor, err := parseFactor("overload", s)
	if err != nil {
		return nil, err
	}
	return Overload{factor}, a.done()
}

func (f Overload) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan := &Plan{Fault: f}
	plan.start = func(x *ctx) func() {
		old := x.w.Load()
		x.must(x.w.SetLoad(f.Factor))
		return func() { x.must(x.w.SetLoad(old)) }
	}
	return plan, nil
}

func genOverload(g *genCtx) Fault {
	if g.in.Overload != 0 {
		return Overload{g.in.Overload}
	}
	return Overload{DefaultOverloadFactor}
}

// healGray is the heal sweep's part for gray failures.
func (x *ctx) healGray() {
	for _, id := range x.w.Servers() {
		x.must(x.w.SetServiceFactor(id, sim.FactorOne))
	}
	x.must(x.w.SetLoad(sim.FactorOne))
}
