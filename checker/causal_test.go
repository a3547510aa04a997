package checker

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

func infoOp(o Operation) Operation { o.Outcome, o.Return = nodes.Info, 0; return o }

func TestCausal(t *testing.T) {
	put := func(c int, k, v string, at int) Operation { return wop(c, nodes.OpPut, k, v, at, at+1) }
	get := func(c int, k, out string, at int) Operation { return rop(c, k, out, at, at+1) }
	for _, tc := range []struct {
		name string
		ops  []Operation
		want Verdict
		why  []string // each must appear in the explanation, in order
	}{
		{"reads across keys see their causal past", []Operation{
			put(1, "k1", "c1-1", 0), get(2, "k1", "c1-1", 2), put(2, "k2", "c2-1", 4), get(3, "k2", "c2-1", 6), get(3, "k1", "c1-1", 8)},
			Valid, []string{"3 reads reflect their causal past (5 operations, 3 clients)"}},
		{"concurrent writes may be seen in either order", []Operation{
			put(1, "k1", "c1-1", 0), put(2, "k1", "c2-1", 0), get(3, "k1", "c2-1", 2), get(3, "k1", "c1-1", 4)},
			Valid, nil},
		{"a read of an overwritten value through another key (the classic anomaly)", []Operation{
			put(1, "k1", "c1-1", 0), put(1, "k1", "c1-2", 2), get(2, "k1", "c1-2", 4), put(2, "k2", "c2-1", 6),
			get(3, "k2", "c2-1", 8), get(3, "k1", "c1-1", 10)},
			Invalid, []string{
				`c3 get("k1") -> "c1-1" ok [10ms,11ms] returned c1 put("k1", "c1-1")'s value, overwritten by a write in its causal past (a cycle of 6 operations)`,
				`the write it read`, `c1 put("k1", "c1-1") ok [0s,1ms]`,
				`then (c1's program order)    c1 put("k1", "c1-2") ok [2ms,3ms]  <- overwrites it`,
				`read by`, `c2 get("k1") -> "c1-2"`,
				`then (c2's program order)`, `c2 put("k2", "c2-1")`,
				`read by`, `c3 get("k2") -> "c2-1"`,
				`then (c3's program order)`, `c3 get("k1") -> "c1-1"`,
				`must come before c1 put("k1", "c1-2")`}},
		{"a read of the initial state after a write it depends on", []Operation{
			put(1, "k1", "c1-1", 0), put(1, "k2", "c1-2", 2), get(2, "k2", "c1-2", 4), get(2, "k1", "", 6)},
			Invalid, []string{`c2 get("k1") -> nil ok [6ms,7ms] returned the initial state of "k1"`, `the write it missed`, `c1 put("k1", "c1-1")`,
				`then (c1's program order)`, `c1 put("k2", "c1-2")`, `read by`, `c2 get("k2") -> "c1-2"`, `c2 get("k1") -> nil`}},
		{"read your writes is causal too", []Operation{
			put(1, "k1", "c1-1", 0), put(1, "k1", "c1-2", 2), get(1, "k1", "c1-1", 4)},
			Invalid, []string{`c1 get("k1") -> "c1-1"`, `c1 put("k1", "c1-2") ok [2ms,3ms]  <- overwrites it`}},
		{"an indeterminate write does not precede its client's later operations", []Operation{
			infoOp(put(1, "k1", "c1-1", 0)), put(1, "k2", "c1-2", 2), get(2, "k2", "c1-2", 4), get(2, "k1", "", 6)},
			Valid, nil},
		{"but it precedes the reads that saw it", []Operation{
			infoOp(put(1, "k1", "c1-1", 0)), get(2, "k1", "c1-1", 2), put(2, "k2", "c2-1", 4), get(3, "k2", "c2-1", 6), get(3, "k1", "", 8)},
			Invalid, []string{`c3 get("k1") -> nil`, `the write it missed`, `c1 put("k1", "c1-1") info`, `read by`, `c2 get("k1") -> "c1-1"`}},
		{"a cas that found another value wrote nothing", []Operation{
			put(1, "k1", "c1-1", 0), {Client: nodes.ClientID(1), Op: nodes.Op{Kind: nodes.OpCAS, Key: "k1", Expect: "c9-9", Value: "c1-2", Output: "false"}, Outcome: nodes.OK, Invoke: 2 * time.Millisecond, Return: 3 * time.Millisecond},
			get(1, "k1", "c1-1", 4)},
			Valid, nil},
		{"a read missing an earlier append", []Operation{
			wop(1, nodes.OpAppend, "k1", "c1-1;", 0, 1), wop(1, nodes.OpAppend, "k1", "c1-2;", 2, 3), get(2, "k1", "c1-2;", 4)},
			Invalid, []string{`returned the initial state of "k1"`, `c1 append("k1", "c1-1;")`}},
		{"a happens-before cycle", []Operation{
			get(1, "k1", "c2-1", 0), put(1, "k2", "c1-1", 2), get(2, "k2", "c1-1", 0), put(2, "k1", "c2-1", 2)},
			Invalid, []string{"4 operations form a happens-before cycle", `c1 put("k2", "c1-1")`, `read by`, `c2 get("k2") -> "c1-1"`, `c2 put("k1", "c2-1")`, `read by`, `c1 get("k1") -> "c2-1"`, `then (c1's program order)    c1 put("k2", "c1-1")`}},
		{"a read of thin air", []Operation{put(1, "k1", "c1-1", 0), get(2, "k1", "c7-7", 2)},
			Invalid, []string{`read a value no write of "k1" wrote`}},
		{"small values cannot be told apart", []Operation{put(1, "k1", "1", 0), put(2, "k1", "1", 2), get(1, "k1", "1", 4)},
			Unknown, []string{"two writes of the same value"}},
		{"open loop: program order is invocation order, overlapping or not", []Operation{
			wop(1, nodes.OpPut, "k1", "c1-1", 0, 5), get(1, "k1", "c1-1", 2), wop(1, nodes.OpPut, "k2", "c1-2", 3, 8), get(1, "k2", "c1-2", 4)},
			Valid, nil},
		{"open loop: a later-invoked read misses the client's write", []Operation{wop(1, nodes.OpPut, "k1", "c1-1", 0, 5), get(1, "k1", "", 2)},
			Invalid, []string{`returned the initial state of "k1"`, `c1 put("k1", "c1-1")`}},
		{"the empty history", nil, Valid, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(Causal(), &History{Ops: tc.ops}, Options{})
			if r.Verdict != tc.want {
				t.Fatalf("got %v: %s\nwant %v", r.Verdict, r.Explanation, tc.want)
			}
			rest := r.Explanation
			for _, w := range tc.why {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("explanation lacks %q (in order):\n%s", w, r.Explanation)
				}
				rest = rest[i+len(w):]
			}
			if r.Verdict == Invalid && len(r.Involved) == 0 {
				t.Error("an invalid result names no operations")
			}
		})
	}
}

// The shortest explanation: of two overwriting writes in a read's past,
// the one on the shorter cycle is named (here the reader's own write, not
// c1's, which reaches the reader through two more operations).
func TestCausalShortestCycle(t *testing.T) {
	put := func(c int, k, v string, at int) Operation { return wop(c, nodes.OpPut, k, v, at, at+1) }
	get := func(c int, k, out string, at int) Operation { return rop(c, k, out, at, at+1) }
	h := &History{Ops: []Operation{
		put(1, "k1", "c1-1", 0), get(3, "k1", "c1-1", 2), put(3, "k1", "c3-1", 4),
		put(1, "k1", "c1-2", 2), put(1, "k3", "c1-3", 4), put(1, "k2", "c1-4", 6),
		get(3, "k2", "c1-4", 10), get(3, "k1", "c1-1", 12),
	}}
	r := Run(Causal(), h, Options{})
	if r.Verdict != Invalid || !strings.Contains(r.Explanation, `c3 put("k1", "c3-1") ok [4ms,5ms]  <- overwrites it`) || !strings.Contains(r.Explanation, "a cycle of 5 operations") {
		t.Fatalf("got %v: %s", r.Verdict, r.Explanation)
	}
}
