package checker

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// A Recorder builds a History from client events as they happen. The
// simulator calls Invoke when a client starts an operation, Complete when
// it ends, and Annotate for each fault. Calls must come in virtual-time
// order (a single-threaded simulator does that by construction). Misuse —
// completing an unknown or finished handle, time going backwards — is a
// programmer bug and panics.
//
// The zero Recorder is ready to use.
type Recorder struct {
	h    History
	last time.Duration
}

// NewRecorder returns an empty Recorder whose history will be checked
// against model ("register", "kv", "set" or "" to infer).
func NewRecorder(model string) *Recorder {
	return &Recorder{h: History{Model: model}}
}

// Invoke records that client started op at virtual time at, and returns a
// handle for Complete. Only op's arguments (Kind, Key, Value, Expect) are
// recorded here.
func (r *Recorder) Invoke(client nodes.ID, at time.Duration, op nodes.Op) int {
	r.advance(at)
	if op.Kind == "" {
		panic(fmt.Sprintf("checker: Recorder.Invoke at %v by %v: empty op kind", at, client))
	}
	op.Output, op.Exists = "", false
	r.h.Ops = append(r.h.Ops, Operation{Client: client, Op: op, Outcome: nodes.Pending, Invoke: at})
	return len(r.h.Ops) - 1
}

// Complete records that the operation behind handle ended at virtual time
// at with outcome (OK, Fail or Info). For OK, op's Output and Exists are
// the result; the rest of op is ignored.
func (r *Recorder) Complete(handle int, at time.Duration, outcome nodes.Outcome, op nodes.Op) {
	r.advance(at)
	if handle < 0 || handle >= len(r.h.Ops) {
		panic(fmt.Sprintf("checker: Recorder.Complete at %v: unknown handle %d", at, handle))
	}
	o := &r.h.Ops[handle]
	if o.Outcome != nodes.Pending {
		panic(fmt.Sprintf("checker: Recorder.Complete at %v: %v completed twice", at, o))
	}
	if outcome == nodes.Pending {
		panic(fmt.Sprintf("checker: Recorder.Complete at %v: outcome must be OK, Fail or Info", at))
	}
	o.Outcome = outcome
	o.Return = at
	if outcome == nodes.OK {
		o.Output, o.Exists = op.Output, op.Exists
	}
}

// Annotate records a fault (or any event worth showing) next to the history.
func (r *Recorder) Annotate(a Annotation) {
	if a.End < a.Start {
		a.End = a.Start
	}
	r.h.Annotations = append(r.h.Annotations, a)
}

// History returns the history recorded so far. Operations still pending
// stay Pending, which checkers treat as indeterminate. The result shares
// no memory with the Recorder.
func (r *Recorder) History() *History {
	h := History{Model: r.h.Model}
	h.Ops = append([]Operation(nil), r.h.Ops...)
	h.Annotations = append([]Annotation(nil), r.h.Annotations...)
	return &h
}

func (r *Recorder) advance(at time.Duration) {
	if at < r.last {
		panic(fmt.Sprintf("checker: Recorder: time went backwards from %v to %v", r.last, at))
	}
	r.last = at
}
