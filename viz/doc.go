// Package viz shows what happened in a run: an interactive terminal
// timeline of a trace (tcell), the same timeline as plain text for CI logs
// and golden tests, and plots of latency, availability and seed sweeps
// (gonum/plot, PNG or SVG).
//
// # Why a timeline
//
// A failing seed is a story told by several processes at once: a client's
// write that returned ok, a partition that started a little earlier, a
// read served by the node that was cut off. The canonical text trace has
// every detail but no shape; the timeline gives it one. Each server and
// client gets a lane, virtual time runs left to right, and the things that
// explain failures are drawn so they can be read at a glance:
//
//   - messages as send (>) and deliver (<) marks, drops (x), duplicates (d)
//     and held messages (h); selecting one highlights its other end;
//   - client operations as bars from invocation to completion, their fill
//     telling the outcome ([op====] ok, [op----] fail, [op????] info);
//   - crashes as gaps in the lane (X … R), pauses as dotted stretches;
//   - fault windows as shaded bands above the lanes, with their text form,
//     and a clock skew as ~ on the lane plus the offset in its label;
//   - the failure — an online violation, a panic, or the operations the
//     linearizability checker reported (Options.Highlight, or the
//     checker's violation event the runner appends to the trace) — in
//     {braces} and !, and one key (v) away: v lands on the operation no
//     order can place, the first one highlighted.
//
// Every class of thing has its own glyph, so the picture reads the same
// without colour, in a CI log, or in a golden file.
//
// # Big traces
//
// The trace is indexed once (per-lane event lists, paired operations and
// fault windows, message links); drawing a frame binary-searches the
// window and examines at most a few events per cell, so scrolling a
// million-event trace costs the same as a small one (see the benchmarks).
//
// # Entry points
//
//   - [RunViewer] runs the interactive viewer on a tcell screen until the
//     user quits; [NewViewer] with [Viewer.Handle] and [Viewer.Draw] is the
//     same viewer driven step by step (tests use tcell's simulation screen).
//   - [RenderText] writes the timeline as text.
//   - [PlotLatency], [PlotAvailability], [PlotRate] and [PlotSweep] write
//     plots (those over time mark the failure: the operation the checker
//     could not place, other violations);
//     [Ops] and [FaultWindows] are the data they are drawn from.
//
// docs/VIEWER.md has the key map, a capture of the screen and a
// walkthrough from a failing seed to its cause.
package viz
