package checker

import "github.com/faultline/faultline/nodes"

// The operations of the checker's own models and checkers, beside the
// key-value and register vocabulary of package nodes (nodes.OpGet,
// nodes.OpPut, nodes.OpAppend, nodes.OpCAS, nodes.OpRead, nodes.OpWrite).
// The set model and the bank checker read the whole state with
// nodes.OpRead.
const (
	OpAdd      nodes.OpKind = "add"      // set: add Value to the set
	OpRemove   nodes.OpKind = "remove"   // set: remove Value from the set (nodes/crdt's add-wins set; the set model has no remove)
	OpGenerate nodes.OpKind = "generate" // unique ids: Output is a fresh id
	OpTransfer nodes.OpKind = "transfer" // bank: move money between accounts
)
