package trace_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

func sample() []trace.Event {
	return []trace.Event{
		{Seq: 1, At: 0, Kind: trace.Start, Node: 1, Num: 1},
		{Seq: 2, At: 1500 * time.Microsecond, Kind: trace.Send, Node: 1, Peer: 2, ID: 7, Type: "Ping", Text: "{N:1}"},
		{Seq: 3, At: 2 * time.Millisecond, Kind: trace.Drop, Node: 1, Peer: 2, ID: 7, Type: "Ping", Note: "partition majority"},
		{Seq: 4, At: 3 * time.Millisecond, Kind: trace.Invoke, Node: nodes.ClientID(2), Num: 5, Op: nodes.Op{Kind: "cas", Key: "k1", Value: "b", Expect: "a"}},
		{Seq: 5, At: 4 * time.Millisecond, Kind: trace.Return, Node: nodes.ClientID(2), Num: 5, Outcome: nodes.OK, Op: nodes.Op{Kind: "get", Key: "k1", Output: "b", Exists: true}},
		{Seq: 6, At: 5 * time.Millisecond, Kind: trace.FaultStart, Type: "partition", Text: "partition majority [n1|n2,n3]"},
	}
}

// A trace written and read back is the same trace, event for event.
func TestWriteReadRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := trace.NewWriter(&buf, trace.Header{Seed: 42, Scenario: "s", Nodes: 3, Clients: 2, Repro: "faultline replay s.yaml --seed 42"})
	if err != nil {
		t.Fatal(err)
	}
	evs := sample()
	h := trace.NewHash()
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
		h = h.Add(&evs[i])
	}
	if err := w.Close(trace.Footer{Events: 6, At: 5 * time.Millisecond, Hash: h.String(), Outcome: "valid"}); err != nil {
		t.Fatal(err)
	}
	f, err := trace.Read(&buf, "t.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if f.Header.Seed != 42 || f.Header.Faultline != trace.FormatVersion || f.Footer == nil || f.Footer.Hash != h.String() {
		t.Fatalf("header %+v footer %+v", f.Header, f.Footer)
	}
	if len(f.Events) != len(evs) {
		t.Fatalf("%d events, want %d", len(f.Events), len(evs))
	}
	back := trace.NewHash()
	for i := range evs {
		if got, want := f.Events[i].String(), evs[i].String(); got != want {
			t.Errorf("event %d:\n got %s\nwant %s", i, got, want)
		}
		back = back.Add(&f.Events[i])
	}
	if back != h {
		t.Fatal("the hash of the events read back differs")
	}
}

func TestCanonicalText(t *testing.T) {
	evs := sample()
	want := []string{
		"       1 0.000000000s n1   start       1",
		"       2 0.001500000s n1   send        ->n2 #7 Ping {N:1}",
		"       3 0.002000000s n1   drop        ->n2 #7 Ping (partition majority)",
		"       4 0.003000000s c2   invoke      [5] cas k1 a->b",
		`       5 0.004000000s c2   return      [5] ok get k1 -> "b"`,
		"       6 0.005000000s -    fault-start partition partition majority [n1|n2,n3]",
	}
	for i := range evs {
		if got := evs[i].String(); got != want[i] {
			t.Errorf("event %d:\n got %q\nwant %q", i, got, want[i])
		}
	}
}

func TestReadErrorsNameTheLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "t.jsonl: empty file"},
		{"no header", `{"seq":1}` + "\n", "t.jsonl:1: not a Faultline trace"},
		{"future", `{"faultline_trace":9}` + "\n", "t.jsonl:1: format version 9 is newer"},
		{"bad json", `{"faultline_trace":1}` + "\n{oops\n", "t.jsonl:2:"},
		{"unknown kind", `{"faultline_trace":1}` + "\n" + `{"seq":1,"kind":"teleport"}` + "\n", `t.jsonl:2: field "kind": unknown event kind "teleport"`},
		{"bad node", `{"faultline_trace":1}` + "\n" + `{"seq":1,"kind":"start","node":"x9"}` + "\n", `t.jsonl:2: field "node": bad process id "x9"`},
		{"bad outcome", `{"faultline_trace":1}` + "\n" + `{"seq":1,"kind":"return","outcome":"maybe"}` + "\n", `t.jsonl:2: field "outcome"`},
		{"after footer", `{"faultline_trace":1}` + "\n" + `{"end":true}` + "\n" + `{"seq":1,"kind":"start"}` + "\n", "t.jsonl:3: data after the footer"},
		{"huge nodes", `{"faultline_trace":1,"nodes":10000000}` + "\n", "t.jsonl:1: header declares 10000000 nodes and 0 clients; a trace has at most 100000"},
		{"negative clients", `{"faultline_trace":1,"clients":-1}` + "\n", "t.jsonl:1: header declares 0 nodes and -1 clients"},
		{"huge line", `{"faultline_trace":1}` + "\n" + `{"seq":1,"kind":"log","text":"` + strings.Repeat("x", trace.MaxLineBytes) + `"}` + "\n", "t.jsonl:2: line longer than 16 MiB"},
		{"results file", `{"faultline_results":1}` + "\n", "this is a results file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := trace.Read(strings.NewReader(c.in), "t.jsonl")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// A trace cut short (no footer) still reads, so an interrupted replay is
// viewable.
func TestTruncatedTraceReads(t *testing.T) {
	in := `{"faultline_trace":1,"seed":1}` + "\n" + `{"seq":1,"at_ns":0,"kind":"start","node":"n1","num":1}` + "\n"
	f, err := trace.Read(strings.NewReader(in), "t.jsonl")
	if err != nil || f.Footer != nil || len(f.Events) != 1 {
		t.Fatalf("%v %+v", err, f)
	}
}

// A trace cut mid-line (a crash while writing) reads up to the cut; a bad
// line with its newline is still an error.
func TestCutMidLineReads(t *testing.T) {
	full := `{"faultline_trace":1,"seed":1}` + "\n" + `{"seq":1,"at_ns":0,"kind":"start","node":"n1","num":1}` + "\n" + `{"seq":2,"at_ns":5,"kind":"start","node":"n2","num":1}` + "\n"
	for cut := len(full) - 2; cut > strings.Index(full, "\n{\"seq\":2"); cut-- {
		f, err := trace.Read(strings.NewReader(full[:cut]), "t.jsonl")
		if err != nil || f.Footer != nil || len(f.Events) != 1 {
			t.Fatalf("cut at %d: %v %+v", cut, err, f)
		}
	}
	if _, err := trace.Read(strings.NewReader(full[:len(full)-10]+"\n"), "t.jsonl"); err == nil || !strings.Contains(err.Error(), "t.jsonl:3:") {
		t.Fatalf("a complete bad line: %v", err)
	}
}

// A huge note or text is cut when written, so the file stays readable.
func TestLongTextIsBounded(t *testing.T) {
	var buf bytes.Buffer
	w, _ := trace.NewWriter(&buf, trace.Header{Nodes: 1})
	big := strings.Repeat("é", trace.MaxTextBytes) // two bytes each
	w.Write(&trace.Event{Seq: 1, Kind: trace.Log, Node: 1, Text: big})
	w.Close(trace.Footer{Events: 1})
	f, err := trace.Read(&buf, "t.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	got := f.Events[0].Text
	if len(got) > trace.MaxTextBytes+40 || !strings.HasSuffix(got, " …[65536 bytes cut]") || !utf8.ValidString(got) {
		t.Fatalf("text of %d bytes ends %q", len(got), got[len(got)-30:])
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"faultline_trace":1}` + "\n" + `{"seq":1,"kind":"start","node":"n1"}` + "\n" + `{"end":true}` + "\n"))
	f.Add([]byte(`{"faultline_trace":1}` + "\n" + `{"seq":2,"kind":"return","node":"c1","op":{"f":"get"},"outcome":"ok"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := trace.Read(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "trace: fuzz.jsonl") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i := range file.Events {
			_ = file.Events[i].String()
		}
	})
}

func TestKindNamesRoundTrip(t *testing.T) {
	for _, k := range trace.Kinds() {
		back, ok := trace.ParseKind(k.String())
		if !ok || back != k {
			t.Fatalf("%v does not round-trip", k)
		}
	}
}
