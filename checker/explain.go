package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// maxWindow caps the operations an explanation lists.
const maxWindow = 12

// A failure is the partition an illegal history fails in, with Porcupine's
// verbose information about it.
type failure struct {
	ops      []porcupine.Operation // the partition
	longest  []int                 // the longest partial linearization found
	complete bool                  // false if the search ran out of budget
}

// isUnknown reports whether a converted operation is indeterminate.
func isUnknown(op porcupine.Operation) bool {
	switch out := op.Output.(type) {
	case regOutput:
		return out.unknown
	case *kvOutput:
		return out.unknown
	case setOutput:
		return out.unknown
	}
	return false
}

// explain renders a failure from the longest partial linearization
// Porcupine found: the culprit is the operation it could not place that
// returned first (everything that returned before it was placed, so this
// is where every order breaks down); the text says what the culprit saw,
// what the state was when it was invoked and which operation set it, and
// lists the operations concurrent with it — the window in which no order
// works.
func explain(m Model, h *History, pm porcupine.Model, f failure) (string, []int) {
	var b strings.Builder
	part := f.ops
	where := "the register"
	switch {
	case m.name == "set":
		where = "the set"
	case m.name == "kv" && len(part) > 0:
		where = fmt.Sprintf("key %q", m.partKey(part[0].Input))
	}
	longest := f.longest
	placed := make([]bool, len(part))
	for _, id := range longest {
		placed[id] = true
	}
	culprit := -1
	for id, op := range part {
		if placed[id] || isUnknown(op) {
			continue
		}
		if culprit < 0 || op.Return < part[culprit].Return ||
			(op.Return == part[culprit].Return && op.Call < part[culprit].Call) {
			culprit = id
		}
	}
	fmt.Fprintf(&b, "%s is not linearizable (the longest linearization Porcupine found places %d of its %d operations)\n",
		where, len(longest), len(part))
	if culprit < 0 {
		return strings.TrimRight(b.String(), "\n"), nil
	}
	c := part[culprit]
	// Replay the linearization through every operation that had returned
	// before the culprit was invoked (they all precede it in any order):
	// the state it should have seen.
	upTo := -1
	for pos, id := range longest {
		if part[id].Return < c.Call {
			upTo = pos
		}
	}
	state := pm.Init()
	setBy := -1
	for _, id := range longest[:upTo+1] {
		_, next := pm.Step(state, part[id].Input, part[id].Output)
		if pm.DescribeState(next) != pm.DescribeState(state) {
			setBy = id
		}
		state = next
	}
	fmt.Fprintf(&b, "  first operation no order can place: %s\n", describeOp(h, pm, c))
	fmt.Fprintf(&b, "  when it was invoked the state was %s", clip(pm.DescribeState(state)))
	if setBy >= 0 {
		fmt.Fprintf(&b, ", set by %s", describeOp(h, pm, part[setBy]))
	}
	b.WriteString("\n")
	var window, maybe []int // determinate operations first
	cc := opClient(h, c)
	for id, op := range part {
		// Strictly overlapping, and not the culprit's own client (whose
		// operations are sequential).
		if id != culprit && op.Call < c.Return && op.Return > c.Call && opClient(h, op) != cc {
			if isUnknown(op) {
				maybe = append(maybe, id)
			} else {
				window = append(window, id)
			}
		}
	}
	window = append(window, maybe...)
	involved := []int{opIndex(c)}
	if setBy >= 0 {
		involved = append(involved, opIndex(part[setBy]))
	}
	for _, id := range window {
		involved = append(involved, opIndex(part[id]))
	}
	if len(window) == 0 {
		b.WriteString("  and nothing ran concurrently with it\n")
	} else {
		fmt.Fprintf(&b, "  and no order of the %d operations concurrent with it explains what it saw:\n", len(window))
		for i, id := range window {
			if i == maxWindow {
				fmt.Fprintf(&b, "    ... and %d more\n", len(window)-maxWindow)
				break
			}
			fmt.Fprintf(&b, "    %s\n", describeOp(h, pm, part[id]))
		}
	}
	if !f.complete {
		b.WriteString("  (the budget ran out while explaining; the linearization shown may not be the longest)\n")
	}
	return strings.TrimRight(b.String(), "\n"), involved
}

// opClient is the client of a converted operation.
func opClient(h *History, op porcupine.Operation) string {
	return h.Ops[opIndex(op)].Client.String()
}

// opIndex is the index in the History of a converted operation.
func opIndex(op porcupine.Operation) int {
	i, _ := op.Metadata.(int)
	return i
}

// longestPartial picks the longest partial linearization, breaking ties by
// the lexicographically smallest sequence so the choice is deterministic.
func longestPartial(cands [][]int) []int {
	var best []int
	for _, c := range cands {
		if len(c) > len(best) || (len(c) == len(best) && best != nil && slices.Compare(c, best) < 0) {
			best = c
		}
	}
	return best
}

// describeOp renders a Porcupine operation with its origin in h.
func describeOp(h *History, pm porcupine.Model, op porcupine.Operation) string {
	i, _ := op.Metadata.(int)
	o := &h.Ops[i]
	s := fmt.Sprintf("%v %s", o.Client, clip(pm.DescribeOperation(op.Input, op.Output)))
	if o.indeterminate() {
		s += fmt.Sprintf(" [%v, ?] %v", o.Invoke, o.Outcome)
	} else {
		s += fmt.Sprintf(" [%v, %v]", o.Invoke, o.Return)
	}
	if o.Line > 0 {
		s += fmt.Sprintf(" (line %d)", o.Line)
	}
	return s
}

// clip shortens long descriptions, keeping both ends.
func clip(s string) string {
	const n = 100
	if len(s) <= n {
		return s
	}
	return s[:n/2-2] + " … " + s[len(s)-n/2+2:]
}
