package trace

import (
	"time"

	"github.com/faultline/faultline/nodes"
)

// FaultWindow is one fault as a trace records it: a FaultStart and the
// FaultStop with the same fault id (their Num).
type FaultWindow struct {
	ID    int64 // the fault's id; 0 for a trace written before faults had ids
	Kind  string
	Text  string   // canonical text [resolution]
	Node  nodes.ID // the one server hit, if one
	Start time.Duration
	Stop  time.Duration // meaningful only when StopEvent >= 0
	// StartEvent and StopEvent are the indices of the two events in the
	// slice given to FaultWindows. StopEvent is -1 while the fault is
	// still active at the end of the trace; StartEvent is -1 for a stop
	// whose start the trace does not hold (it was cut at the front), and
	// Start is then the time of the trace's first event.
	StartEvent, StopEvent int
}

// Open reports whether the fault was still active when the trace ended.
func (w *FaultWindow) Open() bool { return w.StopEvent < 0 }

// FaultWindows derives the fault windows of a trace's events (a trace file
// read back, a recorder's events), in the order of their first event:
// each FaultStart opens a window and the FaultStop with the same id closes
// it. It is the one place that pairs fault events; the nemesis's windows,
// the viewer's fault bars and the plots all come from it.
//
// Fault events without an id (Num 0, traces written before faults had
// ids) pair first in, first out among the id-less windows of the same
// text.
func FaultWindows(events []Event) []FaultWindow {
	var out []FaultWindow
	open := map[int64]int{}      // fault id -> index in out
	legacy := map[string][]int{} // text -> indices in out of id-less open windows
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case FaultStart:
			if e.Num != 0 {
				open[e.Num] = len(out)
			} else {
				legacy[e.Text] = append(legacy[e.Text], len(out))
			}
			out = append(out, FaultWindow{ID: e.Num, Kind: e.Type, Text: e.Text, Node: e.Node, Start: e.At, StartEvent: i, StopEvent: -1})
		case FaultStop:
			k, ok := open[e.Num]
			if e.Num != 0 {
				delete(open, e.Num)
			} else if q := legacy[e.Text]; len(q) > 0 {
				k, ok = q[0], true
				legacy[e.Text] = q[1:]
			}
			if ok {
				out[k].Stop, out[k].StopEvent = e.At, i
				continue
			}
			out = append(out, FaultWindow{ID: e.Num, Kind: e.Type, Text: e.Text, Node: e.Node, Start: events[0].At, Stop: e.At, StartEvent: -1, StopEvent: i})
		}
	}
	return out
}
