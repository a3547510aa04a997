package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// ClockHeal says what "clocks back in sync" means for clock-reset and the
// heal phase.
type ClockHeal uint8

const (
	// ClocksInSync sets every offset and drift to zero: all clocks read
	// true time. The default.
	ClocksInSync ClockHeal = iota
	// ClocksInitial restores the offsets and drifts the servers had when
	// the schedule was installed (the configured sim.Clocks skew and
	// drift are then part of the environment, not a fault).
	ClocksInitial
)

// Options configure Install. Use keyed fields.
type Options struct {
	_ struct{}
	// HealAt is when the heal phase starts: every active fault stops, and
	// the world is swept back to health. Steps must start before it. Zero
	// means no heal phase.
	HealAt time.Duration
	// Quiet is the quiet period after the heal, in which the caller judges
	// liveness; the nemesis only marks its end in the trace (End).
	Quiet time.Duration
	// Unbounded lifts the recoverability budget: faults may take down any
	// number of servers.
	Unbounded bool
	// MaxDown is the budget: at most this many servers down at once (see
	// budget.go for what counts). Zero means (n-1)/2.
	MaxDown int
	// Clocks says what the heal and clock-reset restore.
	Clocks ClockHeal
	// ClientsFollowPartitions puts each client on its home server's side
	// of every partition, isolation, bridge, ring and cut: client ci can
	// reach only the servers its home server n((i-1) mod N + 1) can. By
	// default partitions split servers only and clients reach every
	// server, so a CP system stays available through its majority; with
	// it, the clients on a minority side see what CAP predicts.
	ClientsFollowPartitions bool
	// Rand, if set, is the one stream every fault draws from. By default
	// each fault kind draws from its own stream, Stream(seed, kind), so
	// that adding a crash to a schedule does not change which servers a
	// partition picks.
	Rand *rand.Rand
}

// Stream returns the random stream a nemesis component named name draws
// from, derived from the run's seed and the nemesis stream's name:
// sim.NewStream(seed, "nemesis/"+name). Fault kinds use their kind name;
// the generator uses "gen/..." names.
func Stream(seed uint64, name string) *rand.Rand {
	return sim.NewStream(seed, sim.StreamNemesis+"/"+name)
}

// Nemesis is a schedule installed in a world.
type Nemesis struct {
	w       *sim.Sim
	sched   Schedule
	opts    Options
	n       int
	x       ctx
	streams map[string]*rand.Rand
	initial []clockVal
	active  []*running
	log     []Window
}

type clockVal struct {
	offset time.Duration
	ppm    int64
}

type running struct {
	id   int64 // the fault's id in the trace (Sim.StartFault)
	step int
	win  int // index into log
	plan *Plan
	text string
	stop func()
}

// Install schedules sched in w: each step starts (and, with a for, stops)
// at its virtual time, and the heal phase runs at opts.HealAt. Call it
// before w.Run. Each start and stop is a trace event (FaultStart,
// FaultStop; Num is the fault's id, Type its kind, Text its text with its
// resolution);
// a fault that cannot start, or would exceed the recoverability budget, is
// skipped and recorded as a Mark event of type trace.MarkNemesisSkip.
func Install(w *sim.Sim, sched Schedule, opts Options) (*Nemesis, error) {
	n := len(w.Servers())
	if err := sched.Check(n, opts.HealAt); err != nil {
		return nil, err
	}
	switch {
	case opts.MaxDown < 0:
		return nil, fmt.Errorf("nemesis: MaxDown: negative budget %d", opts.MaxDown)
	case opts.HealAt < 0 || opts.Quiet < 0:
		return nil, fmt.Errorf("nemesis: HealAt/Quiet: negative time")
	}
	nm := &Nemesis{w: w, sched: Schedule{Steps: slices.Clone(sched.Steps)}, opts: opts, n: n, streams: map[string]*rand.Rand{}}
	if opts.MaxDown == 0 {
		nm.opts.MaxDown = (n - 1) / 2
	}
	for _, id := range w.Servers() {
		off, ppm := w.Clock(id)
		nm.initial = append(nm.initial, clockVal{off, ppm})
	}
	nm.x = ctx{w: w, inSync: nm.inSync, healAll: nm.healAll, fits: nm.fits, clientsFollow: opts.ClientsFollowPartitions}
	if err := holdJoiners(w, nm.sched); err != nil {
		return nil, err
	}
	for i, st := range nm.sched.Steps {
		w.At(st.At, func() { nm.begin(i) })
		if st.For > 0 {
			w.At(st.At+st.For, func() { nm.end(i) })
		}
	}
	if opts.HealAt > 0 {
		w.At(opts.HealAt, nm.finalHeal)
		if opts.Quiet > 0 {
			w.At(opts.HealAt+opts.Quiet, func() { w.Mark(trace.MarkPhase, "quiet period over") })
		}
	}
	return nm, nil
}

// End is when the quiet period after the heal ends (HealAt + Quiet).
func (nm *Nemesis) End() time.Duration { return nm.opts.HealAt + nm.opts.Quiet }

// Schedule returns the installed schedule.
func (nm *Nemesis) Schedule() Schedule { return nm.sched }

// Windows returns every fault started or skipped so far, in start order.
func (nm *Nemesis) Windows() []Window { return slices.Clone(nm.log) }

// Budget returns the most servers the nemesis lets be down at once
// (-1 when unbounded).
func (nm *Nemesis) Budget() int {
	if nm.opts.Unbounded {
		return -1
	}
	return nm.opts.MaxDown
}

// Down returns how many servers are down now, as the budget counts them.
func (nm *Nemesis) Down() int { return nm.countWith(nil) }

func (nm *Nemesis) inSync(id nodes.ID) (time.Duration, int64) {
	if nm.opts.Clocks == ClocksInitial && int(id) >= 1 && int(id) <= len(nm.initial) {
		c := nm.initial[id-1]
		return c.offset, c.ppm
	}
	return 0, 0
}

func (nm *Nemesis) stream(kind string) *rand.Rand {
	if nm.opts.Rand != nil {
		return nm.opts.Rand
	}
	r, ok := nm.streams[kind]
	if !ok {
		r = Stream(nm.w.Seed(), kind)
		nm.streams[kind] = r
	}
	return r
}

func (nm *Nemesis) begin(i int) {
	f := nm.sched.Steps[i].Fault
	r := nm.stream(f.Kind())
	plan, err := f.Plan(nm.w, r)
	if err != nil {
		nm.skip(i, f.String(), f.Kind(), err.Error())
		return
	}
	if !nm.opts.Unbounded && (len(plan.Down) > 0 || len(plan.Cuts) > 0) {
		if down := nm.countWith(plan); down > nm.opts.MaxDown {
			nm.skip(i, plan.Text(), f.Kind(), fmt.Sprintf("would leave %d of %d servers down (budget %d)", down, nm.n, nm.opts.MaxDown))
			return
		}
	}
	nm.start(i, plan, r)
}

// start runs a plan and records it. Each fault gets its own ctx: faults
// that keep acting (crash-loop) draw from their own kind's stream.
func (nm *Nemesis) start(step int, plan *Plan, r *rand.Rand) {
	text, kind := plan.Text(), plan.Fault.Kind()
	id := nm.w.StartFault(plan.Node, kind, text)
	nm.log = append(nm.log, Window{ID: id, Step: step, Kind: kind, Text: text, Node: plan.Node, Start: nm.w.Now(), Open: true})
	ru := &running{id: id, step: step, win: len(nm.log) - 1, plan: plan, text: text}
	x := nm.x
	x.r = r
	ru.stop = plan.start(&x)
	if ru.stop == nil {
		nm.finish(ru)
		return
	}
	nm.active = append(nm.active, ru)
}

func (nm *Nemesis) finish(ru *running) {
	nm.w.StopFault(ru.id, ru.plan.Node, ru.plan.Fault.Kind(), ru.text)
	win := &nm.log[ru.win]
	win.End = nm.w.Now()
	win.Open = false
}

func (nm *Nemesis) skip(step int, text, kind, reason string) {
	nm.w.Mark(trace.MarkNemesisSkip, text+": "+reason)
	nm.log = append(nm.log, Window{Step: step, Kind: kind, Text: text, Start: nm.w.Now(), End: nm.w.Now(), Skipped: reason})
}

// end stops step i's fault if it is still active.
func (nm *Nemesis) end(i int) {
	for j, ru := range nm.active {
		if ru.step == i {
			nm.active = slices.Delete(nm.active, j, j+1)
			nm.stopOne(ru)
			return
		}
	}
}

func (nm *Nemesis) stopOne(ru *running) {
	ru.stop()
	nm.finish(ru)
}

// healAll stops every active fault, newest first, then sweeps.
func (nm *Nemesis) healAll() {
	for len(nm.active) > 0 {
		ru := nm.active[len(nm.active)-1]
		nm.active = nm.active[:len(nm.active)-1]
		nm.stopOne(ru)
	}
	nm.x.sweep()
}

func (nm *Nemesis) finalHeal() {
	nm.w.Mark(trace.MarkPhase, "heal")
	nm.healAll()
}

// fits reports whether down may go down now within the budget, beside
// every active fault (ctx.fits).
func (nm *Nemesis) fits(down []nodes.ID) bool {
	return nm.opts.Unbounded || nm.countWith(&Plan{Down: down}) <= nm.opts.MaxDown
}

// countWith counts down servers with the active faults plus p (if any).
func (nm *Nemesis) countWith(p *Plan) int {
	down := make([]bool, nm.n+1)
	for _, id := range nm.w.Servers() {
		if !nm.w.IsUp(id) || nm.w.IsPaused(id) {
			down[id] = true
		}
	}
	var cuts []Link
	for _, ru := range nm.active {
		markDown(down, ru.plan.Down)
		cuts = append(cuts, ru.plan.Cuts...)
	}
	if p != nil {
		markDown(down, p.Down)
		cuts = append(cuts, p.Cuts...)
	}
	return countDown(nm.n, down, cuts)
}

// Active is a fault applied directly with Apply.
type Active struct {
	Plan *Plan
	ID   int64 // the fault's id in the trace (Sim.StartFault)
	w    *sim.Sim
	stop func()
	done bool
}

// Apply resolves f in w with r and starts it now, outside any schedule and
// without a budget, writing its FaultStart event. Stop undoes it. Tests and
// interactive tools use it; runs use Install.
func Apply(w *sim.Sim, f Fault, r *rand.Rand) (*Active, error) {
	if err := f.Check(len(w.Servers())); err != nil {
		return nil, fmt.Errorf("nemesis: fault %q: %v", f, err)
	}
	plan, err := f.Plan(w, r)
	if err != nil {
		return nil, fmt.Errorf("nemesis: fault %q: %v", f, err)
	}
	x := &ctx{w: w, r: r, inSync: func(nodes.ID) (time.Duration, int64) { return 0, 0 }}
	x.healAll = x.sweep
	id := w.StartFault(plan.Node, f.Kind(), plan.Text())
	a := &Active{Plan: plan, ID: id, w: w, stop: plan.start(x)}
	if a.stop == nil {
		a.Stop()
	}
	return a, nil
}

// Stop undoes the fault (once) and writes its FaultStop event.
func (a *Active) Stop() {
	if a.done {
		return
	}
	a.done = true
	if a.stop != nil {
		a.stop()
	}
	a.w.StopFault(a.ID, a.Plan.Node, a.Plan.Fault.Kind(), a.Plan.Text())
}
