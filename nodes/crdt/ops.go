package crdt

import "github.com/faultline/faultline/nodes"

// The operations of the counter and set workloads, beside nodes.OpRead
// (read the whole object). They have the text of checker.OpAdd and
// checker.OpRemove, so history files read back (package crdt does not
// import the checker; a test keeps them equal).
const (
	// OpAdd adds Value to a counter (a decimal delta, negative for a
	// decrement) or adds the element Value to a set. On a set, an OK add's
	// Output is the dot it created ("n2.7").
	OpAdd nodes.OpKind = "add"
	// OpRemove removes the element Value from a set. An OK remove's Output
	// lists the dots it removed (FormatDots): the adds it observed.
	OpRemove nodes.OpKind = "remove"
)
