package viz

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

func TestApplyClockNote(t *testing.T) {
	for _, tc := range []struct {
		prev clockChange
		note string
		want clockChange
	}{
		{clockChange{}, "offset=50ms", clockChange{at: 7, offset: 50e6}},
		{clockChange{offset: 50e6}, "jump=-20ms", clockChange{at: 7, offset: 30e6}},
		{clockChange{offset: 5}, "drift=-120ppm", clockChange{at: 7, offset: 5, ppm: -120}},
		{clockChange{offset: 5}, "garbage", clockChange{at: 7, offset: 5}},
		{clockChange{offset: 5}, "offset=xyz", clockChange{at: 7, offset: 5}},
	} {
		if got := applyClockNote(tc.prev, 7, tc.note); got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.note, got, tc.want)
		}
	}
}

func FuzzClockNote(f *testing.F) {
	for _, s := range []string{"offset=1ms", "jump=-3s", "drift=50ppm", "=", "drift=ppm"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		applyClockNote(clockChange{}, 0, s) // must not panic
	})
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{"n1", "node:n3 type:Vote", "key:", ":x", "kind:drop  c2"} {
		f.Add(s)
	}
	e := trace.Event{Kind: trace.Send, Node: nodes.NodeID(1), Peer: nodes.NodeID(2), Type: "Vote", Text: "{Term:3}"}
	f.Fuzz(func(t *testing.T, s string) {
		q := parseQuery(s)
		q.match(&e) // must not panic
		if len(q.terms) == 0 && q.match(&e) {
			t.Error("an empty query matched")
		}
	})
}

func TestQuery(t *testing.T) {
	e := trace.Event{Kind: trace.Send, Node: nodes.NodeID(1), Peer: nodes.NodeID(2), Type: "RequestVote", Text: "{Term:3 Candidate:n1}"}
	op := trace.Event{Kind: trace.Invoke, Node: nodes.ClientID(2), Op: nodes.Op{Kind: "put", Key: "k7", Value: "3"}}
	for _, tc := range []struct {
		q    string
		e    *trace.Event
		want bool
	}{
		{"n1", &e, true},
		{"n2", &e, true},
		{"n3", &e, false},
		{"node:n2", &e, false},
		{"peer:n2", &e, true},
		{"vote", &e, true},
		{"type:requestvote", &e, true},
		{"kind:send", &e, true},
		{"kind:deliver", &e, false},
		{"term:3", &e, false}, // an unknown field matches nothing
		{"text:Term:3", &e, true},
		{"k7", &op, true},
		{"key:k7", &op, true},
		{"key:k1", &op, false},
		{"put c2", &op, true},
		{"put c1", &op, false},
		{"", &e, false},
	} {
		if got := parseQuery(tc.q).match(tc.e); got != tc.want {
			t.Errorf("%q on %s: got %v", tc.q, tc.e, got)
		}
	}
}

// build makes a trace from events (Seq filled in) for index tests.
func build(evs ...trace.Event) *trace.File {
	f := &trace.File{Header: trace.Header{Nodes: 2, Clients: 1}}
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	f.Events = evs
	return f
}

func TestIndexPairs(t *testing.T) {
	n1, n2, c1 := nodes.NodeID(1), nodes.NodeID(2), nodes.ClientID(1)
	ms := time.Millisecond
	f := build(
		trace.Event{At: 1 * ms, Kind: trace.Invoke, Node: c1, Num: 1, Op: nodes.Op{Kind: "get", Key: "a"}},
		trace.Event{At: 2 * ms, Kind: trace.FaultStart, Text: "partition A"},
		trace.Event{At: 2 * ms, Kind: trace.FaultStart, Text: "partition A"},
		trace.Event{At: 3 * ms, Kind: trace.Crash, Node: n2},
		trace.Event{At: 4 * ms, Kind: trace.Return, Node: c1, Num: 1, Outcome: nodes.Info},
		trace.Event{At: 5 * ms, Kind: trace.FaultStop, Text: "partition A"},
		trace.Event{At: 5 * ms, Kind: trace.Invoke, Node: c1, Num: 2, Op: nodes.Op{Kind: "put", Key: "a", Value: "1"}},
		trace.Event{At: 6 * ms, Kind: trace.Restart, Node: n2},
		trace.Event{At: 6 * ms, Kind: trace.Start, Node: n2, Num: 2},
		trace.Event{At: 7 * ms, Kind: trace.Pause, Node: n1},
		trace.Event{At: 8 * ms, Kind: trace.FaultStop, Text: "orphan"},
		trace.Event{At: 9 * ms, Kind: trace.Send, Node: n1, Peer: n2, ID: 1, Type: "Ping"},
	)
	ops := Ops(f)
	if len(ops) != 2 || ops[0].Outcome != nodes.Info || ops[0].Latency() != 3*ms || ops[1].Outcome != nodes.Pending || ops[1].End != 9*ms {
		t.Errorf("ops: %+v", ops)
	}
	fw := FaultWindows(f)
	want := []FaultWindow{
		{Start: 2 * ms, Stop: 5 * ms, Text: "partition A", Undone: true},
		{Start: 2 * ms, Stop: 9 * ms, Text: "partition A"},
		{Start: 1 * ms, Stop: 8 * ms, Text: "orphan", Undone: true},
	}
	if len(fw) != len(want) {
		t.Fatalf("faults: %+v", fw)
	}
	for i := range want {
		if fw[i] != want[i] {
			t.Errorf("fault %d: got %+v, want %+v", i, fw[i], want[i])
		}
	}
	ix := buildIndex(f, &Options{Highlight: []int64{2}, HighlightSeqs: []uint64{4}})
	if sp := ix.lanes[1].spans; len(sp) != 1 || sp[0] != (span{int64(3 * ms), int64(6 * ms), spanDown}) {
		t.Errorf("n2 spans: %+v", sp)
	}
	if sp := ix.lanes[0].spans; len(sp) != 1 || sp[0].kind != spanPaused || sp[0].to <= ix.end {
		t.Errorf("n1 spans (paused to the end): %+v", sp)
	}
	if got := ix.failures; len(got) != 2 || got[0] != 3 || got[1] != 6 {
		t.Errorf("failures: %v (want the crash by seq and op 2's invoke)", got)
	}
	if ix.faultTracks != 3 {
		t.Errorf("fault tracks: %d", ix.faultTracks)
	}
	if snd, other := ix.msgEnds(1); snd != 11 || other != -1 {
		t.Errorf("message ends: %d %d", snd, other)
	}
	// HighlightOps finds an op by client and invocation time.
	ix = buildIndex(f, &Options{HighlightOps: []OpRef{{Client: c1, Invoke: 5 * ms}, {Client: c1, Invoke: 77}}})
	if !ix.ops[1].hi || ix.ops[0].hi {
		t.Errorf("HighlightOps: %+v", ix.ops)
	}
}

func TestAxis(t *testing.T) {
	for _, tc := range []struct {
		t, step int64
		want    string
	}{
		{0, 1e8, "0.0s"},
		{250e6, 50e6, "0.25s"},
		{12e9, 5e9, "12s"},
		{1200500e3, 500e3, "1.2005s"},
		{-5e8, 1e8, "-0.5s"},
		{7, 1, "0.000000007s"},
	} {
		if got := formatAxis(tc.t, tc.step); got != tc.want {
			t.Errorf("formatAxis(%d, %d) = %q, want %q", tc.t, tc.step, got, tc.want)
		}
	}
	for _, tc := range []struct{ ns, in, out int64 }{{1300, 1000, 2000}, {1000, 500, 2000}, {1, 1, 2}, {2, 1, 5}} {
		if a, b := zoomStep(tc.ns, -1), zoomStep(tc.ns, 1); a != tc.in || b != tc.out {
			t.Errorf("zoomStep(%d) = %d, %d; want %d, %d", tc.ns, a, b, tc.in, tc.out)
		}
	}
	for _, tc := range []struct{ from, to int64 }{{0, 1}, {0, 136e6}, {5e9, 7e9}, {123, 456789}} {
		v := fitView(tc.from, tc.to, 100)
		if v.t0 > tc.from || v.timeAt(100) <= tc.to || v.nsPerCol*100 > 2*(tc.to-tc.from)+200 {
			t.Errorf("fitView(%d, %d) = %+v", tc.from, tc.to, v)
		}
	}
}
