package raftkv

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Role is a node's part in the protocol (§5.1), plus the PreVote phase.
type Role uint8

const (
	Follower Role = iota
	// PreCandidate: the election timer fired; the node is asking whether
	// a quorum would vote for it before it disturbs anyone with a new term.
	PreCandidate
	Candidate
	Leader
)

func (r Role) String() string {
	switch r {
	case Follower:
		return "follower"
	case PreCandidate:
		return "precandidate"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Timer tags.
const (
	tagElection uint64 = iota + 1
	tagHeartbeat
)

// New returns a factory for Raft KV nodes configured by cfg (zero fields
// take their defaults). It panics if cfg does not Validate: a bad
// configuration is the caller's bug, found before any node runs.
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(nodes.ID) nodes.Node { return &Node{cfg: cfg} }
}

// Node is one Raft KV server. Its fields are grouped as in Figure 2 of the
// paper: persistent state (mirrored in the WAL), volatile state, and
// volatile leader state, plus what the node needs for timers, durability,
// reads and the invariant checkers.
type Node struct {
	cfg    Config
	custom StateMachine // nil: the built-in KV store (hook.go)
	group  []nodes.ID   // nil: every server of the cluster is a peer
	id     nodes.ID
	peers  []nodes.ID
	quorum int

	// Persistent state: written to the WAL before any message that
	// depends on it is sent.
	term uint64
	vote nodes.ID
	log  raftLog

	// Volatile state.
	role     Role
	leader   nodes.ID // the leader of the current term, if known
	commit   uint64
	applied  uint64
	sm       *stateMachine
	snapshot []byte // sm encoded at log.snapIndex
	votes    []nodes.ID

	// Timers. The election timer is lazy: resetting it only moves
	// electionAt, and a timer that fires early re-arms itself.
	electionAt      time.Duration
	electionTimer   nodes.TimerID
	electionTimerAt time.Duration
	heartbeatTimer  nodes.TimerID
	// quietUntil: until then the node believes a leader is alive and
	// refuses votes (§6 of the paper on disruptive servers; PreVote and
	// CheckQuorum). Set ElectionTimeoutMin after each message from the
	// leader and after Start.
	quietUntil time.Duration

	// Leader state.
	prs       []progress
	waiters   []waiter // in index order (addWaiter)
	reads     []pendingRead
	rounds    []round
	round     uint64 // the latest broadcast round
	confirmed uint64 // the latest round a quorum acknowledged
	quorumAt  time.Duration
	leaseMono time.Duration // lease end, on the monotonic clock
	leaseWall time.Time     // lease end, on the wall clock (LeaseUnbounded)

	// Durability (persist.go).
	walGen       uint64
	walSeg       int    // the segment appends go to
	walSegBytes  int    // its size
	walFile      string // its name
	walBase      int    // bytes of the current generation's base record
	walAppended  int    // bytes appended to it since
	dirty        bool   // writes issued in this handler, not yet covered by a Sync
	syncTag      uint64
	syncedTag    uint64
	syncing      []syncPoint
	durableIndex uint64
	outbox       []queuedMsg
	retired      []retiredFile
	wal          encoder // every WAL record is encoded here (reused; the store copies)

	// Reused per handler call, never kept across one.
	quorumScratch []uint64           // roundsAcked and maybeCommit sort into it
	appendScratch AppendEntries      // sendAppend fills it; Send copies it (CloneInto)
	replyScratch  AppendEntriesReply // sendReply fills it; Send copies it (CloneInto)

	// For the invariant checkers (status.go).
	trailBase   uint64
	trail       []EntryID
	changedFrom uint64
}

var (
	_ nodes.Node           = (*Node)(nil)
	_ nodes.LeaderReporter = (*Node)(nil)
)

// Start recovers the node from its store alone (empty on a fresh node),
// writes a fresh WAL generation, and arms the election timer.
func (n *Node) Start(env nodes.Env) {
	n.begin()
	n.id = env.ID()
	n.peers = env.Peers()
	if n.group != nil {
		n.peers = n.group
	}
	n.quorum = (len(n.peers)+1)/2 + 1

	st, maxGen, files := recoverWAL(env.Store())
	n.term, n.vote, n.log, n.snapshot = st.term, st.vote, st.log, st.snapshot
	n.sm = newStateMachine()
	if len(n.snapshot) > 0 && n.custom != nil {
		if err := n.custom.Restore(n.snapshot); err != nil {
			panic(fmt.Sprintf("raftkv: %v: recovered snapshot at %d: %v", n.id, n.log.snapIndex, err))
		}
	} else if len(n.snapshot) > 0 {
		sm, err := decodeStateMachine(n.snapshot)
		if err != nil {
			// The base record passed its checksum, so this is our bug.
			panic(fmt.Sprintf("raftkv: %v: recovered snapshot at %d: %v", n.id, n.log.snapIndex, err))
		}
		n.sm = sm
	}
	n.commit, n.applied = n.log.snapIndex, n.log.snapIndex
	n.trailBase = n.log.snapIndex
	n.durableIndex = n.log.lastIndex()
	n.noteChanged(n.log.snapIndex + 1)

	// Start a generation after every one on disk, and retire them all
	// (the -1 tells rewriteWAL there is no current segment to retire).
	n.walGen, n.walSeg = maxGen, -1
	n.rewriteWAL(env)
	for _, f := range files {
		n.retired = append(n.retired, retiredFile{tag: n.syncTag + 1, name: f})
	}

	if n.cfg.ReadMode == ReadLease {
		// A follower that acknowledged a leader's round and then
		// restarted must still not vote before that leader's lease ends.
		n.quietUntil = env.Monotonic() + n.cfg.ElectionTimeoutMin
	}
	n.resetElectionTimer(env)
	if n.log.lastIndex() > 0 || n.term > 0 {
		env.Logf("%v recovered term %d, log (%d, %d]", n.id, n.term, n.log.snapIndex, n.log.lastIndex())
		env.Reached("raft: recovered from disk after a restart")
		env.Sometimes(n.log.snapIndex > 0, "raft: recovered a snapshot from disk")
	}
	n.end(env)
}

// Message dispatches one message.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	n.begin()
	switch m := msg.(type) {
	case kv.Request:
		n.handleRequest(env, from, m)
	case *kv.Request:
		n.handleRequest(env, from, *m)
	case RequestVote:
		n.handleRequestVote(env, from, m)
	case RequestVoteReply:
		n.handleVoteReply(env, from, m)
	case *AppendEntries:
		n.handleAppendEntries(env, from, m)
	case *AppendEntriesReply:
		n.handleAppendReply(env, from, *m)
	case *InstallSnapshot:
		n.handleInstallSnapshot(env, from, m)
	}
	n.end(env)
}

// Timer handles the election and heartbeat timers.
func (n *Node) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	n.begin()
	switch tag {
	case tagElection:
		if id == n.electionTimer {
			n.electionTimer = 0
			n.electionTimerFired(env)
		}
	case tagHeartbeat:
		if id == n.heartbeatTimer {
			n.heartbeatTimer = 0
			n.heartbeat(env)
		}
	}
	n.end(env)
}

// Synced learns that a sync completed: entries it covered now count
// towards the leader's commit, and messages waiting for it go out.
func (n *Node) Synced(env nodes.Env, tag uint64) {
	n.begin()
	n.syncCompleted(env, tag)
	n.end(env)
}

// IsLeader reports whether the node currently believes it is the leader.
func (n *Node) IsLeader() bool { return n.role == Leader }

// begin and end bracket every handler: end issues one Sync covering all
// the writes the handler made.
func (n *Node) begin() { n.changedFrom = 0 }

func (n *Node) end(env nodes.Env) { n.flush(env) }

// --- timers -------------------------------------------------------------

func (n *Node) randomElectionTimeout(env nodes.Env) time.Duration {
	span := int64(n.cfg.ElectionTimeoutMax - n.cfg.ElectionTimeoutMin)
	return n.cfg.ElectionTimeoutMin + time.Duration(env.Rand().Int64N(span+1))
}

// resetElectionTimer pushes the election deadline to a fresh random
// timeout from now. The pending timer is replaced only if it would fire
// too late; otherwise it fires early and re-arms (electionTimerFired).
func (n *Node) resetElectionTimer(env nodes.Env) {
	now := env.Monotonic()
	n.electionAt = now + n.randomElectionTimeout(env)
	if n.electionTimer != 0 && n.electionTimerAt <= n.electionAt {
		return
	}
	if n.electionTimer != 0 {
		env.CancelTimer(n.electionTimer)
	}
	n.electionTimer = env.SetTimer(n.electionAt-now, tagElection)
	n.electionTimerAt = n.electionAt
}

func (n *Node) electionTimerFired(env nodes.Env) {
	if n.role == Leader {
		return // leaders keep no election timer; stepping down re-arms it
	}
	now := env.Monotonic()
	if now < n.electionAt {
		n.electionTimer = env.SetTimer(n.electionAt-now, tagElection)
		n.electionTimerAt = n.electionAt
		return
	}
	n.startPreVote(env)
}

// --- role changes -------------------------------------------------------

// becomeFollower moves to term (if higher, forgetting the vote) as a
// follower of leader (0 if unknown). A leader stepping down answers every
// waiting client with StatusRetry: their entries may or may not commit.
func (n *Node) becomeFollower(env nodes.Env, term uint64, leader nodes.ID) {
	if term > n.term {
		n.term, n.vote = term, 0
		n.persistHardState(env)
	}
	wasLeader := n.role == Leader
	n.role, n.leader = Follower, leader
	if wasLeader {
		env.Logf("%v stepped down in term %d", n.id, n.term)
		env.Reached("raft: leader stepped down")
		if n.heartbeatTimer != 0 {
			env.CancelTimer(n.heartbeatTimer)
			n.heartbeatTimer = 0
		}
		n.failPending(env)
		n.prs, n.rounds = nil, nil
	}
	if n.electionTimer == 0 {
		n.resetElectionTimer(env)
	}
}

// stepDown is CheckQuorum's exit: the leader has not heard from a quorum
// for an election timeout and stops claiming leadership (§6.2 of the
// dissertation), so its clients go looking for the real leader.
func (n *Node) stepDown(env nodes.Env) { n.becomeFollower(env, n.term, 0) }

func (n *Node) quorumOf(count int) bool { return count >= n.quorum }

// hasVote records a (pre)vote from id once and reports the count.
func (n *Node) addVote(id nodes.ID) int {
	for _, v := range n.votes {
		if v == id {
			return len(n.votes)
		}
	}
	n.votes = append(n.votes, id)
	return len(n.votes)
}
