package scenarios

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Shrinking turns a failing seed into a small scenario that still fails
// the same way (same status, same failed check, same invariant: see
// FailureSignature). The seed's generated nemesis is first written out as an
// explicit script (so the reduced scenario replays without the generator),
// then its abstract targets pinned to the servers they hit ("crash one" →
// "crash n2", so dropping a fault does not move the others' victims), then
// smaller variants are tried greedily — fewer faults (chunks, then single
// ones with four times the seeds while above goalFaults), repeated faults
// merged (two steps of one fault, a run of crashes as one crash-loop),
// shorter faults, a
// shorter run, fewer operations per client (workload.ops_per_client),
// fewer and slower clients, fewer keys and nodes, a quieter network — and
// a variant is kept only if it still fails with the same signature; one
// meant to cut operations (a slower rate, a cap on operations, a shorter
// run, faults earlier or compressed) only if it is also no larger
// (noLarger: fewer faults, or as many and no more operations). Run length, heal, open-loop rate, the cap on operations per
// client and the client count are bisected (bisectDown), so the run ends
// soon after the failure and an overload keeps only the rate it needs. Changing the scenario changes the run, so each variant is tried
// with a few seeds; whichever seed reproduces is kept with it. The best
// failing scenario found so far is always at hand: running out of time or
// being cancelled returns it, never the lost original.

// ShrinkOptions configure Shrink. Use keyed fields.
type ShrinkOptions struct {
	_ struct{}
	// Budget bounds the wall time spent trying variants (default 60s).
	Budget time.Duration
	// Runs, if positive, bounds the runs as well. A shrink that ends by
	// Runs (or by itself) is reproducible: the same scenario and seed on
	// any machine at any load, where one cut short by Budget is not.
	Runs int
	// SeedsPerVariant is how many seeds each variant is first tried with:
	// the current seed, then the next ones (default 4). When no variant
	// helps any more, the search repeats with four times as many seeds,
	// up to MaxSeedsPerVariant (default 64; at most 256).
	SeedsPerVariant    int
	MaxSeedsPerVariant int
	// Run configures every run.
	Run RunOptions
	// Progress, if set, is called after every run of a variant.
	Progress func(ShrinkProgress)
}

// ShrinkProgress reports a shrink in flight.
type ShrinkProgress struct {
	Elapsed time.Duration
	Runs    int
	// Step names the variant tried ("drop faults 2..3", "clients 4 → 1").
	Step string
	// Kept reports whether the variant still failed and is now the best.
	Kept bool
	// Best is the size of the best failing scenario so far.
	Best Size
}

// Size measures a failing scenario: what a person must read to understand
// it.
type Size struct {
	Faults   int           // nemesis steps
	Ops      int           // client operations in the history
	Duration time.Duration // safety phase
	Heal     time.Duration
	Nodes    int
	Clients  int
	Keys     int
}

func (s Size) String() string {
	return fmt.Sprintf("%d faults, %d ops, %v+%v heal, %d nodes, %d clients, %d keys",
		s.Faults, s.Ops, s.Duration, s.Heal, s.Nodes, s.Clients, s.Keys)
}

// ShrinkResult is the smallest failing scenario found.
type ShrinkResult struct {
	// Scenario is the reduced scenario: scripted nemesis, no generator, no
	// swarm section. Format writes it as YAML that run and replay accept.
	Scenario *Scenario
	// Seed reproduces the failure with Scenario.
	Seed uint64
	// Status is the failure kind, the same as the original's.
	Status Status
	// Signature is the failure the shrink kept (see FailureSignature).
	Signature string
	// Outcome is the reduced scenario's run.
	Outcome Outcome
	// Before is the original run's size (its generated faults counted as
	// steps), After the reduced one's.
	Before, After Size
	Runs          int
	Elapsed       time.Duration
	// Complete reports that no variant tried in the last round helped
	// (false: the budget or the context stopped the search first).
	Complete bool
}

// FailureSignature names how a run failed, finer than its status: the
// status, the check that failed, and for an online invariant its name
// ("invalid invariants: raftkv: election safety"). Shrinking keeps it, so a
// reduced scenario fails the same way, not merely with the same status.
func FailureSignature(o *Outcome) string {
	if !o.Failed() {
		return string(o.Status)
	}
	check := ""
	for _, c := range o.Checks {
		if c.Verdict != checker.Valid {
			check = c.Name
			break
		}
	}
	sig := string(o.Status) + " " + check
	if o.Failure != "" && check == "invariants" {
		// "sim: violation on n1 at 0.47s (seed 12, event 1151): raftkv: election safety: n4 and n1 ..."
		msg := o.Failure
		if i := strings.Index(msg, "): "); i >= 0 {
			msg = msg[i+3:]
		}
		if parts := strings.SplitN(msg, ": ", 3); len(parts) == 3 {
			sig += ": " + parts[0] + ": " + parts[1]
		}
	}
	return sig
}

// maxSeedsPerVariant caps ShrinkOptions.MaxSeedsPerVariant.
const maxSeedsPerVariant = 256

// Shrink reduces a failing seed of sc. It returns an error only when the
// seed does not fail (or the scenario cannot run); once the original
// failure is reproduced, every return carries a failing scenario.
func Shrink(ctx context.Context, sc *Scenario, seed uint64, opts ShrinkOptions) (ShrinkResult, error) {
	if opts.Budget <= 0 {
		opts.Budget = 60 * time.Second
	}
	if opts.SeedsPerVariant <= 0 {
		opts.SeedsPerVariant = 4
	}
	if opts.MaxSeedsPerVariant <= 0 {
		opts.MaxSeedsPerVariant = 64
	}
	s := &shrinker{ctx: ctx, opts: opts, start: time.Now(), seeds: opts.SeedsPerVariant}
	s.deadline = s.start.Add(opts.Budget)
	s.run = func(sc *Scenario, seed uint64) Outcome { return RunSeed(sc, seed, opts.Run) }

	base := ApplySwarm(sc, seed).Clone()
	base.Source = ""
	first := s.run(base, seed)
	s.runs++
	if !first.Failed() {
		return ShrinkResult{}, fmt.Errorf("scenarios: %s seed %d passes: nothing to shrink", sc.Name, seed)
	}
	if first.Status == StatusUnknown && strings.HasPrefix(first.Reason, "scenarios:") {
		return ShrinkResult{}, fmt.Errorf("%s", first.Reason)
	}
	s.want = first.Status
	s.sig = FailureSignature(&first)
	sched, err := Schedule(base, seed)
	if err != nil {
		return ShrinkResult{}, err
	}
	before := sizeOf(base, &first, len(sched.Steps))
	s.best, s.bestSeed, s.bestOut = base, seed, first

	// The generated schedule as an explicit script. It replays the same
	// run (the nemesis resolves targets from its own stream either way),
	// but the check is cheap and keeps the promise.
	scripted := base.Clone()
	scripted.Nemesis.Generate = nil
	scripted.Nemesis.Script = nil
	for _, st := range sched.Steps {
		scripted.Nemesis.Script = append(scripted.Nemesis.Script, Step{At: st.At, For: st.For, Fault: st.Fault.String()})
	}
	scripted.Name = sc.Name + "-shrunk"
	scripted.Description = fmt.Sprintf("shrunk from %s seed %d (%s)", sc.Name, seed, first.Status)
	if !s.attempt("script the generated faults", scripted, true, nil) {
		return s.result(before, false), fmt.Errorf("scenarios: %s seed %d: the scripted schedule does not reproduce the %s failure; returning it unshrunk", sc.Name, seed, s.want)
	}

	return s.result(before, s.rounds()), nil
}

// rounds runs every pass until none helps; then, while the budget lasts,
// again with more seeds per variant (a variant that fails one seed in
// twenty is still a reproduction), up to maxSeedsPerVariant. It reports
// whether the search ended by itself (false: the budget or the context
// stopped it).
func (s *shrinker) rounds() bool {
	passes := []func() bool{
		s.trimAfterFailure,
		s.shortenRun, // first: every later run is shorter
		s.pinTargets, // before dropping: a drop then moves no other fault's victim
		s.dropFaults,
		s.mergeFaults,
		s.capOps, // before the schedule moves: the cap keeps the faults' load
		s.shiftEarlier,
		s.compressSchedule,
		s.fewerClients,
		s.dropFaultsHarder, // after the cheap cuts: each of its runs is shorter then
		s.slowerClients,
		s.shortenHeal,
		s.fewerKeys,
		s.fewerNodes,
		s.shortenFaults,
		s.simplerNetwork,
		s.simplerMix,
	}
	// A pass that found nothing is not tried again until the best
	// changes or the seeds per variant grow: it would try the same
	// variants with the same seeds.
	type state struct{ kept, seeds int }
	nothing := make([]state, len(passes))
	for i := range nothing {
		nothing[i] = state{-1, 0}
	}
	for !s.stopped() {
		changed := false
		for i, p := range passes {
			if s.stopped() {
				break
			}
			if now := (state{s.kept, s.seeds}); nothing[i] == now {
				continue
			}
			if p() {
				changed = true
			} else {
				nothing[i] = state{s.kept, s.seeds}
			}
		}
		if changed || s.stopped() {
			continue
		}
		if s.seeds >= maxSeedsPerVariant || s.seeds >= s.opts.MaxSeedsPerVariant {
			return true
		}
		s.seeds *= 4
	}
	return false
}

type shrinker struct {
	ctx      context.Context
	opts     ShrinkOptions
	start    time.Time
	deadline time.Time
	want     Status
	sig      string
	runs     int
	kept     int  // variants kept so far
	seeds    int  // seeds per variant in this round
	pinned   bool // pinTargets has run (once: later bests have the same targets)

	best     *Scenario
	bestSeed uint64
	bestOut  Outcome

	// run runs one variant (RunSeed with opts.Run; a stand-in in tests).
	run func(*Scenario, uint64) Outcome
}

func (s *shrinker) stopped() bool {
	return s.ctx.Err() != nil || time.Now().After(s.deadline) || s.opts.Runs > 0 && s.runs >= s.opts.Runs
}

func (s *shrinker) result(before Size, complete bool) ShrinkResult {
	out := s.bestOut
	return ShrinkResult{
		Scenario: s.best, Seed: s.bestSeed, Status: s.want, Signature: s.sig, Outcome: out,
		Before: before, After: sizeOf(s.best, &out, len(s.best.Nemesis.Script)),
		Runs: s.runs, Elapsed: time.Since(s.start), Complete: complete,
	}
}

func sizeOf(sc *Scenario, o *Outcome, faults int) Size {
	if sc.Nemesis.Generate == nil {
		faults = len(sc.Nemesis.Script)
	}
	return Size{Faults: faults, Ops: o.Ops, Duration: sc.Run.Duration, Heal: sc.Run.Heal,
		Nodes: sc.Cluster.Size, Clients: sc.Workload.Clients, Keys: sc.Workload.Keys}
}

// noLarger reports whether a failing variant of size a may replace the
// best, of size b: it has fewer faults, or as many and no more operations.
// A variant that fails the same way but with a longer history (slower
// clients that are open-loop now, a fault gone so more operations
// succeed at the same fault count) is not a simplification.
func noLarger(a, b Size) bool {
	return a.Faults < b.Faults || a.Faults == b.Faults && a.Ops <= b.Ops
}

// try runs a variant with the current seed and the next few; if one of
// them fails with the wanted signature the variant becomes the best.
func (s *shrinker) try(step string, cand *Scenario) bool { return s.attempt(step, cand, false, nil) }

// tryNoLarger is try for a variant meant to cut operations: it is kept
// only if it is also no larger than the best (noLarger).
func (s *shrinker) tryNoLarger(step string, cand *Scenario) bool {
	return s.attempt(step, cand, false, s.noLargerThanBest())
}

// noLargerThanBest accepts a run no larger than the best's now (noLarger).
func (s *shrinker) noLargerThanBest() func(*Scenario, *Outcome) bool {
	bestSize := sizeOf(s.best, &s.bestOut, len(s.best.Nemesis.Script))
	return func(cand *Scenario, o *Outcome) bool {
		return noLarger(sizeOf(cand, o, len(cand.Nemesis.Script)), bestSize)
	}
}

// attempt is try; a forced attempt runs its first seed even when the
// budget is spent. A failing run is kept only if accept (when not nil)
// takes it too.
func (s *shrinker) attempt(step string, cand *Scenario, force bool, accept func(*Scenario, *Outcome) bool) bool {
	if s.stopped() && !force {
		return false
	}
	if err := cand.Validate(); err != nil {
		return false
	}
	kept := false
	for i := 0; i < s.seeds && (i == 0 && force || !s.stopped()); i++ {
		seed := s.bestSeed + uint64(i)
		o := s.run(cand, seed)
		s.runs++
		if o.Status == s.want && FailureSignature(&o) == s.sig && (accept == nil || accept(cand, &o)) {
			s.best, s.bestSeed, s.bestOut = cand, seed, o
			s.kept++
			kept = true
			break
		}
	}
	if s.opts.Progress != nil {
		s.opts.Progress(ShrinkProgress{Elapsed: time.Since(s.start), Runs: s.runs, Step: step, Kept: kept,
			Best: sizeOf(s.best, &s.bestOut, len(s.best.Nemesis.Script))})
	}
	return kept
}

// variant copies the best scenario for editing.
func (s *shrinker) variant() *Scenario { return s.best.Clone() }

// trimAfterFailure ends the run just after the failing step when an
// invariant violation or a panic stopped the run early, dropping the steps
// that would start later: nothing after the failure can have caused it.
func (s *shrinker) trimAfterFailure() bool {
	o := &s.bestOut
	if o.Sim.Outcome != sim.OutcomePanic && o.Sim.Outcome != sim.OutcomeViolation {
		return false
	}
	d := (o.Virtual + 500*time.Millisecond).Round(100 * time.Millisecond)
	if d >= s.best.Run.Duration {
		return false
	}
	v := s.variant()
	v.Run.Duration = d
	v.Nemesis.Script = keepBefore(v.Nemesis.Script, d)
	return s.tryNoLarger(fmt.Sprintf("run %v → %v (the failure is at %v)", s.best.Run.Duration, d, o.Virtual), v)
}

// dropFaults removes chunks of steps, halving the chunk size down to
// single steps (the complement half of delta debugging).
func (s *shrinker) dropFaults() bool {
	changed := false
	for chunk := max(len(s.best.Nemesis.Script)/2, 1); chunk >= 1 && !s.stopped(); chunk /= 2 {
		for i := 0; i < len(s.best.Nemesis.Script) && !s.stopped(); {
			steps := s.best.Nemesis.Script
			j := min(i+chunk, len(steps))
			v := s.variant()
			v.Nemesis.Script = append(append([]Step(nil), steps[:i]...), steps[j:]...)
			what := fmt.Sprintf("drop fault %d", i+1)
			if j-i > 1 {
				what = fmt.Sprintf("drop faults %d..%d", i+1, j)
			}
			if s.try(what+" of "+fmt.Sprint(len(steps)), v) {
				changed = true // the same i now names the next chunk
			} else {
				i = j
			}
		}
		if chunk == 1 {
			break
		}
	}
	return changed
}

// goalFaults is how many faults a shrunk failure should have at most
// (issue 16: "≤3 faults"): above it, dropFaultsHarder spends more seeds
// on each fault.
const goalFaults = 3

// dropFaultsHarder tries dropping each single fault again with four times
// the round's seeds per variant, while the best has more than goalFaults
// faults: dropping a fault changes the run (the victims and timing of
// what follows), so a drop that fails one seed in ten is still a
// reproduction, and the general round with more seeds comes only after
// every pass has stopped helping — within a few hundred runs, never. A
// fault is the most a person must read; it gets the seeds first.
func (s *shrinker) dropFaultsHarder() bool {
	if len(s.best.Nemesis.Script) <= goalFaults || s.seeds >= maxSeedsPerVariant {
		return false
	}
	saved := s.seeds
	s.seeds = min(4*saved, maxSeedsPerVariant)
	defer func() { s.seeds = saved }()
	changed := false
	for i := len(s.best.Nemesis.Script) - 1; i >= 0 && !s.stopped() && len(s.best.Nemesis.Script) > goalFaults; i-- {
		steps := s.best.Nemesis.Script
		if i >= len(steps) {
			continue
		}
		v := s.variant()
		v.Nemesis.Script = append(append([]Step(nil), steps[:i]...), steps[i+1:]...)
		if s.try(fmt.Sprintf("drop fault %d of %d (%d seeds)", i+1, len(steps), s.seeds), v) {
			changed = true
		}
	}
	return changed
}

// mergeFaults joins two steps of the same fault text that follow each
// other in the schedule into one, from the first's start to the later
// end of the two (until the heal if either lasts until it): one fault
// fewer to read where the failure needed the fault held, not repeated.
// Instant faults (a restart, a clock reset) are not merged. Then a run of
// crashes of one target becomes one crash-loop (crashLoopSteps): a
// failure that needs the leader crashed again and again needs one fault
// that does so, not five.
func (s *shrinker) mergeFaults() bool {
	changed := false
	for i := 0; i+1 < len(s.best.Nemesis.Script) && !s.stopped(); i++ {
		steps := s.best.Nemesis.Script
		v, ok := mergeSteps(steps, i)
		if !ok {
			continue
		}
		cand := s.variant()
		cand.Nemesis.Script = v
		if s.try(fmt.Sprintf("merge faults %d and %d of %d (%s)", i+1, i+2, len(steps), steps[i].Fault), cand) {
			changed = true
			i-- // the merged step may merge with the next one too
		}
	}
	for i := 0; i+1 < len(s.best.Nemesis.Script) && !s.stopped(); i++ {
		steps := s.best.Nemesis.Script
		prev := ""
		for _, split := range []bool{true, false} {
			v, j, ok := crashLoopSteps(steps, i, split)
			if !ok {
				continue // no gap to draw up times from (back-to-back crashes): the crashes' own times may still do
			}
			if v[i].Fault == prev {
				break
			}
			prev = v[i].Fault
			cand := s.variant()
			cand.Nemesis.Script = v
			if s.try(fmt.Sprintf("faults %d..%d of %d as %s", i+1, j, len(steps), v[i].Fault), cand) {
				changed = true
				break
			}
		}
	}
	return changed
}

// crashLoopSteps replaces the crashes of one target that follow each
// other in the schedule from step i on (at least two, each with a
// duration) by one crash-loop of that target over the same time: down
// times drawn from the shortest to the longest of the crashes, up times
// from the shortest to the longest of the gaps between them (split), or
// both from the crashes' (a loop of their own times, when the gaps lose
// the failure or there are none). An abstract target (leader, one) makes
// a retarget loop, which resolves it at every crash as the steps did:
// five "crash leader" steps crash five leaders. It returns the new steps
// and the 1-based number of the last step replaced.
func crashLoopSteps(steps []Step, i int, split bool) ([]Step, int, bool) {
	target := func(st Step) (string, bool) {
		f, err := nemesis.Parse(st.Fault)
		if err != nil || f.Kind() != "crash" || st.For <= 0 {
			return "", false
		}
		return strings.TrimPrefix(f.String(), "crash "), true
	}
	t, ok := target(steps[i])
	if !ok {
		return nil, 0, false
	}
	j := i + 1
	lo, hi := steps[i].For, steps[i].For
	gapLo, gapHi := time.Duration(math.MaxInt64), time.Duration(0)
	for ; j < len(steps); j++ {
		u, ok := target(steps[j])
		prevEnd := steps[j-1].At + steps[j-1].For
		if !ok || u != t || steps[j].At < prevEnd {
			break
		}
		gap := steps[j].At - prevEnd
		lo, hi = min(lo, steps[j].For), max(hi, steps[j].For)
		gapLo, gapHi = min(gapLo, gap), max(gapHi, gap)
	}
	if j-i < 2 {
		return nil, 0, false
	}
	ms := func(lo, hi time.Duration) nemesis.Range {
		return nemesis.Range{Min: lo.Round(time.Millisecond), Max: hi.Round(time.Millisecond)}
	}
	down, up := ms(lo, hi), ms(lo, hi)
	if split {
		up = ms(gapLo, gapHi)
	}
	if down.Min <= 0 || up.Min <= 0 {
		return nil, 0, false
	}
	text := "crash-loop " + t + " " + down.String() + " " + up.String()
	if tg, err := nemesis.ParseTarget(t); err == nil && tg.Abstract() {
		// Each crash step resolved its target when it began: so does
		// every crash of the loop.
		text += " retarget"
	}
	f, err := nemesis.Parse(text)
	if err != nil {
		return nil, 0, false
	}
	last := steps[j-1]
	loop := Step{At: steps[i].At, For: last.At + last.For - steps[i].At, Fault: f.String()}
	out := append(append([]Step(nil), steps[:i]...), loop)
	return append(out, steps[j:]...), j, true
}

// mergeSteps merges steps i and i+1 when they are the same fault, not an
// instant one: the merged step starts at the first's time and lasts to
// the later end of the two (For 0, until the heal, if either does).
func mergeSteps(steps []Step, i int) ([]Step, bool) {
	a, b := steps[i], steps[i+1]
	if canonicalFault(a.Fault) != canonicalFault(b.Fault) || isInstant(a.Fault) || b.At < a.At {
		return nil, false
	}
	m := a
	if a.For == 0 || b.For == 0 {
		m.For = 0
	} else {
		m.For = max(a.At+a.For, b.At+b.For) - a.At
	}
	out := append(append([]Step(nil), steps[:i]...), m)
	return append(out, steps[i+2:]...), true
}

// canonicalFault is a fault's canonical text ("crash  one" and "crash
// one" are one fault), or the text as written if it does not parse.
func canonicalFault(text string) string {
	if f, err := nemesis.Parse(text); err == nil {
		return f.String()
	}
	return strings.TrimSpace(text)
}

// pinTargets rewrites each fault's abstract target (one, minority,
// majority, all, leader, leader-or-one) as the servers it resolved to in
// the best run ("crash one" that hit n2 becomes "crash n2"): the same run,
// but a fault dropped later no longer changes which server a later fault
// of its kind draws (each kind resolves targets from its own stream). It
// tries every fault pinned, then every fault but those aimed at the
// leader (whose victim should follow the leader as the run changes).
func (s *shrinker) pinTargets() bool {
	if s.pinned {
		return false
	}
	s.pinned = true
	all, n := pinnedSteps(s.best.Nemesis.Script, s.bestOut.History, true)
	some, m := pinnedSteps(s.best.Nemesis.Script, s.bestOut.History, false)
	if n > 0 {
		v := s.variant()
		v.Nemesis.Script = all
		if s.try(fmt.Sprintf("pin the targets of %d faults", n), v) {
			return true
		}
	}
	if m > 0 && m < n {
		v := s.variant()
		v.Nemesis.Script = some
		return s.try(fmt.Sprintf("pin the targets of %d faults (not the leader's)", m), v)
	}
	return false
}

// pinnedSteps returns steps with each abstract target replaced by what
// the fault resolved to in h's fault annotations (matched by start time
// and canonical text), and how many steps changed. A step whose fault did
// not start, or whose pinned text does not parse, is left as it is; with
// leader false, so is one aimed at the leader.
func pinnedSteps(steps []Step, h *checker.History, leader bool) ([]Step, int) {
	if h == nil {
		return nil, 0
	}
	out := append([]Step(nil), steps...)
	n := 0
	for i, st := range steps {
		f, err := nemesis.Parse(st.Fault)
		if err != nil {
			continue
		}
		canon := f.String()
		for _, a := range h.Annotations {
			text, resolved := nemesis.SplitText(a.Text)
			if a.Start != st.At || text != canon || resolved == "" || strings.ContainsAny(resolved, " []") {
				continue
			}
			words := strings.Fields(canon)
			hits := 0
			for j, w := range words {
				switch w {
				case "one", "minority", "majority", "all", "leader", "leader-or-one":
					if !leader && strings.HasPrefix(w, "leader") {
						continue
					}
					words[j] = resolved
					hits++
				}
			}
			if hits != 1 {
				break
			}
			pinned := strings.Join(words, " ")
			if _, err := nemesis.Parse(pinned); err != nil {
				break
			}
			out[i].Fault = pinned
			n++
			break
		}
	}
	return out, n
}

// keepBefore keeps the steps starting before end (the heal).
func keepBefore(steps []Step, end time.Duration) []Step {
	var out []Step
	for _, st := range steps {
		if st.At < end {
			out = append(out, st)
		}
	}
	return out
}

// shortenRun bisects the safety phase down towards minRun: the shortest
// run found that still fails ends soon after the failure, so the
// operations after it are cut (and the faults that would start later).
// Like every pass that moves the run's time (trimAfterFailure,
// shiftEarlier, compressSchedule), it keeps a variant only if it is no
// larger: a shorter run that fails with another seed after more
// operations is not a simplification.
func (s *shrinker) shortenRun() bool {
	cur := s.best.Run.Duration
	return bisectDown(float64(minRun), float64(cur), durationMid(cur), func(x float64) bool {
		d := time.Duration(x)
		v := s.variant()
		v.Run.Duration = d
		v.Nemesis.Script = keepBefore(v.Nemesis.Script, d)
		return s.tryNoLarger(fmt.Sprintf("run %v → %v", s.best.Run.Duration, d), v)
	}, s.stopped)
}

// minRun is the shortest safety phase shortenRun tries; minHeal the
// shortest heal shortenHeal tries.
const (
	minRun  = 100 * time.Millisecond
	minHeal = 100 * time.Millisecond
)

// bisectDown looks for the smallest value in [lo, hi] that still fails,
// hi failing already: it tries lo first, then the midpoints mid(lo, hi)
// gives, moving hi down to each value that fails and lo up to each that
// passes, until mid reports the interval too narrow or stop says so.
// Failure need not be monotone in the value; bisection then finds a
// failing value, not the smallest. It reports whether any try was kept.
func bisectDown(lo, hi float64, mid func(lo, hi float64) (float64, bool), try func(float64) bool, stop func() bool) bool {
	if lo >= hi {
		return false
	}
	if try(lo) {
		return true
	}
	changed := false
	for !stop() {
		m, ok := mid(lo, hi)
		if !ok || m <= lo || m >= hi {
			break
		}
		if try(m) {
			hi, changed = m, true
		} else {
			lo = m
		}
	}
	return changed
}

// durationMid halves a duration interval on 10 ms steps, down to a
// twentieth of the starting value (at least 50 ms).
func durationMid(start time.Duration) func(lo, hi float64) (float64, bool) {
	gran := max(start/20, 50*time.Millisecond)
	return func(lo, hi float64) (float64, bool) {
		if time.Duration(hi-lo) < gran {
			return 0, false
		}
		return float64(time.Duration((lo + hi) / 2).Round(10 * time.Millisecond)), true
	}
}

// rateMid halves a rate interval geometrically, on two significant
// digits, until its ends are within 25% of each other.
func rateMid(lo, hi float64) (float64, bool) {
	if hi < 1.25*lo {
		return 0, false
	}
	return twoDigits(math.Sqrt(lo * hi)), true
}

// twoDigits rounds x > 0 to two significant digits (137 → 140, 0.56 → 0.56).
func twoDigits(x float64) float64 {
	if x <= 0 {
		return x
	}
	p := math.Pow(10, math.Floor(math.Log10(x))-1)
	return math.Round(x/p) * p
}

// shiftEarlier moves every fault earlier (and the run's end with it), so
// less load runs before the first fault; a lead of quiet time remains for
// the first leader election.
func (s *shrinker) shiftEarlier() bool {
	steps := s.best.Nemesis.Script
	if len(steps) == 0 {
		return false
	}
	for _, lead := range []time.Duration{200 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		delta := steps[0].At - lead
		if delta < 100*time.Millisecond {
			continue
		}
		v := s.variant()
		for i := range v.Nemesis.Script {
			v.Nemesis.Script[i].At -= delta
		}
		v.Run.Duration -= delta
		if s.tryNoLarger(fmt.Sprintf("faults %v earlier", delta), v) {
			return true
		}
	}
	return false
}

// compressSchedule starts every fault sooner in proportion — at a
// quarter, a half, three quarters of its time — and ends the run as much
// sooner: the failure comes after fewer operations when what it needs is
// the faults' order and spacing rather than the load before them.
// Durations of faults are left alone (shortenFaults halves those).
func (s *shrinker) compressSchedule() bool {
	steps := s.best.Nemesis.Script
	if len(steps) == 0 {
		return false
	}
	cur := s.best.Run.Duration
	for _, frac := range []int{1, 2, 3} {
		v := s.variant()
		last := time.Duration(0)
		for i := range v.Nemesis.Script {
			at := &v.Nemesis.Script[i].At
			*at = (*at * time.Duration(frac) / 4).Round(time.Millisecond)
			last = max(last, *at)
		}
		v.Run.Duration = max(cur*time.Duration(frac)/4, last+minRun).Round(10 * time.Millisecond)
		if v.Run.Duration >= cur {
			continue
		}
		if s.tryNoLarger(fmt.Sprintf("faults at %d/4 of their times, run %v → %v", frac, cur, v.Run.Duration), v) {
			return true
		}
	}
	return false
}

// smaller lists candidate values below cur, smallest first: lo, cur/2,
// cur-1.
func smaller(cur, lo int) []int {
	var out []int
	for _, c := range []int{lo, cur / 2, cur - 1} {
		if c >= lo && c < cur && (len(out) == 0 || c > out[len(out)-1]) {
			out = append(out, c)
		}
	}
	return out
}

// fewerClients bisects the client count down towards one.
func (s *shrinker) fewerClients() bool {
	cur := s.best.Workload.Clients
	return bisectDown(1, float64(cur), intMid, func(x float64) bool {
		v := s.variant()
		v.Workload.Clients = int(x)
		return s.try(fmt.Sprintf("clients %d → %d", s.best.Workload.Clients, v.Workload.Clients), v)
	}, s.stopped)
}

// intMid halves an interval of whole numbers.
func intMid(lo, hi float64) (float64, bool) {
	if hi-lo < 2 {
		return 0, false
	}
	return math.Floor((lo + hi) / 2), true
}

// capOps bisects the cap on each client's ordinary operations
// (workload.ops_per_client) down towards one, from the cap the best has
// or, uncapped, from the most such operations a client of its run issued:
// a failure that needs the first few operations of each client, and the
// faults, keeps only those. Kept only when the history is no larger
// (noLarger).
func (s *shrinker) capOps() bool {
	cur := s.best.Workload.OpsPerClient
	if cur == 0 {
		cur = mostOpsPerClient(s.best, &s.bestOut)
	}
	return bisectDown(1, float64(cur), intMid, func(x float64) bool {
		v := s.variant()
		v.Workload.OpsPerClient = int(x)
		from := "none"
		if c := s.best.Workload.OpsPerClient; c > 0 {
			from = fmt.Sprint(c)
		}
		// Kept only if no larger, and only if the workload honoured the
		// cap: a kind written outside the project may ignore
		// ops_per_client, and a shrunk scenario must not show a cap that
		// did nothing.
		noLarger := s.noLargerThanBest()
		return s.attempt(fmt.Sprintf("ops per client %s → %d", from, v.Workload.OpsPerClient), v, false, func(cand *Scenario, o *Outcome) bool {
			return noLarger(cand, o) && mostOpsPerClient(cand, o) <= cand.Workload.OpsPerClient
		})
	}, s.stopped)
}

// mostOpsPerClient counts, per client of o's history, the operations of
// the kinds sc's workload weighs invoked in the safety phase (what
// workload.ops_per_client caps), and returns the largest count.
func mostOpsPerClient(sc *Scenario, o *Outcome) int {
	if o.History == nil {
		return 0
	}
	kind := sc.Workload.Kind
	if nk := reg.nodes[sc.Cluster.Node]; kind == "" && nk != nil && len(nk.Workloads) > 0 {
		kind = nk.Workloads[0]
	}
	var kinds []string
	if wk := reg.workloads[kind]; wk != nil {
		kinds = wk.Ops
	}
	n := map[nodes.ID]int{}
	most := 0
	for i := range o.History.Ops {
		op := &o.History.Ops[i]
		if op.Invoke >= sc.Run.Duration || !slices.Contains(kinds, string(op.Kind)) {
			continue
		}
		n[op.Client]++
		most = max(most, n[op.Client])
	}
	return most
}

// slowerClients lowers the operation rate: a closed-loop workload is made
// open-loop at a low rate (far fewer operations for the same run length,
// or for one twice as long; kept only when the history is indeed no
// longer); an open-loop one has its rate bisected down (an overload keeps
// the rate it needs, not more).
func (s *shrinker) slowerClients() bool {
	cur := s.best.Workload.Rate
	try := func(r float64) bool {
		v := s.variant()
		v.Workload.Rate = r
		if cur > 0 {
			return s.tryNoLarger(fmt.Sprintf("client rate %g/s → %g/s", s.best.Workload.Rate, r), v)
		}
		return s.tryNoLarger(fmt.Sprintf("client rate %g/s", r), v)
	}
	if cur > 0 {
		return bisectDown(1, cur, rateMid, try, s.stopped)
	}
	// A slow open loop in a short run may leave too few operations to
	// race; the same rate in a run twice as long may still have fewer
	// than the closed loop.
	d := s.best.Run.Duration
	for _, r := range []float64{1, 2, 5, 10, 20, 50} {
		if try(r) {
			return true
		}
		v := s.variant()
		v.Workload.Rate, v.Run.Duration = r, 2*d
		if s.tryNoLarger(fmt.Sprintf("client rate %g/s, run %v → %v", r, d, 2*d), v) {
			return true
		}
	}
	return false
}

// shortenHeal bisects the liveness phase down towards minHeal (the
// clients' probes in it are operations too); not for liveness failures,
// where a shorter heal would only judge the cluster more harshly.
func (s *shrinker) shortenHeal() bool {
	if s.want == StatusLiveness {
		return false
	}
	cur := s.best.Run.Heal
	return bisectDown(float64(minHeal), float64(cur), durationMid(cur), func(x float64) bool {
		v := s.variant()
		v.Run.Heal = time.Duration(x)
		return s.try(fmt.Sprintf("heal %v → %v", s.best.Run.Heal, v.Run.Heal), v)
	}, s.stopped)
}

func (s *shrinker) fewerKeys() bool {
	if wk := reg.workloads[s.best.Workload.Kind]; wk == nil || !wk.Keyed {
		return false
	}
	cur := s.best.Workload.Keys
	for _, k := range smaller(cur, 1) {
		v := s.variant()
		v.Workload.Keys = k
		if s.try(fmt.Sprintf("keys %d → %d", cur, k), v) {
			return true
		}
	}
	return false
}

// fewerNodes shrinks the cluster down to the protocol's minimum; Validate
// rejects variants whose scripted targets no longer exist.
func (s *shrinker) fewerNodes() bool {
	cur := s.best.Cluster.Size
	lo := 1
	if nk := reg.nodes[s.best.Cluster.Node]; nk != nil {
		lo = max(nk.MinSize, 1)
	}
	for _, n := range smaller(cur, lo) {
		v := s.variant()
		v.Cluster.Size = n
		if s.try(fmt.Sprintf("nodes %d → %d", cur, n), v) {
			return true
		}
	}
	return false
}

// shortenFaults halves each fault's duration (a fault lasting until the
// heal gets an explicit end first).
func (s *shrinker) shortenFaults() bool {
	changed := false
	for i := 0; i < len(s.best.Nemesis.Script) && !s.stopped(); i++ {
		st := s.best.Nemesis.Script[i]
		cur := st.For
		if cur == 0 {
			cur = s.best.Run.Duration - st.At
		}
		d := (cur / 2).Round(10 * time.Millisecond)
		if d < 50*time.Millisecond || isInstant(st.Fault) {
			continue
		}
		v := s.variant()
		v.Nemesis.Script[i].For = d
		if s.try(fmt.Sprintf("fault %d for %v → %v", i+1, cur, d), v) {
			changed = true
		}
	}
	return changed
}

func isInstant(fault string) bool {
	kind, _, _ := strings.Cut(strings.TrimSpace(fault), " ")
	switch kind {
	case "restart", "clock-reset", "heal":
		return true
	}
	return false
}

// simplerNetwork turns off loss and duplication, then clock skew and
// drift, one at a time.
func (s *shrinker) simplerNetwork() bool {
	changed := false
	edits := []struct {
		what string
		on   func(*Scenario) bool
		off  func(*Scenario)
	}{
		{"no drop", func(v *Scenario) bool { return !v.Network.Drop.IsZero() }, func(v *Scenario) { v.Network.Drop = sim.Never }},
		{"no duplicate", func(v *Scenario) bool { return !v.Network.Duplicate.IsZero() }, func(v *Scenario) { v.Network.Duplicate = sim.Never }},
		{"no clock skew", func(v *Scenario) bool { return v.Clocks.Skew != 0 }, func(v *Scenario) { v.Clocks.Skew = 0 }},
		{"no clock drift", func(v *Scenario) bool { return v.Clocks.DriftPPM != 0 }, func(v *Scenario) { v.Clocks.DriftPPM = 0 }},
	}
	for _, e := range edits {
		if !e.on(s.best) {
			continue
		}
		v := s.variant()
		e.off(v)
		if s.try(e.what, v) {
			changed = true
		}
	}
	return changed
}

// simplerMix drops operation kinds from the workload, one at a time.
func (s *shrinker) simplerMix() bool {
	changed := false
	for i := 0; i < len(s.best.Workload.Mix) && !s.stopped(); i++ {
		mix := s.best.Workload.Mix
		if mix[i].Weight == 0 || len(mix) == 1 {
			continue
		}
		v := s.variant()
		v.Workload.Mix = append(append([]MixEntry(nil), mix[:i]...), mix[i+1:]...)
		if s.try("no "+mix[i].Op+" operations", v) {
			changed = true
			i--
		}
	}
	return changed
}
