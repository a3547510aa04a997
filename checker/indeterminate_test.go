package checker

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// timedOutAppends is the shape of the hunt's undecided seeds on one hot
// key: a put and a definite append, then n appends that time out (Info),
// the last of which a later read observes, and the reads. (The observed
// append is the last: a search tries the appends in call order, so one
// observed first would be found at once with observers first.) With
// backwards, a last read sees the value before the definite append: not
// linearizable, whatever the timed-out appends did.
func timedOutAppends(n int, backwards bool) *History {
	h := &History{Model: "kv"}
	h.Ops = append(h.Ops, op(1, nodes.OpPut, "k", "a", nodes.OK, 0, 1), op(1, nodes.OpAppend, "k", "b;", nodes.OK, 2, 3))
	for i := range n {
		h.Ops = append(h.Ops, op(10+i, nodes.OpAppend, "k", fmt.Sprintf("i%d;", i), nodes.Info, 4+i, 4+i+50))
	}
	get := func(client int, out string, at int) Operation {
		g := op(client, nodes.OpGet, "k", "", nodes.OK, at, at+1)
		g.Output, g.Exists = out, true
		return g
	}
	h.Ops = append(h.Ops, get(2, "ab;", 100), get(2, fmt.Sprintf("ab;i%d;", n-1), 110))
	if backwards {
		h.Ops = append(h.Ops, get(3, "ab;", 120))
	}
	return h
}

// A history whose search runs out of the budget for its timed-out
// appends is decided Valid without the ones no read observed; one that
// is not linearizable is never called Valid, and one small enough is
// still found Invalid.
func TestIndeterminateReductionDecidesOnlyValid(t *testing.T) {
	const steps = 100_000
	// The searches alone (before the reduction), in Porcupine's order or
	// with observers first, leave it undecided.
	h := timedOutAppends(16, false)
	m := KVModel()
	ops, err := m.Operations(h)
	if err != nil {
		t.Fatal(err)
	}
	pm := m.withHistory(h)
	for _, find := range []partSearch{inOrder(pm), observersFirst(pm, m.observer)} {
		sr := search(find, false, pm.Partition(ops), steps, time.Now().Add(time.Minute), 1, memoryBound{bytes: 1 << 30, stateData: m.stateData})
		if sr.verdict != Unknown || len(sr.open) != 1 {
			t.Fatalf("search alone: %v with %d open partitions, want Unknown with 1", sr.verdict, len(sr.open))
		}
	}
	for _, tc := range []struct {
		name string
		h    *History
		want Verdict
	}{
		{"16 timed-out appends, linearizable", timedOutAppends(16, false), Valid},
		{"16 timed-out appends, a read goes backwards", timedOutAppends(16, true), Unknown},
		{"2 timed-out appends, a read goes backwards", timedOutAppends(2, true), Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := checkLinearizable(KVModel(), tc.h, Options{Steps: steps})
			if res.Verdict != tc.want {
				t.Fatalf("%v, want %v\n%s", res.Verdict, tc.want, res)
			}
			if tc.want == Valid && !strings.Contains(res.Explanation, "without 15 indeterminate operations") {
				t.Fatalf("the explanation does not say what was left out:\n%s", res.Explanation)
			}
		})
	}
}
