package paxos

import (
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// EventKind says what a server did, as the invariants see it.
type EventKind uint8

const (
	// EventAccepted: the acceptor accepted Cmd in Slot under Ballot.
	EventAccepted EventKind = iota + 1
	// EventLearned: the learner learned that Cmd was chosen in Slot.
	EventLearned
	// EventApplied: the state machine reached Slot with hash chain Hash
	// (by applying it, by installing a snapshot, or at start).
	EventApplied
	// EventAnswered: the acceptor answered a Prepare (Promise) or an
	// Accept (Accepted) of Ballot: it told a proposer it promised Ballot.
	EventAnswered
	// EventPromised: the acceptor promised Ballot (in memory; it answers
	// once the promise is durable).
	EventPromised
)

// Event is one thing a server did, kept for the online invariants.
type Event struct {
	Kind   EventKind
	Slot   uint64
	Ballot Ballot
	Cmd    Command
	Hash   uint64
}

// eventsKeep bounds the events a server keeps (an invariant reading after
// every handler needs only the last few).
const eventsKeep = 1024

func (n *Node) record(e Event) {
	n.events = append(n.events, e)
	if len(n.events) > eventsKeep {
		drop := len(n.events) - eventsKeep/2
		n.evStart += uint64(drop)
		n.events = append(n.events[:0], n.events[drop:]...)
	}
}

// Events returns the events numbered from seq on (numbered from 0 in this
// incarnation), and the number of the next event. Events dropped before
// they were read are skipped.
func (n *Node) Events(seq uint64) ([]Event, uint64) {
	end := n.evStart + uint64(len(n.events))
	if seq < n.evStart {
		seq = n.evStart
	}
	if seq >= end {
		return nil, end
	}
	return n.events[seq-n.evStart:], end
}

// Status is what a server exposes to digests and tests.
type Status struct {
	Role     Role
	Ballot   Ballot // its own, as candidate or leader
	Promised Ballot
	Applied  uint64
	Hash     uint64
	// Snapshot is the Index of the durable snapshot.
	Snapshot uint64
	// Accepted is how many proposals the acceptor holds above it.
	Accepted int
}

// Status reports the server's state.
func (n *Node) Status() Status {
	return Status{
		Role: n.role, Ballot: n.ballot, Promised: n.acc.promised,
		Applied: n.sm.Index, Hash: n.sm.Hash, Snapshot: n.durableSnap, Accepted: len(n.acc.accepted),
	}
}

// Value returns a key's value in the applied state.
func (n *Node) Value(key string) (string, bool) {
	v, ok := n.sm.Data[key]
	return v, ok
}

// Keys returns the keys of the applied state, sorted.
func (n *Node) Keys() []string { return slices.Sorted(maps.Keys(n.sm.Data)) }

// Peers returns the other servers (for tests).
func (n *Node) Peers() []nodes.ID { return slices.Clone(n.peers) }
