package crdtkind_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/crdt/crdtkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(crdtkind.Kind())
	for _, w := range append(kvkind.Workloads(), crdtkind.Workloads()...) {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

const ms = time.Millisecond

// op builds a history operation: kind, value, outcome, output, [invoke,
// return] in milliseconds.
func op(c int, kind nodes.OpKind, value string, out nodes.Outcome, output string, inv, ret int) checker.Operation {
	return checker.Operation{Client: nodes.ClientID(c), Op: nodes.Op{Kind: kind, Value: value, Output: output},
		Outcome: out, Invoke: time.Duration(inv) * ms, Return: time.Duration(ret) * ms}
}

func add(c int, d string, out nodes.Outcome, inv, ret int) checker.Operation {
	return op(c, crdt.OpAdd, d, out, "", inv, ret)
}

func read(c int, v string, inv, ret int) checker.Operation {
	return op(c, nodes.OpRead, "", nodes.OK, v, inv, ret)
}

func TestCounterBounds(t *testing.T) {
	final := 100 * ms
	for _, c := range []struct {
		name    string
		ops     []checker.Operation
		verdict checker.Verdict
		want    string // in the explanation
	}{
		{"a read may miss an acknowledged add before the final reads",
			[]checker.Operation{add(1, "5", nodes.OK, 0, 2), read(2, "0", 3, 4), read(2, "5", 5, 6)}, checker.Valid, "all within bounds"},
		{"a read above every add invoked before it returned",
			[]checker.Operation{add(1, "5", nodes.OK, 0, 2), read(2, "6", 3, 4)}, checker.Invalid, `c2 read() -> "6" ok [3ms,4ms] is above 5`},
		{"an add invoked after the read returned cannot be in it",
			[]checker.Operation{read(2, "3", 3, 4), add(1, "3", nodes.OK, 5, 6)}, checker.Invalid, "is above 0"},
		{"a failed add counts for nothing",
			[]checker.Operation{add(1, "3", nodes.Fail, 0, 1), read(2, "3", 3, 4)}, checker.Invalid, "is above 0"},
		{"decrements bound a read from below",
			[]checker.Operation{add(1, "-2", nodes.Info, 0, 0), read(2, "-3", 3, 4)}, checker.Invalid, "is below -2"},
		{"a final read reflects every acknowledged add",
			[]checker.Operation{add(1, "5", nodes.OK, 0, 2), add(1, "2", nodes.OK, 3, 4), read(2, "5", 100, 101)}, checker.Invalid,
			`final c2 read() -> "5" ok [100ms,101ms] is outside [7, 7]`},
		{"an indeterminate add may or may not be in a final read",
			[]checker.Operation{add(1, "5", nodes.OK, 0, 2), add(1, "2", nodes.Info, 3, 0), read(2, "5", 100, 101), read(3, "7", 100, 102)}, checker.Valid, "2 final"},
		{"an add overlapping the final read may be in it",
			[]checker.Operation{add(1, "5", nodes.OK, 99, 102), read(2, "0", 100, 101), read(3, "5", 100, 103)}, checker.Valid, "within bounds"},
		{"a final read above the acknowledged and possible adds",
			[]checker.Operation{add(1, "5", nodes.OK, 0, 2), add(3, "-1", nodes.Info, 3, 0), read(2, "6", 100, 101)}, checker.Invalid, "outside [4, 5]"},
		{"no read", []checker.Operation{add(1, "5", nodes.OK, 0, 2)}, checker.Unknown, "no successful read"},
		{"a read that is not a number", []checker.Operation{read(1, "x", 0, 1)}, checker.Invalid, "not a number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := crdtkind.CounterBounds(&checker.History{Ops: c.ops}, final)
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}

func TestSetAddWins(t *testing.T) {
	final := 100 * ms
	sadd := func(c int, e, dot string, out nodes.Outcome, inv, ret int) checker.Operation {
		return op(c, crdt.OpAdd, e, out, dot, inv, ret)
	}
	srem := func(c int, e, dots string, out nodes.Outcome, inv, ret int) checker.Operation {
		return op(c, crdt.OpRemove, e, out, dots, inv, ret)
	}
	for _, c := range []struct {
		name    string
		ops     []checker.Operation
		verdict checker.Verdict
		want    string
	}{
		{"an add no remove observed survives",
			[]checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 2), read(2, "x", 100, 101)}, checker.Valid, "1 required"},
		{"a final read loses an add",
			[]checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 2), read(2, "", 100, 101)}, checker.Invalid,
			`final c2 read() -> nil ok [100ms,101ms] lacks "x": c1 add("x") -> "n1.1" ok [0s,2ms] was acknowledged and no remove observed its dot n1.1`},
		{"a concurrent remove that did not observe the add: the add wins",
			[]checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 2), sadd(1, "x", "n2.1", nodes.OK, 5, 8), srem(3, "x", "n1.1", nodes.OK, 4, 9), read(2, "", 100, 101)},
			checker.Invalid, `lacks "x": c1 add("x") -> "n2.1"`},
		{"a remove that observed every add",
			[]checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 2), srem(3, "x", "n1.1", nodes.OK, 4, 9), read(2, "", 100, 101)}, checker.Valid, "0 required"},
		{"an indeterminate remove may have removed anything",
			[]checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 2), srem(3, "x", "", nodes.Info, 4, 0), read(2, "", 100, 101)}, checker.Valid, "1 with an indeterminate remove"},
		{"a read shows an element never added",
			[]checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 2), read(2, "x,y", 3, 4)}, checker.Invalid, `c2 read() -> "x,y" ok [3ms,4ms] shows "y"`},
		{"a read shows an element added only after it returned",
			[]checker.Operation{read(2, "x", 3, 4), sadd(1, "x", "n1.1", nodes.OK, 5, 6)}, checker.Invalid, `shows "x"`},
		{"a read shows an element of an indeterminate add",
			[]checker.Operation{sadd(1, "x", "", nodes.Info, 0, 0), read(2, "x", 3, 4)}, checker.Valid, "every read is explained"},
		{"an OK add without a dot", []checker.Operation{sadd(1, "x", "", nodes.OK, 0, 1), read(2, "", 3, 4)}, checker.Invalid, "want replica.counter"},
		{"no read", []checker.Operation{sadd(1, "x", "n1.1", nodes.OK, 0, 1)}, checker.Unknown, "no successful read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := crdtkind.SetAddWins(&checker.History{Ops: c.ops}, final)
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}

func TestRegisterReads(t *testing.T) {
	w := func(c int, v string, out nodes.Outcome, inv, ret int) checker.Operation {
		return op(c, nodes.OpWrite, v, out, "", inv, ret)
	}
	rd := func(c int, v string, inv, ret int) checker.Operation {
		o := read(c, v, inv, ret)
		o.Exists = v != ""
		return o
	}
	for _, c := range []struct {
		name    string
		ops     []checker.Operation
		verdict checker.Verdict
		want    string
	}{
		{"reads of written values and siblings", []checker.Operation{rd(3, "", 0, 1), w(1, "a", nodes.OK, 0, 2), w(2, "b", nodes.Info, 1, 0), rd(3, "a|b", 3, 4)}, checker.Valid, "1 with siblings"},
		{"a sibling nobody wrote", []checker.Operation{w(1, "a", nodes.OK, 0, 2), rd(3, "a|z", 3, 4)}, checker.Invalid, `c3 read() -> "a|z" ok [3ms,4ms] returns "z"`},
		{"a failed write explains nothing", []checker.Operation{w(1, "a", nodes.Fail, 0, 2), rd(3, "a", 3, 4)}, checker.Invalid, `returns "a"`},
		{"a write invoked after the read", []checker.Operation{rd(3, "a", 3, 4), w(1, "a", nodes.OK, 5, 6)}, checker.Invalid, `returns "a"`},
		{"no read", []checker.Operation{w(1, "a", nodes.OK, 0, 2)}, checker.Unknown, "no successful read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := crdtkind.RegisterReads(&checker.History{Ops: c.ops})
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}

// TestOpKinds: the workloads' operations are the checker's, so their
// history files read back.
func TestOpKinds(t *testing.T) {
	if crdt.OpAdd != checker.OpAdd || crdt.OpRemove != checker.OpRemove {
		t.Fatalf("crdt's add/remove %q/%q differ from the checker's %q/%q", crdt.OpAdd, crdt.OpRemove, checker.OpAdd, checker.OpRemove)
	}
	line := `{"client":"c1","op":"remove","value":"e1","outcome":"ok","output":"n1.1,n2.3","invoke":1000,"return":2000}`
	h, err := checker.ReadJSON(strings.NewReader(line+"\n"), "h")
	if err != nil || len(h.Ops) != 1 || h.Ops[0].Kind != crdt.OpRemove {
		t.Fatalf("a remove does not read back: %v %+v", err, h)
	}
}

// TestScenarios: the library scenarios are green (a few seeds; the
// sweeps are in docs/CRDT.md), and deterministic.
func TestScenarios(t *testing.T) {
	for _, name := range []string{"crdt-counter-partitions", "crdt-set-partitions", "crdt-orset-op-partitions", "crdt-lww-skew", "crdt-mvreg-partitions"} {
		t.Run(name, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/"+name+".yaml"), faultlinetest.Seeds(2), faultlinetest.Parallel())
		})
	}
}

// TestBugsCaught: each planted bug's scenario goes red on its check, and
// green with the bug removed.
func TestBugsCaught(t *testing.T) {
	type want struct {
		status scenarios.Status
		check  string
		seeds  int
	}
	wants := map[string]want{
		crdtkind.BugMergeNotIdempotent: {scenarios.StatusInvalid, crdtkind.CheckCounter, 3},
		crdtkind.BugKeyedByClient:      {scenarios.StatusInvalid, crdtkind.CheckCounter, 3},
		crdtkind.BugCountResets:        {scenarios.StatusInvalid, crdtkind.CheckCounter, 5},
		crdtkind.BugRemoveUnseen:       {scenarios.StatusInvalid, crdtkind.CheckSet, 3},
		// Replicas that delivered out of causal order never converge.
		crdtkind.BugFIFODelivery: {scenarios.StatusLiveness, scenarios.CheckConvergence, 3},
	}
	for _, bug := range crdtkind.BugNames {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/crdt-"+bug+".yaml")
			w := wants[bug]
			faultlinetest.Run(t, sc, faultlinetest.Seeds(w.seeds), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(w.status), faultlinetest.Check(w.check)))
			fixed := sc.Clone()
			fixed.Cluster.Params = slices.DeleteFunc(slices.Clone(fixed.Cluster.Params), func(p scenarios.Param) bool { return p.Key == "bugs" })
			faultlinetest.Run(t, fixed, faultlinetest.Seeds(3), faultlinetest.NoDeterminismCheck())
		})
	}
}

// TestParamErrors: a bug that does not fit the type is a load error at
// the parameter; so is a check for another workload.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"cluster: {node: crdt, size: 3, params: {type: orset, bugs: keyed-by-client}}\nworkload: {kind: set}\n", "the counter bugs need a counter type, not orset"},
		{"cluster: {node: crdt, size: 3, params: {type: gcounter, bugs: remove-unseen}}\n", "remove-unseen needs type orset"},
		{"cluster: {node: crdt, size: 3, params: {type: mvreg, bugs: count-resets}}\n", "the counter bugs need a counter type, not mvreg"},
		{"cluster: {node: crdt, size: 3, params: {type: tree}}\n", "tree"},
		{"cluster: {node: crdt, size: 3, params: {fanout: 0}}\n", "fanout"},
		{"cluster: {node: crdt, size: 3, params: {type: orset, bugs: fifo-delivery}}\n", "fifo-delivery needs type orset-op"},
		{"cluster: {node: crdt, size: 3, params: {type: orset-op, bugs: remove-unseen}}\n", "remove-unseen needs a state-based type"},
		{"cluster: {node: crdt, size: 3}\nworkload: {kind: counter}\ncheck: [set-add-wins]\n", "judges the set workload"},
		{"cluster: {node: crdt, size: 3}\nworkload: {kind: counter, mix: {remove: 1}}\n", "remove"},
		{"cluster: {node: crdt, size: 3, params: {type: lww}}\nworkload: {kind: register, mix: {cas: 1}}\n", "cas"},
		{"cluster: {node: crdt, size: 3, params: {type: gcounter}}\nworkload: {kind: set}\n", "bad.yaml:1:47: cluster.params.type: type gcounter serves the counter workload, not set"},
		{"cluster: {node: crdt, size: 3, params: {type: orset-op}}\nworkload: {kind: counter}\n", "type orset-op serves the set workload, not counter"},
		{"cluster: {node: crdt, size: 3, params: {type: lww}}\n", "type lww serves the register workload, not counter"},
		{"cluster: {node: crdt, size: 3}\nworkload: {kind: set}\n", "bad.yaml:2:"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got error %v, want one containing %q", c.yaml, err, c.want)
		}
	}
}

// TestContract runs the conformance suite over each type with the
// workload it speaks, under the promise it makes (eventual).
func TestContract(t *testing.T) {
	for _, c := range []struct{ typ, workload string }{
		{"gcounter", "counter"}, {"pncounter", "counter"}, {"orset", "set"}, {"orset-op", "set"}, {"lww", "register"}, {"mvreg", "register"},
	} {
		t.Run(c.typ, func(t *testing.T) {
			nodetest.Run(t, crdtkind.Kind(), nodetest.Options{Workload: c.workload, Seeds: 2,
				Params:  []scenarios.Param{{Key: "type", Value: c.typ}},
				Promise: scenarios.PromiseEventual})
		})
	}
}
