package viz

import "time"

// Options configure the viewer and the text rendering. Use keyed literals:
// the blank field keeps positional ones from compiling.
type Options struct {
	// Highlight lists client operations by history handle (the Num of
	// their Invoke and Return events) to show as the failure: the
	// operations a linearizability checker found no order for.
	Highlight []int64
	// HighlightOps names operations the way the checker's history does
	// (client and invocation time); they are highlighted like Highlight.
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

	_ struct{}
}
