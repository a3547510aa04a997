package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// Hunt coverage: what a seed reached, beyond the fault kinds and probes
// every sweep counts, and which exploration strategy reached it.
//
// A seed's coverage is a set of items, each a short text with its class
// first:
//
//	fault drop-type               a fault kind fired
//	probe raft: leader elected    a coverage probe (env.Reached, env.Sometimes)
//	msgs RequestVote>AppendEntries  a server received these two message types in a row
//	role leader crashed           a change of the role the servers report (nodes.LeaderReporter)
//	count role became leader 4-7  how often a run did one of the two above, in powers of two
//
// Message bigrams stand for the delivery orders a seed reached (PCT's
// target); roles for the state transitions the kind reports. Both are
// collected by an observer only when a hunt asks for them (RunOptions.Hook),
// a map lookup per delivery.

// Strategy names an exploration strategy of a hunt. It is an open set:
// the ones here are built in, and AddStrategy adds more (a strategy that
// draws seeds beyond the recoverability budget, faults aimed at roles).
type Strategy string

const (
	// StrategySwarm: a seed drawn by the swarm alone (no other strategy
	// applied to it).
	StrategySwarm Strategy = "swarm"
	// StrategyMessageTargeted: a seed whose nemesis fired a
	// message-targeted fault (drop-type, delay-type or duplicate-type).
	StrategyMessageTargeted Strategy = "message-targeted"
	// StrategyPCT: a seed run under a PCT delivery schedule (swarm.pct).
	StrategyPCT Strategy = "pct"
	// StrategyCorpus: a mutation of a corpus entry (HuntOptions.Corpus).
	StrategyCorpus Strategy = "corpus"
	// StrategyOverlap: a seed whose generated faults may overlap
	// (swarm.concurrent drew it, or the scenario's nemesis.generate sets
	// concurrent): a fault may start while another is on.
	StrategyOverlap Strategy = "overlap"
	// StrategyCrashStorm: a seed drawn beyond the recoverability budget
	// with a crash storm (swarm.beyond_budget; nemesis.GenOptions.Storm):
	// crash-loops over a minority or a majority and every server crashed
	// at once. The crash-on-send and replication storms, beyond the
	// budget too, are strategies of their own.
	StrategyCrashStorm Strategy = "crash-storm"
)

// messageTargeted are the fault kinds StrategyMessageTargeted labels.
var messageTargeted = []string{"drop-type", "delay-type", "duplicate-type"}

// A StrategyLabel says whether a strategy applied to a run: sc is the
// scenario it ran (the hunted one, with its swarm section, or a corpus
// mutant), o its outcome.
type StrategyLabel func(sc *Scenario, o *Outcome) bool

var strategies = struct {
	sync.Mutex
	names  []Strategy
	labels map[Strategy]StrategyLabel
}{
	names: []Strategy{StrategyMessageTargeted, StrategyPCT, StrategyOverlap, StrategyCrashStorm},
	labels: map[Strategy]StrategyLabel{
		StrategyMessageTargeted: func(_ *Scenario, o *Outcome) bool {
			return slices.ContainsFunc(o.Faults, func(f string) bool { return slices.Contains(messageTargeted, f) })
		},
		StrategyPCT: func(sc *Scenario, o *Outcome) bool { return !ApplySwarm(sc, o.Seed).Network.Schedule.IsZero() },
		StrategyOverlap: func(sc *Scenario, o *Outcome) bool {
			g := ApplySwarm(sc, o.Seed).Nemesis.Generate
			return g != nil && g.Concurrent
		},
		StrategyCrashStorm: func(sc *Scenario, o *Outcome) bool {
			g := ApplySwarm(sc, o.Seed).Nemesis.Generate
			return g != nil && g.Storm
		},
	},
}

// AddStrategy registers a strategy and how to tell the seeds it applied
// to; the per-strategy coverage of every later hunt reports it. Adding a
// name twice panics (a programming error).
func AddStrategy(s Strategy, label StrategyLabel) {
	strategies.Lock()
	defer strategies.Unlock()
	if _, dup := strategies.labels[s]; dup || s == StrategySwarm || s == StrategyCorpus || s == "" {
		panic(fmt.Sprintf("scenarios: AddStrategy: strategy %q registered twice", s))
	}
	strategies.names = append(strategies.names, s)
	strategies.labels[s] = label
}

// seedStrategies are the strategies that applied to a seed, in
// registration order; StrategySwarm when none did.
func seedStrategies(sc *Scenario, o *Outcome, mutant bool) []Strategy {
	strategies.Lock()
	defer strategies.Unlock()
	var out []Strategy
	if mutant {
		out = append(out, StrategyCorpus)
	}
	for _, s := range strategies.names {
		if strategies.labels[s](sc, o) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = append(out, StrategySwarm)
	}
	return out
}

// runCoverage collects one run's message bigrams and role changes.
type runCoverage struct {
	w      *sim.Sim
	types  map[string]uint32 // message type → index+1
	names  []string
	last   []uint32       // per server: the last type received (index+1; 0: none)
	pairs  map[uint32]int // bigram → times received
	leader []bool         // per server: reported leader after its last handler
	roles  map[string]int // role change → times
	lead   int            // servers reporting leader now
}

func newRunCoverage(w *sim.Sim) *runCoverage {
	n := len(w.Servers())
	c := &runCoverage{w: w, types: map[string]uint32{}, last: make([]uint32, n), pairs: map[uint32]int{},
		leader: make([]bool, n), roles: map[string]int{}}
	w.ObserveKinds(c.event, trace.Deliver, trace.Crash)
	w.AfterEachHandler(c.after)
	return c
}

func (c *runCoverage) event(e *trace.Event) error {
	if e.Node.IsClient() || e.Node.Index() > len(c.last) {
		return nil
	}
	i := e.Node.Index() - 1
	if e.Kind == trace.Crash {
		c.last[i] = 0
		if c.leader[i] {
			c.leader[i] = false
			c.lead--
			c.roles["leader crashed"]++
		}
		return nil
	}
	if e.Peer.IsClient() {
		return nil
	}
	t, ok := c.types[e.Type]
	if !ok {
		c.names = append(c.names, e.Type)
		t = uint32(len(c.names))
		c.types[e.Type] = t
	}
	if p := c.last[i]; p != 0 {
		c.pairs[p<<16|t]++
	}
	c.last[i] = t
	return nil
}

func (c *runCoverage) after(id nodes.ID) error {
	if id.IsClient() || id.Index() > len(c.leader) {
		return nil
	}
	lr, ok := c.w.Node(id).(nodes.LeaderReporter)
	if !ok {
		return nil
	}
	i := id.Index() - 1
	now := lr.IsLeader()
	if now == c.leader[i] {
		return nil
	}
	c.leader[i] = now
	if now {
		c.lead++
		c.roles["became leader"]++
		if c.lead > 1 {
			c.roles[fmt.Sprintf("%d leaders at once", c.lead)]++
		}
	} else {
		c.lead--
		c.roles["stepped down"]++
	}
	return nil
}

// items are the run's coverage items (outcome's faults and probes too),
// sorted.
func (c *runCoverage) items(o *Outcome) []string {
	var out []string
	for _, f := range o.Faults {
		out = append(out, "fault "+f)
	}
	for p, n := range o.Probes { //faultline:orderless sorted below
		if n > 0 {
			out = append(out, "probe "+p)
		}
	}
	if c != nil {
		for k, n := range c.pairs { //faultline:orderless sorted below
			it := "msgs " + c.names[k>>16-1] + ">" + c.names[k&0xffff-1]
			out = append(out, it)
			if b := countBucket(n); b != "" {
				out = append(out, "count "+it+" "+b)
			}
		}
		for r, n := range c.roles { //faultline:orderless sorted below
			out = append(out, "role "+r)
			if b := countBucket(n); b != "" {
				out = append(out, "count role "+r+" "+b)
			}
		}
	}
	sort.Strings(out)
	return out
}

// countBucket is the power-of-two range n falls in ("2-3", "4-7", …;
// "" for 1): how often a run received a bigram or changed a role, counted
// coarsely as AFL counts edge hits. Without it every item a hunt can reach
// is reached within its first few dozen runs — what a mutant changes (a
// partition twice as long, a crash moved) shows in how often the servers
// re-elected or retried, not in whether they did — and after those the
// mutants of 80- to 400-run hunts reached nothing new (docs/BENCHMARKS.md,
// corpus).
func countBucket(n int) string {
	if n < 2 {
		return ""
	}
	lo := 1
	for lo*2 <= n {
		lo *= 2
	}
	return fmt.Sprintf("%d-%d", lo, 2*lo-1)
}

// coverageHook collects coverage for seeds a sweep runs concurrently:
// its hook registers each world's collector under the world's seed.
type coverageHook struct {
	mu     sync.Mutex
	bySeed map[uint64]*runCoverage
	user   func(*sim.Sim)
}

func (h *coverageHook) hook(w *sim.Sim) {
	if h.user != nil {
		h.user(w)
	}
	c := newRunCoverage(w)
	h.mu.Lock()
	h.bySeed[w.Seed()] = c // a determinism re-run replaces it with the same
	h.mu.Unlock()
}

// take returns and forgets a finished seed's collector (nil if its world
// never built).
func (h *coverageHook) take(seed uint64) *runCoverage {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.bySeed[seed]
	delete(h.bySeed, seed)
	return c
}

// StrategyCoverage is what one strategy reached in a hunt.
type StrategyCoverage struct {
	Strategy Strategy `json:"strategy"`
	// Seeds is how many runs the strategy applied to.
	Seeds int `json:"seeds"`
	// Items is how many coverage items those runs reached.
	Items int `json:"items"`
	// Only are the items no run without the strategy reached, sorted.
	Only []string `json:"only,omitempty"`
}

// huntCoverage accumulates a hunt's coverage by strategy. Not safe for
// concurrent use: the hunt feeds it from its progress callback.
type huntCoverage struct {
	seen   map[string]bool              // every item reached
	with   map[Strategy]map[string]bool // items reached by runs the strategy applied to
	absent map[Strategy]map[string]bool // items reached by runs it did not apply to
	seeds  map[Strategy]int
	order  []Strategy
}

func newHuntCoverage() *huntCoverage {
	return &huntCoverage{seen: map[string]bool{}, with: map[Strategy]map[string]bool{},
		absent: map[Strategy]map[string]bool{}, seeds: map[Strategy]int{}}
}

// add records a run's items under its strategies and returns the items no
// earlier run reached, in order.
func (hc *huntCoverage) add(items []string, ss []Strategy) (fresh []string) {
	for _, s := range ss {
		if hc.with[s] == nil {
			// Every earlier run went without s: what they reached is not
			// s's alone (a strategy first seen late — the corpus's
			// mutants after the first batch of seeds — once claimed it).
			hc.with[s], hc.absent[s] = map[string]bool{}, maps.Clone(hc.seen)
			hc.order = append(hc.order, s)
		}
		hc.seeds[s]++
	}
	for _, it := range items {
		if !hc.seen[it] {
			hc.seen[it] = true
			fresh = append(fresh, it)
		}
	}
	for _, s := range hc.order {
		dst := hc.absent[s]
		if slices.Contains(ss, s) {
			dst = hc.with[s]
		}
		for _, it := range items {
			dst[it] = true
		}
	}
	return fresh
}

// report is the per-strategy coverage, strategies in a fixed order
// (swarm, corpus, then as registered).
func (hc *huntCoverage) report() []StrategyCoverage {
	rank := func(s Strategy) int {
		switch s {
		case StrategySwarm:
			return -2
		case StrategyCorpus:
			return -1
		}
		strategies.Lock()
		defer strategies.Unlock()
		return slices.Index(strategies.names, s)
	}
	order := slices.Clone(hc.order)
	slices.SortStableFunc(order, func(a, b Strategy) int { return rank(a) - rank(b) })
	var out []StrategyCoverage
	for _, s := range order {
		sc := StrategyCoverage{Strategy: s, Seeds: hc.seeds[s], Items: len(hc.with[s])}
		for it := range hc.with[s] { //faultline:orderless sorted below
			if !hc.absent[s][it] {
				sc.Only = append(sc.Only, it)
			}
		}
		sort.Strings(sc.Only)
		out = append(out, sc)
	}
	return out
}

// StrategyReport renders a hunt's per-strategy coverage as the hunt
// prints it: one line per strategy, then what only it reached (at most
// limit items each; 0 for all).
func StrategyReport(cov []StrategyCoverage, limit int) string {
	if len(cov) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("coverage by strategy (items: faults, probes, message-type pairs, role changes, their counts):\n")
	for _, c := range cov {
		fmt.Fprintf(&b, "  %-18s %6d runs  %5d items  %4d only here\n", c.Strategy, c.Seeds, c.Items, len(c.Only))
	}
	for _, c := range cov {
		if len(c.Only) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  only %s:", c.Strategy)
		for i, it := range c.Only {
			if limit > 0 && i == limit {
				fmt.Fprintf(&b, " … %d more", len(c.Only)-limit)
				break
			}
			if i > 0 {
				b.WriteString(";")
			}
			b.WriteString(" " + it)
		}
		b.WriteString("\n")
	}
	return b.String()
}
