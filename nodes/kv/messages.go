package kv

import "github.com/faultline/faultline/nodes"

// Request asks a KV node to perform Op on behalf of client Client. Seq
// numbers a client's operations from 1; a retry of the same operation
// carries the same Seq, so a node with a session table applies it once.
// Op.Kind is one of nodes.OpGet, OpPut, OpAppend, OpCAS (Op.Expect is the
// value compared), or OpRead/OpWrite for single-register workloads (Key "").
//
// Context is the client's session context: the Context of the last OK
// reply it received from any server, sent with every later request (and
// every retry, to whichever server). It is opaque to the client; a
// protocol whose sessions carry state across servers (a causal store's
// dependencies) puts it there. Empty until a server sets one.
type Request struct {
	Client  nodes.ID
	Seq     uint64
	Op      nodes.Op
	Context string
}

// Status is a node's answer to a Request.
type Status uint8

const (
	// StatusOK: applied; Reply carries the result.
	StatusOK Status = iota + 1
	// StatusNotLeader: not applied here; try Reply.Leader (0 if unknown).
	StatusNotLeader
	// StatusCASMismatch: a cas whose current value differed from Expect;
	// certainly not applied (a definite failure).
	StatusCASMismatch
	// StatusRetry: the node could not finish the request (lost leadership
	// before commit, read not confirmable); it may or may not have been
	// applied, and retrying the same Seq is safe.
	StatusRetry
	// StatusUnsupported: the server does not perform this kind of
	// operation at all (a store without atomic read-modify-write, such as
	// a quorum register, answers cas and append with it); certainly not
	// applied, and retrying cannot help, so the client ends the operation
	// fail. A protocol that answers it should say so in its docs, and its
	// scenarios should leave the kind out of the mix.
	StatusUnsupported
	// StatusFailed: the request certainly was not applied and never will
	// be (a quorum protocol whose attempts can no longer agree), so the
	// client ends the operation fail and moves on rather than retrying
	// the same Seq.
	StatusFailed
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusNotLeader:
		return "not-leader"
	case StatusCASMismatch:
		return "cas-mismatch"
	case StatusRetry:
		return "retry"
	case StatusUnsupported:
		return "unsupported"
	case StatusFailed:
		return "failed"
	}
	return "status?"
}

// Reply answers the Request with the same Client and Seq. For get/read,
// Value and Exists give the result. Context, if not empty on an OK reply,
// replaces the client's session context (see Request); other replies
// leave it unchanged.
type Reply struct {
	Seq     uint64
	Status  Status
	Leader  nodes.ID
	Value   string
	Exists  bool
	Context string
}
