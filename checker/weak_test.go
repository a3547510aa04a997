package checker

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// op builds an operation of client c on key k over [at, ret] ms.
func wop(c int, kind nodes.OpKind, k, value string, at, ret int) Operation {
	return Operation{Client: nodes.ClientID(c), Op: nodes.Op{Kind: kind, Key: k, Value: value}, Outcome: nodes.OK,
		Invoke: time.Duration(at) * time.Millisecond, Return: time.Duration(ret) * time.Millisecond}
}

func rop(c int, k, output string, at, ret int) Operation {
	o := wop(c, nodes.OpGet, k, "", at, ret)
	o.Output, o.Exists = output, output != ""
	return o
}

func TestLostWrites(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []Operation
		want Verdict
		why  string
	}{
		{"the final read reflects the last put", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 1), wop(2, nodes.OpPut, "k1", "c2-1", 2, 3), rop(1, "k1", "c2-1", 100, 101)}, Valid, "all 2"},
		{"a later put overwrote the earlier one: not lost", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 10), wop(2, nodes.OpPut, "k1", "c2-1", 5, 6), rop(1, "k1", "c1-1", 100, 101)}, Valid, ""},
		{"last-writer-wins kept the older put", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 1), wop(2, nodes.OpPut, "k1", "c2-1", 2, 3), rop(1, "k1", "c1-1", 100, 101)}, Invalid, `c2 put("k1", "c2-1") ok [2ms,3ms], acknowledged at 3ms`},
		{"an acknowledged append is missing", []Operation{
			wop(1, nodes.OpAppend, "k1", "c1-1;", 0, 1), wop(2, nodes.OpAppend, "k1", "c2-1;", 2, 3), rop(1, "k1", "c2-1;", 100, 101)}, Invalid, "1 of 2 acknowledged writes were lost"},
		{"a put after the append may erase it", []Operation{
			wop(1, nodes.OpAppend, "k1", "c1-1;", 0, 1), wop(2, nodes.OpPut, "k1", "c2-1", 2, 3), rop(1, "k1", "c2-1", 100, 101)}, Valid, ""},
		{"siblings keep both concurrent writes", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 1), wop(2, nodes.OpPut, "k1", "c2-1", 2, 3), rop(1, "k1", "c1-1|c2-1", 100, 101)}, Valid, ""},
		{"the key reads as never written", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 1), rop(1, "k1", "", 100, 101)}, Invalid, "is not in the final read"},
		{"an indeterminate write is never lost", []Operation{
			{Client: nodes.ClientID(1), Op: nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "c1-1"}, Outcome: nodes.Info, Invoke: 0}, rop(1, "k1", "", 100, 101)}, Valid, ""},
		{"no read after the heal", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 1), rop(1, "k1", "c1-1", 10, 11)}, Unknown, `no read of "k1" after the heal`},
		{"small values cannot be told apart", []Operation{
			wop(1, nodes.OpPut, "k1", "1", 0, 1), wop(2, nodes.OpPut, "k1", "1", 2, 3), rop(1, "k1", "1", 100, 101)}, Unknown, "two writes of the same value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(LostWrites(50*time.Millisecond), &History{Ops: tc.ops}, Options{})
			if r.Verdict != tc.want || !strings.Contains(r.Explanation, tc.why) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, tc.want, tc.why)
			}
		})
	}
}

func TestSessionGuarantees(t *testing.T) {
	for _, tc := range []struct {
		name, check string
		ops         []Operation
		want        Verdict
	}{
		{"read your write", ReadYourWrites, []Operation{wop(1, nodes.OpPut, "k", "c1-1", 0, 1), rop(1, "k", "c1-1", 2, 3)}, Valid},
		{"own write missing", ReadYourWrites, []Operation{wop(1, nodes.OpPut, "k", "c1-1", 0, 1), rop(1, "k", "", 2, 3)}, Invalid},
		{"another client's read may miss it", ReadYourWrites, []Operation{wop(1, nodes.OpPut, "k", "c1-1", 0, 1), rop(2, "k", "", 2, 3)}, Valid},
		{"reads move forward", MonotonicReads, []Operation{
			wop(2, nodes.OpPut, "k", "c2-1", 0, 1), wop(2, nodes.OpPut, "k", "c2-2", 2, 3), rop(1, "k", "c2-1", 4, 5), rop(1, "k", "c2-2", 6, 7)}, Valid},
		{"a read goes back", MonotonicReads, []Operation{
			wop(2, nodes.OpAppend, "k", "c2-1;", 0, 1), wop(2, nodes.OpAppend, "k", "c2-2;", 2, 3), rop(1, "k", "c2-1;c2-2;", 4, 5), rop(1, "k", "c2-1;", 6, 7)}, Invalid},
		{"a client's writes seen in order", MonotonicWrites, []Operation{
			wop(1, nodes.OpAppend, "k", "c1-1;", 0, 1), wop(1, nodes.OpAppend, "k", "c1-2;", 2, 3), rop(2, "k", "c1-1;c1-2;", 4, 5)}, Valid},
		{"the later write without the earlier", MonotonicWrites, []Operation{
			wop(1, nodes.OpAppend, "k", "c1-1;", 0, 1), wop(1, nodes.OpAppend, "k", "c1-2;", 2, 3), rop(2, "k", "c1-2;", 4, 5)}, Invalid},
		{"a write that follows a read", WritesFollowReads, []Operation{
			wop(2, nodes.OpAppend, "k", "c2-1;", 0, 1), rop(1, "k", "c2-1;", 2, 3), wop(1, nodes.OpAppend, "k", "c1-1;", 4, 5), rop(3, "k", "c2-1;c1-1;", 6, 7)}, Valid},
		{"the write visible without what it read", WritesFollowReads, []Operation{
			wop(2, nodes.OpAppend, "k", "c2-1;", 0, 1), rop(1, "k", "c2-1;", 2, 3), wop(1, nodes.OpAppend, "k", "c1-1;", 4, 5), rop(3, "k", "c1-1;", 6, 7)}, Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(SessionGuarantee(tc.check), &History{Ops: tc.ops}, Options{})
			if r.Verdict != tc.want {
				t.Errorf("%s: got %v: %s, want %v", tc.check, r.Verdict, r.Explanation, tc.want)
			}
		})
	}
}

func TestStaleness(t *testing.T) {
	ops := []Operation{
		wop(1, nodes.OpPut, "k", "c1-1", 0, 1), wop(1, nodes.OpPut, "k", "c1-2", 2, 3), wop(1, nodes.OpPut, "k", "c1-3", 4, 5),
		rop(2, "k", "c1-3", 10, 11), // fresh
		rop(2, "k", "c1-1", 20, 21), // misses c1-2 and c1-3: k=2, Δ = 20ms-3ms
		rop(3, "k", "c1-2", 30, 31), // misses c1-3: k=1, Δ = 25ms
	}
	r := Run(Staleness(), &History{Ops: ops}, Options{})
	got := map[string]float64{}
	for _, m := range r.Metrics {
		got[m.Name] = m.Value
	}
	if r.Verdict != Valid || got["reads"] != 3 || got["stale reads"] != 2 || got["k max"] != 2 || got["Δ max ms"] != 25 || !strings.Contains(r.Explanation, `c2 get("k") -> "c1-1"`) {
		t.Errorf("got %v %v: %s", r.Verdict, got, r.Explanation)
	}
}

// A read of a value no write of its key wrote (another key's value, or
// text that names no writer) is a finding of every weak check, not a pass
// or a misdiagnosed lost write.
func TestThinAirReads(t *testing.T) {
	for _, out := range []string{"c2-9", "7", "c1-1garbage"} {
		ops := []Operation{wop(1, nodes.OpPut, "k1", "c1-1", 0, 1), wop(2, nodes.OpPut, "k2", "c2-9", 0, 1), rop(1, "k1", out, 100, 101)}
		for _, c := range []Checker{LostWrites(50 * time.Millisecond), SessionGuarantee(ReadYourWrites)} {
			r := Run(c, &History{Ops: ops}, Options{})
			if r.Verdict != Invalid || !strings.Contains(r.Explanation, "no write of \"k1\" wrote") {
				t.Errorf("%q, %s: %v %s", out, c.Name(), r.Verdict, r.Explanation)
			}
		}
	}
}

// A read concurrent with a client's second write, invoked before it, that
// reflects it but not the first write is a monotonic-writes violation too.
func TestMonotonicWritesConcurrentRead(t *testing.T) {
	ops := []Operation{
		wop(1, nodes.OpAppend, "k", "c1-1;", 0, 1),
		rop(2, "k", "c1-2;", 2, 10), // invoked before c1-2, returns after it
		wop(1, nodes.OpAppend, "k", "c1-2;", 3, 4),
	}
	if r := Run(SessionGuarantee(MonotonicWrites), &History{Ops: ops}, Options{}); r.Verdict != Invalid {
		t.Errorf("got %v: %s", r.Verdict, r.Explanation)
	}
}
