package sim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/sim"
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
