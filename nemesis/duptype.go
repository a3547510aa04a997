package nemesis

import (
	"math/rand/v2"

	"github.com/faultline/faultline/sim"
)

// DuplicateType delivers the messages of one type on the selected links
// twice with probability Ratio (1: every one), and leaves every other type
// alone: each vote granted twice, each append acknowledged twice — the
// retransmission a protocol must be idempotent against, aimed at one step.
type DuplicateType struct {
	// Type is a message type name as the trace writes it, or AnyType
	// (picked when the fault starts, as DropType does).
	Type  string
	Ratio sim.Ratio
	Links Links
}

func (DuplicateType) Kind() string { return "duplicate-type" }

func (f DuplicateType) String() string {
	s := "duplicate-type " + f.Type
	if f.Ratio.Num < f.Ratio.Den {
		s += " " + f.Ratio.String()
	}
	return withLinks(s, f.Links)
}

func (f DuplicateType) Check(n int) error { return f.Links.check(n) }

func parseDuplicateType(in []string) (Fault, error) {
	a := args{in}
	typ, err := parseTypeWord(&a)
	if err != nil {
		return nil, err
	}
	f := DuplicateType{Type: typ, Ratio: sim.Always}
	if _, err := sim.ParseRatio(a.peek()); a.more() && err == nil {
		s, _ := a.next("")
		if f.Ratio, err = parseRatio("duplicate ratio", s); err != nil {
			return nil, err
		}
		if f.Ratio.Num >= f.Ratio.Den {
			f.Ratio = sim.Always
		}
	}
	if f.Links, err = a.optLinks(); err != nil {
		return nil, err
	}
	return f, a.done()
}

func (f DuplicateType) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	ratio := f.Ratio
	return planType(f, f.Type, f.Links, false, w, r, func(base *sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict {
			if ratio.Fires(r) {
				return deliver(base, r, 0, 2)
			}
			return sim.Verdict{}
		}
	})
}

// genDuplicateType duplicates every message of a type picked at the start,
// on the links genLinks draws.
func genDuplicateType(g *genCtx) Fault {
	return DuplicateType{Type: AnyType, Ratio: sim.Always, Links: genLinks(g)}
}
