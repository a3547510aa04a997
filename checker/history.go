package checker

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// A History is what the clients of one run did, plus the faults injected
// while they did it. Ops are kept in invocation order when built by a
// [Recorder]; readers keep file order. Annotations are for display only:
// no checker reads them except to draw them.
type History struct {
	// Model names the sequential specification the history is meant to be
	// checked against: "register", "kv", "set" or "" (infer from the
	// operation kinds, see [InferModel]).
	Model       string
	Ops         []Operation
	Annotations []Annotation
}

// An Operation is one client operation: what was asked (the embedded
// nodes.Op's Kind, Key, Value, Expect), what came back (Output, Exists),
// how it ended, and when.
//
// Outcome follows Jepsen: OK took effect and Output is its result; Fail
// certainly did not take effect (checkers drop it); Info may or may not
// have taken effect (checkers let it take effect at any point after Invoke,
// or never); Pending never returned and is treated like Info.
//
// A cas that ran but found a different value than Expect is an OK
// operation with Output "false": it observed something. Any other Output
// of an OK cas (usually "" or "true") means the swap happened.
type Operation struct {
	Client nodes.ID
	nodes.Op
	Outcome nodes.Outcome
	// Invoke and Return are virtual times. Return is meaningful for OK and
	// Fail; for Info it is when the client gave up (or zero).
	Invoke time.Duration
	Return time.Duration
	// Line is the 1-based line of the input this operation was read from
	// (its invocation), or 0 if it was not read from a file.
	Line int
}

// An Annotation is a fault or other event shown alongside the history: a
// window [Start, End] of virtual time (End == Start for an instant), the
// node it concerns ("" for the whole cluster) and a short text.
type Annotation struct {
	Start time.Duration
	End   time.Duration
	Node  string
	Text  string
}

// String renders the operation on one line, e.g.
// "c2 get("x") -> "1" ok [3ms,4ms]".
func (op *Operation) String() string {
	var s string
	switch {
	case op.Kind.IsRead():
		if op.Key != "" {
			s = fmt.Sprintf("%s(%q)", op.Kind, op.Key)
		} else {
			s = string(op.Kind) + "()"
		}
		if op.Outcome == nodes.OK {
			if op.Exists || op.Output != "" {
				s += fmt.Sprintf(" -> %q", op.Output)
			} else {
				s += " -> nil"
			}
		}
	case op.Kind == nodes.OpCAS:
		s = fmt.Sprintf("cas(%s%q, %q)", keyPrefix(op.Key), op.Expect, op.Value)
		if op.Outcome == nodes.OK {
			if op.Output == "false" {
				s += " -> false"
			} else {
				s += " -> true"
			}
		}
	case op.Kind == OpGenerate:
		s = "generate()"
		if op.Outcome == nodes.OK {
			s += fmt.Sprintf(" -> %q", op.Output)
		}
	default:
		s = fmt.Sprintf("%s(%s%q)", op.Kind, keyPrefix(op.Key), op.Value)
		if op.Outcome == nodes.OK && op.Output != "" {
			s += fmt.Sprintf(" -> %q", op.Output)
		}
	}
	switch op.Outcome {
	case nodes.OK, nodes.Fail:
		return fmt.Sprintf("%v %s %v [%v,%v]", op.Client, s, op.Outcome, op.Invoke, op.Return)
	default:
		return fmt.Sprintf("%v %s %v [%v,...]", op.Client, s, op.Outcome, op.Invoke)
	}
}

func keyPrefix(key string) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf("%q, ", key)
}

// indeterminate reports whether the operation may or may not have taken
// effect: it ended Info or never ended.
func (op *Operation) indeterminate() bool {
	return op.Outcome == nodes.Info || op.Outcome == nodes.Pending
}

// End returns the latest virtual time mentioned by the history (0 for an
// empty history).
func (h *History) End() time.Duration {
	var end time.Duration
	for i := range h.Ops {
		end = max(end, h.Ops[i].Invoke, h.Ops[i].Return)
	}
	for _, a := range h.Annotations {
		end = max(end, a.Start, a.End)
	}
	return end
}
