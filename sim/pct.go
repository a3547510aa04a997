package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// PCT-style delivery scheduling (Burckhardt, Kothari, Musuvathi and
// Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of
// Finding Bugs", ASPLOS 2010), adapted to a timed message-passing world.
//
// PCT gives every thread a random priority, always runs the
// highest-priority thread that can run, and at d−1 random steps (the
// change points) drops the running thread's priority below every other:
// the i-th change point to d−i. Any ordering bug of depth d — one that
// needs d particular events in a particular order — is then hit with a
// probability bounded below, where latency jitter gives no such bound: it
// reorders messages only within the jitter, and starves no link for long.
//
// Here the threads are the directed links (from→to, servers and clients
// alike) and running first means arriving first. A link's priority is an
// extra delay added to every message it carries: drawn once per link,
// uniformly in [0, Spread), when the link first carries a message, so
// messages of a low-priority link are overtaken by everything a
// high-priority link sends up to Spread later. The d−1 change points are
// virtual times drawn uniformly in [0, Horizon); at the first message sent
// at or after change point i, a link drawn uniformly among those that have
// carried a message so far is demoted below every link not yet demoted
// (extra delay Spread + i·Spread/d: a later change point, a lower
// priority, as in PCT). PCT demotes the thread that runs at the change
// step; the link that sends first after a change time would be the same
// one whenever nodes tick in step (the leader's heartbeat), so the link
// is drawn instead. Depth 1 is priorities without change points.
// Order on one link is kept (FIFO up to the link's latency jitter), a
// message is never lost or duplicated by the schedule, and nothing is
// added to the trace but the later delivery times: a run with a schedule
// replays exactly from its seed like any other.

// Schedule configures the delivery order on top of the links' latency.
// The zero Schedule is plain latency order (what every world did before
// schedules existed; no draws, no cost).
type Schedule struct {
	// Depth is PCT's d: Depth−1 priority change points. 0 turns the
	// schedule off.
	Depth int
	// Spread bounds the links' initial priorities, as extra delay
	// (default DefaultPCTSpread).
	Spread time.Duration
	// Horizon is the span of virtual time the schedule acts in: the
	// change points are drawn in it, and from its end messages travel at
	// their latency alone (default DefaultPCTHorizon). The scenario runner
	// sets it to the safety phase, so the heal is as healthy as without a
	// schedule; it has no text form.
	Horizon time.Duration
}

// Schedule defaults and bounds.
const (
	DefaultPCTSpread  = 20 * time.Millisecond
	DefaultPCTHorizon = 5 * time.Second
	// MaxPCTDepth bounds Depth: PCT's guarantee shrinks with every change
	// point, and a handful is what ordering bugs need.
	MaxPCTDepth = 16
)

// StreamSchedule is the stream the schedule draws its priorities and
// change points from (only when one is set, so no other stream moves).
const StreamSchedule = "schedule"

// IsZero reports whether the schedule is off.
func (sc Schedule) IsZero() bool { return sc.Depth == 0 }

// String is the schedule's text form, read back by ParseSchedule:
// "pct(3, 20ms)", or "latency" for the zero Schedule.
func (sc Schedule) String() string {
	if sc.IsZero() {
		return "latency"
	}
	return fmt.Sprintf("pct(%d, %v)", sc.Depth, sc.spread())
}

// Validate reports a configuration error naming field.
func (sc Schedule) Validate(field string) error {
	switch {
	case sc.Depth < 0 || sc.Depth > MaxPCTDepth:
		return fmt.Errorf("sim: %s: pct depth %d is outside [1, %d]", field, sc.Depth, MaxPCTDepth)
	case sc.Spread < 0:
		return fmt.Errorf("sim: %s: negative pct spread %v", field, sc.Spread)
	case sc.Horizon < 0:
		return fmt.Errorf("sim: %s: negative pct horizon %v", field, sc.Horizon)
	}
	return nil
}

func (sc Schedule) spread() time.Duration {
	if sc.Spread == 0 {
		return DefaultPCTSpread
	}
	return sc.Spread
}

// ParseSchedule reads the forms Schedule.String writes: "latency" (or
// ""), "pct(DEPTH)" and "pct(DEPTH, SPREAD)".
func ParseSchedule(s string) (Schedule, error) {
	t := strings.TrimSpace(s)
	if t == "" || t == "latency" {
		return Schedule{}, nil
	}
	args, ok := strings.CutPrefix(t, "pct(")
	if !ok {
		return Schedule{}, fmt.Errorf("sim: schedule %q: want latency, pct(depth) or pct(depth, spread) such as pct(3, 20ms)", s)
	}
	args, ok = strings.CutSuffix(args, ")")
	if !ok {
		return Schedule{}, fmt.Errorf("sim: schedule %q: missing closing parenthesis", s)
	}
	parts := strings.Split(args, ",")
	if len(parts) > 2 {
		return Schedule{}, fmt.Errorf("sim: schedule %q: pct takes (depth) or (depth, spread)", s)
	}
	d, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || d < 1 || d > MaxPCTDepth {
		return Schedule{}, fmt.Errorf("sim: schedule %q: the depth must be a whole number from 1 to %d", s, MaxPCTDepth)
	}
	sc := Schedule{Depth: d}
	if len(parts) == 2 {
		if sc.Spread, err = ParseDuration(parts[1]); err != nil || sc.Spread <= 0 {
			return Schedule{}, fmt.Errorf("sim: schedule %q: the spread must be a positive duration such as 20ms", s)
		}
		if sc.Spread == DefaultPCTSpread {
			sc.Spread = 0 // one value, one form: the default is written out but stored as zero
		}
	}
	return sc, nil
}

// pct is a world's PCT state: one extra delay per directed link, and the
// change points still to come.
type pct struct {
	rng    *rand.Rand
	procs  int     // servers + clients: links are indexed from*procs+to
	extra  []int64 // per link; -1 until the link carries its first message
	active []int32 // the links that have carried a message, in order of first use
	change []int64 // change point times, ascending; consumed from the front
	done   int     // change points passed
	depth  int
	spread int64
	// horizon ends the schedule: from then on (the heal) links carry
	// messages at their latency alone, as every fault ends at the heal.
	horizon int64
}

func newPCT(cfg *Config) *pct {
	sc := cfg.Network.Schedule
	if sc.IsZero() {
		return nil
	}
	n := cfg.Nodes + cfg.Clients
	p := &pct{
		rng:    NewStream(cfg.Seed, StreamSchedule),
		procs:  n,
		extra:  make([]int64, n*n),
		active: make([]int32, 0, n*n),
		depth:  sc.Depth,
		spread: int64(sc.spread()),
	}
	for i := range p.extra {
		p.extra[i] = -1
	}
	horizon := sc.Horizon
	if horizon == 0 {
		horizon = DefaultPCTHorizon
	}
	p.horizon = int64(horizon)
	for range sc.Depth - 1 {
		p.change = append(p.change, p.rng.Int64N(int64(horizon)))
	}
	slices.Sort(p.change)
	return p
}

// procIndex is the index of a process in links: servers first, then
// clients (as Sim.procs).
func (p *pct) procIndex(id nodes.ID, servers int) int {
	if id.IsClient() {
		return servers + id.Index() - 1
	}
	return int(id) - 1
}

// delay is the extra delay of a message sent now on from→to: the link's
// priority, after demoting the link if a change point has passed.
func (p *pct) delay(s *Sim, from, to nodes.ID) int64 {
	if s.now >= p.horizon {
		return 0
	}
	l := p.procIndex(from, s.cfg.Nodes)*p.procs + p.procIndex(to, s.cfg.Nodes)
	if p.extra[l] < 0 {
		p.extra[l] = p.rng.Int64N(p.spread)
		p.active = append(p.active, int32(l))
	}
	for p.done < len(p.change) && p.change[p.done] <= s.now {
		p.done++
		d := p.active[p.rng.IntN(len(p.active))]
		p.extra[d] = p.spread + int64(p.done)*p.spread/int64(p.depth)
	}
	return p.extra[l]
}

// PCTDemoted returns the links the schedule has demoted so far, as
// "from->to" in the order of their change points (nil without a
// schedule): what a test or a report can show of the order a seed drew.
func (s *Sim) PCTDemoted() []string {
	p := s.pct
	if p == nil {
		return nil
	}
	type demoted struct {
		extra int64
		link  int
	}
	var ds []demoted
	for l, e := range p.extra {
		if e >= p.spread {
			ds = append(ds, demoted{e, l})
		}
	}
	// A later change point demotes further: by extra delay is their order.
	slices.SortFunc(ds, func(a, b demoted) int { return cmp.Compare(a.extra, b.extra) })
	var out []string
	for _, d := range ds {
		out = append(out, p.id(d.link/p.procs, s.cfg.Nodes).String()+"->"+p.id(d.link%p.procs, s.cfg.Nodes).String())
	}
	return out
}

func (p *pct) id(i, servers int) nodes.ID {
	if i < servers {
		return nodes.NodeID(i + 1)
	}
	return nodes.ClientID(i - servers + 1)
}
