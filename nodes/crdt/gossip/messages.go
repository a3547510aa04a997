package gossip

import "github.com/faultline/faultline/nodes"

// Gossip carries a replica's durable object to a peer, which merges it:
// the periodic anti-entropy round, and the push of a set or register
// after a local update.
type Gossip struct {
	Value Value
}

// Clone copies the object deeply (cheaper than the simulator's
// reflective copy).
func (g Gossip) Clone() nodes.Message { return Gossip{Value: g.Value.Clone()} }

// Push announces one local counter update to peers: Origin's entry of
// the increments (or, with Neg, of the decrements) is now Entry, after
// adding Delta. A receiver merges the entry (a maximum: a duplicate or a
// late copy changes nothing).
type Push struct {
	Origin nodes.ID
	Neg    bool
	Entry  uint64
	Delta  uint64
}
