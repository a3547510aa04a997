package checker

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

func withOutput(o Operation, out string) Operation { o.Output = out; return o }

func TestNoLostWrites(t *testing.T) {
	add := func(c int, v string, oc nodes.Outcome, inv, ret int) Operation {
		return op(c, "add", "", v, oc, inv, ret)
	}
	rd := func(out string, inv, ret int) Operation {
		return withOutput(op(9, "read", "", "", nodes.OK, inv, ret), out)
	}
	tests := []struct {
		name string
		ops  []Operation
		want Verdict
		says string
	}{
		{"all present", []Operation{add(1, "a", nodes.OK, 0, 1), add(2, "b", nodes.OK, 0, 1), rd("b,a", 5, 6)}, Valid, "2 elements"},
		{"info may be missing", []Operation{add(1, "a", nodes.OK, 0, 1), add(2, "b", nodes.Info, 0, 1), rd("a", 5, 6)}, Valid, "1 indeterminate (0 of them present)"},
		{"info may be present", []Operation{add(1, "a", nodes.OK, 0, 1), add(2, "b", nodes.Pending, 0, 0), rd("a,b", 5, 6)}, Valid, "(1 of them present)"},
		{"acked after read began may be missing", []Operation{add(1, "a", nodes.OK, 0, 7), rd("", 5, 6)}, Valid, ""},
		{"lost", []Operation{add(1, "a", nodes.OK, 0, 1), add(2, "b", nodes.OK, 0, 1), rd("b", 5, 6)}, Invalid, `lost 1 acknowledged adds: "a" (added by c1`},
		{"unexpected", []Operation{add(1, "a", nodes.OK, 0, 1), rd("a,z", 5, 6)}, Invalid, `"z" (never added)`},
		{"failed add present", []Operation{add(1, "a", nodes.Fail, 0, 1), rd("a", 5, 6)}, Invalid, `"a" (its add failed)`},
		{"final read is the last", []Operation{add(1, "a", nodes.OK, 0, 1), rd("a", 5, 6), rd("", 7, 8)}, Invalid, "lost"},
		{"no read", []Operation{add(1, "a", nodes.OK, 0, 1)}, Unknown, "no successful read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Run(NoLostWrites(), &History{Ops: tt.ops}, Options{})
			if res.Verdict != tt.want || !strings.Contains(res.Explanation, tt.says) {
				t.Fatalf("got %v %q, want %v containing %q", res.Verdict, res.Explanation, tt.want, tt.says)
			}
		})
	}
}

func TestDefaultForSetRunsBoth(t *testing.T) {
	h := &History{Ops: []Operation{op(1, "add", "", "a", nodes.OK, 0, 1), withOutput(op(2, "read", "", "", nodes.OK, 2, 3), "a")}}
	res := Check(h, Options{})
	if res.Verdict != Valid || len(res.Children) != 2 {
		t.Fatalf("%s", res)
	}
}

func TestUniqueIDs(t *testing.T) {
	gen := func(c int, out string, oc nodes.Outcome) Operation {
		return withOutput(op(c, "generate", "", "", oc, 0, 1), out)
	}
	ok := &History{Ops: []Operation{gen(1, "1", nodes.OK), gen(2, "2", nodes.OK), gen(3, "", nodes.Info)}}
	if res := Check(ok, Options{}); res.Verdict != Valid {
		t.Fatalf("%s", res)
	}
	dup := &History{Ops: []Operation{gen(1, "1", nodes.OK), gen(2, "1", nodes.OK)}}
	if res := Check(dup, Options{}); res.Verdict != Invalid || !strings.Contains(res.Explanation, `"1" returned to c1`) {
		t.Fatalf("%s", res)
	}
}

func TestBank(t *testing.T) {
	rd := func(out string) Operation { return withOutput(op(1, "read", "", "", nodes.OK, 0, 1), out) }
	tests := []struct {
		out  string
		want Verdict
	}{
		{"a=50,b=50", Valid},
		{"a=60,b=50", Invalid},
		{"a=-10,b=110", Valid},
		{"a=fifty", Unknown},
	}
	for _, tt := range tests {
		res := Run(Bank(100), &History{Ops: []Operation{rd("a=50,b=50"), rd(tt.out)}}, Options{})
		if res.Verdict != tt.want {
			t.Errorf("%s: %v, want %v (%s)", tt.out, res.Verdict, tt.want, res.Explanation)
		}
	}
}

func TestConvergence(t *testing.T) {
	if res := Convergence(map[string]string{"n1": "h1", "n2": "h1", "n3": "h1"}); res.Verdict != Valid {
		t.Fatalf("%s", res)
	}
	res := Convergence(map[string]string{"n3": "h2", "n1": "h1", "n2": "h1", "n4": "h2", "n5": "h3"})
	if res.Verdict != Invalid || !strings.Contains(res.Explanation, "{n1 n2} {n3 n4} {n5}") {
		t.Fatalf("%s", res)
	}
	if Convergence(nil).Verdict != Unknown {
		t.Fatal("no states must be Unknown")
	}
}

func TestConvergenceWithin(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	s := func(node string, at int, st string) StateSample {
		return StateSample{Node: node, At: ms(at), State: st}
	}
	tests := []struct {
		name    string
		samples []StateSample
		want    Verdict
		says    string
	}{
		{"agree in time", []StateSample{s("n1", 0, "a"), s("n2", 0, "b"), s("n2", 150, "a")}, Valid, "agree since 150ms"},
		{"agreed before healing", []StateSample{s("n1", 0, "a"), s("n2", 0, "a")}, Valid, "agree since 100ms"},
		{"too late", []StateSample{s("n1", 0, "a"), s("n2", 0, "b"), s("n2", 300, "a")}, Invalid, "only at 300ms"},
		{"never", []StateSample{s("n1", 0, "a"), s("n2", 0, "b"), s("n2", 400, "c")}, Invalid, "still disagree at 400ms"},
		{"diverged again", []StateSample{s("n1", 0, "a"), s("n2", 150, "a"), s("n2", 400, "c")}, Invalid, "still disagree"},
		{"too early to tell", []StateSample{s("n1", 0, "a"), s("n2", 0, "b")}, Unknown, "before the deadline"},
		{"no samples", nil, Unknown, "no replica states"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ConvergenceWithin(tt.samples, ms(100), ms(100))
			if res.Verdict != tt.want || !strings.Contains(res.Explanation, tt.says) {
				t.Fatalf("got %v %q, want %v containing %q", res.Verdict, res.Explanation, tt.want, tt.says)
			}
		})
	}
}

func TestStats(t *testing.T) {
	h := &History{Ops: []Operation{
		op(1, "get", "x", "", nodes.OK, 0, 10),
		op(1, "get", "x", "", nodes.OK, 100, 120),
		op(1, "put", "x", "1", nodes.Fail, 500, 800),
		op(2, "put", "x", "1", nodes.Info, 1200, 5000),
		op(2, "get", "x", "", nodes.Pending, 2500, 0),
	}}
	a := Stats(h, time.Second)
	if a.OK != 2 || a.Fail != 1 || a.Info != 1 || a.Pending != 1 || len(a.Buckets) != 3 {
		t.Fatalf("%+v", a)
	}
	if b := a.Buckets[0]; b.OK != 2 || b.Fail != 1 || a.Buckets[1].Info != 1 || a.Buckets[2].Pending != 1 || a.Buckets[2].Start != 2*time.Second {
		t.Fatalf("%+v", a.Buckets)
	}
	if len(a.Latency) != 2 || a.Latency[0].Kind != nodes.OpGet || a.Latency[0].Count != 2 ||
		a.Latency[0].P50 != 10*time.Millisecond || a.Latency[0].P99 != 20*time.Millisecond || a.Latency[0].Max != 20*time.Millisecond ||
		a.Latency[1].Kind != nodes.OpPut || a.Latency[1].P50 != 300*time.Millisecond {
		t.Fatalf("%+v", a.Latency)
	}
}

func TestStatsWidensBuckets(t *testing.T) {
	h := &History{Ops: []Operation{op(1, "get", "x", "", nodes.OK, 0, 1), {Client: nodes.ClientID(1), Op: nodes.Op{Kind: "get"}, Outcome: nodes.Info, Invoke: math.MaxInt64}}}
	a := Stats(h, time.Millisecond)
	if len(a.Buckets) > MaxBuckets || a.Bucket <= time.Millisecond || a.OK != 1 || a.Info != 1 {
		t.Fatalf("%d buckets of %v", len(a.Buckets), a.Bucket)
	}
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = time.Duration(i + 1)
	}
	for _, tt := range []struct{ p, want int }{{50, 50}, {90, 90}, {99, 99}, {100, 100}, {1, 1}} {
		if got := percentile(ds, tt.p); got != time.Duration(tt.want) {
			t.Errorf("p%d = %d, want %d", tt.p, got, tt.want)
		}
	}
	if got := percentile(ds[:1], 50); got != 1 {
		t.Errorf("p50 of one = %d", got)
	}
}

func TestViolation(t *testing.T) {
	var err error = &Violation{Invariant: "one leader per term", At: 1500 * time.Millisecond, Node: "n2", Detail: "n1 and n2 lead term 3"}
	want := `checker: invariant "one leader per term" violated at 1.5s on n2: n1 and n2 lead term 3`
	if err.Error() != want {
		t.Fatalf("%q", err.Error())
	}
	if res := err.(*Violation).Result(); res.Verdict != Invalid || res.Name != "invariant(one leader per term)" {
		t.Fatalf("%+v", res)
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	a := r.Invoke(nodes.ClientID(1), 0, nodes.Op{Kind: "get", Key: "x", Output: "stray"})
	r.Complete(a, time.Millisecond, nodes.OK, nodes.Op{Kind: "other", Output: "v", Exists: true})
	b := r.Invoke(nodes.ClientID(2), time.Millisecond, nodes.Op{Kind: "put", Key: "x", Value: "v"})
	h := r.History()
	if got := h.Ops[0]; got.Kind != nodes.OpGet || got.Output != "v" || !got.Exists || got.Outcome != nodes.OK || got.Return != time.Millisecond {
		t.Fatalf("%+v", got)
	}
	if h.Ops[b].Outcome != nodes.Pending {
		t.Fatalf("%+v", h.Ops[b])
	}
	h.Ops[0].Output = "changed"
	if r.History().Ops[0].Output != "v" {
		t.Fatal("History shares memory with the Recorder")
	}
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"twice", func() { r.Complete(a, 2*time.Millisecond, nodes.OK, nodes.Op{}) }},
		{"unknown", func() { r.Complete(99, 2*time.Millisecond, nodes.OK, nodes.Op{}) }},
		{"pending", func() { r.Complete(b, 2*time.Millisecond, nodes.Pending, nodes.Op{}) }},
		{"no kind", func() { r.Invoke(nodes.ClientID(1), 2*time.Millisecond, nodes.Op{}) }},
		{"backwards", func() { r.Invoke(nodes.ClientID(1), 0, nodes.Op{Kind: "get"}) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.f()
		}()
	}
}

func TestOperationString(t *testing.T) {
	o := op(3, "cas", "k", "2", nodes.OK, 1, 2)
	o.Expect, o.Output = "1", "false"
	if got := o.String(); got != `c3 cas("k", "1", "2") -> false ok [1ms,2ms]` {
		t.Fatal(got)
	}
}
