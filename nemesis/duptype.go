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
	return typeRatioString(f.Kind(), f.Type, f.Ratio, f.Links)
}

func (f DuplicateType) Check(n int) error { return f.Links.check(n) }

func parseDuplicateType(in []string) (Fault, error) {
	typ, ratio, l, err := parseTypeRatio(in, "duplicate ratio")
	if err != nil {
		return nil, err
	}
	return DuplicateType{Type: typ, Ratio: ratio, Links: l}, nil
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
