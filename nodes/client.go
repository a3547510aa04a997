package nodes

import "fmt"

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

// Op is one client operation as it goes into the history. Kind names the
// operation ("get", "put", "append", "cas", "read", "write", "add"); Key,
// Value and Expect are its arguments (Expect is the compare value of a cas);
// Output is what an OK operation returned. Exists reports whether a read
// found a value (a get of a missing key has Exists false).
type Op struct {
	Kind   string
	Key    string
	Value  string
	Expect string
	Output string
	Exists bool
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
