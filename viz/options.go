package viz

import "time"

// Options configure the viewer and the text rendering. Use keyed literals:
// the blank field keeps positional ones from compiling.
//
// # Highlighting the failure
//
// Highlight, HighlightOps and HighlightSeqs mark what to show as the
// failure (ParseHighlight reads them from a --highlight flag). The first
// operation given is the lead: the one a linearizability checker could
// place in no order (checker.Result.Involved lists it first, then the
// operation that set the state it should have seen, then the concurrent
// ones). The v key lands on the lead and the detail pane names it; the
// others are labelled as involved. ParseHighlight remembers which list
// its first item went to; for options built by hand the lead is
// HighlightOps[0], else Highlight[0].
//
// When all three lists are empty and the trace records a checker
// violation (a Violation event of Type "linearizability" whose Note uses
// the --highlight syntax, written by the runner at the end of a failing
// run), the highlight is taken from it.
//
// Items that match nothing in the trace are never ignored silently:
// RenderText and RunViewer return an error naming them and the nearest
// match, and NewViewer shows the same on its status line.
type Options struct {
	// Highlight lists client operations by history handle (the Num of
	// their Invoke and Return events).
	Highlight []int64
	// HighlightOps names operations the way the checker's history does
	// (client and invocation time).
	HighlightOps []OpRef
	// HighlightSeqs lists events (by Seq) to highlight.
	HighlightSeqs []uint64
	// Title is shown in the header line (defaults to the trace's seed and
	// scenario).
	Title string
	// NoColor draws with glyphs and attributes only (the viewer is
	// readable without colour either way; this drops the colours too).
	NoColor bool

	// Text rendering only: the width in columns (default 120), and the
	// window of virtual time to draw (both zero: the whole trace).
	Width    int
	From, To time.Duration

	// lead is the list ParseHighlight put its first item in.
	lead leadList

	_ struct{}
}

// leadList names one of the highlight lists.
type leadList uint8

const (
	leadUnset leadList = iota
	leadHandle
	leadOp
	leadSeq
)

// hasHighlight reports whether the caller asked for any highlight.
func (o *Options) hasHighlight() bool {
	return len(o.Highlight) > 0 || len(o.HighlightOps) > 0 || len(o.HighlightSeqs) > 0
}
