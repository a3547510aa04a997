package swimkind

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/swim"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
)

// Observed is one view change as the check saw it: at virtual time At,
// member By changed its view of Change.Member to Change.State.
type Observed struct {
	At     time.Duration
	By     nodes.ID
	Change swim.Change
}

// Bounds are what a scenario expects of its detector.
type Bounds struct {
	// DetectWithin bounds the all-members detection time of every crash
	// that lasts at least that long.
	DetectWithin time.Duration
	// MaxFalsePositives bounds the declarations of a live member as dead.
	MaxFalsePositives int
	// ConvergeWithin bounds how long after the heal the views keep
	// changing.
	ConvergeWithin time.Duration
}

// Run is what the detection checks judge: the processes' real history,
// the members' view changes, and the run's phases.
type Run struct {
	Servers   []nodes.ID
	Lifecycle []scenarios.ProcessEvent
	Changes   []Observed // in time order
	Sent      []int      // per server, as Servers
	// Duration is the safety phase; End the end of the run.
	Duration, End time.Duration
	Bounds        Bounds
	// Cuts are the spans in which a network fault could cut members off
	// from each other (see cutKinds): a member unreachable is
	// indistinguishable from a crashed one.
	Cuts []Span
	// Losses are the spans of lossy links (drop faults, the network's own
	// loss), judged or not by Probing.Judged.
	Losses  []Loss
	Probing Probing
}

// Span is a stretch [From, To) of virtual time.
type Span struct{ From, To time.Duration }

// interval is a span [from, to) of one server's life.
type interval struct{ from, to time.Duration }

func (iv interval) contains(t time.Duration) bool { return t >= iv.from && t < iv.to }

func (iv interval) overlaps(o interval) bool { return iv.from < o.to && o.from < iv.to }

// lives splits the lifecycle into each server's down and paused intervals.
func (r *Run) lives() (down, paused map[nodes.ID][]interval) {
	down, paused = map[nodes.ID][]interval{}, map[nodes.ID][]interval{}
	crashAt, pauseAt := map[nodes.ID]time.Duration{}, map[nodes.ID]time.Duration{}
	started := map[nodes.ID]bool{}
	for _, e := range r.Lifecycle {
		if e.Kind == trace.Start && !started[e.Node] {
			// A member that joined later (nemesis join) was absent, down,
			// from the start.
			started[e.Node] = true
			if e.At > 0 {
				down[e.Node] = append(down[e.Node], interval{0, e.At})
			}
			continue
		}
		switch e.Kind {
		case trace.Crash:
			crashAt[e.Node] = e.At
			if at, ok := pauseAt[e.Node]; ok {
				paused[e.Node] = append(paused[e.Node], interval{at, e.At})
				delete(pauseAt, e.Node)
			}
		case trace.Start:
			if at, ok := crashAt[e.Node]; ok {
				down[e.Node] = append(down[e.Node], interval{at, e.At})
				delete(crashAt, e.Node)
			}
		case trace.Pause:
			pauseAt[e.Node] = e.At
		case trace.Resume:
			if at, ok := pauseAt[e.Node]; ok {
				paused[e.Node] = append(paused[e.Node], interval{at, e.At})
				delete(pauseAt, e.Node)
			}
		}
	}
	for _, id := range r.Servers {
		if !started[id] {
			down[id] = append(down[id], interval{0, r.End + 1})
		}
		if at, ok := crashAt[id]; ok {
			down[id] = append(down[id], interval{at, r.End + 1})
		}
		if at, ok := pauseAt[id]; ok {
			paused[id] = append(paused[id], interval{at, r.End + 1})
		}
	}
	return down, paused
}

func anyOf(ivs []interval, f func(interval) bool) bool { return slices.ContainsFunc(ivs, f) }

// Crash is one crash and how it was detected.
type Crash struct {
	Node nodes.ID
	interval
	// First is when some member first declared it dead (-1: none did
	// while it was down).
	First time.Duration
	// All is when the last observer did (-1: some observer never did);
	// Observers are the members up, unpaused, throughout the crash.
	All       time.Duration
	Observers []nodes.ID
	Missing   []nodes.ID // observers that never declared it
}

// FalsePositive is a live member declared dead.
type FalsePositive struct {
	Observed
	// Paused: the member was paused then, or had been within DetectWithin
	// before (measured, not judged: a pause looks like a crash), or the
	// member that declared it was (it was catching up on stale news).
	Paused bool
	// Cut: a network fault that can cut members off was on, or had been
	// within DetectWithin before (measured, not judged: SWIM cannot tell
	// an unreachable member from a crashed one).
	Cut bool
	// Lossy: the links lost messages, or had within DetectWithin (or the
	// suspicion timeout, the longer) before, at a rate at which the correct protocol is expected to lose a
	// refutation (Probing.Judged): measured, not judged.
	Lossy bool
}

// Analysis is what Detect measures.
type Analysis struct {
	Crashes        []Crash
	FalsePositives []FalsePositive
	Declarations   int // views that changed to dead
	Leaves         int // views that changed to left
}

// gone reports a view entry that says the member is not in the cluster.
func gone(st swim.State) bool { return st == swim.Dead || st == swim.Left }

// Analyze pairs every crash with the declarations that detected it, and
// every other declaration of death with what the member was doing.
func (r *Run) Analyze() Analysis {
	down, paused := r.lives()
	var a Analysis
	grace := r.Bounds.DetectWithin
	for _, id := range r.Servers {
		for _, d := range down[id] {
			c := Crash{Node: id, interval: d, First: -1, All: -1}
			if c.to > r.End {
				c.to = r.End
			}
			// Declared: dead (or left) in an observer's view while down. An
			// observer whose last word on it before the stop already held
			// it gone knew at once: it heard the member leave, or never
			// heard of it (a late joiner that crashed before its join went
			// out is dead@0 in every other view: swim-churn seed 1181).
			first := map[nodes.ID]time.Duration{}
			last := map[nodes.ID]swim.State{}
			for _, o := range r.Changes {
				if o.Change.Member != id {
					continue
				}
				if o.At < d.from {
					last[o.By] = o.Change.State
					continue
				}
				if gone(o.Change.State) && d.contains(o.At) {
					if _, ok := first[o.By]; !ok {
						first[o.By] = o.At
					}
				}
			}
			for by, st := range last { //faultline:orderless each entry set independently
				if gone(st) {
					first[by] = d.from
				}
			}
			for _, at := range first { //faultline:orderless a minimum
				if c.First < 0 || at < c.First {
					c.First = at
				}
			}
			for _, ob := range r.Servers {
				if ob == id || anyOf(down[ob], d.overlaps) || anyOf(paused[ob], d.overlaps) {
					continue
				}
				c.Observers = append(c.Observers, ob)
				if at, ok := first[ob]; ok {
					c.All = max(c.All, at)
				} else {
					c.Missing = append(c.Missing, ob)
				}
			}
			if len(c.Missing) > 0 {
				c.All = -1
			}
			a.Crashes = append(a.Crashes, c)
		}
	}
	slices.SortFunc(a.Crashes, func(x, y Crash) int { return int(x.from - y.from) })
	for _, o := range r.Changes {
		if o.Change.State == swim.Left {
			a.Leaves++ // announced by the member itself: never a mistake
		}
		if o.Change.State != swim.Dead {
			continue
		}
		a.Declarations++
		id := o.Change.Member
		// Down now, or within the grace before (a crash detected after the
		// member had already restarted): a detection, not a mistake.
		if anyOf(down[id], func(iv interval) bool { return iv.from <= o.At && o.At < iv.to+grace }) {
			continue
		}
		// Paused: the member was paused (or just resumed), or the
		// observer itself was — a resumed member handles what queued up
		// during its pause, stale news included, before it catches up.
		recent := func(iv interval) bool { return iv.from <= o.At && o.At < iv.to+grace }
		cut := slices.ContainsFunc(r.Cuts, func(s Span) bool { return recent(interval{s.From, s.To}) })
		// A suspicion raised as the loss ends is declared a suspicion
		// timeout later, whatever detect_within says.
		lossGrace := max(grace, r.Probing.SuspicionTimeout)
		lossy := slices.ContainsFunc(r.Losses, func(l Loss) bool {
			return !r.Probing.Judged(l) && l.From <= o.At && o.At < l.To+lossGrace
		})
		a.FalsePositives = append(a.FalsePositives, FalsePositive{Observed: o,
			Paused: anyOf(paused[id], recent) || anyOf(paused[o.By], recent), Cut: cut, Lossy: lossy})
	}
	return a
}

// percentile of sorted xs (nearest rank); 0 for none.
func percentile(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

func secs(d time.Duration) float64 { return d.Seconds() }

// Detect is the "detection" check over a run.
func Detect(r *Run) checker.Result {
	a := r.Analyze()
	res := checker.Result{Name: CheckDetection, Verdict: checker.Valid}
	var first, all []time.Duration
	var problems []string
	judged := 0
	for _, c := range a.Crashes {
		if c.First >= 0 {
			first = append(first, c.First-c.from)
		}
		if c.All >= 0 {
			all = append(all, c.All-c.from)
		}
		if c.to-c.from < r.Bounds.DetectWithin || c.from >= r.Duration {
			continue // too short to require a detection (still measured)
		}
		judged++
		switch {
		case len(c.Missing) > 0:
			problems = append(problems, fmt.Sprintf("%v crashed at %s and stayed down %s, but %s never declared it dead",
				c.Node, trace.FormatTime(c.from), c.to-c.from, ids(c.Missing)))
		case c.All >= 0 && c.All-c.from > r.Bounds.DetectWithin:
			problems = append(problems, fmt.Sprintf("%v crashed at %s; the last of its observers declared it dead only %s later (detect_within %s)",
				c.Node, trace.FormatTime(c.from), c.All-c.from, r.Bounds.DetectWithin))
		}
	}
	// A paused member is indistinguishable from a crashed one, and so is
	// one cut off by the network, or behind links losing more than the
	// correct protocol is built for (Probing.Judged): declaring it is
	// measured, never judged. Every other declaration of a live member
	// counts against max_false_positives.
	var judgedFP []FalsePositive
	for _, fp := range a.FalsePositives {
		if !fp.Paused && !fp.Cut && !fp.Lossy {
			judgedFP = append(judgedFP, fp)
		}
	}
	if n := len(judgedFP); n > r.Bounds.MaxFalsePositives {
		var ex []string
		for _, fp := range judgedFP[:min(n, 3)] {
			ex = append(ex, fmt.Sprintf("%v declared %v dead at %s (incarnation %d) while it was up",
				fp.By, fp.Change.Member, trace.FormatTime(fp.At), fp.Change.Inc))
		}
		problems = append(problems, fmt.Sprintf("%d false positives (max_false_positives %d): %s", n, r.Bounds.MaxFalsePositives, strings.Join(ex, "; ")))
	}
	slices.Sort(first)
	slices.Sort(all)
	memberSecs := float64(len(r.Servers)) * secs(r.End)
	sent, maxSent := 0, 0
	for _, s := range r.Sent {
		sent += s
		maxSent = max(maxSent, s)
	}
	paused, cut, lossy := 0, 0, 0
	for _, fp := range a.FalsePositives {
		if fp.Paused {
			paused++
		}
		if fp.Cut {
			cut++
		}
		if fp.Lossy {
			lossy++
		}
	}
	res.Metrics = []checker.Metric{
		{Name: "crashes", Value: float64(len(a.Crashes))},
		{Name: "crashes judged", Value: float64(judged)},
		{Name: "detected", Value: float64(len(first))},
		{Name: "first p50 s", Value: secs(percentile(first, 50))},
		{Name: "first p99 s", Value: secs(percentile(first, 99))},
		{Name: "all p50 s", Value: secs(percentile(all, 50))},
		{Name: "all p99 s", Value: secs(percentile(all, 99))},
		{Name: "all max s", Value: secs(percentile(all, 100))},
		{Name: "declarations", Value: float64(a.Declarations)},
		{Name: "leaves heard", Value: float64(a.Leaves)},
		{Name: "false positives", Value: float64(len(a.FalsePositives))},
		{Name: "false positives while paused", Value: float64(paused)},
		{Name: "false positives during network faults", Value: float64(cut)},
		{Name: "false positives under heavy loss", Value: float64(lossy)},
		{Name: "false positives judged", Value: float64(len(judgedFP))},
		{Name: "false positives per member-minute", Value: float64(len(a.FalsePositives)) / memberSecs * 60},
		{Name: "msgs per member-second", Value: float64(sent) / memberSecs},
		{Name: "msgs per member-second max", Value: float64(maxSent) / secs(r.End)},
	}
	summary := fmt.Sprintf("%d crashes (%d judged), first detection p50 %s p99 %s, all members p50 %s p99 %s; %d false positives; %.1f msgs/member/s",
		len(a.Crashes), judged, percentile(first, 50), percentile(first, 99), percentile(all, 50), percentile(all, 99),
		len(a.FalsePositives), float64(sent)/memberSecs)
	if len(problems) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = strings.Join(problems, "; ") + " [" + summary + "]"
		return res
	}
	res.Explanation = summary
	return res
}

// Converge is the "view-convergence" check: at the end no live member's
// view holds any member dead, and the last view to hold one stopped
// within ConvergeWithin of the heal. A suspicion is not judged: under a
// lossy network members are suspected and refute all along. views holds
// each live member's final view (nil for a member that has not rejoined).
func Converge(r *Run, views map[nodes.ID][]swim.Member) checker.Result {
	res := checker.Result{Name: CheckViewConvergence, Verdict: checker.Valid}
	var problems []string
	for _, id := range r.Servers {
		v, ok := views[id]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%v is down at the end", id))
		case v == nil:
			problems = append(problems, fmt.Sprintf("%v has not rejoined by the end", id))
		default:
			for _, m := range v {
				if gone(m.State) {
					problems = append(problems, fmt.Sprintf("%v still sees %v as %v (incarnation %d)", id, m.ID, m.State, m.Inc))
				}
			}
		}
	}
	// Replay the views' dead entries: a restart starts a member's view
	// afresh, with every peer alive.
	type pair struct{ by, of nodes.ID }
	dead := map[pair]bool{}
	var cleared time.Duration // when the last dead entry went
	var lastDead Observed
	life := r.Lifecycle
	for _, o := range r.Changes {
		for len(life) > 0 && life[0].At <= o.At {
			if e := life[0]; e.Kind == trace.Start {
				for _, id := range r.Servers {
					if dead[pair{e.Node, id}] {
						delete(dead, pair{e.Node, id})
						if len(dead) == 0 {
							cleared = e.At
						}
					}
				}
			}
			life = life[1:]
		}
		k := pair{o.By, o.Change.Member}
		switch {
		case gone(o.Change.State):
			dead[k], lastDead = true, o
		case dead[k]:
			delete(dead, k)
			if len(dead) == 0 {
				cleared = o.At
			}
		}
	}
	for _, e := range life {
		if e.Kind == trace.Start && len(dead) > 0 {
			for _, id := range r.Servers {
				delete(dead, pair{e.Node, id})
			}
			if len(dead) == 0 {
				cleared = e.At
			}
		}
	}
	took := max(0, cleared-r.Duration)
	res.Metrics = []checker.Metric{{Name: "converged after heal s", Value: secs(took)}}
	if len(problems) == 0 && took > r.Bounds.ConvergeWithin {
		problems = append(problems, fmt.Sprintf("views converged only %s after the heal (converge_within %s): the last dead entry was %v's of %v, from %s",
			took, r.Bounds.ConvergeWithin, lastDead.By, lastDead.Change.Member, trace.FormatTime(lastDead.At)))
	}
	if len(problems) > 0 {
		res.Verdict = checker.Invalid
		if len(problems) > 4 {
			problems = append(problems[:4], fmt.Sprintf("and %d more", len(problems)-4))
		}
		res.Explanation = strings.Join(problems, "; ")
		return res
	}
	res.Explanation = fmt.Sprintf("no view holds a member dead from %s after the heal on", took)
	return res
}

func ids(xs []nodes.ID) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}
