package nemesis

import (
	"fmt"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// Window is one fault as it happened (or was skipped): the nemesis entries
// a history and a timeline show.
type Window struct {
	ID         int64 // the fault's id in the trace (Sim.StartFault); 0 if skipped
	Step       int   // index of the schedule step; -1 for a fault applied directly
	Kind       string
	Text       string   // as in the trace: canonical text [resolution]
	Node       nodes.ID // the one server hit, if one
	Start, End time.Duration
	Open       bool   // still active (End is meaningless)
	Skipped    string // why the fault did not start; "" if it did
}

func (w Window) String() string {
	switch {
	case w.Skipped != "":
		return fmt.Sprintf("%v skipped %s: %s", w.Start, w.Text, w.Skipped)
	case w.Open:
		return fmt.Sprintf("%v.. %s", w.Start, w.Text)
	}
	return fmt.Sprintf("%v..%v %s", w.Start, w.End, w.Text)
}

// WindowsFromTrace rebuilds the fault windows from a trace's events (a
// trace file read back, a recorder's events): trace.FaultWindows pairs
// each FaultStart with its FaultStop by fault id, a start without a stop
// stays Open, and each nemesis-skip mark becomes a skipped window, all in
// trace order (Step is -1 throughout: the trace does not record it).
func WindowsFromTrace(events []trace.Event) []Window {
	faults := trace.FaultWindows(events)
	var out []Window
	k := 0
	for i := range events {
		for k < len(faults) && first(&faults[k]) == i {
			fw := &faults[k]
			out = append(out, Window{ID: fw.ID, Step: -1, Kind: fw.Kind, Text: fw.Text, Node: fw.Node, Start: fw.Start, End: fw.Stop, Open: fw.Open()})
			k++
		}
		if e := &events[i]; e.MarkType() == trace.MarkNemesisSkip {
			// Fault texts hold no colon; the first ": " ends the text.
			text, reason, _ := strings.Cut(e.Text, ": ")
			kind, _, _ := strings.Cut(text, " ")
			out = append(out, Window{Step: -1, Kind: kind, Text: text, Start: e.At, End: e.At, Skipped: reason})
		}
	}
	return out
}

// first is the index of a fault window's first event in the trace.
func first(fw *trace.FaultWindow) int {
	if fw.StartEvent >= 0 {
		return fw.StartEvent
	}
	return fw.StopEvent
}
