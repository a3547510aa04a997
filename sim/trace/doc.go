// Package trace defines the simulator's event record: one struct for every
// kind of thing that happens in a run (a message sent, delivered or dropped,
// a timer, a crash, a clock change, a disk operation, a node's log line, a
// client operation, a fault starting or stopping), its one canonical text
// form, a running hash, and the trace file format (JSON Lines, see
// docs/TRACE_FORMAT.md) that tools and the viewer read back.
//
// The package is a leaf: the simulator writes events, the checker and the
// viewer read them, and neither needs the other.
package trace
