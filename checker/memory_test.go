package checker

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
)

// A search that would hold more states than the memory bound allows stops
// with Unknown naming that bound, before the step budget — the same
// verdict and explanation every time, with any number of workers.
func TestMemoryBoundIsUnknownAndDeterministic(t *testing.T) {
	h := pathological(40)
	for i := range h.Ops {
		h.Ops[i].Key = "a"
	}
	h.Model = "kv"
	two := &History{Model: "kv"}
	two.Ops = append(two.Ops, h.Ops...)
	for _, o := range h.Ops {
		o.Key = "b"
		two.Ops = append(two.Ops, o)
	}
	var first Result
	for i, workers := range []int{1, 2, 1} {
		res := Check(two, Options{Steps: 50_000_000, MemoryBytes: 1 << 20, Workers: workers})
		if res.Verdict != Unknown || res.Err != ErrMemory {
			t.Fatalf("workers %d: %v (%v), want Unknown from the memory bound\n%s", workers, res.Verdict, res.Err, res)
		}
		for _, want := range []string{"memory bound of 1MiB", "2 of 2 partitions", "--check-memory"} {
			if !strings.Contains(res.Explanation, want) {
				t.Errorf("explanation lacks %q: %s", want, res.Explanation)
			}
		}
		if i == 0 {
			first = res
		} else if res.Explanation != first.Explanation {
			t.Errorf("workers %d: explanation differs:\n%s\n%s", workers, res.Explanation, first.Explanation)
		}
	}
	// The step budget, when it runs out first, is still what is named.
	if res := Check(two, Options{Steps: 10_000, MemoryBytes: 1 << 20}); res.Err != ErrBudget {
		t.Errorf("a tiny step budget: %v (%v), want the step budget named", res.Verdict, res.Err)
	}
	// Under the default bound the same search runs out of steps instead.
	if res := Check(two, Options{Steps: 1_000_000}); res.Err != ErrBudget {
		t.Errorf("default memory bound: %v (%v), want the step budget", res.Verdict, res.Err)
	}
}

// A partition that runs out of memory does not hide one that is illegal:
// the check is Invalid, whichever comes first.
func TestMemoryBoundDoesNotHideAViolation(t *testing.T) {
	h := pathological(40)
	bad := &History{Model: "kv"}
	for _, o := range h.Ops {
		o.Key = "a"
		bad.Ops = append(bad.Ops, o)
	}
	bad.Ops = append(bad.Ops, op(1, "put", "b", "1", nodes.OK, 0, 1), read(2, "b", "2", 2, 3))
	for _, workers := range []int{1, 2} {
		res := Check(bad, Options{Steps: 50_000_000, MemoryBytes: 1 << 20, Workers: workers})
		if res.Verdict != Invalid || !strings.Contains(res.Explanation, `key "b"`) {
			t.Fatalf("workers %d: %v, want Invalid on key b:\n%s", workers, res.Verdict, res)
		}
	}
}

func TestStateBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want int64
	}{{1, 72}, {64, 72}, {65, 80}, {1000, 192}} {
		if got := stateBytes(tc.n); got != tc.want {
			t.Errorf("stateBytes(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	if got := memoryStates(10, 1000); got != 1 {
		t.Errorf("a bound below one state allows %d, want 1", got)
	}
}
