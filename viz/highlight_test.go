package viz

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

func TestParseHighlight(t *testing.T) {
	var o Options
	if err := ParseHighlight("17, c3@6.912491708s,#1234,,c12@1ms", &o); err != nil {
		t.Fatal(err)
	}
	want := Options{Highlight: []int64{17}, HighlightSeqs: []uint64{1234},
		HighlightOps: []OpRef{{nodes.ClientID(3), 6912491708 * time.Nanosecond}, {nodes.ClientID(12), time.Millisecond}},
		lead:         leadHandle}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got %+v", o)
	}
	for _, tc := range []struct{ in, err string }{
		{"x", `viz: highlight "x": want an operation handle (17), c<k>@<time> or #<seq>`},
		{"-3", `viz: highlight "-3": want an operation handle (17), c<k>@<time> or #<seq>`},
		{"#", `viz: highlight "#": want #<event seq>, e.g. #1234`},
		{"n1@1s", `viz: highlight "n1@1s": "n1" is not a client (want c<k>@<time>, e.g. c3@6.912491708s)`},
		{"c1@soon", `viz: highlight "c1@soon": bad invocation time "soon" (want e.g. 6.912491708s)`},
	} {
		err := ParseHighlight(tc.in, &Options{})
		if err == nil || err.Error() != tc.err {
			t.Errorf("%q: got %v, want %s", tc.in, err, tc.err)
		}
	}
}

func FuzzParseHighlight(f *testing.F) {
	for _, s := range []string{"17", "c3@6.9s", "#12", "c1@,", "@@", "#-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var o Options
		ParseHighlight(s, &o) // must not panic
	})
}

// withCheckerViolation returns a copy of the demo trace ending the way the
// runner ends a trace whose linearizability check failed: a Violation of
// Type "linearizability" carrying the highlight in Note.
func withCheckerViolation(f *trace.File, note string) *trace.File {
	g := *f
	last := f.Events[len(f.Events)-1]
	g.Events = append(append([]trace.Event(nil), f.Events...), trace.Event{
		Seq: last.Seq + 1, At: last.At + 50*time.Millisecond, Kind: trace.Violation, Node: nodes.ClientID(2),
		Type: "linearizability", Note: note, Text: `key "x" is not linearizable`,
	})
	return &g
}

func TestParseHighlightLead(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want leadList
	}{
		{"17,c3@1s", leadHandle},
		{"c3@1s,17", leadOp},
		{"#5,17", leadSeq},
		{"", leadUnset},
	} {
		var o Options
		if err := ParseHighlight(tc.in, &o); err != nil {
			t.Fatal(err)
		}
		if o.lead != tc.want {
			t.Errorf("%q: lead %d, want %d", tc.in, o.lead, tc.want)
		}
	}
	// A second flag value does not move the lead.
	var o Options
	ParseHighlight("c3@1s", &o)
	ParseHighlight("17", &o)
	if o.lead != leadOp {
		t.Errorf("lead moved to %d", o.lead)
	}
}

// With no --highlight, the viewer and the text take the highlight from
// the checker's violation event, lead first.
func TestHighlightFromTrace(t *testing.T) {
	d, _ := demoRuns(t)
	f := withCheckerViolation(d.File, "c2@0.128858255s,c2@0.120544385s")
	var b bytes.Buffer
	if err := RenderText(&b, f, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"▲ the operation no order can place", "▲ involved", "linearizability (c2@0.128858255s"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	vw, _ := newSimViewer(t, 120, 35, f, Options{})
	if !strings.Contains(vw.status, "linearizability violation") {
		t.Errorf("status on open: %q", vw.status)
	}
	press(vw, "v")
	if e := vw.selected(); e.Kind != trace.Invoke || e.Num != 17 {
		t.Errorf("v selected %v, want [17]'s invocation", e)
	}
	// v zooms to the operations, not to the violation event after them.
	if end := vw.v.timeAt(vw.lay.pw); end > int64(140*time.Millisecond) {
		t.Errorf("v shows up to %v", time.Duration(end))
	}
	// A --highlight given by the user wins.
	vw, _ = newSimViewer(t, 120, 35, f, Options{Highlight: []int64{16}})
	press(vw, "v")
	if e := vw.selected(); e.Num != 16 {
		t.Errorf("v selected %v, want [16]", e)
	}
	// A note that is not a highlight list is a warning, not a failure.
	b.Reset()
	if err := RenderText(&b, withCheckerViolation(d.File, "c2@soon"), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `warning: the highlight recorded by the trace's linearizability violation (seq 288) does not match the trace: its note "c2@soon" is not a highlight list`) {
		t.Errorf("got\n%s", b.String())
	}
}

// Highlight items that match nothing are reported, with the nearest match.
func TestHighlightMatchesNothing(t *testing.T) {
	d, _ := demoRuns(t)
	var o Options
	if err := ParseHighlight("c2@0.1288s,999,#99999,c9@1s,17", &o); err != nil {
		t.Fatal(err)
	}
	want := "viz: --highlight: nothing in the trace matches 999 (no operation has that handle; handles run 1…17); " +
		"c2@0.128800000s (c2 invoked nothing then; nearest: [17] read x at 0.128858255s); " +
		"c9@1.000000000s (no client c9 in this trace); #99999 (no event has that seq; seqs run 1…287)"
	err := RenderText(io.Discard, d.File, o)
	if err == nil || err.Error() != want {
		t.Errorf("RenderText: got\n%v\nwant\n%s", err, want)
	}
	vw, _ := newSimViewer(t, 120, 35, d.File, o)
	if !strings.HasPrefix(vw.status, "warning: --highlight: nothing in the trace matches 999") {
		t.Errorf("viewer status: %q", vw.status)
	}
	// RunViewer refuses before it touches the terminal.
	scr := tcell.NewSimulationScreen("UTF-8")
	if err := RunViewer(scr, d.File, o); err == nil || err.Error() != want {
		t.Errorf("RunViewer: %v", err)
	}
	if err := RenderText(io.Discard, d.File, Options{Highlight: []int64{17}}); err != nil {
		t.Errorf("a matching highlight: %v", err)
	}
}
