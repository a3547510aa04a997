package viz

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// A message chain n1 → n2 → c1, a duplicate of n1's message, and an event
// on n1 after its send, which happens before nothing on the others.
func hbTrace() *trace.File {
	n1, n2, c1 := nodes.NodeID(1), nodes.NodeID(2), nodes.ClientID(1)
	ms := func(m int) time.Duration { return time.Duration(m) * time.Millisecond }
	return &trace.File{Header: trace.Header{Nodes: 2, Clients: 1}, Events: []trace.Event{
		{Seq: 1, At: ms(0), Kind: trace.Start, Node: n1},
		{Seq: 2, At: ms(0), Kind: trace.Start, Node: n2},
		{Seq: 3, At: ms(0), Kind: trace.Start, Node: c1},
		{Seq: 4, At: ms(1), Kind: trace.Send, Node: n1, Peer: n2, ID: 1, Type: "A"},
		{Seq: 5, At: ms(1), Kind: trace.Duplicate, Node: n1, Peer: n2, ID: 2, Num: 1, Type: "A"},
		{Seq: 6, At: ms(2), Kind: trace.Timer, Node: n1, Num: 1},
		{Seq: 7, At: ms(3), Kind: trace.Deliver, Node: n2, Peer: n1, ID: 1, Type: "A"},
		{Seq: 8, At: ms(4), Kind: trace.Send, Node: n2, Peer: c1, ID: 3, Type: "B"},
		{Seq: 9, At: ms(5), Kind: trace.Deliver, Node: c1, Peer: n2, ID: 3, Type: "B"},
		{Seq: 10, At: ms(6), Kind: trace.Deliver, Node: n2, Peer: n1, ID: 2, Type: "A"},
		{Seq: 11, At: ms(7), Kind: trace.Send, Node: n1, Peer: c1, ID: 4, Type: "C"},
		{Seq: 12, At: ms(9), Kind: trace.Deliver, Node: c1, Peer: n1, ID: 4, Type: "C"},
	}}
}

func TestHappensBefore(t *testing.T) {
	ix := buildIndex(hbTrace(), &Options{})
	for _, tc := range []struct {
		seq  uint64
		want string
	}{
		{1, "[n1:1]"},
		{4, "[n1:2]"},           // n1's start, then its send
		{6, "[n1:4]"},           // the duplicate and the timer are n1's events too
		{7, "[n1:2 n2:2]"},      // the delivery knows the send, not n1's later events
		{9, "[n1:2 n2:3 c1:2]"}, // transitively through n2's send
		{10, "[n1:2 n2:4]"},     // the duplicate copy carries the original send's past
	} {
		i := ix.bySeq(tc.seq)
		if got := ix.happensBefore(i).String(); got != tc.want {
			t.Errorf("event seq %d: %s, want %s", tc.seq, got, tc.want)
		}
	}
	cut := ix.causalCut(ix.bySeq(9))
	var seqs []uint64
	for _, c := range cut {
		if c >= 0 {
			seqs = append(seqs, ix.ev[c].Seq)
		}
	}
	if len(seqs) != 3 || seqs[0] != 4 || seqs[1] != 8 || seqs[2] != 9 {
		t.Errorf("causal cut of c1's delivery: events %v, want n1's send (4), n2's send (8), itself (9)", seqs)
	}
}

// The viewer's c key toggles the view: the detail pane shows the vector
// clock, and the lanes mark the cut.
func TestViewerHappensBefore(t *testing.T) {
	vw, scr := newSimViewer(t, 100, 24, hbTrace(), Options{})
	vw.sel = vw.ix.bySeq(9)
	vw.Draw()
	press(vw, "c")
	if s := screenText(scr); !strings.Contains(s, "happens-before: [n1:2 n2:3 c1:2]") {
		t.Errorf("the detail pane lacks the vector clock:\n%s", s)
	}
	if len(vw.hbCut) != 3 || vw.hbFor != vw.sel {
		t.Errorf("cut %v for %d", vw.hbCut, vw.hbFor)
	}
	press(vw, "c")
	if s := screenText(scr); strings.Contains(s, "happens-before: [") || vw.status != "happens-before view off" {
		t.Errorf("c again should turn the view off:\n%s", s)
	}
}

// In the happens-before view a selected message is drawn as an edge: a
// connector at its delivery's column across the lanes between its ends.
func TestViewerMessageEdge(t *testing.T) {
	vw, scr := newSimViewer(t, 100, 24, hbTrace(), Options{})
	vw.sel = vw.ix.bySeq(12) // n1 → c1, across n2's lane
	press(vw, "c")
	rows := strings.Split(screenText(scr), "\n")
	var n2 string
	for _, r := range rows {
		if strings.HasPrefix(r, "n2") {
			n2 = r
		}
	}
	if strings.Count(n2, "│") != 1 {
		t.Errorf("n2's lane should carry the edge of n1's message to c1 once:\n%s", strings.Join(rows, "\n"))
	}
	press(vw, "c")
	for _, r := range strings.Split(screenText(scr), "\n") {
		if strings.HasPrefix(r, "n2") && strings.Contains(r, "│") {
			t.Errorf("the edge stays drawn with the view off: %s", r)
		}
	}
}
