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

func (f DropType) String() string { return typeRatioString(f.Kind(), f.Type, f.Ratio, f.Links) }

// typeRatioString is the text of a message-typed fault with a ratio:
// "KIND TYPE [RATIO] [LINKS]", the ratio left out when it is 1.
func typeRatioString(kind, typ string, ratio sim.Ratio, l Links) string {
	s := kind + " " + typ
	if ratio.Num < ratio.Den {
		s += " " + ratio.String()
	}
	return withLinks(s, l)
}

func (f DropType) Check(n int) error { return f.Links.check(n) }

func parseDropType(in []string) (Fault, error) {
	typ, ratio, l, err := parseTypeRatio(in, "drop ratio")
	if err != nil {
		return nil, err
	}
	return DropType{Type: typ, Ratio: ratio, Links: l}, nil
}

// parseTypeRatio reads "TYPE [RATIO] [LINKS]", the arguments of a
// message-typed fault with a ratio (what names the ratio in errors); a
// ratio of 1 or more is Always.
func parseTypeRatio(in []string, what string) (typ string, ratio sim.Ratio, l Links, err error) {
	a := args{in}
	if typ, err = parseTypeWord(&a); err != nil {
		return "", ratio, l, err
	}
	ratio = sim.Always
	if _, perr := sim.ParseRatio(a.peek()); a.more() && perr == nil {
		s, _ := a.next("")
		if ratio, err = parseRatio(what, s); err != nil {
			return "", ratio, l, err
		}
		if ratio.Num >= ratio.Den {
			ratio = sim.Always
		}
	}
	if l, err = a.optLinks(); err != nil {
		return "", ratio, l, err
	}
	return typ, ratio, l, a.done()
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
	ratio := f.Ratio
	return planType(f, f.Type, f.Links, true, w, r, func(*sim.Network) func(*rand.Rand) sim.Verdict {
		return func(r *rand.Rand) sim.Verdict {
			if ratio.Fires(r) {
				return sim.Verdict{Action: sim.Drop}
			}
			return sim.Verdict{}
		}
	})
}

// planType resolves a message-typed fault: its type (AnyType picks one
// the servers have sent each other so far, from r) and its links, and
// builds a plan whose rule judges only the messages of that type on those
// links. It has no Cuts even when it drops every message: the links still
// carry every other type. front is the rule's place (see ctx.install).
func planType(f Fault, typ string, l Links, front bool, w *sim.Sim, r *rand.Rand, judge func(base *sim.Network) func(*rand.Rand) sim.Verdict) (*Plan, error) {
	var resolved []string
	if typ == AnyType {
		seen := w.PeerMessageTypes()
		if len(seen) == 0 {
			return nil, skipf("no messages between servers yet to pick a type from")
		}
		typ = seen[r.IntN(len(seen))]
		resolved = append(resolved, typ)
	}
	res := &resolver{w, r, len(w.Servers())}
	links, text, err := res.links(l)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Fault: f}
	if l.abstract() {
		resolved = append(resolved, text)
	}
	plan.Resolved = joinResolved(resolved)
	base := w.Config().Network
	plan.start = func(x *ctx) func() {
		ru := newRule(f.String(), res.n, links, judge(&base))
		ru.typ = typ
		return x.install(ru, front)
	}
	return plan, nil
}

// parseTypeWord reads a message-typed fault's type: a type name or any.
func parseTypeWord(a *args) (string, error) {
	typ, err := a.next("message type (a type name such as AppendEntries, or any)")
	if err != nil {
		return "", err
	}
	if !validTypeName(typ) {
		return "", fmt.Errorf("message type %q: want a type name such as AppendEntries, or any", typ)
	}
	return typ, nil
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
