package checker

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/faultline/faultline/nodes"
)

// randomKV is a small history on one key with heavy concurrency: gets,
// puts, appends and cas (OK, failed or timed out), and timed-out puts
// that took effect or did not, the outputs those of a random
// linearization — and, with bad, one read's output replaced by another
// value written, which most often does not linearize.
func randomKV(r *rand.Rand, n int, bad bool) *History {
	h := &History{Model: "kv"}
	type point struct{ at, op int }
	var points []point
	for i := range n {
		invoke := r.IntN(40)
		ret := invoke + 1 + r.IntN(15)
		o := op(1+i, nodes.OpGet, "k", "", nodes.OK, invoke, ret)
		switch x := r.IntN(10); {
		case x < 4:
		case x < 6:
			o.Kind, o.Value = nodes.OpPut, fmt.Sprintf("v%d;", i)
			if r.IntN(4) == 0 {
				o.Outcome = nodes.Info
			}
		case x < 8:
			o.Kind, o.Value = nodes.OpAppend, fmt.Sprintf("a%d;", i)
		default:
			o.Kind, o.Value = nodes.OpCAS, fmt.Sprintf("c%d;", i)
			if r.IntN(4) == 0 {
				o.Outcome = nodes.Info
			}
		}
		h.Ops = append(h.Ops, o)
		points = append(points, point{invoke*1000 + r.IntN((ret-invoke)*1000+1), i})
	}
	slices.SortFunc(points, func(a, b point) int { return a.at - b.at })
	state, written := "", []string{""}
	for _, p := range points {
		o := &h.Ops[p.op]
		if o.Outcome == nodes.Info && r.IntN(2) == 0 {
			if o.Kind == nodes.OpCAS {
				o.Expect = written[r.IntN(len(written))]
			}
			continue // it never took effect
		}
		switch o.Kind {
		case nodes.OpGet:
			o.Output, o.Exists = state, true
		case nodes.OpPut:
			state = o.Value
		case nodes.OpAppend:
			state += o.Value
		case nodes.OpCAS:
			o.Expect = written[r.IntN(len(written))]
			if r.IntN(2) == 0 {
				o.Expect = state
			}
			if o.Expect == state {
				state = o.Value
			} else if o.Outcome == nodes.OK {
				o.Output = "false"
			}
		}
		written = append(written, state)
	}
	if bad {
		for _, i := range r.Perm(n) {
			if o := &h.Ops[i]; o.Kind == nodes.OpGet {
				o.Output = written[r.IntN(len(written))]
				break
			}
		}
	}
	return h
}

// The search with observers first is exact: on random concurrent KV
// histories, a third of them not linearizable, and on the golden and
// generated partitions (every eighth golden history; all of them with
// -faultline.long), it reaches the verdict of the search in Porcupine's
// order, and on a partition that does not linearize — where that search
// sees every configuration it can reach — it takes no more steps.
func TestObserversFirstDecidesAsPorcupinesOrder(t *testing.T) {
	type part struct {
		name string
		pm   porcupine.Model
		obs  func(in, out any) bool
		ops  []porcupine.Operation
	}
	var parts []part
	r := rand.New(rand.NewPCG(18, 50))
	for i := range 2000 {
		h := randomKV(r, 4+r.IntN(9), i%2 == 1)
		m := KVModel()
		ops, err := m.Operations(h)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{fmt.Sprintf("randomKV %d", i), m.withHistory(h), m.observer, ops})
	}
	// A timed-out cas is no observer: invoked when the value is not its
	// expected one, it may take effect later, when it is.
	late := &History{Model: "kv", Ops: []Operation{
		op(1, nodes.OpPut, "k", "a", nodes.OK, 0, 10),
		op(2, nodes.OpCAS, "k", "c", nodes.Info, 1, 2),
		read(3, "k", "c", 20, 21),
	}}
	late.Ops[1].Expect = "a"
	late.Ops[2].Kind = nodes.OpGet
	m := KVModel()
	ops, err := m.Operations(late)
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, part{"a timed-out cas that takes effect late", m.withHistory(late), m.observer, ops})
	for _, c := range wglCases(t) {
		var obs func(in, out any) bool
		switch c.pm.Init().(type) {
		case *kvState:
			obs = KVModel().observer
		case *regState:
			obs = RegisterModel().observer
		default:
			obs = SetModel().observer
		}
		parts = append(parts, part{c.name, c.pm, obs, c.ops})
	}
	illegal := 0
	for _, p := range parts {
		const limit = 1_000_000
		want := wglCheck(p.pm, p.ops, limit, time.Time{}, false, memoryBound{})
		got := observerCheck(p.pm, p.obs, p.ops, limit, time.Time{}, memoryBound{})
		if want.over || got.over {
			if !want.over && !want.ok {
				t.Errorf("%s: out of %d steps, where Porcupine's order finds it illegal in %d", p.name, limit, want.steps)
			}
			continue
		}
		if got.ok != want.ok {
			t.Errorf("%s: linearizable %v with observers first, %v in Porcupine's order", p.name, got.ok, want.ok)
		}
		if !want.ok {
			illegal++
			if got.steps > want.steps {
				t.Errorf("%s (illegal): %d steps with observers first, %d in Porcupine's order", p.name, got.steps, want.steps)
			}
		}
	}
	t.Logf("%d of %d illegal", illegal, len(parts))
	if illegal < len(parts)/8 {
		t.Errorf("only %d of %d histories are illegal: the test says little", illegal, len(parts))
	}
}

// racingPuts is k puts on one key, each read while they all run, then a
// read of a value never written: not linearizable. Porcupine's order
// tries the puts' orders and subsets with their reads interleaved every
// way (262,000 steps at k = 8); with observers first, each read follows
// its put at once (10,000 steps).
func racingPuts(k int) *History {
	h := &History{Model: "kv"}
	for i := range k {
		v := fmt.Sprintf("v%d", i)
		h.Ops = append(h.Ops, op(1+i, nodes.OpPut, "x", v, nodes.OK, 0, 10), read(100+i, "x", v, 0, 10))
	}
	h.Ops = append(h.Ops, read(999, "x", "never written", 20, 21))
	return h
}

// A history only the search with observers first decides within the
// budget is decided: Invalid, explained from the partial linearizations
// of Porcupine's order, which ran out.
func TestObserversFirstDecidesWherePorcupinesOrderRunsOut(t *testing.T) {
	h := racingPuts(8)
	m := KVModel()
	ops, err := m.Operations(h)
	if err != nil {
		t.Fatal(err)
	}
	pm := m.withHistory(h)
	const steps = 100_000
	if o := wglCheck(pm, ops, steps, time.Time{}, false, memoryBound{}); !o.over {
		t.Fatalf("Porcupine's order decides within %d steps (%d): the test says nothing", steps, o.steps)
	}
	res := Linearizable(KVModel()).Check(h, Options{Steps: steps})
	if res.Verdict != Invalid || !strings.Contains(res.Explanation, `key "x" is not linearizable`) {
		t.Fatalf("%v, want Invalid\n%s", res.Verdict, res.Explanation)
	}
	t.Logf("%s", res.Explanation)
}
