package raftkv

import "github.com/faultline/faultline/nodes"

// Status is a read-only summary of a node, for invariant checkers, tests
// and viewers.
type Status struct {
	ID     nodes.ID
	Term   uint64
	Role   Role
	Vote   nodes.ID
	Leader nodes.ID
	// CommitIndex and LastApplied are the volatile indexes of Figure 2.
	CommitIndex uint64
	LastApplied uint64
	// The log holds entries (SnapshotIndex, LastIndex]; SnapshotIndex and
	// SnapshotTerm describe the last entry folded into the snapshot.
	SnapshotIndex uint64
	SnapshotTerm  uint64
	LastIndex     uint64
	// LogChangedFrom is the lowest log index written (appended or
	// overwritten) by the node's most recent handler, or 0 if that handler
	// did not change the log. After Start it covers the recovered log.
	LogChangedFrom uint64
}

// Status returns the node's current status.
func (n *Node) Status() Status {
	return Status{
		ID:             n.id,
		Term:           n.term,
		Role:           n.role,
		Vote:           n.vote,
		Leader:         n.leader,
		CommitIndex:    n.commit,
		LastApplied:    n.applied,
		SnapshotIndex:  n.log.snapIndex,
		SnapshotTerm:   n.log.snapTerm,
		LastIndex:      n.log.lastIndex(),
		LogChangedFrom: n.changedFrom,
	}
}

// Entry returns the identity of log entry i and the term of entry i-1
// (for log matching), or false if i is not in the log (compacted or beyond
// the end).
func (n *Node) Entry(i uint64) (id EntryID, prevTerm uint64, ok bool) {
	if i <= n.log.snapIndex || i > n.log.lastIndex() {
		return EntryID{}, 0, false
	}
	prevTerm, _ = n.log.term(i - 1)
	return n.log.at(i).ID(), prevTerm, true
}

// Applied returns the identity of the command this node applied at index
// i, or false if it no longer remembers (i is at or below an older
// snapshot) or has not applied i. The node remembers at least every index
// applied since its previous snapshot, so a checker called after every
// handler sees each applied index.
func (n *Node) Applied(i uint64) (EntryID, bool) {
	if i <= n.trailBase || i > n.applied || i-n.trailBase > uint64(len(n.trail)) {
		return EntryID{}, false
	}
	return n.trail[i-n.trailBase-1], true
}

// Value returns the state machine's value for key (for convergence checks
// in tests).
func (n *Node) Value(key string) (string, bool) {
	v, ok := n.sm.data[key]
	return v, ok
}

// noteChanged records that the log changed from index i on.
func (n *Node) noteChanged(i uint64) {
	if i > n.log.lastIndex() {
		return
	}
	if n.changedFrom == 0 || i < n.changedFrom {
		n.changedFrom = i
	}
}
