package paxos

import (
	"strconv"

	"github.com/faultline/faultline/nodes"
)

// Ballot orders proposals: a round number, then the proposer's id, so no
// two proposers ever use the same ballot. The zero Ballot is below every
// ballot a proposer uses.
type Ballot struct {
	N    uint64
	Node nodes.ID
}

// Less reports whether b orders before o.
func (b Ballot) Less(o Ballot) bool {
	if b.N != o.N {
		return b.N < o.N
	}
	return b.Node < o.Node
}

// IsZero reports whether b is the zero ballot.
func (b Ballot) IsZero() bool { return b == Ballot{} }

// String renders "3.n2" (round 3 of proposer n2).
func (b Ballot) String() string { return strconv.FormatUint(b.N, 10) + "." + b.Node.String() }

// Command is the value of one slot: a client's operation, or a no-op that
// fills a gap.
type Command struct {
	Noop   bool     `json:",omitempty"`
	Client nodes.ID `json:",omitempty"`
	Seq    uint64   `json:",omitempty"`
	Op     nodes.Op
}

// String renders "noop" or "c1 seq=3 put k1=c1-3".
func (c Command) String() string {
	if c.Noop {
		return "noop"
	}
	return c.Client.String() + " seq=" + strconv.FormatUint(c.Seq, 10) + " " + nodes.FormatOp(c.Op)
}

// Entry is a command in a slot.
type Entry struct {
	Slot uint64
	Cmd  Command
}

// AcceptedEntry is what an acceptor accepted in a slot: the ballot of the
// proposal and its command.
type AcceptedEntry struct {
	Slot   uint64
	Ballot Ballot
	Cmd    Command
}

// Prepare is phase 1a: proposer Ballot.Node asks every acceptor to promise
// Ballot for every slot from From on (the proposer's first unchosen slot),
// one message for the whole window.
type Prepare struct {
	Ballot Ballot
	From   uint64
}

// Promise is phase 1b: the acceptor promised Ballot (durably) and reports
// what it accepted in slots from From on. If it has dropped the proposals
// of some of those slots with its log (they were chosen, and are in its
// durable snapshot), Snap is its applied state, which stands for them.
type Promise struct {
	Ballot   Ballot
	From     uint64
	Accepted []AcceptedEntry
	Snap     *Snapshot
}

// Nack refuses a Prepare, Accept or Heartbeat of Ballot: the acceptor has
// promised the higher Promised.
type Nack struct {
	Ballot   Ballot
	Promised Ballot
}

// Accept is phase 2a: the leader of Ballot proposes Entries. Commit is the
// leader's applied slot (every slot up to it is chosen).
type Accept struct {
	Ballot  Ballot
	Entries []Entry
	Commit  uint64
}

// Accepted is phase 2b: the acceptor accepted (durably) the proposals of
// Ballot in Slots.
type Accepted struct {
	Ballot Ballot
	Slots  []uint64
}

// Learn tells a learner the chosen commands of some slots.
type Learn struct {
	Entries []Entry
}

// Heartbeat is the leader's periodic message: it is alive, and every slot
// up to Commit is chosen. Round numbers the heartbeats of the leader's
// incarnation (lease reads count acknowledged rounds).
type Heartbeat struct {
	Ballot Ballot
	Commit uint64
	Round  uint64
}

// HeartbeatOK acknowledges a heartbeat round; Applied is the follower's
// highest applied slot.
type HeartbeatOK struct {
	Ballot  Ballot
	Round   uint64
	Applied uint64
}

// CatchUp asks the leader for the chosen commands from slot From on.
type CatchUp struct {
	From uint64
}

// InstallSnapshot carries the leader's state machine to a replica that
// is behind the leader's log.
type InstallSnapshot struct {
	Snap Snapshot
}

// Clone copies the entries (the simulator's reflective copy is slower).
func (m Accept) Clone() nodes.Message {
	m.Entries = append([]Entry(nil), m.Entries...)
	return m
}

// Clone copies the slots.
func (m Accepted) Clone() nodes.Message {
	m.Slots = append([]uint64(nil), m.Slots...)
	return m
}

// Clone copies the entries.
func (m Learn) Clone() nodes.Message {
	m.Entries = append([]Entry(nil), m.Entries...)
	return m
}

// Clone: a Prepare holds no references.
func (m Prepare) Clone() nodes.Message { return m }

// Clone: a Nack holds no references.
func (m Nack) Clone() nodes.Message { return m }

// Clone: a Heartbeat holds no references.
func (m Heartbeat) Clone() nodes.Message { return m }

// Clone: a HeartbeatOK holds no references.
func (m HeartbeatOK) Clone() nodes.Message { return m }

// Clone: a CatchUp holds no references.
func (m CatchUp) Clone() nodes.Message { return m }
