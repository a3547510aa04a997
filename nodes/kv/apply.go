package kv

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// Result is what applying an operation gives a server to answer with: the
// reply's Status and, for a read (or a rejected cas), the value found.
type Result struct {
	Status Status
	Value  string
	Exists bool
}

// Known reports whether kind is an operation of the kv or register
// workload, the only ones Apply performs.
func Known(kind nodes.OpKind) bool {
	switch kind {
	case nodes.OpGet, nodes.OpRead, nodes.OpPut, nodes.OpWrite, nodes.OpAppend, nodes.OpCAS:
		return true
	}
	return false
}

// Apply performs op on data with the semantics the checker's kv and
// register models judge: a missing key reads as "" with Exists false; put
// and write set, append concatenates; a cas compares against the current
// value, a missing key counting as "" — except for the single register
// (key ""), where a missing value matches nothing. A rejected cas is
// StatusCASMismatch with the value found, and changes nothing. Every
// replicated KV store applies its committed operations through Apply, so
// two protocols cannot disagree on what an operation means. It panics on
// an operation Known rejects: check requests when they arrive.
func Apply(data map[string]string, op nodes.Op) Result {
	cur, exists := data[op.Key]
	switch op.Kind {
	case nodes.OpGet, nodes.OpRead:
		return Result{Status: StatusOK, Value: cur, Exists: exists}
	case nodes.OpPut, nodes.OpWrite:
		data[op.Key] = op.Value
	case nodes.OpAppend:
		data[op.Key] = cur + op.Value
	case nodes.OpCAS:
		if cur != op.Expect || (!exists && op.Key == "") {
			return Result{Status: StatusCASMismatch, Value: cur, Exists: exists}
		}
		data[op.Key] = op.Value
	default:
		panic(fmt.Sprintf("kv: Apply: unknown operation kind %q", op.Kind))
	}
	return Result{Status: StatusOK}
}
