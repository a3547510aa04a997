package nemesis

import (
	"math/rand/v2"

	"github.com/faultline/faultline/sim"
)

// DelayType adds an extra delay, drawn uniformly from Range, to the
// messages of one type on the selected links, and to no other: the
// append responses of one follower arriving late, the votes of a
// candidate overtaken by another's — where a plain delay slows every
// message alike and keeps their order.
type DelayType struct {
	// Type is a message type name as the trace writes it, or AnyType
	// (picked when the fault starts, as DropType does).
	Type  string
	Range Range
	Links Links
}

func (DelayType) Kind() string { return "delay-type" }

func (f DelayType) String() string {
	return withLinks("delay-type "+f.Type+" "+f.Range.String(), f.Links)
}

func (f DelayType) Check(n int) error { return f.Links.check(n) }

func parseDelayType(in []string) (Fault, error) {
	a := args{in}
	typ, err := parseTypeWord(&a)
	if err != nil {
		return nil, err
	}
	f := DelayType{Type: typ}
	if f.Range, f.Links, err = parseDelayArgs(&a); err != nil {
		return nil, err
	}
	return f, a.done()
}

func (f DelayType) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planType(f, f.Type, f.Links, false, w, r, func(base *sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict { return deliver(base, r, f.Range.Sample(r), 1) }
	})
}

// genDelayType delays every message of a type picked at the start, by the
// intensity's delay, on the links genLinks draws.
func genDelayType(g *genCtx) Fault {
	return DelayType{Type: AnyType, Range: g.in.Delay, Links: genLinks(g)}
}
