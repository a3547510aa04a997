package crdtkind

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
)

// Check names.
const (
	CheckCounter  = "counter-bounds"
	CheckSet      = "set-add-wins"
	CheckRegister = "register-reads"
)

// RegisterReads judges a register history (nodes.OpWrite of Value,
// nodes.OpRead whose Output is the value, or the siblings joined by
// nodes.JoinSiblings): every value an OK read returns, each sibling
// included, was written by a write that did not fail and was invoked no
// later than the read returned. A read that found nothing (Exists false)
// is always explained: an eventually consistent replica may not have
// heard of any write yet. A read of an unwritten value is Invalid, named;
// a history with no OK read is Unknown. Writes must write distinct values
// (the register workload's values: unique) for the check to mean much.
func RegisterReads(h *checker.History) checker.Result {
	res := checker.Result{Name: CheckRegister}
	writes := map[string][]*checker.Operation{}
	var reads []*checker.Operation
	for i := range h.Ops {
		op := &h.Ops[i]
		switch {
		case op.Kind == nodes.OpWrite && op.Outcome != nodes.Fail:
			writes[op.Value] = append(writes[op.Value], op)
		case op.Kind == nodes.OpRead && op.Outcome == nodes.OK:
			reads = append(reads, op)
		}
	}
	if len(reads) == 0 {
		res.Verdict, res.Explanation = checker.Unknown, "no successful read, so nothing to judge"
		return res
	}
	var bad []string
	siblings := 0
	for _, r := range reads {
		if !r.Exists {
			continue
		}
		vs := nodes.Siblings(r.Output)
		if len(vs) > 1 {
			siblings++
		}
		for _, v := range vs {
			if !slices.ContainsFunc(writes[v], func(w *checker.Operation) bool { return maybe(w, r) }) {
				bad = append(bad, fmt.Sprintf("%v returns %q, which no write invoked before it returned wrote", r, v))
			}
		}
	}
	summary := fmt.Sprintf("%d reads (%d with siblings) against %d written values", len(reads), siblings, len(writes))
	if len(bad) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("%d unexplained values in %s: %s", len(bad), summary, listSome(bad))
		return res
	}
	res.Verdict, res.Explanation = checker.Valid, summary+"; every value was written"
	return res
}

// maybe reports whether update u may have taken effect by the time read
// r returned: it was invoked no later than that, and did not fail.
func maybe(u, r *checker.Operation) bool {
	return u.Outcome != nodes.Fail && u.Invoke <= r.Return
}

// definite reports whether a final read r must reflect update u: u was
// acknowledged before r began.
func definite(u, r *checker.Operation) bool {
	return u.Outcome == nodes.OK && u.Return < r.Invoke
}

// CounterBounds judges a counter history (operations crdt.OpAdd, whose
// Value is a decimal delta, and nodes.OpRead, whose Output is the
// counter). For each OK read r, over the updates u that did not fail and
// were invoked no later than r returned (the others cannot be in it):
//
//   - a read before finalAt may reflect any subset of them, since an
//     eventually consistent replica may not have heard of an update
//     acknowledged elsewhere: it must lie in [Σ min(d,0), Σ max(d,0)]
//     over those updates' deltas d (for a grow-only counter, between 0
//     and the sum of every increment invoked before it returned).
//   - a read invoked at or after finalAt (finalAt > 0: the final reads,
//     taken after the heal has let the replicas converge) must reflect
//     every update acknowledged (OK) before it began, and may reflect the
//     others: it must lie in [D + Σ min(d,0), D + Σ max(d,0)], D the sum
//     of the acknowledged ones' deltas and the sums over the others
//     (indeterminate ones, and OK ones still running when r began).
//
// A read out of bounds (or not a number, or an add whose delta is not a
// number) is Invalid, naming the read and its bounds; a history with no
// OK read is Unknown. The check is O(n log n) in the operations.
func CounterBounds(h *checker.History, finalAt time.Duration) checker.Result {
	res := checker.Result{Name: CheckCounter}
	type upd struct {
		op *checker.Operation
		d  int64
	}
	var ups []upd
	var reads []*checker.Operation
	for i := range h.Ops {
		op := &h.Ops[i]
		switch op.Kind {
		case crdt.OpAdd:
			d, err := strconv.ParseInt(op.Value, 10, 64)
			if err != nil {
				res.Verdict, res.Explanation = checker.Invalid, fmt.Sprintf("%v: the delta is not a number", op)
				return res
			}
			if op.Outcome != nodes.Fail {
				ups = append(ups, upd{op, d})
			}
		case nodes.OpRead:
			if op.Outcome == nodes.OK {
				reads = append(reads, op)
			}
		}
	}
	if len(reads) == 0 {
		res.Verdict, res.Explanation = checker.Unknown, "no successful read, so nothing to judge"
		return res
	}
	// Prefix sums over the updates by invocation time, for the reads
	// before finalAt.
	slices.SortStableFunc(ups, func(a, b upd) int { return compareDur(a.op.Invoke, b.op.Invoke) })
	pos, neg := make([]int64, len(ups)+1), make([]int64, len(ups)+1)
	for i, u := range ups {
		pos[i+1], neg[i+1] = pos[i]+max(u.d, 0), neg[i]+min(u.d, 0)
	}
	var bad []string
	nFinal := 0
	for _, r := range reads {
		v, err := strconv.ParseInt(r.Output, 10, 64)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%v: the value is not a number", r))
			continue
		}
		var lo, hi, acked int64
		final := finalAt > 0 && r.Invoke >= finalAt
		if !final {
			k, _ := slices.BinarySearchFunc(ups, r.Return, func(u upd, t time.Duration) int {
				if u.op.Invoke <= t {
					return -1
				}
				return 1
			})
			lo, hi = neg[k], pos[k]
		} else {
			nFinal++
			for _, u := range ups {
				switch {
				case !maybe(u.op, r):
				case definite(u.op, r):
					acked += u.d
				default:
					lo, hi = lo+min(u.d, 0), hi+max(u.d, 0)
				}
			}
			lo, hi = acked+lo, acked+hi
		}
		switch {
		case v > hi && !final:
			bad = append(bad, fmt.Sprintf("%v is above %d, the most the updates invoked before it returned can add up to", r, hi))
		case v < lo && !final:
			bad = append(bad, fmt.Sprintf("%v is below %d, the least the updates invoked before it returned can add up to", r, lo))
		case v > hi || v < lo:
			bad = append(bad, fmt.Sprintf("final %v is outside [%d, %d]: the updates acknowledged before it began sum to %d, the indeterminate and overlapping ones may add %d..%d", r, lo, hi, acked, lo-acked, hi-acked))
		}
	}
	summary := fmt.Sprintf("%d reads (%d final) against %d updates that may have taken effect", len(reads), nFinal, len(ups))
	if len(bad) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("%d of %s are out of bounds: %s", len(bad), summary, listSome(bad))
		return res
	}
	res.Verdict, res.Explanation = checker.Valid, summary+", all within bounds"
	return res
}

// SetAddWins judges an add-wins set history: crdt.OpAdd and crdt.OpRemove
// of the element Value, and nodes.OpRead whose Output is the elements,
// comma-separated. An OK add's Output is the dot it created; an OK
// remove's Output the dots it removed (the adds it observed). The rules:
//
//   - every element an OK read shows was added by an add that did not
//     fail and was invoked no later than the read returned (nothing else
//     can explain it);
//   - a final read (invoked at or after finalAt > 0) shows every element
//     e that has an add acknowledged before the read began whose dot no
//     OK remove of e reports having removed: an add that no remove
//     observed survives, concurrent removes included (add wins). An
//     element with an indeterminate remove (it may have removed any
//     dot, at any time) is not required.
//
// A violation is Invalid, naming the read and the add; a history with no
// OK read is Unknown; an OK add without a dot, or a remove whose
// reported dots do not parse, is Invalid (the replica broke the
// protocol).
func SetAddWins(h *checker.History, finalAt time.Duration) checker.Result {
	res := checker.Result{Name: CheckSet}
	type add struct {
		op  *checker.Operation
		dot crdt.Dot
	}
	adds := map[string][]add{}
	removed := map[string]map[crdt.Dot]bool{}
	unsure := map[string]bool{} // elements with an indeterminate remove
	var reads []*checker.Operation
	for i := range h.Ops {
		op := &h.Ops[i]
		switch op.Kind {
		case crdt.OpAdd:
			a := add{op: op}
			if op.Outcome == nodes.OK {
				d, err := crdt.ParseDot(op.Output)
				if err != nil {
					res.Verdict, res.Explanation = checker.Invalid, fmt.Sprintf("%v: %v", op, err)
					return res
				}
				a.dot = d
			}
			if op.Outcome != nodes.Fail {
				adds[op.Value] = append(adds[op.Value], a)
			}
		case crdt.OpRemove:
			switch op.Outcome {
			case nodes.OK:
				ds, err := crdt.ParseDots(op.Output)
				if err != nil {
					res.Verdict, res.Explanation = checker.Invalid, fmt.Sprintf("%v: %v", op, err)
					return res
				}
				if removed[op.Value] == nil {
					removed[op.Value] = map[crdt.Dot]bool{}
				}
				for _, d := range ds {
					removed[op.Value][d] = true
				}
			case nodes.Fail:
			default:
				unsure[op.Value] = true
			}
		case nodes.OpRead:
			if op.Outcome == nodes.OK {
				reads = append(reads, op)
			}
		}
	}
	if len(reads) == 0 {
		res.Verdict, res.Explanation = checker.Unknown, "no successful read, so nothing to judge"
		return res
	}
	var bad []string
	nFinal, nRequired := 0, 0
	for _, r := range reads {
		shown := checker.SplitSet(r.Output)
		for _, e := range shown {
			if !slices.ContainsFunc(adds[e], func(a add) bool { return maybe(a.op, r) }) {
				bad = append(bad, fmt.Sprintf("%v shows %q, which no add invoked before it returned could have added", r, e))
			}
		}
		if finalAt <= 0 || r.Invoke < finalAt {
			continue
		}
		nFinal++
		for _, e := range sortedKeys(adds) {
			if unsure[e] {
				continue
			}
			for _, a := range adds[e] {
				if !definite(a.op, r) || removed[e][a.dot] {
					continue
				}
				nRequired++
				if !slices.Contains(shown, e) {
					bad = append(bad, fmt.Sprintf("final %v lacks %q: %v was acknowledged and no remove observed its dot %v (add wins)", r, e, a.op, a.dot))
				}
				break
			}
		}
	}
	summary := fmt.Sprintf("%d reads (%d final, %d required elements in them), %d elements added, %d with an indeterminate remove",
		len(reads), nFinal, nRequired, len(adds), len(unsure))
	if len(bad) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("%d violations in %s: %s", len(bad), summary, listSome(bad))
		return res
	}
	res.Verdict, res.Explanation = checker.Valid, summary+"; every read is explained, no unobserved add was lost"
	return res
}

func compareDur(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// listSome joins up to five items and says how many were left out.
func listSome(items []string) string {
	if len(items) <= 5 {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:5], "; ") + fmt.Sprintf("; and %d more", len(items)-5)
}
