package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/faultline/faultline/sim"
)

// AnyType is the abstract message type of a DropType fault: when the fault
// starts it picks one of the types servers have sent each other so far
// (sim.Sim.PeerMessageTypes), and the trace shows which.
const AnyType = "any"

// DropType loses the messages of one type on the selected links with
// probability Ratio (1: every one): the network's buggify — a lost vote,
// append response or commit notice, and nothing else, where a plain drop
// hits every message alike and rarely starves one step of a protocol.
type DropType struct {
	// Type is a message type name as the trace writes it
	// ("AppendEntriesResp"), or AnyType.
	Type  string
	Ratio sim.Ratio
	Links Links
}

func (DropType) Kind() string { return "drop-type" }

func (f DropType) String() string {
	s := "drop-type " + f.Type
	if f.Ratio.Num < f.Ratio.Den {
		s += " " + f.Ratio.String()
	}
	return withLinks(s, f.Links)
}

func (f DropType) Check(n int) error { return f.Links.check(n) }

func parseDropType(in []string) (Fault, error) {
	a := args{in}
	typ, err := a.next("message type (a type name such as AppendEntries, or any)")
	if err != nil {
		return nil, err
	}
	if !validTypeName(typ) {
		return nil, fmt.Errorf("message type %q: want a type name such as AppendEntries, or any", typ)
	}
	f := DropType{Type: typ, Ratio: sim.Always}
	if _, err := sim.ParseRatio(a.peek()); a.more() && err == nil {
		s, _ := a.next("")
		if f.Ratio, err = parseRatio("drop ratio", s); err != nil {
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

// validTypeName accepts what sim names message types: a Go type name, or
// for unnamed types their type string — anything but a ratio or a link
// selector's punctuation.
func validTypeName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if c == '>' || c == '<' || c == '/' {
			return false
		}
	}
	return true
}

func (f DropType) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	typ := f.Type
	if typ == AnyType {
		seen := w.PeerMessageTypes()
		if len(seen) == 0 {
			return nil, skipf("no messages between servers yet to pick a type from")
		}
		typ = seen[r.IntN(len(seen))]
	}
	res := &resolver{w, r, len(w.Servers())}
	links, text, err := res.links(f.Links)
	if err != nil {
		return nil, err
	}
	// No Cuts even at ratio 1: the links still carry every other type.
	plan := &Plan{Fault: f}
	var resolved []string
	if f.Type == AnyType {
		resolved = append(resolved, typ)
	}
	if f.Links.abstract() {
		resolved = append(resolved, text)
	}
	plan.Resolved = joinResolved(resolved)
	ratio := f.Ratio
	plan.start = func(x *ctx) func() {
		ru := newRule(f.String(), res.n, links, func(r *rand.Rand) sim.Verdict {
			if ratio.Fires(r) {
				return sim.Verdict{Action: sim.Drop}
			}
			return sim.Verdict{}
		})
		ru.typ = typ
		return x.install(ru, true)
	}
	return plan, nil
}

func joinResolved(parts []string) string {
	parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += " "
		}
		out += p
	}
	return out
}

// genDropType drops every message of a type picked at the start, on the
// links genLinks draws.
func genDropType(g *genCtx) Fault {
	return DropType{Type: AnyType, Ratio: sim.Always, Links: genLinks(g)}
}
