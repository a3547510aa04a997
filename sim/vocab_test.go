package sim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// TestVocabularyRoundTrip: every run outcome and failure kind prints as
// results files and trace footers store it and parses back to itself;
// an outcome also survives JSON. The texts are golden.
func TestVocabularyRoundTrip(t *testing.T) {
	var b strings.Builder
	b.WriteString("# run outcomes (Result.Outcome; sim_end, trace footer outcome)\n")
	for _, o := range sim.Outcomes() {
		if back, err := sim.ParseOutcome(o.String()); err != nil || back != o {
			t.Errorf("ParseOutcome(%q) = %v, %v; want %v", o.String(), back, err, o)
		}
		js, err := json.Marshal(o)
		var back sim.Outcome
		if err == nil {
			err = json.Unmarshal(js, &back)
		}
		if err != nil || back != o {
			t.Errorf("%v: JSON %s reads back as %v, %v", o, js, back, err)
		}
		fmt.Fprintf(&b, "%s json=%s\n", o, js)
	}
	b.WriteString("# failure kinds (Failure.Kind) and the outcome each ends a run with\n")
	for _, k := range sim.FailureKinds() {
		if back, err := sim.ParseFailureKind(k.String()); err != nil || back != k {
			t.Errorf("ParseFailureKind(%q) = %v, %v; want %v", k.String(), back, err, k)
		}
		fmt.Fprintf(&b, "%s outcome=%s\n", k, k.Outcome())
	}
	golden.CheckString(t, "vocabulary.golden", b.String())
}

func TestParseVocabularyErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"an unknown outcome", errOf(sim.ParseOutcome("valid")), `sim: unknown run outcome "valid" (want one of: deadline, quiescent, budget, panic, violation)`},
		{"an unknown failure kind", errOf(sim.ParseFailureKind("crash")), `sim: unknown failure kind "crash" (want panic or violation)`},
		{"an outcome out of range does not marshal", errOf(sim.Outcome(9).MarshalText()), `sim: invalid run outcome 9`},
		{"JSON with an unknown outcome", json.Unmarshal([]byte(`"later"`), new(sim.Outcome)), `sim: unknown run outcome "later" (want one of: deadline, quiescent, budget, panic, violation)`},
	}
	for _, tc := range tests {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestFaultIDs: StartFault numbers faults 1, 2, ... in start order and
// puts the id in Num of the FaultStart and of its FaultStop, so readers
// pair them without comparing texts; stopping an id never started is a
// programmer bug.
func TestFaultIDs(t *testing.T) {
	w, rec := world(t, sim.Config{Seed: 1, Nodes: 3, Node: func(nodes.ID) nodes.Node { return &probe{} }})
	var a, b int64
	w.At(time.Millisecond, func() { a = w.StartFault(nodes.NodeID(1), "crash", "crash n1") })
	w.At(2*time.Millisecond, func() { b = w.StartFault(0, "partition", "partition n1") })
	w.At(3*time.Millisecond, func() { w.StopFault(a, nodes.NodeID(1), "crash", "crash n1") })
	w.Run(time.Second)
	if a != 1 || b != 2 {
		t.Fatalf("ids %d, %d; want 1, 2", a, b)
	}
	var got []string
	for _, e := range rec.Events {
		if e.Kind == trace.FaultStart || e.Kind == trace.FaultStop {
			got = append(got, fmt.Sprintf("%s %d %s", e.Kind, e.Num, e.Text))
		}
	}
	if want := "fault-start 1 crash n1, fault-start 2 partition n1, fault-stop 1 crash n1"; strings.Join(got, ", ") != want {
		t.Errorf("fault events: %s\nwant %s", strings.Join(got, ", "), want)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "fault id 7 was never started") {
			t.Errorf("StopFault(7) recovered %v, want a panic naming the id", p)
		}
	}()
	w.StopFault(7, 0, "partition", "x")
}
