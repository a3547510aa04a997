package raftkv

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// StateMachine is a replicated state machine a Node applies committed
// commands to in place of its own KV store: the hook through which another
// protocol (a replica group of a sharded store, a controller) reuses Raft.
//
// With a StateMachine every request goes through the log (Config.ReadMode
// must be ReadLog) and the Node keeps no session table of its own: the
// state machine sees each command's client and sequence number and does
// its own deduplication. Its methods run inside the Node's handlers and
// must be deterministic functions of the commands applied so far.
type StateMachine interface {
	// Apply applies one committed command, in log order, and returns the
	// reply for the client that proposed it (Seq and, if the state
	// machine leaves it 0, Leader are filled in by the Node). Commands
	// proposed with Propose come with the proposing server as client and
	// Seq 0, and their reply goes nowhere.
	Apply(client nodes.ID, seq uint64, op nodes.Op) kv.Reply
	// Snapshot encodes the state for log compaction; equal states must
	// encode equally.
	Snapshot() []byte
	// Restore replaces the state with one Snapshot encoded (on restart
	// and when a leader installs a snapshot).
	Restore(snapshot []byte) error
}

// NewNode returns one Raft server that applies committed commands to sm
// (nil: the built-in KV store). peers, if non-nil, are the other members
// of its Raft group, in place of env.Peers(): a cluster may then hold
// several independent groups. Like New, it panics on a Config that does
// not Validate; with a StateMachine, ReadMode must be ReadLog.
func NewNode(cfg Config, sm StateMachine, peers []nodes.ID) *Node {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if sm != nil && cfg.ReadMode != ReadLog {
		panic(fmt.Sprintf("raftkv: NewNode: a StateMachine needs ReadMode %v, got %v", ReadLog, cfg.ReadMode))
	}
	return &Node{cfg: cfg.WithDefaults(), custom: sm, group: peers}
}

// Propose appends op to the log as a command of this server (client: its
// own ID, Seq 0) if it is the leader, and reports whether it did. The
// command is applied like any other once committed; nobody is answered.
// Call it from within one of the server's handlers, with that handler's
// env.
func (n *Node) Propose(env nodes.Env, op nodes.Op) bool {
	if n.role != Leader {
		return false
	}
	n.begin()
	n.appendEntry(env, Entry{Term: n.term, Client: n.id, Seq: 0, Op: op})
	n.broadcast(env)
	n.end(env)
	return true
}

// Leader returns the leader of the current term as this server knows it
// (0 if unknown).
func (n *Node) Leader() nodes.ID { return n.leader }

// applyCustom applies entry e to the custom state machine.
func (n *Node) applyCustom(e *Entry) result {
	r := n.custom.Apply(e.Client, e.Seq, e.Op)
	return result{Status: r.Status, Value: r.Value, Exists: r.Exists, hint: r.Leader}
}
