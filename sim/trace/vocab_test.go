package trace_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/sim/trace"
)

// TestVocabularyRoundTrip: every event kind, mark type and violation type
// prints as the trace format stores it and parses back to itself. The
// texts are golden: changing one changes the trace format.
func TestVocabularyRoundTrip(t *testing.T) {
	var b strings.Builder
	b.WriteString("# event kinds (Event.Kind)\n")
	for _, k := range trace.Kinds() {
		if back, ok := trace.ParseKind(k.String()); !ok || back != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", k.String(), back, ok, k)
		}
		fmt.Fprintln(&b, k)
	}
	b.WriteString("# mark types (Event.Type of a mark)\n")
	for _, m := range trace.MarkTypes() {
		if back, err := trace.ParseMarkType(m.String()); err != nil || back != m {
			t.Errorf("ParseMarkType(%q) = %q, %v; want %q", m.String(), back, err, m)
		}
		fmt.Fprintln(&b, m)
	}
	b.WriteString("# violation types (Event.Type of a violation; online is stored as \"\")\n")
	for _, v := range trace.ViolationTypes() {
		if back, err := trace.ParseViolationType(v.String()); err != nil || back != v {
			t.Errorf("ParseViolationType(%q) = %q, %v; want %q", v.String(), back, err, v)
		}
		fmt.Fprintf(&b, "%s stored=%q\n", v, string(v))
	}
	golden.CheckString(t, "vocabulary.golden", b.String())
}

func TestParseVocabularyErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"an unknown mark type", errOf(trace.ParseMarkType("Phase")), `trace: unknown mark type "Phase" (want phase, probe, nemesis-skip or truncated)`},
		{"an unknown violation type", errOf(trace.ParseViolationType("serializability")), `trace: unknown violation type "serializability" (want online or linearizability)`},
	}
	for _, tc := range tests {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestEventTypeAccessors: MarkType and ViolationType read the Type field
// only of their own kind of event.
func TestEventTypeAccessors(t *testing.T) {
	tests := []struct {
		e         trace.Event
		mark      trace.MarkType
		violation trace.ViolationType
	}{
		{trace.Event{Kind: trace.Mark, Type: "probe"}, trace.MarkProbe, trace.ViolationOnline},
		{trace.Event{Kind: trace.Mark, Type: "nemesis-skip"}, trace.MarkNemesisSkip, trace.ViolationOnline},
		{trace.Event{Kind: trace.Mark, Type: "truncated"}, trace.MarkTruncated, trace.ViolationOnline},
		{trace.Event{Kind: trace.Violation}, "", trace.ViolationOnline},
		{trace.Event{Kind: trace.Violation, Type: "linearizability"}, "", trace.ViolationLinearizability},
		{trace.Event{Kind: trace.Send, Type: "probe"}, "", trace.ViolationOnline}, // a message type, not a mark
	}
	for _, tc := range tests {
		if got := tc.e.MarkType(); got != tc.mark {
			t.Errorf("%v: MarkType() = %q, want %q", tc.e.String(), got, tc.mark)
		}
		if got := tc.e.ViolationType(); got != tc.violation {
			t.Errorf("%v: ViolationType() = %q, want %q", tc.e.String(), got, tc.violation)
		}
	}
}
