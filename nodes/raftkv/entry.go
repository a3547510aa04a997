package raftkv

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// Entry is one log entry. A leader's first entry in its term is a no-op
// (Client 0), which lets it commit everything before it (§8) and marks the
// point from which it may serve reads. Every other entry is a client
// command: Client and Seq identify the request (for the session table) and
// Op is the operation.
type Entry struct {
	Term   uint64
	Client nodes.ID
	Seq    uint64
	Op     nodes.Op
}

// IsNoop reports whether e is a leader's no-op entry.
func (e *Entry) IsNoop() bool { return e.Client == 0 }

// EntryID identifies an entry's command for the invariant checkers: two
// entries with the same ID are the same proposal. Raft guarantees that an
// index and a term determine the entry, so comparing IDs at one index
// detects a log or state-machine divergence.
type EntryID struct {
	Term   uint64
	Client nodes.ID
	Seq    uint64
}

// ID returns e's identity.
func (e *Entry) ID() EntryID { return EntryID{Term: e.Term, Client: e.Client, Seq: e.Seq} }

func (id EntryID) String() string {
	if id.Client == 0 {
		return fmt.Sprintf("t%d:noop", id.Term)
	}
	return fmt.Sprintf("t%d:%v#%d", id.Term, id.Client, id.Seq)
}
