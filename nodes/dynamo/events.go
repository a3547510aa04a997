package dynamo

// EventKind names what an Event records.
type EventKind uint8

// The events a server records for online invariants.
const (
	// EvStarted: the server (re)started.
	EvStarted EventKind = iota + 1
	// EvArrived: an operation on Key, Op, arrived at its coordinator.
	EvArrived
	// EvAnswered: the coordinator answered operation Op OK with Rec (the
	// record read, or written; Read tells which).
	EvAnswered
	// EvReplicaAcked: the server acknowledged Rec as a replica of Key.
	EvReplicaAcked
)

// Event is one moment of a handler an invariant may judge.
type Event struct {
	Kind EventKind
	Op   uint64
	Key  string
	Rec  Record
	Read bool
}

// Events returns what the last handler did that invariants judge. The
// list is reset at the start of every handler, so it costs nothing when
// no invariant reads it; the slice is the server's: do not keep it.
func (n *Node) Events() []Event { return n.events }

func (n *Node) event(e Event) { n.events = append(n.events, e) }
