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
	h History // Model and Annotations; the operations are in chunks
	// chunks hold the operations in invocation order, recorderChunk to a
	// chunk: a long run's history grows without copying what it holds
	// (a slice grown by append copies it about four times over, 128 bytes
	// an operation), and History copies it once, into a slice of its size.
	chunks [][]Operation
	n      int
	last   time.Duration
}

// recorderChunk is the number of operations in a chunk (128 KiB).
const recorderChunk = 1024

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
	if r.n%recorderChunk == 0 {
		r.chunks = append(r.chunks, make([]Operation, 0, recorderChunk))
	}
	c := &r.chunks[len(r.chunks)-1]
	*c = append(*c, Operation{Client: client, Op: op, Outcome: nodes.Pending, Invoke: at})
	r.n++
	return r.n - 1
}

// Complete records that the operation behind handle ended at virtual time
// at with outcome (OK, Fail or Info). For OK, op's Output and Exists are
// the result; the rest of op is ignored.
func (r *Recorder) Complete(handle int, at time.Duration, outcome nodes.Outcome, op nodes.Op) {
	r.advance(at)
	if handle < 0 || handle >= r.n {
		panic(fmt.Sprintf("checker: Recorder.Complete at %v: unknown handle %d", at, handle))
	}
	o := &r.chunks[handle/recorderChunk][handle%recorderChunk]
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
	if r.n > 0 {
		h.Ops = make([]Operation, 0, r.n)
	}
	for _, c := range r.chunks {
		h.Ops = append(h.Ops, c...)
	}
	h.Annotations = append([]Annotation(nil), r.h.Annotations...)
	return &h
}

func (r *Recorder) advance(at time.Duration) {
	if at < r.last {
		panic(fmt.Sprintf("checker: Recorder: time went backwards from %v to %v", r.last, at))
	}
	r.last = at
}
