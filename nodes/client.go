package nodes

import (
	"fmt"
	"slices"
	"strings"
)

// Outcome is how a client operation ended, in Jepsen's vocabulary.
type Outcome uint8

const (
	// Pending: invoked, not yet returned.
	Pending Outcome = iota
	// OK: the operation took effect and Output is its result.
	OK
	// Fail: the operation certainly did not take effect.
	Fail
	// Info: indeterminate — it may or may not have taken effect (timeout,
	// lost connection, crashed client).
	Info
)

func (o Outcome) String() string {
	switch o {
	case Pending:
		return "invoke"
	case OK:
		return "ok"
	case Fail:
		return "fail"
	case Info:
		return "info"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// OpKind names a client operation. The set is open: a workload defines the
// kinds it issues ("transfer", "enqueue", ...), and a checker for them says
// what they mean. The constants are the key-value and register vocabulary
// that the bundled workloads, protocols, checkers and viewers share; their
// text is what histories and traces store.
type OpKind string

// The key-value and register operations.
const (
	OpGet    OpKind = "get"    // read a key: Output is its value, Exists whether it has one
	OpPut    OpKind = "put"    // set a key to Value
	OpAppend OpKind = "append" // append Value to a key's value
	OpCAS    OpKind = "cas"    // set to Value if the current value is Expect
	OpRead   OpKind = "read"   // read the register (or, in other workloads, the whole state)
	OpWrite  OpKind = "write"  // set the register to Value
)

// OpKinds returns the key-value and register operations, in the order of
// their declaration.
func OpKinds() []OpKind {
	return []OpKind{OpGet, OpPut, OpAppend, OpCAS, OpRead, OpWrite}
}

func (k OpKind) String() string { return string(k) }

// IsRead reports whether k is a key-value get or a register read: an
// operation whose Output (and Exists) is the value it observed.
func (k OpKind) IsRead() bool { return k == OpGet || k == OpRead }

// ParseOpKind reads an operation kind as String writes it. Any kind a
// workload may define is accepted: a non-empty word of letters, digits, '-'
// and '_'.
func ParseOpKind(s string) (OpKind, error) {
	if s == "" {
		return "", fmt.Errorf("nodes: empty operation kind")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", fmt.Errorf("nodes: operation kind %q: want a word of letters, digits, '-' and '_'", s)
		}
	}
	return OpKind(s), nil
}

// Op is one client operation as it goes into the history. Kind names the
// operation (see [OpKind]); Key, Value and Expect are its arguments (Expect
// is the compare value of a cas); Output is what an OK operation returned.
// Exists reports whether a read found a value (a get of a missing key has
// Exists false).
type Op struct {
	Kind   OpKind
	Key    string
	Value  string
	Expect string
	Output string
	Exists bool
}

// FormatOp renders op's arguments compactly, the one form traces, messages
// and viewers use: "get k1", "put k1=v3", "cas k1 v1->v2", "write 3"
// (a register has no key), "add x". An operation of any other kind shows
// its key and, unless it is a read, its value if it has one.
func FormatOp(op Op) string {
	switch {
	case op.Kind == OpCAS:
		return strings.TrimSpace("cas " + op.Key + " " + op.Expect + "->" + op.Value)
	case op.Kind == OpPut || op.Kind == OpAppend || op.Kind == OpWrite || op.Value != "" && !op.Kind.IsRead():
		if op.Key != "" {
			return string(op.Kind) + " " + op.Key + "=" + op.Value
		}
		return string(op.Kind) + " " + op.Value
	}
	return strings.TrimSpace(string(op.Kind) + " " + op.Key)
}

// ClientEnv is the Env a simulated client receives: it records history.
type ClientEnv interface {
	Env
	// Invoke records the start of op and returns its history handle.
	Invoke(op Op) int
	// Complete records the end of the operation started by Invoke.
	// For OK, op carries the output.
	Complete(handle int, outcome Outcome, op Op)
}

// SiblingSeparator joins the values of a read that found several
// concurrent versions of a key (siblings, in a store that keeps them, such
// as multi-leader replication with version vectors): Op.Output is the
// siblings sorted and joined by it, which JoinSiblings writes and Siblings
// reads. Values the stock clients write never contain it.
const SiblingSeparator = "|"

// JoinSiblings renders concurrent versions of a key as one read value:
// sorted, duplicates dropped, joined by SiblingSeparator.
func JoinSiblings(values []string) string {
	vs := slices.Clone(values)
	slices.Sort(vs)
	return strings.Join(slices.Compact(vs), SiblingSeparator)
}

// Siblings splits a read value into the versions it holds (one, for a
// store without siblings; none for "").
func Siblings(value string) []string {
	if value == "" {
		return nil
	}
	return strings.Split(value, SiblingSeparator)
}
