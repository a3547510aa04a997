package nemesis

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/sim"
)

// GenOptions are the knobs of a generated schedule. The zero value of each
// field is its default. Use keyed fields.
type GenOptions struct {
	_ struct{}
	// Kinds are the fault kinds to draw from (default DefaultKinds). Only
	// lasting kinds can be generated (see GeneratedKinds).
	Kinds []string
	// Interval is the quiet gap before each fault (default 2s..5s).
	Interval Range
	// Duration is how long each fault lasts (default 1s..4s).
	Duration Range
	// Start is the earliest time a fault may start (plus one interval).
	Start time.Duration
	// End is the heal time: no fault starts at or after it, and a fault
	// that would outlast it lasts until the heal. Required.
	End time.Duration
	// Concurrent lets faults overlap: the next fault starts an interval
	// after the previous one started, not after it ended. The budget
	// still bounds what is down at once.
	Concurrent bool
	// Intensity sets the strength of the faults; zero fields take the
	// defaults in DefaultIntensity.
	Intensity Intensity
	// Swarm draws the enabled kinds (a random subset of Kinds) and the
	// intensity from the seed, so a sweep over seeds explores many fault
	// mixes.
	Swarm bool
	// NoLeader: the protocol has no leader, so a drawn "leader" target
	// becomes "one" (the draws themselves do not change, so neither does
	// anything else the seed decides).
	NoLeader bool
	// Correlated replaces about one generated step in three, drawn from
	// its own stream (gen/correlate), by correlated faults aimed at the
	// leader: isolated or paused while its clock jumps back, or crashed or
	// power-lost for 20..100ms (see correlate.go). Off, the schedule is
	// as without it.
	Correlated bool
	// Servers is the cluster size, so that correlated faults against a
	// protocol without a leader (NoLeader) name one explicit server; 0
	// makes them independent "one" targets.
	Servers int
	// Storm adds a crash storm beyond the recoverability budget, drawn
	// from its own stream (gen/storm): a crash-loop over a minority or a
	// majority and the leader crashed or power-lost again and again (see
	// storm.go). Install the schedule with Options.Unbounded, or the
	// budget skips most of it.
	Storm bool
	// LeaderFallback aims what would target the leader at leader-or-one
	// (TargetLeaderOrOne): when no server reports leadership as the fault
	// starts it hits a random server instead of being skipped. The draws
	// do not change, only the target's text. Off, the schedule is as
	// without it.
	LeaderFallback bool
	// SendStorm adds a crash-on-send storm, drawn from its own stream
	// (gen/crash-on-send): one server crashed right after every message
	// it sends, every link slowed, and the leader crashed again and again
	// (see crashonsendstorm.go). Like Storm, it may exceed the budget:
	// install with Options.Unbounded.
	SendStorm bool
}

// DefaultKinds are the kinds a generated schedule uses unless told
// otherwise: every lasting kind except disk-tear and disk-flip, which only
// protocols that checksum their records survive.
var DefaultKinds = []string{
	"partition", "isolate", "bridge", "ring", "cut",
	"drop", "delay", "duplicate", "reorder", "clog",
	"skew", "drift", "clock-jump", "strobe",
	"crash", "crash-loop", "pause", "disk-lose",
}

// Intensity is how hard generated faults hit.
type Intensity struct {
	Drop            sim.Ratio     // drop ratio
	Delay           Range         // extra delay
	Duplicate       sim.Ratio     // duplication ratio
	Reorder         sim.Ratio     // fraction of messages held back
	ReorderMax      time.Duration // how far back
	Skew            time.Duration // largest |offset|
	DriftPPM        int64         // largest |drift|
	Jump            time.Duration // largest |jump|
	StrobeAmplitude time.Duration
	StrobePeriod    time.Duration
	CrashLoop       Range // down and up times of a crash loop
	Tear            sim.Ratio
	Flip            sim.Ratio
	// Overload is the factor of a generated overload (zero: the default,
	// DefaultOverloadFactor; in swarm mode drawn from 2x, 3x, 5x, 10x —
	// the last draw of the swarm's intensity, so the others are as
	// without it).
	Overload sim.Factor
}

// DefaultIntensity fills the zero fields of an Intensity.
var DefaultIntensity = Intensity{
	Drop:            sim.Ratio{Num: 1, Den: 10},
	Delay:           Span(10*time.Millisecond, 100*time.Millisecond),
	Duplicate:       sim.Ratio{Num: 1, Den: 10},
	Reorder:         DefaultReorderRatio,
	ReorderMax:      DefaultReorderMax,
	Skew:            500 * time.Millisecond,
	DriftPPM:        1000,
	Jump:            time.Second,
	StrobeAmplitude: 200 * time.Millisecond,
	StrobePeriod:    20 * time.Millisecond,
	CrashLoop:       Span(500*time.Millisecond, 2*time.Second),
	Tear:            sim.Ratio{Num: 1, Den: 2},
	Flip:            sim.Ratio{Num: 1, Den: 100},
}

func (in Intensity) withDefaults() Intensity {
	d := DefaultIntensity
	fill := func(v *sim.Ratio, def sim.Ratio) {
		if v.IsZero() {
			*v = def
		}
	}
	fillD := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	fillR := func(v *Range, def Range) {
		if v.IsZero() {
			*v = def
		}
	}
	fill(&in.Drop, d.Drop)
	fillR(&in.Delay, d.Delay)
	fill(&in.Duplicate, d.Duplicate)
	fill(&in.Reorder, d.Reorder)
	fillD(&in.ReorderMax, d.ReorderMax)
	fillD(&in.Skew, d.Skew)
	if in.DriftPPM == 0 {
		in.DriftPPM = d.DriftPPM
	}
	fillD(&in.Jump, d.Jump)
	fillD(&in.StrobeAmplitude, d.StrobeAmplitude)
	fillD(&in.StrobePeriod, d.StrobePeriod)
	fillR(&in.CrashLoop, d.CrashLoop)
	fill(&in.Tear, d.Tear)
	fill(&in.Flip, d.Flip)
	return in
}

func (in Intensity) check() error {
	switch {
	case !in.Drop.Valid() || !in.Duplicate.Valid() || !in.Reorder.Valid() || !in.Tear.Valid() || !in.Flip.Valid():
		return fmt.Errorf("a ratio is not a probability")
	case in.Delay.Min < 0 || in.Delay.Max < in.Delay.Min:
		return fmt.Errorf("Delay %v is not a range", in.Delay)
	case in.ReorderMax < 0 || in.Skew < 0 || in.Jump < 0 || in.StrobeAmplitude < 0 || in.StrobePeriod < 0:
		return fmt.Errorf("durations must not be negative")
	case in.DriftPPM < 0 || in.DriftPPM > sim.MaxDriftPPM:
		return fmt.Errorf("DriftPPM %d is outside [0, %d]", in.DriftPPM, sim.MaxDriftPPM)
	case in.CrashLoop.Min <= 0 || in.CrashLoop.Max < in.CrashLoop.Min:
		return fmt.Errorf("CrashLoop %v must be a positive range", in.CrashLoop)
	}
	return nil
}

// genCtx is what a kind's generator draws from: its own stream and the
// intensity.
type genCtx struct {
	r              *rand.Rand
	in             *Intensity
	noLeader       bool
	leaderFallback bool // GenOptions.LeaderFallback
}

// pick draws one of the targets.
func (g *genCtx) pick(ts ...Target) Target { return g.target(ts[g.r.IntN(len(ts))]) }

// target is t, or One in place of Leader for a protocol without leaders
// (LeaderOrOne with LeaderFallback).
func (g *genCtx) target(t Target) Target {
	switch {
	case g.noLeader && t.Kind == TargetLeader:
		return One
	case g.leaderFallback && t.Kind == TargetLeader:
		return LeaderOrOne
	}
	return t
}

// signed draws a non-zero duration in [-max, max], rounded to milliseconds
// so that the text stays readable.
func (g *genCtx) signed(max time.Duration) time.Duration {
	ms := int64(max / time.Millisecond)
	if ms < 1 {
		ms = 1
	}
	v := g.r.Int64N(ms) + 1
	if g.r.IntN(2) == 0 {
		v = -v
	}
	return time.Duration(v) * time.Millisecond
}

// Generate draws a schedule from the seed. Every knob has its own stream,
// derived by name from the seed (Stream(seed, "gen/...")): the gaps, the
// durations, the choice of kind, and each kind's parameters. So changing
// the durations does not change which faults are drawn, and disabling one
// kind does not change the parameters the other kinds draw.
func Generate(seed uint64, opts GenOptions) (Schedule, error) {
	if err := opts.fill(seed); err != nil {
		return Schedule{}, fmt.Errorf("nemesis: generate: %v", err)
	}
	rGap := Stream(seed, "gen/interval")
	rDur := Stream(seed, "gen/duration")
	rKind := Stream(seed, "gen/kind")
	params := map[string]*genCtx{}
	var corr *genCtx
	if opts.Correlated {
		corr = &genCtx{r: Stream(seed, "gen/correlate"), in: &opts.Intensity, noLeader: opts.NoLeader, leaderFallback: opts.LeaderFallback}
	}
	var s Schedule
	t := opts.Start
	for {
		t += opts.Interval.sampleRounded(rGap, time.Millisecond)
		if t >= opts.End {
			break
		}
		kind := opts.Kinds[rKind.IntN(len(opts.Kinds))]
		d := opts.Duration.sampleRounded(rDur, time.Millisecond)
		g, ok := params[kind]
		if !ok {
			g = &genCtx{r: Stream(seed, "gen/"+kind), in: &opts.Intensity, noLeader: opts.NoLeader, leaderFallback: opts.LeaderFallback}
			params[kind] = g
		}
		st := Step{At: t, For: d, Fault: lookup(kind).gen(g)}
		steps := []Step{st}
		if corr != nil {
			if c := correlate(corr, t, d, opts.Servers); c != nil {
				steps = c
			}
		}
		for _, st := range steps {
			if t+st.For >= opts.End {
				st.For = 0 // lasts until the heal
			}
			s.Steps = append(s.Steps, st)
		}
		if !opts.Concurrent {
			t += d
		}
	}
	if opts.Storm {
		s.Steps = append(s.Steps, storm(seed, &opts)...)
		slices.SortStableFunc(s.Steps, func(a, b Step) int { return cmp.Compare(a.At, b.At) })
	}
	if opts.SendStorm {
		s.Steps = append(s.Steps, crashOnSendStorm(seed, &opts)...)
		slices.SortStableFunc(s.Steps, func(a, b Step) int { return cmp.Compare(a.At, b.At) })
	}
	return s, nil
}

// fill validates the options and fills in defaults, and for a swarm draws
// the kinds and intensity.
func (o *GenOptions) fill(seed uint64) error {
	if o.Kinds == nil {
		o.Kinds = DefaultKinds
	}
	o.Kinds = slices.Clone(o.Kinds)
	if len(o.Kinds) == 0 {
		return fmt.Errorf("no fault kinds enabled")
	}
	for _, k := range o.Kinds {
		spec := lookup(k)
		switch {
		case spec == nil:
			return fmt.Errorf("unknown fault kind %q (want one of %s)", k, strings.Join(GeneratedKinds(), ", "))
		case spec.gen == nil:
			return fmt.Errorf("fault kind %q is instantaneous and cannot be generated (want one of %s)", k, strings.Join(GeneratedKinds(), ", "))
		}
	}
	if o.Interval.IsZero() {
		o.Interval = Span(2*time.Second, 5*time.Second)
	}
	if o.Duration.IsZero() {
		o.Duration = Span(time.Second, 4*time.Second)
	}
	switch {
	case o.Interval.Min <= 0 || o.Interval.Max < o.Interval.Min:
		return fmt.Errorf("interval %v: must be a positive range", o.Interval)
	case o.Duration.Min <= 0 || o.Duration.Max < o.Duration.Min:
		return fmt.Errorf("duration %v: must be a positive range", o.Duration)
	case o.End <= o.Start:
		return fmt.Errorf("end %v must be after start %v", o.End, o.Start)
	}
	if o.Swarm {
		o.Kinds = swarmKinds(Stream(seed, "swarm/kinds"), o.Kinds)
		o.Intensity = swarmIntensity(Stream(seed, "swarm/intensity"), o.Intensity)
	}
	o.Intensity = o.Intensity.withDefaults()
	if err := o.Intensity.check(); err != nil {
		return fmt.Errorf("intensity: %v", err)
	}
	return nil
}

// swarmKinds keeps each kind with probability 1/2 (at least one). One draw
// per kind, in order, whatever the outcome.
func swarmKinds(r *rand.Rand, kinds []string) []string {
	var out []string
	for _, k := range kinds {
		if r.IntN(2) == 0 {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		out = []string{kinds[r.IntN(len(kinds))]}
	}
	return out
}

// swarmIntensity draws every field not set by the caller from a menu of
// mild to harsh values. Every field draws once, set or not, so fixing one
// field leaves the others' draws unchanged.
func swarmIntensity(r *rand.Rand, in Intensity) Intensity {
	ratio := func(v *sim.Ratio, menu ...sim.Ratio) {
		x := menu[r.IntN(len(menu))]
		if v.IsZero() {
			*v = x
		}
	}
	dur := func(v *time.Duration, menu ...time.Duration) {
		x := menu[r.IntN(len(menu))]
		if *v == 0 {
			*v = x
		}
	}
	rng := func(v *Range, menu ...Range) {
		x := menu[r.IntN(len(menu))]
		if v.IsZero() {
			*v = x
		}
	}
	ms := time.Millisecond
	ratio(&in.Drop, sim.Ratio{Num: 1, Den: 100}, sim.Ratio{Num: 1, Den: 10}, sim.Ratio{Num: 1, Den: 3}, sim.Ratio{Num: 9, Den: 10})
	rng(&in.Delay, Span(1*ms, 10*ms), Span(10*ms, 100*ms), Span(100*ms, time.Second))
	ratio(&in.Duplicate, sim.Ratio{Num: 1, Den: 100}, sim.Ratio{Num: 1, Den: 10}, sim.Ratio{Num: 1, Den: 2})
	ratio(&in.Reorder, sim.Ratio{Num: 1, Den: 10}, sim.Ratio{Num: 1, Den: 2}, sim.Ratio{Num: 9, Den: 10})
	dur(&in.ReorderMax, 10*ms, 50*ms, 500*ms)
	dur(&in.Skew, 10*ms, 500*ms, 10*time.Second)
	drift := []int64{100, 1000, 50_000}[r.IntN(3)]
	if in.DriftPPM == 0 {
		in.DriftPPM = drift
	}
	dur(&in.Jump, 10*ms, time.Second, time.Minute)
	dur(&in.StrobeAmplitude, 10*ms, 200*ms, 5*time.Second)
	dur(&in.StrobePeriod, 5*ms, 20*ms, 200*ms)
	rng(&in.CrashLoop, Span(100*ms, 500*ms), Span(500*ms, 2*time.Second), Span(2*time.Second, 5*time.Second))
	ratio(&in.Tear, sim.Ratio{Num: 1, Den: 10}, sim.Ratio{Num: 1, Den: 2}, sim.Always)
	ratio(&in.Flip, sim.Ratio{Num: 1, Den: 1000}, sim.Ratio{Num: 1, Den: 100}, sim.Ratio{Num: 1, Den: 10})
	if f := []sim.Factor{sim.Times(2), sim.Times(3), sim.Times(5), sim.Times(10)}[r.IntN(4)]; in.Overload == 0 {
		in.Overload = f
	}
	return in
}

// Swarm returns the kinds and intensity a swarm run of seed would use with
// opts (for printing the options derived from the seed).
func Swarm(seed uint64, opts GenOptions) ([]string, Intensity, error) {
	opts.Swarm = true
	if opts.End == 0 {
		opts.End = opts.Start + 1
	}
	if err := opts.fill(seed); err != nil {
		return nil, Intensity{}, fmt.Errorf("nemesis: swarm: %v", err)
	}
	return opts.Kinds, opts.Intensity, nil
}
