package paxos

import (
	"fmt"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// New returns the server factory. It panics on an invalid Config (call
// Validate on user input).
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(id nodes.ID) nodes.Node { return &Node{cfg: cfg, id: id} }
}

// Role is what a server is doing in the election.
type Role uint8

const (
	// Follower: accepts the leader's proposals and learns.
	Follower Role = iota
	// Candidate: runs phase 1 for its ballot.
	Candidate
	// Leader: won phase 1; proposes (phase 2) in its ballot.
	Leader
)

func (r Role) String() string {
	switch r {
	case Follower:
		return "follower"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Probes: the points of interest a sweep reports coverage of.
const (
	ProbeElected       = "paxos: leader elected (phase 1 done)"
	ProbeAdopted       = "paxos: phase 1 adopted an accepted value"
	ProbeNoop          = "paxos: gap filled with a no-op"
	ProbeSnapInstalled = "paxos: snapshot installed"
	ProbeSnapPromise   = "paxos: new leader caught up from a promise's snapshot"
	ProbeLeaseRead     = "paxos: read served under the lease"
	ProbeSession       = "paxos: retried request answered from the session table"
	ProbeStepDown      = "paxos: leader stepped down"
	ProbeLostQuorum    = "paxos: leader lost its quorum"
	ProbePreempted     = "paxos: proposer preempted by a higher ballot"
	ProbeCompacted     = "paxos: log compacted by a snapshot"
)

// Timer tags: the periodic tick, and the election timeout.
const (
	tickTag = iota + 1
	electionTag
)

// proposal is a slot the leader proposes and has not yet seen chosen.
type proposal struct {
	cmd  Command
	acks uint64 // bit i: server n(i+1) accepted it
}

// waiter is a client waiting for the slot its command was proposed in.
type waiter struct {
	from   nodes.ID
	client nodes.ID
	seq    uint64
}

type request struct {
	from nodes.ID
	req  kv.Request
}

// Node is one Multi-Paxos server: proposer, acceptor and learner.
type Node struct {
	nodes.Base
	cfg   Config
	id    nodes.ID
	peers []nodes.ID // the other servers, in ID order
	n     int        // cluster size

	// Acceptor.
	acc   acceptorState
	disk  disk
	syncs durable.Syncs
	// guardUntil (lease mode): until then the acceptor ignores every
	// Prepare but guardFor's (the leader it last acknowledged).
	guardUntil time.Duration
	guardFor   nodes.ID

	// Learner.
	sm     Snapshot           // the applied state; sm.Index is the applied slot
	chosen map[uint64]Command // learned, above sm.Index
	// tail holds the applied commands above durableSnap, for catch-up.
	tail        []Entry
	durableSnap uint64 // Index of the durable snapshot
	snapPending bool
	catchUpAt   time.Duration

	// Election.
	role     Role
	ballot   Ballot // a candidate's or leader's own ballot
	maxSeen  uint64 // highest ballot round heard of
	leader   nodes.ID
	deadline time.Duration // monotonic time at which to start phase 1
	election nodes.TimerID // the timer that fires at deadline

	// Candidate.
	from     uint64
	promises map[nodes.ID]Promise

	// Leader.
	next      uint64 // the next free slot
	recovered uint64 // the highest slot phase 1 re-proposed
	props     map[uint64]*proposal
	waiters   map[uint64]waiter
	inflight  map[nodes.ID]uint64 // client → slot of its proposed request
	queued    []request           // requests that arrived during phase 1
	lastAck   map[nodes.ID]time.Duration
	activeAt  time.Duration
	round     uint64
	roundSent map[uint64]time.Duration
	roundAck  map[nodes.ID]uint64
	leaseEnd  time.Duration

	events  []Event
	evStart uint64
}

// IsLeader implements nodes.LeaderReporter.
func (n *Node) IsLeader() bool { return n.role == Leader }

func (n *Node) majority() int { return n.n/2 + 1 }

func bit(id nodes.ID) uint64 { return 1 << uint(id.Index()-1) }

// Start recovers from the store alone.
func (n *Node) Start(env nodes.Env) {
	n.peers = slices.Clone(env.Peers())
	n.n = len(n.peers) + 1
	if n.n > 64 {
		panic(fmt.Sprintf("paxos: %v: at most 64 servers, have %d", n.id, n.n))
	}
	d, snap, acc, err := load(env.Store())
	if err != nil {
		panic(fmt.Sprintf("paxos: %v: %v", n.id, err))
	}
	n.disk, n.sm, n.acc = d, snap, acc
	n.durableSnap = snap.Index
	n.chosen = map[uint64]Command{}
	n.maxSeen = acc.promised.N
	n.role = Follower
	if n.sm.Index > 0 || !acc.promised.IsZero() {
		env.Logf("recovered: promised %v, %d accepted above snapshot %d", acc.promised, len(acc.accepted), snap.Index)
	}
	now := env.Monotonic()
	// A restarted acceptor may have acknowledged a leader's lease just
	// before it crashed: it keeps the lease's promise for a full timeout.
	n.guardUntil = now + n.cfg.ElectionTimeoutMin
	n.record(Event{Kind: EventApplied, Slot: n.sm.Index, Hash: n.sm.Hash})
	n.resetDeadline(env)
	env.SetTimer(n.cfg.Heartbeat, tickTag)
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// send delivers msg to a server; to itself it is handled at once.
func (n *Node) send(env nodes.Env, to nodes.ID, msg nodes.Message) {
	if to == n.id {
		n.Message(env, n.id, msg)
		return
	}
	env.Send(to, msg)
}

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case kv.Request:
		n.onRequest(env, from, m)
	case Prepare:
		n.onPrepare(env, from, m)
	case Promise:
		n.onPromise(env, from, m)
	case Nack:
		n.onNack(env, m)
	case Accept:
		n.onAccept(env, from, m)
	case Accepted:
		n.onAccepted(env, from, m)
	case Learn:
		for _, e := range m.Entries {
			n.learn(env, e.Slot, e.Cmd)
		}
		n.applyReady(env)
	case Heartbeat:
		n.onHeartbeat(env, from, m)
	case HeartbeatOK:
		n.onHeartbeatOK(env, from, m)
	case CatchUp:
		n.onCatchUp(env, from, m)
	case InstallSnapshot:
		n.installSnapshot(env, m.Snap)
		n.applyReady(env)
	}
}

// Timer is the periodic tick (heartbeats and resends for a leader,
// Prepare resends for a candidate) or the election timeout.
func (n *Node) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	now := env.Monotonic()
	if tag == electionTag {
		if id == n.election && n.role != Leader && now >= n.deadline {
			n.startPhase1(env)
		}
		return
	}
	if tag != tickTag {
		return
	}
	env.SetTimer(n.cfg.Heartbeat, tickTag)
	switch n.role {
	case Leader:
		if n.lostQuorum(now) {
			env.Reached(ProbeLostQuorum)
			n.stepDown(env, "lost its quorum")
			return
		}
		n.heartbeat(env, now)
		n.resend(env)
	case Candidate:
		for _, p := range n.peers {
			if _, ok := n.promises[p]; !ok {
				env.Send(p, Prepare{Ballot: n.ballot, From: n.from})
			}
		}
	}
}

// resetDeadline draws a fresh election timeout.
func (n *Node) resetDeadline(env nodes.Env) {
	span := int64(n.cfg.ElectionTimeoutMax - n.cfg.ElectionTimeoutMin)
	d := n.cfg.ElectionTimeoutMin
	if span > 0 {
		d += time.Duration(env.Rand().Int64N(span + 1))
	}
	n.deadline = env.Monotonic() + d
	env.CancelTimer(n.election)
	n.election = env.SetTimer(d, electionTag)
}

// reply answers a client.
func (n *Node) reply(env nodes.Env, to nodes.ID, seq uint64, res Session) {
	leader := n.leader
	if n.role == Leader {
		leader = n.id
	}
	env.Send(to, kv.Reply{Seq: seq, Status: res.Status, Leader: leader, Value: res.Value, Exists: res.Exists})
}
