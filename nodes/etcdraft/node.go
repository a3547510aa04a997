package etcdraft

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// Probes (env.Reached) at etcd raft's moments of interest.
const (
	ProbeLeaderChanged   = "etcdraft: leader changed"
	ProbeBecameLeader    = "etcdraft: became leader"
	ProbeSnapshotTaken   = "etcdraft: snapshot taken, log compacted"
	ProbeSnapshotSent    = "etcdraft: snapshot sent"
	ProbeSnapshotApplied = "etcdraft: snapshot applied"
	ProbeReadIndexServed = "etcdraft: read index served"
	ProbeRecovered       = "etcdraft: restarted from disk"
	ProbeTornBase        = "etcdraft: incomplete newer base passed over"
	ProbeRetriedWrite    = "etcdraft: retried write answered from the session table"
)

// tagTick is the tag of the tick timer.
const tagTick = 1

// Node is one server: an unmodified etcd raft RawNode driven by the
// simulator's events, a KV state machine with client sessions fed by its
// committed entries, and a Storage rebuilt from the disk at every start.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID

	rn      *raft.RawNode
	storage *Storage
	disk    disk
	syncs   durable.Syncs
	log     logger

	// ready is the Ready being persisted (nil when none): etcd raft hands
	// out the next one only after Advance, once this one is durable.
	ready *raft.Ready

	sm      *stateMachine
	applied uint64
	lead    uint64
	state   raft.StateType

	// writes maps a client to the Seq of its write this node proposed and
	// has not answered; reads are read-index requests by context, and
	// confirmed reads wait for the applied index to reach theirs.
	writes    map[nodes.ID]uint64
	readSeq   uint64
	reads     map[uint64]kv.Request
	confirmed []confirmedRead

	recent []AppliedEntry // the last applied entries, for the invariants

	// Membership (membership.go): the applied ConfState, the ticks since
	// Start, whether the server was told to leave, and the tick before
	// which the leader proposes no other conf change.
	conf        *pb.ConfState
	ticks       uint64
	leaving     bool
	confRetryAt uint64
}

type confirmedRead struct {
	index uint64
	req   kv.Request
}

// AppliedEntry is one entry a node applied: what the state-machine-safety
// invariant compares across nodes — the entry, and what applying it did.
type AppliedEntry struct {
	Index, Term uint64
	Data        string
	Effect      Effect
}

// recentMax bounds Node.recent.
const recentMax = 4096

// New returns the factory of a cluster's nodes. It panics on a Config
// that Validate rejects (a programmer error: check user input first).
func New(cfg Config) nodes.Factory {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return func(id nodes.ID) nodes.Node { return &Node{cfg: cfg, id: id} }
}

// enter brackets a handler: the logger writes through env.
func (n *Node) enter(env nodes.Env) func() {
	n.log.env = env
	return func() { n.log.env = nil }
}

// inRaft runs f, one call into etcd raft, with crypto/rand.Reader drawing
// from env.Rand() (entropy.go). Every RawNode call that can step the
// state machine — and so reset an election timeout — goes through it:
// NewRawNode, Tick, Step, Propose, ReadIndex, ReportSnapshot and Advance
// (which steps the node's own responses). Ready and HasReady only read.
// Calls never nest: the lock is not reentrant.
func (n *Node) inRaft(env nodes.Env, f func()) {
	defer seedEntropy(env)()
	f()
}

// Start rebuilds the node from its disk alone and starts ticking.
func (n *Node) Start(env nodes.Env) {
	defer n.enter(env)()
	voters := []uint64{uint64(env.ID())}
	for _, p := range env.Peers() {
		voters = append(voters, uint64(p))
	}
	slices.Sort(voters)
	if k := n.cfg.InitialVoters; k > 0 && k < len(voters) {
		voters = voters[:k]
	}

	st := env.Store()
	rec, err := recoverDisk(st, voters)
	if err != nil {
		panic(fmt.Sprintf("etcdraft: %v: %v", env.ID(), err))
	}
	if rec.gen > 0 {
		env.Reached(ProbeRecovered)
	}
	if rec.dropped > 0 {
		env.Reached(ProbeTornBase)
	}
	n.storage = rec.storage
	// A new generation drops whatever torn tail the old one had.
	next := uint64(1)
	for _, name := range st.List() {
		if g, ok := parseGen(name); ok && g >= next {
			next = g + 1
		}
	}
	n.disk.begin(st, next, n.storage)
	n.syncs.After(env, func(env nodes.Env) { n.disk.forget(env.Store(), next) })

	snap := n.storage.snap
	n.sm, err = decodeStateMachine(snap.GetData())
	if err != nil {
		panic(fmt.Sprintf("etcdraft: %v: snapshot data: %v", env.ID(), err))
	}
	n.applied = snap.GetMetadata().GetIndex()
	n.conf = proto.CloneOf(snap.GetMetadata().GetConfState())
	n.ticks, n.leaving, n.confRetryAt = 0, false, 0
	n.writes = map[nodes.ID]uint64{}
	n.reads = map[uint64]kv.Request{}

	cfg := &raft.Config{
		ID:              uint64(env.ID()),
		ElectionTick:    n.cfg.ElectionTicks,
		HeartbeatTick:   n.cfg.HeartbeatTicks,
		Storage:         n.storage,
		Applied:         n.applied,
		MaxSizePerMsg:   1 << 20,
		MaxInflightMsgs: 256,
		CheckQuorum:     n.cfg.CheckQuorum,
		PreVote:         n.cfg.PreVote,
		ReadOnlyOption:  raft.ReadOnlySafe,
		Logger:          &n.log,
		// A leader removed from the cluster stops leading it.
		StepDownOnRemoval: true,
	}
	n.inRaft(env, func() { n.rn, err = raft.NewRawNode(cfg) })
	if err != nil {
		panic(fmt.Sprintf("etcdraft: %v: %v", env.ID(), err))
	}
	env.SetTimer(n.cfg.TickInterval, tagTick)
	n.pump(env)
}

// Timer ticks the RawNode.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tagTick {
		return
	}
	defer n.enter(env)()
	n.inRaft(env, n.rn.Tick)
	n.memberTick(env)
	env.SetTimer(n.cfg.TickInterval, tagTick)
	n.pump(env)
}

// Message steps a peer's raft message or serves a client's request.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	defer n.enter(env)()
	switch m := msg.(type) {
	case *RaftMessage:
		pm, err := m.decode()
		if err != nil {
			panic(fmt.Sprintf("etcdraft: %v: from %v: %v", env.ID(), from, err))
		}
		// Errors are messages etcd raft ignores (from an unknown peer, a
		// local type off the wire): nothing to do.
		n.inRaft(env, func() { _ = n.rn.Step(pm) })
	case MemberRequest:
		n.member(env, from, m)
	case kv.Request:
		n.request(env, from, m)
	case *kv.Request:
		n.request(env, from, *m)
	}
	n.pump(env)
}

// Synced runs what waited for the disk, then hands out the next Ready.
func (n *Node) Synced(env nodes.Env, tag uint64) {
	defer n.enter(env)()
	n.syncs.Synced(env, tag)
	n.pump(env)
}

// pump is the Ready loop: persist, sync, and only once durable send the
// messages, apply the committed entries, serve reads and Advance.
func (n *Node) pump(env nodes.Env) {
	for n.ready == nil && n.rn.HasReady() {
		rd := n.rn.Ready()
		n.softState(env, rd.SoftState)
		st := env.Store()
		hasSnap := !raft.IsEmptySnap(rd.Snapshot)
		switch {
		case hasSnap:
			// The leader's snapshot replaces the log: a new generation
			// holds it, the HardState and the entries after it.
			n.storage.applySnapshot(rd.Snapshot)
			n.storage.append(rd.Entries)
			if !raft.IsEmptyHardState(rd.HardState) {
				n.storage.setHardState(rd.HardState)
			}
			n.disk.begin(st, n.disk.gen+1, n.storage)
		default:
			if len(rd.Entries) > 0 {
				n.storage.append(rd.Entries)
				n.disk.appendEntries(st, rd.Entries)
			}
			if !raft.IsEmptyHardState(rd.HardState) {
				n.storage.setHardState(rd.HardState)
				n.disk.appendHardState(st, rd.HardState)
			}
		}
		mustSync := rd.MustSync || hasSnap
		if n.cfg.Bugs.HardStateNotSynced {
			mustSync = len(rd.Entries) > 0 || hasSnap
		}
		if mustSync {
			n.ready = &rd
			gen := n.disk.gen
			n.syncs.After(env, func(env nodes.Env) {
				if hasSnap {
					n.disk.forget(env.Store(), gen)
				}
				n.ready = nil
				n.finish(env, rd)
			})
			return
		}
		n.finish(env, rd)
	}
}

// finish completes a Ready whose writes are durable.
func (n *Node) finish(env nodes.Env, rd raft.Ready) {
	n.send(env, rd.Messages)
	if !raft.IsEmptySnap(rd.Snapshot) {
		sm, err := decodeStateMachine(rd.Snapshot.GetData())
		if err != nil {
			panic(fmt.Sprintf("etcdraft: %v: snapshot data: %v", env.ID(), err))
		}
		n.sm, n.applied = sm, rd.Snapshot.GetMetadata().GetIndex()
		n.conf = proto.CloneOf(rd.Snapshot.GetMetadata().GetConfState())
		env.Reached(ProbeSnapshotApplied)
	}
	for _, e := range rd.CommittedEntries {
		n.apply(env, e)
	}
	for _, rs := range rd.ReadStates {
		if len(rs.RequestCtx) != 8 {
			continue
		}
		ctx := binary.BigEndian.Uint64(rs.RequestCtx)
		if req, ok := n.reads[ctx]; ok {
			delete(n.reads, ctx)
			n.confirmed = append(n.confirmed, confirmedRead{index: rs.Index, req: req})
		}
	}
	n.serveReads(env)
	n.maybeSnapshot(env)
	n.inRaft(env, func() { n.rn.Advance(rd) })
}

func (n *Node) send(env nodes.Env, msgs []*pb.Message) {
	for _, m := range msgs {
		env.Send(nodes.ID(m.GetTo()), encodeMessage(m))
		if m.GetType() == pb.MsgSnap {
			env.Reached(ProbeSnapshotSent)
			// The simulated network gives no delivery report: say it
			// arrived, and let the follower's answer (or its silence)
			// move the leader on, as etcd's own transport does.
			n.inRaft(env, func() { n.rn.ReportSnapshot(m.GetTo(), raft.SnapshotFinish) })
		}
	}
}

// softState follows leadership; a node that stops leading answers what
// it had in hand with StatusRetry (a write may still commit: its retry is
// then answered from the session table).
func (n *Node) softState(env nodes.Env, ss *raft.SoftState) {
	if ss == nil {
		return
	}
	if ss.Lead != n.lead {
		env.Reached(ProbeLeaderChanged)
	}
	if ss.RaftState == raft.StateLeader && n.state != raft.StateLeader {
		env.Reached(ProbeBecameLeader)
	}
	n.lead, n.state = ss.Lead, ss.RaftState
	if ss.RaftState != raft.StateLeader {
		n.failPending(env)
	}
}

func (n *Node) failPending(env nodes.Env) {
	for _, c := range slices.Sorted(maps.Keys(n.writes)) {
		env.Send(c, kv.Reply{Seq: n.writes[c], Status: kv.StatusRetry, Leader: nodes.ID(n.lead)})
	}
	clear(n.writes)
	for _, ctx := range slices.Sorted(maps.Keys(n.reads)) {
		r := n.reads[ctx]
		env.Send(r.Client, kv.Reply{Seq: r.Seq, Status: kv.StatusRetry, Leader: nodes.ID(n.lead)})
	}
	clear(n.reads)
	for _, r := range n.confirmed {
		env.Send(r.req.Client, kv.Reply{Seq: r.req.Seq, Status: kv.StatusRetry, Leader: nodes.ID(n.lead)})
	}
	n.confirmed = nil
}

func isRead(k nodes.OpKind) bool { return k == nodes.OpGet || k == nodes.OpRead }

// request serves a client: writes are proposed, reads confirmed with
// ReadIndex; a follower points the client at the leader.
func (n *Node) request(env nodes.Env, from nodes.ID, req kv.Request) {
	if !kv.Known(req.Op.Kind) {
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported})
		return
	}
	if n.state != raft.StateLeader {
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusNotLeader, Leader: nodes.ID(n.lead)})
		return
	}
	if isRead(req.Op.Kind) {
		if n.cfg.Bugs.ReadWithoutReadIndex {
			n.reply(env, req, kv.Apply(n.sm.data, req.Op))
			return
		}
		n.readSeq++
		n.reads[n.readSeq] = req
		ctx := binary.BigEndian.AppendUint64(nil, n.readSeq)
		n.inRaft(env, func() { n.rn.ReadIndex(ctx) })
		return
	}
	if ss, ok := n.sm.sessions[req.Client]; ok && req.Seq <= ss.Seq {
		if req.Seq == ss.Seq {
			env.Reached(ProbeRetriedWrite)
			n.reply(env, req, ss.Result)
		}
		return // a stale duplicate: the client has moved on
	}
	data := encodeCommand(&command{Client: req.Client, Seq: req.Seq, Op: req.Op})
	var err error
	n.inRaft(env, func() { err = n.rn.Propose(data) })
	if err != nil {
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusRetry, Leader: nodes.ID(n.lead)})
		return
	}
	n.writes[req.Client] = req.Seq
}

func (n *Node) reply(env nodes.Env, req kv.Request, r kv.Result) {
	env.Send(req.Client, kv.Reply{Seq: req.Seq, Status: r.Status, Leader: env.ID(), Value: r.Value, Exists: r.Exists})
}

// apply applies one committed entry and answers its client if this node
// proposed it.
func (n *Node) apply(env nodes.Env, e *pb.Entry) {
	if e.GetIndex() <= n.applied {
		return
	}
	n.applied = e.GetIndex()
	applied := AppliedEntry{Index: e.GetIndex(), Term: e.GetTerm(), Data: string(e.GetData())}
	if e.GetType() == pb.EntryConfChange || e.GetType() == pb.EntryConfChangeV2 {
		n.remember(applied)
		n.applyConfChange(env, e)
		return
	}
	if len(e.GetData()) == 0 {
		n.remember(applied)
		return // the leader's empty entry of its term
	}
	c, err := decodeCommand(e.GetData())
	if err != nil {
		panic(fmt.Sprintf("etcdraft: %v: entry %d: %v", env.ID(), e.GetIndex(), err))
	}
	res, effect := n.sm.apply(&c)
	applied.Effect = effect
	n.remember(applied)
	if seq, ok := n.writes[c.Client]; ok && seq == c.Seq {
		delete(n.writes, c.Client)
		n.reply(env, kv.Request{Client: c.Client, Seq: c.Seq, Op: c.Op}, res)
	}
}

func (n *Node) remember(a AppliedEntry) {
	if len(n.recent) == recentMax {
		n.recent = append(n.recent[:0], n.recent[recentMax/2:]...)
	}
	n.recent = append(n.recent, a)
}

// serveReads answers the confirmed reads whose index has been applied.
func (n *Node) serveReads(env nodes.Env) {
	kept := n.confirmed[:0]
	for _, r := range n.confirmed {
		if r.index > n.applied {
			kept = append(kept, r)
			continue
		}
		env.Reached(ProbeReadIndexServed)
		n.reply(env, r.req, kv.Apply(n.sm.data, r.req.Op))
	}
	n.confirmed = kept
}

// maybeSnapshot compacts the log once it holds SnapshotThreshold applied
// entries: the state machine becomes a snapshot at the applied index, in
// a new generation on the disk.
func (n *Node) maybeSnapshot(env nodes.Env) {
	if n.applied < n.storage.offset()+uint64(n.cfg.SnapshotThreshold) || n.applied > n.storage.lastIndex() {
		return
	}
	n.storage.createSnapshot(n.applied, n.conf, n.sm.encode(!n.cfg.Bugs.SnapshotWithoutSessions))
	st := env.Store()
	gen := n.disk.gen + 1
	n.disk.begin(st, gen, n.storage)
	n.syncs.After(env, func(env nodes.Env) { n.disk.forget(env.Store(), gen) })
	env.Reached(ProbeSnapshotTaken)
}

// IsLeader implements nodes.LeaderReporter.
func (n *Node) IsLeader() bool { return n.rn != nil && n.state == raft.StateLeader }

// Status is what the invariants and the digest read.
type Status struct {
	Term    uint64
	Leader  bool
	Applied uint64
}

// Status reports the node's term, role and applied index as of the last
// Ready it took: the role from its SoftState, the term from the HardState
// written (a leader's term was written when it campaigned, and a later
// term demotes it in the same Ready). It is cheap enough for an invariant
// checked after every handler.
func (n *Node) Status() Status {
	if n.storage == nil {
		return Status{}
	}
	return Status{Term: n.storage.hs.GetTerm(), Leader: n.state == raft.StateLeader, Applied: n.applied}
}

// Recent returns the entries applied most recently (oldest first; a
// bounded window). The slice is the node's: do not modify it.
func (n *Node) Recent() []AppliedEntry { return n.recent }

// Value returns key's value in the applied state.
func (n *Node) Value(key string) (string, bool) {
	if n.sm == nil {
		return "", false
	}
	v, ok := n.sm.data[key]
	return v, ok
}
