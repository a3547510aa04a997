package nemesis

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/faultline/faultline/sim"
)

// Link faults degrade server-to-server links without cutting them (except
// drop 1 and clog). Every one takes an optional link selector, all by
// default; the canonical text omits it when it is all.

func withLinks(text string, l Links) string {
	if l.IsAll() {
		return text
	}
	return text + " " + l.String()
}

// planLinks resolves l and builds a plan whose rule judges matching
// packets with judge.
func planLinks(f Fault, w *sim.Sim, r *rand.Rand, l Links, front bool, cut bool, judge func(base *sim.Network) func(*rand.Rand) sim.Verdict) (*Plan, error) {
	res := &resolver{w, r, len(w.Servers())}
	links, text, err := res.links(l)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Fault: f}
	if cut {
		plan.Cuts = links
	}
	if l.abstract() {
		plan.Resolved = text
	}
	base := w.Config().Network
	plan.start = func(x *ctx) func() {
		return x.install(newRule(f.String(), res.n, links, judge(&base)), front)
	}
	return plan, nil
}

// Drop loses each message on the selected links with probability Ratio.
type Drop struct {
	Ratio sim.Ratio
	Links Links
}

func (Drop) Kind() string        { return "drop" }
func (f Drop) String() string    { return withLinks("drop "+f.Ratio.String(), f.Links) }
func (f Drop) Check(n int) error { return f.Links.check(n) }

func parseDrop(in []string) (Fault, error) {
	a := args{in}
	s, err := a.next("ratio (such as 1/10)")
	if err != nil {
		return nil, err
	}
	f := Drop{}
	if f.Ratio, err = parseRatio("drop ratio", s); err != nil {
		return nil, err
	}
	if f.Links, err = a.optLinks(); err != nil {
		return nil, err
	}
	return f, a.done()
}

func (f Drop) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planLinks(f, w, r, f.Links, true, f.Ratio.Num >= f.Ratio.Den, func(*sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict {
			if f.Ratio.Fires(r) {
				return sim.Verdict{Action: sim.Drop}
			}
			return sim.Verdict{}
		}
	})
}

// Delay adds an extra delay, drawn uniformly from Range, to every message
// on the selected links.
type Delay struct {
	Range Range
	Links Links
}

func (Delay) Kind() string        { return "delay" }
func (f Delay) String() string    { return withLinks("delay "+f.Range.String(), f.Links) }
func (f Delay) Check(n int) error { return f.Links.check(n) }

func parseDelay(in []string) (Fault, error) {
	a := args{in}
	f := Delay{}
	var err error
	if f.Range, f.Links, err = parseDelayArgs(&a); err != nil {
		return nil, err
	}
	return f, a.done()
}

// parseDelayArgs reads what delay and delay-type share: a non-zero delay
// range, then optional links.
func parseDelayArgs(a *args) (Range, Links, error) {
	s, err := a.next("delay (such as 50ms or 50ms..200ms)")
	if err != nil {
		return Range{}, Links{}, err
	}
	r, err := ParseRange(s)
	if err != nil {
		return Range{}, Links{}, err
	}
	if r.Max == 0 {
		return Range{}, Links{}, fmt.Errorf("delay %q is zero: the fault would do nothing", s)
	}
	l, err := a.optLinks()
	return r, l, err
}

func (f Delay) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planLinks(f, w, r, f.Links, false, false, func(base *sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict { return deliver(base, r, f.Range.Sample(r), 1) }
	})
}

// Duplicate delivers each message on the selected links twice with
// probability Ratio.
type Duplicate struct {
	Ratio sim.Ratio
	Links Links
}

func (Duplicate) Kind() string        { return "duplicate" }
func (f Duplicate) String() string    { return withLinks("duplicate "+f.Ratio.String(), f.Links) }
func (f Duplicate) Check(n int) error { return f.Links.check(n) }

func parseDuplicate(in []string) (Fault, error) {
	a := args{in}
	s, err := a.next("ratio (such as 1/5)")
	if err != nil {
		return nil, err
	}
	f := Duplicate{}
	if f.Ratio, err = parseRatio("duplicate ratio", s); err != nil {
		return nil, err
	}
	if f.Links, err = a.optLinks(); err != nil {
		return nil, err
	}
	return f, a.done()
}

func (f Duplicate) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planLinks(f, w, r, f.Links, false, false, func(base *sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict {
			if f.Ratio.Fires(r) {
				return deliver(base, r, 0, 2)
			}
			return sim.Verdict{}
		}
	})
}

// Reorder holds back a fraction Ratio of the messages on the selected links
// by an extra delay drawn uniformly from [0, Max], so that later messages
// overtake them.
type Reorder struct {
	Ratio sim.Ratio
	Max   time.Duration
	Links Links
}

// Reorder's defaults, used when the text gives no ratio or maximum.
var (
	DefaultReorderRatio = sim.Ratio{Num: 1, Den: 2}
	DefaultReorderMax   = 50 * time.Millisecond
)

func (Reorder) Kind() string { return "reorder" }
func (f Reorder) String() string {
	return withLinks("reorder "+f.Ratio.String()+" "+fmtDur(f.Max), f.Links)
}
func (f Reorder) Check(n int) error { return f.Links.check(n) }

func parseReorder(in []string) (Fault, error) {
	a := args{in}
	f := Reorder{Ratio: DefaultReorderRatio, Max: DefaultReorderMax}
	var err error
	if s := a.peek(); s != "" && isRatio(s) {
		a.next("")
		if f.Ratio, err = parseRatio("reorder ratio", s); err != nil {
			return nil, err
		}
		if s := a.peek(); s != "" && !isLinks(s) {
			a.next("")
			if f.Max, err = parsePositive("reorder delay", s); err != nil {
				return nil, err
			}
		}
	}
	if f.Links, err = a.optLinks(); err != nil {
		return nil, err
	}
	return f, a.done()
}

func isRatio(s string) bool { return s == "0" || s == "1" || strings.Contains(s, "/") }

func isLinks(s string) bool { return s == "all" || strings.Contains(s, "->") }

func (f Reorder) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planLinks(f, w, r, f.Links, false, false, func(base *sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict {
			if f.Ratio.Fires(r) {
				return deliver(base, r, time.Duration(r.Int64N(int64(f.Max)+1)), 1)
			}
			return sim.Verdict{}
		}
	})
}

// Clog stalls the selected links: messages are held, not lost, and
// delivered in a burst when the fault stops.
type Clog struct{ Links Links }

func (Clog) Kind() string        { return "clog" }
func (f Clog) String() string    { return withLinks("clog", f.Links) }
func (f Clog) Check(n int) error { return f.Links.check(n) }

func parseClog(in []string) (Fault, error) {
	a := args{in}
	l, err := a.optLinks()
	if err != nil {
		return nil, err
	}
	return Clog{l}, a.done()
}

func (f Clog) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planLinks(f, w, r, f.Links, true, true, func(*sim.Network) func(*rand.Rand) sim.Verdict { return holdAll })
}

func genLinks(g *genCtx) Links {
	return []Links{AllLinks, BothWays(One, All), OneWay(One, All), BothWays(g.target(Leader), All)}[g.r.IntN(4)]
}

func genDrop(g *genCtx) Fault      { return Drop{g.in.Drop, genLinks(g)} }
func genDelay(g *genCtx) Fault     { return Delay{g.in.Delay, genLinks(g)} }
func genDuplicate(g *genCtx) Fault { return Duplicate{g.in.Duplicate, genLinks(g)} }
func genReorder(g *genCtx) Fault   { return Reorder{g.in.Reorder, g.in.ReorderMax, genLinks(g)} }
func genClog(g *genCtx) Fault {
	return Clog{[]Links{BothWays(One, All), OneWay(One, One), BothWays(g.target(Leader), All)}[g.r.IntN(3)]}
}
