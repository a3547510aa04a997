package nodes

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// ID names a process in a cluster: a server node or a simulated client.
// Servers are numbered from 1 and print as n1, n2, ...; clients are numbered
// from ClientBase+1 and print as c1, c2, ... . The zero ID is "nobody".
type ID int32

// ClientBase is added to a client's ordinal to form its ID.
const ClientBase ID = 1 << 20

// NodeID returns the ID of the i-th server (1-based).
func NodeID(i int) ID { return ID(i) }

// ClientID returns the ID of the i-th client (1-based).
func ClientID(i int) ID { return ClientBase + ID(i) }

// IsClient reports whether id names a client rather than a server.
func (id ID) IsClient() bool { return id > ClientBase }

// Index returns the 1-based ordinal of id among servers or among clients.
func (id ID) Index() int {
	if id.IsClient() {
		return int(id - ClientBase)
	}
	return int(id)
}

// Valid reports whether id can name a process: a server n1, n2, ... or a
// client c1, c2, ... (exactly the IDs String and ParseID round-trip).
func (id ID) Valid() bool {
	return (id > 0 && id < ClientBase) || (id > ClientBase && id < 2*ClientBase)
}

// String renders n<k> for servers and c<k> for clients.
func (id ID) String() string {
	switch {
	case id == 0:
		return "-"
	case id.IsClient():
		return "c" + strconv.Itoa(int(id-ClientBase))
	default:
		return "n" + strconv.Itoa(int(id))
	}
}

// ParseID reads the forms produced by ID.String (n3, c12).
func ParseID(s string) (ID, bool) {
	if len(s) < 2 || s[1] < '1' || s[1] > '9' { // no sign, no leading zero
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n <= 0 || n >= int(ClientBase) {
		return 0, false
	}
	switch s[0] {
	case 'n':
		return NodeID(n), true
	case 'c':
		return ClientID(n), true
	}
	return 0, false
}

// Message is anything a node sends. It is deep-copied on send (see the
// package doc); implement Cloner to provide the copy yourself.
type Message any

// Cloner is implemented by messages that copy themselves. Clone must return
// a deep copy: nothing reachable from the result may be shared with the
// receiver of the call.
type Cloner interface {
	Clone() Message
}

// Recycler is implemented by message types whose delivered copies a host
// may reuse for later sends of the same type, so that a protocol's hot
// messages are not allocated once per send (see "Recycled messages" in
// the package doc). CloneInto returns a deep copy of the receiver, as
// [Cloner.Clone] does, built in dst's memory: dst is nil (allocate a new
// value) or a value of the same dynamic type that a handler has finished
// with, whose contents are garbage and whose slices may be reused.
//
// Opting in is a promise about the receiving side: a handler must not keep
// a delivered Recycler, or anything it reaches (a slice's array), after it
// returns; it copies what it keeps. nodetest's messages check runs each
// seed with and without recycling and reports a trace that differs.
type Recycler interface {
	CloneInto(dst Message) Message
}

// Envelope is implemented by a message type that carries messages of
// several kinds — a protobuf message with a type field, as etcd raft's
// raftpb.Message is, or a struct wrapping an encoded frame. The host names
// each message by MessageType instead of its Go type: in the trace, in
// PeerMessageTypes, and for message-targeted faults (drop-type MsgApp,
// crash-on-send n1 5ms MsgVoteResp). MessageType must be cheap and
// depend only on the message, and should return one of a small, fixed set
// of names (a handful to a few dozen): each distinct name is a message
// type to the host.
type Envelope interface {
	MessageType() string
}

// TimerID identifies a pending timer so it can be cancelled. IDs are unique
// per node incarnation and never zero.
type TimerID uint64

// Node is a protocol instance. The host calls one method at a time; each
// call is atomic at one instant of virtual time and may only act on the
// world through env. Embed Base to get no-op defaults.
type Node interface {
	// Start runs on a fresh node and after every restart. A restarted node
	// must rebuild its state from env.Store() alone.
	Start(env Env)
	// Message delivers msg sent by from (a peer or a client).
	Message(env Env, from ID, msg Message)
	// Timer fires a timer set with env.SetTimer, passing back its tag.
	Timer(env Env, id TimerID, tag uint64)
	// Synced reports that the env.Store().Sync call with this tag has
	// completed: every store write issued before it is now durable.
	Synced(env Env, tag uint64)
}

// Factory builds the Node for a process; it is called at start and at
// every restart, and must return a fresh value each time.
type Factory func(id ID) Node

// Base gives no-op implementations of the Node methods.
type Base struct{}

func (Base) Start(Env)                  {}
func (Base) Message(Env, ID, Message)   {}
func (Base) Timer(Env, TimerID, uint64) {}
func (Base) Synced(Env, uint64)         {}

// Env is a node's only window on the world. It is valid only during the
// call it was passed to; do not keep it.
type Env interface {
	// ID is this process's identity.
	ID() ID
	// Peers lists the cluster's servers other than this process, in ID
	// order. For a client it lists every server.
	Peers() []ID

	// Now is the local wall clock: it starts near the simulation epoch,
	// carries this node's offset and drift, and can jump, even backwards.
	Now() time.Time
	// Monotonic is time since this process (incarnation) started as
	// measured by its local oscillator: it drifts, but never goes back.
	Monotonic() time.Duration

	// Send queues msg for delivery to the process to. The network may
	// delay, drop, duplicate or reorder it; no error is ever returned. A
	// message to a valid ID with no process is dropped; sending to an
	// invalid ID (see ID.Valid) or a nil msg is a bug and panics.
	Send(to ID, msg Message)
	// SetTimer arranges a call to Node.Timer after the node's monotonic
	// clock has advanced by after. Timers do not survive a crash.
	SetTimer(after time.Duration, tag uint64) TimerID
	// CancelTimer cancels a pending timer; cancelling a fired or unknown
	// timer does nothing.
	CancelTimer(id TimerID)

	// Rand is this node's random source, drawn from its own stream of the
	// run's seed. It is the only randomness node code may use.
	Rand() *rand.Rand
	// Store is this node's disk.
	Store() Store
	// Logf writes a line into the trace. Arguments are formatted only when
	// the trace is being recorded.
	Logf(format string, args ...any)

	// Reached marks a coverage probe: a point of interest in the protocol
	// ("leader stepped down", "snapshot installed"). A sweep reports how
	// many seeds reached each probe, and which never did. Name it with a
	// constant string; calling it is cheap.
	Reached(name string)
	// Sometimes declares a probe that should be true in some run of a
	// sweep: it counts as reached when cond is true, and as declared (so a
	// sweep can report it never fired) when false.
	Sometimes(cond bool, name string)
}

// LeaderReporter is an optional interface: a node that implements it lets
// fault injectors target "the current leader".
type LeaderReporter interface {
	IsLeader() bool
}

// Leaver is an optional interface: a node that implements it is told when
// it is asked to leave the cluster gracefully (the nemesis's leave fault),
// so it can announce its departure and sync what it must before the host
// stops it. Leave runs like any handler: atomically, acting only through
// env. A node without it is simply stopped after the grace period.
type Leaver interface {
	Leave(env Env)
}
