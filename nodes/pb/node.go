package pb

import (
	"errors"
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

type status uint8

const (
	// viewChange: the server has accepted View but does not hold its
	// state yet (or is proposing it).
	viewChange status = iota
	// normal: the server holds View's state, as its primary or a backup.
	normal
)

// pendingWrite is the client write the primary is replicating.
type pendingWrite struct {
	opNum  uint64
	from   nodes.ID
	client nodes.ID
	seq    uint64
	res    Session
	// replied: answered already (the ack-before-backup bug).
	replied bool
}

type request struct {
	from nodes.ID
	req  kv.Request
}

// readReq is a read waiting for its confirmation round.
type readReq struct {
	from  nodes.ID
	req   kv.Request
	round uint64
}

// logEntry is one write of the current view, kept by its primary to
// resend to backups that missed it.
type logEntry struct {
	opNum  uint64
	client nodes.ID
	seq    uint64
	op     nodes.Op
}

// logKeep is how many writes a primary keeps for resending; a backup
// further behind gets the whole state (StartView). aheadKeep is how far
// ahead of its state a backup keeps writes that arrived out of order.
const (
	logKeep   = 32
	aheadKeep = 64
)

const tickTag = 1

// Node is one pb server.
type Node struct {
	nodes.Base
	cfg   Config
	id    nodes.ID
	n     int        // cluster size
	peers []nodes.ID // the other servers, in ID order

	st       state
	status   status
	maxSeen  uint64 // highest view number heard of
	lastSeen map[nodes.ID]time.Duration
	progress time.Duration // last sign of a working view (monotonic)
	members  []nodes.ID    // the view's members, from its StartView (memory only)
	// ahead holds writes of the view that arrived before the ones they
	// follow (a backup applies writes in op-number order).
	ahead map[uint64]Prepare

	// Candidate side (st.Primary == id, status viewChange).
	accepts    map[nodes.ID]Snapshot
	majorityAt time.Duration // when accepts first reached a majority
	majority   bool

	// Primary side (st.Primary == id, status normal).
	started    bool   // StartView sent: the view's state is durable here
	active     bool   // the start state is committed: serving
	durable    uint64 // highest op number our own disk holds
	acked      map[nodes.ID]uint64
	commit     uint64
	ackedOp    uint64 // highest op acknowledged to a client, or committed
	pending    *pendingWrite
	queue      []request
	log        []logEntry
	stallSince time.Duration // when the current commit target was set
	activeAt   time.Duration

	// Reads: each waits for a confirmation round that started after it
	// arrived.
	reads     []readReq
	round     uint64 // last round started
	confirmed uint64 // highest round a majority confirmed
	confirms  map[nodes.ID]uint64

	syncs durable.Syncs // actions waiting for their writes to be durable
}

// Status is what a server exposes to invariants, digests and tests.
type Status struct {
	View    uint64
	Primary nodes.ID
	// Normal: holds View's state. Won: this server won View's view change
	// (it is View's primary; a server wins a view at most once, and no
	// two servers win the same view). Active: View's primary, and its
	// start state is committed.
	Normal, Won, Active bool
	// Members are the view's members as its StartView named them (the
	// primary waits for all of them in sync mode).
	Members []nodes.ID
	OpNum   uint64
	Hash    uint64
	// Commit is the primary's highest committed op: held by every member
	// (sync) or by its own disk (async). Acked is the highest op it
	// acknowledged to a client or committed.
	Commit, Acked uint64
}

// Status reports the server's state.
func (n *Node) Status() Status {
	return Status{
		View: n.st.View, Primary: n.st.Primary,
		Normal: n.status == normal, Won: n.isPrimary(), Active: n.active,
		Members: slices.Clone(n.members),
		OpNum:   n.st.Snap.OpNum, Hash: n.st.Snap.Hash(), Commit: n.commit, Acked: n.ackedOp,
	}
}

// Mode is the mode the server runs in.
func (n *Node) Mode() Mode { return n.cfg.Mode }

// HashAt returns the hash chain after op k, if still recent (see
// Snapshot.HashAt).
func (n *Node) HashAt(k uint64) (uint64, bool) { return n.st.Snap.HashAt(k) }

// Value returns a key's value in this server's state.
func (n *Node) Value(key string) (string, bool) {
	v, ok := n.st.Snap.Data[key]
	return v, ok
}

// IsLeader implements nodes.LeaderReporter: the active primary.
func (n *Node) IsLeader() bool { return n.active }

func (n *Node) majoritySize() int { return n.n/2 + 1 }

// isPrimary: this server won its view and holds its state.
func (n *Node) isPrimary() bool { return n.status == normal && n.st.Primary == n.id }

// isCandidate: this server is proposing its view.
func (n *Node) isCandidate() bool {
	return n.status == viewChange && n.st.Primary == n.id && n.accepts != nil
}

// quorum reports whether this server heard from a majority (itself
// included) within half a view timeout: a primary that has not stops
// serving, since the others may be replacing it.
func (n *Node) quorum(now time.Duration) bool {
	count := 1
	for _, p := range n.peers {
		if t, ok := n.lastSeen[p]; ok && now-t <= n.cfg.ViewTimeout/2 {
			count++
		}
	}
	return count >= n.majoritySize()
}

// Start recovers from the store alone.
func (n *Node) Start(env nodes.Env) {
	n.peers = slices.Clone(env.Peers())
	n.n = len(n.peers) + 1
	n.acked = map[nodes.ID]uint64{}
	n.confirms = map[nodes.ID]uint64{}
	n.lastSeen = map[nodes.ID]time.Duration{}
	n.st = state{Snap: newSnapshot()}
	if b, err := env.Store().Read(StateFile); err == nil {
		st, err := decodeState(b)
		if err != nil {
			panic(fmt.Sprintf("pb: %v: %v", n.id, err))
		}
		n.st = st
	} else if !errors.Is(err, nodes.ErrNotFound) {
		panic(fmt.Sprintf("pb: %v: reading state: %v", n.id, err))
	}
	n.maxSeen = n.st.View
	n.status = viewChange
	if n.st.View > 0 && n.st.Snap.LastNormal == n.st.View && n.st.Primary != n.id {
		n.status = normal // a backup resumes in its view
		env.Logf("recovered as backup of view %d (primary %v), op %d", n.st.View, n.st.Primary, n.st.Snap.OpNum)
	}
	// A fresh or restarted server learns who is live for two heartbeats
	// before it may propose.
	n.progress = env.Monotonic() - n.cfg.ViewTimeout + 2*n.cfg.Heartbeat
	env.SetTimer(n.cfg.Heartbeat, tickTag)
}

// write puts the state in the store, volatile until the next sync.
func (n *Node) write(env nodes.Env) { env.Store().Write(StateFile, n.st.encode()) }

// persist writes the state and runs then once it is durable.
func (n *Node) persist(env nodes.Env, then func(env nodes.Env)) {
	n.write(env)
	n.afterSync(env, then)
}

// afterSync runs then once every write so far is durable.
func (n *Node) afterSync(env nodes.Env, then func(env nodes.Env)) {
	n.syncs.After(env, then)
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if !from.IsClient() {
		n.lastSeen[from] = env.Monotonic()
	}
	switch m := msg.(type) {
	case kv.Request:
		n.onRequest(env, from, m)
	case Ping:
		n.onPing(env, from, m)
	case Propose:
		n.onPropose(env, from, m)
	case Accept:
		n.onAccept(env, from, m)
	case Reject:
		n.onReject(env, m)
	case StartView:
		n.onStartView(env, from, m)
	case Prepare:
		n.onPrepare(env, from, m)
	case PrepareOK:
		n.onPrepareOK(env, from, m)
	case NeedState:
		if n.isPrimary() && n.started && m.View <= n.st.View {
			n.sendState(env, from)
		}
	case Confirm:
		if m.View == n.st.View && n.st.Primary == from {
			env.Send(from, ConfirmOK(m))
		}
	case ConfirmOK:
		n.onConfirmOK(env, from, m)
	}
}

// Timer is the heartbeat tick: ping, resend, watch the view.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tickTag {
		return
	}
	env.SetTimer(n.cfg.Heartbeat, tickTag)
	ping := Ping{View: n.st.View, Primary: n.st.Primary, Normal: n.status == normal, Active: n.active, OpNum: n.st.Snap.OpNum}
	for _, p := range n.peers {
		env.Send(p, ping)
	}
	now := env.Monotonic()
	switch {
	case n.isPrimary() && n.started:
		n.progress = now
		n.retransmit(env, now)
		if n.round > n.confirmed {
			n.sendConfirm(env)
		}
		if n.reconfigure(env, now) {
			return
		}
		n.next(env)
		return
	case n.isCandidate():
		for _, p := range n.peers {
			if _, ok := n.accepts[p]; !ok {
				env.Send(p, Propose{View: n.st.View, Primary: n.id})
			}
		}
		n.maybeStartView(env)
	}
	n.suspect(env, now)
}

func (n *Node) onPing(env nodes.Env, from nodes.ID, m Ping) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.Active && m.View == n.st.View && from == n.st.Primary {
		n.progress = env.Monotonic()
	}
	if m.Active && (m.View > n.st.View || (m.View == n.st.View && n.status != normal && from == n.st.Primary)) {
		env.Send(from, NeedState{View: n.st.View})
	}
}

// sendState sends the view's whole state to a server.
func (n *Node) sendState(env nodes.Env, to nodes.ID) {
	env.Send(to, StartView{View: n.st.View, Members: slices.Clone(n.members), Snap: n.st.Snap.clone()})
}
