package trace_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

func TestFaultWindows(t *testing.T) {
	ms := time.Millisecond
	start := func(at time.Duration, id int64, text string) trace.Event {
		return trace.Event{At: at, Kind: trace.FaultStart, Num: id, Type: "partition", Text: text}
	}
	stop := func(at time.Duration, id int64, text string) trace.Event {
		return trace.Event{At: at, Kind: trace.FaultStop, Num: id, Type: "partition", Text: text}
	}
	other := trace.Event{At: 0, Kind: trace.Start, Node: nodes.NodeID(1), Num: 1}
	type win struct {
		id          int64
		start, stop time.Duration
		startEv     int
		stopEv      int
	}
	tests := []struct {
		name   string
		events []trace.Event
		want   []win
	}{
		{"a start and the stop with its id make a window",
			[]trace.Event{other, start(1*ms, 1, "p"), stop(5*ms, 1, "p")},
			[]win{{1, 1 * ms, 5 * ms, 1, 2}}},
		{"two faults with the same text pair by id, not first in first out",
			[]trace.Event{start(1*ms, 1, "p"), start(2*ms, 2, "p"), stop(3*ms, 2, "p"), stop(4*ms, 1, "p")},
			[]win{{1, 1 * ms, 4 * ms, 0, 3}, {2, 2 * ms, 3 * ms, 1, 2}}},
		{"a start without a stop stays open",
			[]trace.Event{start(1*ms, 1, "p")},
			[]win{{1, 1 * ms, 0, 0, -1}}},
		{"a stop whose start was cut off starts with the trace",
			[]trace.Event{other, stop(7*ms, 3, "p")},
			[]win{{3, 0, 7 * ms, -1, 1}}},
		{"a stop only closes the window of its own id",
			[]trace.Event{start(1*ms, 1, "p"), stop(2*ms, 2, "p")},
			[]win{{1, 1 * ms, 0, 0, -1}, {2, 1 * ms, 2 * ms, -1, 1}}},
		{"events without ids (older traces) pair by text, first in first out",
			[]trace.Event{start(1*ms, 0, "p"), start(2*ms, 0, "p"), start(3*ms, 0, "q"), stop(4*ms, 0, "p"), stop(5*ms, 0, "q")},
			[]win{{0, 1 * ms, 4 * ms, 0, 3}, {0, 2 * ms, 0, 1, -1}, {0, 3 * ms, 5 * ms, 2, 4}}},
		{"no fault events, no windows", []trace.Event{other}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := trace.FaultWindows(tc.events)
			if len(got) != len(tc.want) {
				t.Fatalf("%d windows, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				stop := g.Stop
				if g.Open() {
					stop = 0
				}
				if g.ID != w.id || g.Start != w.start || stop != w.stop || g.StartEvent != w.startEv || g.StopEvent != w.stopEv {
					t.Errorf("window %d = %+v, want %+v", i, g, w)
				}
				if g.Open() != (w.stopEv < 0) {
					t.Errorf("window %d: Open() = %v", i, g.Open())
				}
			}
		})
	}
}
