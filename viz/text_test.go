package viz

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/sim/trace"
)

func TestRenderTextGolden(t *testing.T) {
	d, _ := demoRuns(t)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"text-120.txt", Options{Highlight: d.Highlight}},
		{"text-80.txt", Options{Highlight: d.Highlight, Width: 80}},
		{"text-window.txt", Options{Highlight: d.Highlight, Width: 100, From: 110 * time.Millisecond, To: 135 * time.Millisecond}},
		{"text-nohighlight.txt", Options{Width: 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := RenderText(&a, d.File, tc.opts); err != nil {
				t.Fatal(err)
			}
			if err := RenderText(&b, d.File, tc.opts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renderings of the same trace differ")
			}
			golden.Check(t, tc.name, a.Bytes())
		})
	}
}

// The text rendering must show each thing the timeline promises, with a
// glyph, not only a colour.
func TestRenderTextShowsEverything(t *testing.T) {
	d, _ := demoRuns(t)
	var b bytes.Buffer
	if err := RenderText(&b, d.File, Options{Highlight: d.Highlight}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lanes := strings.SplitN(out, "\n\n", 2)[0]
	for _, want := range []struct{ what, s string }{
		{"a lane per server", "\nn3 "},
		{"a lane per client", "\nc2 "},
		{"clock skew in the label", "n2 +50ms"},
		{"clock skew on the lane", "~~~"},
		{"a crash", "X"},
		{"a restart", "R"},
		{"a pause gap", "···"},
		{"a drop", "x"},
		{"an op bar", "[read x"},
		{"a highlighted op", "{"},
		{"the violation", "!"},
		{"a fault band with its text", "░partition"},
		{"a time axis", "|0.10s"},
	} {
		if !strings.Contains(lanes, want.s) {
			t.Errorf("timeline lacks %s (%q)", want.what, want.s)
		}
	}
	if !strings.Contains(out, "violation   stale read") {
		t.Errorf("failures list lacks the violation:\n%s", out)
	}
	b.Reset()
	if err := RenderText(&b, d.File, Options{Highlight: d.Highlight, From: 110 * time.Millisecond, To: 135 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "==]") || !strings.Contains(b.String(), "{read x -> \"7") {
		t.Errorf("zoomed-in rendering lacks an ok bar or the highlighted read:\n%s", b.String())
	}
}

func TestRenderTextEmptyTrace(t *testing.T) {
	d, _ := demoRuns(t)
	f := *d.File
	f.Events = nil
	var b bytes.Buffer
	if err := RenderText(&b, &f, Options{Width: 40}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nfaults\ntime ") {
		t.Errorf("got %q", b.String())
	}
}

// Fault names never run into each other: each name on the fault band is
// whole, or cut with "…" before the next band.
func TestFaultNamesDoNotOverlap(t *testing.T) {
	names := []string{"partition leader [n1,n2|n3]", "isolate one [n2]", "partition leader [n1|n2,n3]"}
	windows := [][2]time.Duration{{918 * time.Millisecond, 1633 * time.Millisecond}, {2323 * time.Millisecond, 3479 * time.Millisecond}, {4479 * time.Millisecond, 5 * time.Second}}
	f := &trace.File{Header: trace.Header{Seed: 7, Scenario: "faults", Nodes: 3}}
	var seq uint64
	add := func(at time.Duration, k trace.Kind, text string) {
		seq++
		f.Events = append(f.Events, trace.Event{Seq: seq, At: at, Kind: k, Type: "partition", Text: text})
	}
	add(0, trace.Mark, "start")
	for i, w := range windows {
		add(w[0], trace.FaultStart, names[i])
		add(w[1], trace.FaultStop, names[i])
	}
	add(8*time.Second, trace.Mark, "end")
	for _, width := range []int{60, 80, 120, 200} {
		var b bytes.Buffer
		if err := RenderText(&b, f, Options{Width: width}); err != nil {
			t.Fatal(err)
		}
		row := strings.Split(b.String(), "\n")[1]
		shown := 0
		for _, seg := range strings.FieldsFunc(strings.TrimPrefix(row, "faults"), func(r rune) bool { return r == '░' }) {
			seg = strings.TrimSpace(seg)
			if seg == "" {
				continue
			}
			whole := false
			for _, n := range names {
				whole = whole || seg == n
			}
			cut := strings.HasSuffix(seg, "…")
			ok := whole
			for _, n := range names {
				ok = ok || (cut && strings.HasPrefix(n, strings.TrimSuffix(seg, "…")))
			}
			if !ok {
				t.Errorf("width %d: fault band shows %q: %q", width, seg, row)
			}
			shown++
		}
		if shown != len(names) {
			t.Errorf("width %d: %d names on %q", width, shown, row)
		}
	}
}
