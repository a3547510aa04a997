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
	Step       int // index of the schedule step; -1 for a fault applied directly
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
// trace file read back, a recorder's events): each FaultStart is paired
// with the first later FaultStop of the same kind, text and node; a start
// without a stop stays Open; each nemesis-skip mark becomes a skipped
// window (Step is -1 throughout: the trace does not record it).
func WindowsFromTrace(events []trace.Event) []Window {
	var out []Window
	for _, e := range events {
		switch {
		case e.Kind == trace.FaultStart:
			out = append(out, Window{Step: -1, Kind: e.Type, Text: e.Text, Node: e.Node, Start: e.At, Open: true})
		case e.Kind == trace.FaultStop:
			for i := range out {
				w := &out[i]
				if w.Open && w.Kind == e.Type && w.Text == e.Text && w.Node == e.Node {
					w.End, w.Open = e.At, false
					break
				}
			}
		case e.MarkType() == trace.MarkNemesisSkip:
			// Fault texts hold no colon; the first ": " ends the text.
			text, reason, _ := strings.Cut(e.Text, ": ")
			kind, _, _ := strings.Cut(text, " ")
			out = append(out, Window{Step: -1, Kind: kind, Text: text, Start: e.At, End: e.At, Skipped: reason})
		}
	}
	return out
}
