package checker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// op builds an operation for hand-written histories; times in ms.
func op(client int, kind nodes.OpKind, key, value string, outcome nodes.Outcome, invoke, ret int) Operation {
	o := Operation{
		Client:  nodes.ClientID(client),
		Op:      nodes.Op{Kind: kind, Key: key, Value: value},
		Outcome: outcome,
		Invoke:  time.Duration(invoke) * time.Millisecond,
		Return:  time.Duration(ret) * time.Millisecond,
	}
	return o
}

func read(client int, key, output string, invoke, ret int) Operation {
	o := op(client, "read", key, "", nodes.OK, invoke, ret)
	o.Output, o.Exists = output, output != "nil"
	if output == "nil" {
		o.Output = ""
	}
	return o
}

func TestLinearizableTable(t *testing.T) {
	tests := []struct {
		name  string
		model string
		ops   []Operation
		want  Verdict
	}{
		{"empty register read", "register", []Operation{read(1, "", "nil", 0, 1)}, Valid},
		{"read before any write sees a value", "register", []Operation{read(1, "", "1", 0, 1)}, Invalid},
		{"sequential write read", "register", []Operation{
			op(1, "write", "", "1", nodes.OK, 0, 1), read(2, "", "1", 2, 3)}, Valid},
		{"stale read", "register", []Operation{
			op(1, "write", "", "1", nodes.OK, 0, 1), op(1, "write", "", "2", nodes.OK, 2, 3), read(2, "", "1", 4, 5)}, Invalid},
		{"concurrent read may see either", "register", []Operation{
			op(1, "write", "", "1", nodes.OK, 0, 1), op(1, "write", "", "2", nodes.OK, 2, 6), read(2, "", "1", 4, 5)}, Valid},
		{"touching intervals are concurrent", "register", []Operation{
			op(1, "write", "", "1", nodes.OK, 0, 4), read(2, "", "1", 4, 5)}, Valid},
		{"info write may take effect later", "register", []Operation{
			op(1, "write", "", "1", nodes.Info, 0, 1), read(2, "", "nil", 5, 6), read(2, "", "1", 7, 8)}, Valid},
		{"info write may never take effect", "register", []Operation{
			op(1, "write", "", "1", nodes.Info, 0, 1), read(2, "", "nil", 5, 6)}, Valid},
		{"pending write is like info", "register", []Operation{
			op(1, "write", "", "1", nodes.Pending, 0, 0), read(2, "", "1", 5, 6)}, Valid},
		{"fail write never happened", "register", []Operation{
			op(1, "write", "", "1", nodes.Fail, 0, 1), read(2, "", "1", 5, 6)}, Invalid},
		{"cas observed mismatch", "register", []Operation{
			op(1, "write", "", "1", nodes.OK, 0, 1),
			{Client: nodes.ClientID(2), Op: nodes.Op{Kind: "cas", Expect: "1", Value: "2", Output: "false"}, Outcome: nodes.OK, Invoke: 2 * time.Millisecond, Return: 3 * time.Millisecond}}, Invalid},
		{"cas swaps", "register", []Operation{
			op(1, "write", "", "1", nodes.OK, 0, 1),
			{Client: nodes.ClientID(2), Op: nodes.Op{Kind: "cas", Expect: "1", Value: "2"}, Outcome: nodes.OK, Invoke: 2 * time.Millisecond, Return: 3 * time.Millisecond},
			read(1, "", "2", 4, 5)}, Valid},
		{"kv keys are independent", "kv", []Operation{
			op(1, "put", "x", "1", nodes.OK, 0, 1), read(2, "y", "", 2, 3), read(2, "x", "1", 4, 5)}, Valid},
		{"kv append", "kv", []Operation{
			op(1, "append", "x", "a", nodes.OK, 0, 1), op(1, "append", "x", "b", nodes.OK, 2, 3), read(2, "x", "ab", 4, 5)}, Valid},
		{"kv append reordered", "kv", []Operation{
			op(1, "append", "x", "a", nodes.OK, 0, 1), op(1, "append", "x", "b", nodes.OK, 2, 3), read(2, "x", "ba", 4, 5)}, Invalid},
		{"set add read", "set", []Operation{
			op(1, "add", "", "a", nodes.OK, 0, 1), op(2, "add", "", "b", nodes.Info, 0, 1), read(2, "", "b,a", 4, 5)}, Valid},
		{"set lost add", "set", []Operation{
			op(1, "add", "", "a", nodes.OK, 0, 1), read(2, "", "", 4, 5)}, Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := ModelByName(tt.model)
			h := &History{Model: tt.model, Ops: tt.ops}
			res := Run(Linearizable(m), h, Options{Budget: time.Second})
			if res.Verdict != tt.want {
				t.Fatalf("%v, want %v\n%s", res.Verdict, tt.want, res)
			}
			if res.Verdict == Invalid && res.Explanation == "" {
				t.Fatal("Invalid without explanation")
			}
		})
	}
}

func TestInfoContinuesUnderFreshProcess(t *testing.T) {
	h := &History{Ops: []Operation{
		op(1, "write", "", "1", nodes.Info, 0, 1),
		op(1, "write", "", "2", nodes.OK, 2, 3),
		op(2, "write", "", "3", nodes.OK, 2, 3),
		op(1, "write", "", "4", nodes.Fail, 4, 5),
		op(1, "write", "", "5", nodes.OK, 6, 7),
	}}
	ops, err := RegisterModel().Operations(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 4 {
		t.Fatalf("%d operations, want 4 (the fail is dropped)", len(ops))
	}
	var ids []int
	for _, o := range ops {
		ids = append(ids, o.ClientId)
	}
	if want := []int{0, 1, 2, 1}; !slicesEqual(ids, want) {
		t.Errorf("client ids %v, want %v", ids, want)
	}
	if end := int64(7 * time.Millisecond); ops[0].Return <= end {
		t.Errorf("info op returns at %d, want after the end of the history (%d)", ops[0].Return, end)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUnknownKindIsUnknown(t *testing.T) {
	h := &History{Model: "register", Ops: []Operation{op(1, "frobnicate", "", "", nodes.OK, 0, 1)}}
	res := Check(h, Options{})
	if res.Verdict != Unknown || res.Err == nil || !strings.Contains(res.Explanation, "frobnicate") {
		t.Fatalf("got %v (%v), want Unknown naming the op\n%s", res.Verdict, res.Err, res)
	}
}

func TestGeneratedHistoriesAreLinearizable(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		h, _ := genKV(seed, 2000, 10, 5)
		if res := Check(h, Options{Budget: 10 * time.Second}); res.Verdict != Valid {
			t.Fatalf("seed %d: %v\n%s", seed, res.Verdict, res)
		}
	}
}

func TestPlantedStaleReadIsFoundAndExplained(t *testing.T) {
	h, _ := genKV(7, 2000, 10, 5)
	stale := plantStaleRead(h)
	g := h.Ops[stale]
	h.Annotations = []Annotation{{Start: g.Invoke - time.Millisecond, End: g.Return, Node: "n1", Text: "partition n1 | n2 n3"}}
	html := filepath.Join(t.TempDir(), "stale.html")
	res := Check(h, Options{Budget: 10 * time.Second, VisualizationPath: html})
	if res.Verdict != Invalid {
		t.Fatalf("%v, want invalid\n%s", res.Verdict, res)
	}
	t.Logf("planted %v\n%s", &g, res)
	for _, want := range []string{
		`key "` + g.Key + `"`,
		g.Client.String() + ` get("` + g.Key + `") -> "` + g.Output + `"`, // which op saw what
		"when it was invoked the state was",
	} {
		if !strings.Contains(res.Explanation, want) {
			t.Errorf("explanation lacks %q", want)
		}
	}
	if res.Visualization != html {
		t.Fatalf("visualization %q, want %q", res.Visualization, html)
	}
	data, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "partition n1 | n2 n3") {
		t.Error("visualization lacks the nemesis annotation")
	}
}

func TestExplanationOfStaleRegisterRead(t *testing.T) {
	h := &History{Model: "register", Ops: []Operation{
		op(1, "write", "", "1", nodes.OK, 0, 1),
		op(1, "write", "", "2", nodes.OK, 2, 3),
		read(2, "", "1", 4, 5),
		op(3, "write", "", "3", nodes.OK, 4, 6),
	}}
	html := filepath.Join(t.TempDir(), "reg.html")
	res := Check(h, Options{VisualizationPath: html})
	if _, err := os.Stat(html); err != nil || res.Visualization != html {
		t.Errorf("no visualization: %v", err)
	}
	want := `the register is not linearizable (the longest linearization Porcupine found places 3 of its 4 operations)
  first operation no order can place: c2 read() -> "1" [4ms, 5ms]
  when it was invoked the state was "2", set by c1 write("2") [2ms, 3ms]
  and no order of the 1 operations concurrent with it explains what it saw:
    c3 write("3") [4ms, 6ms]`
	if len(res.Involved) != 3 || res.Involved[0] != 2 || res.Involved[1] != 1 || res.Involved[2] != 3 {
		t.Errorf("involved operations %v, want the stale read (2), the write it should have seen (1), then the concurrent write (3)", res.Involved)
	}
	if res.Verdict != Invalid || res.Explanation != want {
		t.Fatalf("got %v:\n%s\nwant:\n%s", res.Verdict, res.Explanation, want)
	}
}

// pathological returns a history no checker can settle quickly: n writes
// and n reads on one register, all concurrent, and a read of a value
// nobody wrote, so the search must try every order before giving up.
func pathological(n int) *History {
	h := &History{Model: "register"}
	for i := 0; i < n; i++ {
		v := string(rune('a'+i%26)) + string(rune('a'+i/26))
		h.Ops = append(h.Ops, op(1+i, "write", "", v, nodes.OK, 0, 1000))
		h.Ops = append(h.Ops, read(n+1+i, "", v, 0, 1000))
	}
	h.Ops = append(h.Ops, read(2*n+1, "", "nobody", 0, 1000))
	return h
}

// A history whose search explodes is Unknown when the step budget runs
// out — the same way on any machine: same verdict, same explanation.
func TestPathologicalHistoryIsUnknownWithinBudget(t *testing.T) {
	const steps = 1_000_000
	first := Check(pathological(40), Options{Steps: steps})
	if first.Verdict != Unknown || first.Err != ErrBudget {
		t.Fatalf("%v (%v), want Unknown from the step budget\n%s", first.Verdict, first.Err, first)
	}
	again := Check(pathological(40), Options{Steps: steps})
	if again.Explanation != first.Explanation || again.Verdict != first.Verdict {
		t.Fatalf("two checks of one history differ:\n%s\n%s", first.Explanation, again.Explanation)
	}
	t.Logf("unknown: %s", first.Explanation)
}

// The wall-clock ceiling is a last resort, and says so.
func TestWallClockCeilingIsLabelled(t *testing.T) {
	const budget = 100 * time.Millisecond
	start := time.Now()
	res := Check(pathological(40), Options{Budget: budget, Steps: 1 << 40})
	if res.Verdict != Unknown || res.Err != ErrWallClock || !strings.Contains(res.Explanation, "depends on the machine") {
		t.Fatalf("%v (%v), want Unknown from the wall-clock ceiling\n%s", res.Verdict, res.Err, res)
	}
	if elapsed := time.Since(start); elapsed > budget+time.Second {
		t.Fatalf("took %v with a ceiling of %v", elapsed, budget)
	}
}

// Verdicts and explanations of illegal histories do not depend on the
// machine either: a slow partition before the failing one changes
// nothing, however fast the machine searches.
func TestIllegalVerdictIsDeterministic(t *testing.T) {
	h := pathological(12)
	for i := range h.Ops {
		h.Ops[i].Key = "a"
	}
	bad := &History{Model: "kv"}
	bad.Ops = append(bad.Ops, h.Ops...)
	bad.Ops = append(bad.Ops,
		op(1, "put", "b", "1", nodes.OK, 0, 1), read(2, "b", "2", 2, 3)) // key b: reads a value never written
	var explanations []string
	for _, workers := range []int{1, 4, 1} {
		res := Check(bad, Options{Steps: 5_000_000, Workers: workers})
		if res.Verdict != Invalid || !strings.Contains(res.Explanation, `key "b"`) {
			t.Fatalf("%v, want Invalid on key b:\n%s", res.Verdict, res)
		}
		explanations = append(explanations, res.Explanation)
	}
	if explanations[0] != explanations[1] || explanations[1] != explanations[2] {
		t.Errorf("explanations differ between runs:\n%s", strings.Join(explanations, "\n---\n"))
	}
}

func TestPartitionsInSortedOrder(t *testing.T) {
	h := &History{Ops: []Operation{
		op(1, "put", "b", "1", nodes.OK, 0, 1), op(1, "put", "a", "1", nodes.OK, 2, 3),
		op(1, "put", "c", "1", nodes.OK, 4, 5), op(1, "put", "a", "2", nodes.OK, 6, 7),
	}}
	m := KVModel()
	ops, _ := m.Operations(h)
	var keys []string
	for _, p := range m.Porcupine().Partition(ops) {
		keys = append(keys, m.partKey(p[0].Input)+":"+string(rune('0'+len(p))))
	}
	if got := strings.Join(keys, " "); got != "a:2 b:1 c:1" {
		t.Fatalf("partitions %s, want a:2 b:1 c:1", got)
	}
}
