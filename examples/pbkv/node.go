package pbkv

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// Defaults for Config's zero fields.
const (
	DefaultHeartbeat   = 50 * time.Millisecond
	DefaultViewTimeout = 300 * time.Millisecond
)

// Config configures every server of a cluster.
type Config struct {
	// Heartbeat is the ping interval (default 50ms).
	Heartbeat time.Duration
	// ViewTimeout is how long a backup waits without hearing an active
	// primary before it suspects it (default 300ms; at least two
	// heartbeats).
	ViewTimeout time.Duration
	Bugs        Bugs
}

// Bugs are planted bugs, off by default.
type Bugs struct {
	// StaleReads: the primary serves reads from local state without
	// confirming its view with a majority (see the package doc).
	StaleReads bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.ViewTimeout == 0 {
		c.ViewTimeout = DefaultViewTimeout
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Heartbeat <= 0 || c.ViewTimeout <= 0 {
		return errors.New("pbkv: heartbeat and view_timeout must be positive")
	}
	if c.ViewTimeout < 2*c.Heartbeat {
		return fmt.Errorf("pbkv: view_timeout %v must be at least two heartbeats (%v)", c.ViewTimeout, 2*c.Heartbeat)
	}
	return nil
}

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
	// normal: the server holds View's state (as primary or backup).
	normal
)

// inflight is the client operation the primary is replicating.
type inflight struct {
	opNum  uint64
	from   nodes.ID
	client nodes.ID
	seq    uint64
	op     nodes.Op
	res    Session
}

type request struct {
	from nodes.ID
	req  kv.Request
}

const tickTag = 1

// Node is one pbkv server.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID
	n   int // cluster size

	st     state
	status status

	// Primary side (st.Primary == id, status normal).
	started  bool   // StartView sent: the view's state is ours
	active   bool   // a majority holds the view's state: serving
	durable  uint64 // highest op number our own disk holds
	acked    map[nodes.ID]uint64
	commit   uint64
	pending  *inflight
	queue    []request
	maxSeen  uint64 // highest view number heard of
	accepts  map[nodes.ID]Snapshot
	lastSeen map[nodes.ID]time.Duration
	progress time.Duration // last sign of a working view (monotonic)

	syncs durable.Syncs // actions waiting for their writes to be durable
}

// Status is what a server exposes to invariants and digests.
type Status struct {
	View    uint64
	Primary nodes.ID
	// Normal: holds View's state. Active: View's serving primary.
	Normal, Active bool
	OpNum          uint64
	Hash           uint64
	// Commit is an active primary's highest committed op.
	Commit uint64
}

// Status reports the server's state.
func (n *Node) Status() Status {
	return Status{
		View: n.st.View, Primary: n.st.Primary, Normal: n.status == normal, Active: n.active,
		OpNum: n.st.Snap.OpNum, Hash: n.st.Snap.Hash(), Commit: n.commit,
	}
}

// HashAt returns the hash chain after op k, if still recent.
func (n *Node) HashAt(k uint64) (uint64, bool) { return n.st.Snap.HashAt(k) }

// Value returns a key's value in this server's state.
func (n *Node) Value(key string) (string, bool) {
	v, ok := n.st.Snap.Data[key]
	return v, ok
}

// IsLeader implements nodes.LeaderReporter: the active primary.
func (n *Node) IsLeader() bool { return n.active }

func (n *Node) majority() int { return n.n/2 + 1 }

// Start recovers from the store alone.
func (n *Node) Start(env nodes.Env) {
	n.n = len(env.Peers()) + 1
	n.acked = map[nodes.ID]uint64{}
	n.lastSeen = map[nodes.ID]time.Duration{}
	n.st = state{Snap: newSnapshot()}
	if b, err := env.Store().Read(StateFile); err == nil {
		st, err := decodeState(b)
		if err != nil {
			panic(fmt.Sprintf("pbkv: %v: %v", n.id, err))
		}
		n.st = st
	} else if !errors.Is(err, nodes.ErrNotFound) {
		panic(fmt.Sprintf("pbkv: %v: reading state: %v", n.id, err))
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

// persist writes the state and runs then once it is durable.
func (n *Node) persist(env nodes.Env, then func(env nodes.Env)) {
	env.Store().Write(StateFile, n.st.encode())
	n.syncs.After(env, then)
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// Timer is the heartbeat tick: ping, retransmit, maybe propose a view.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tickTag {
		return
	}
	env.SetTimer(n.cfg.Heartbeat, tickTag)
	ping := Ping{View: n.st.View, Primary: n.st.Primary, Normal: n.status == normal, Active: n.active, OpNum: n.st.Snap.OpNum, Commit: n.commit}
	for _, p := range env.Peers() {
		env.Send(p, ping)
	}
	now := env.Monotonic()
	switch {
	case n.isPrimary() && n.started:
		n.progress = now
		n.retransmit(env)
		return
	case n.status == viewChange && n.st.Primary == n.id && n.accepts != nil:
		// A candidate resends its proposal to those that have not answered.
		for _, p := range env.Peers() {
			if _, ok := n.accepts[p]; !ok {
				env.Send(p, Propose{View: n.st.View, Primary: n.id})
			}
		}
	}
	waited := now - n.progress
	if waited <= n.cfg.ViewTimeout {
		return
	}
	// Suspect the view's primary (unless it is us, restarted or stuck).
	var live []nodes.ID
	for _, p := range env.Peers() {
		if t, ok := n.lastSeen[p]; ok && now-t <= n.cfg.ViewTimeout && p != n.st.Primary {
			live = append(live, p)
		}
	}
	live = append(live, n.id)
	slices.Sort(live)
	if len(live) < n.majority() {
		return // we cannot reach a majority: proposing would only churn views
	}
	rank := slices.Index(live, n.id)
	if waited > time.Duration(1+2*rank)*n.cfg.ViewTimeout {
		n.propose(env)
	}
}

func (n *Node) isPrimary() bool { return n.status == normal && n.st.Primary == n.id }

// propose starts a view change to a new view with this server as primary.
func (n *Node) propose(env nodes.Env) {
	n.stepDown(env, 0)
	v := max(n.st.View, n.maxSeen) + 1
	n.maxSeen = v
	n.st.View, n.st.Primary = v, n.id
	n.status = viewChange
	n.accepts = nil
	n.progress = env.Monotonic()
	env.Reached("pbkv: view change proposed")
	env.Logf("proposing view %d", v)
	n.persist(env, func(env nodes.Env) {
		if n.st.View != v || n.st.Primary != n.id || n.status != viewChange {
			return
		}
		n.accepts = map[nodes.ID]Snapshot{n.id: n.st.Snap.clone()}
		for _, p := range env.Peers() {
			env.Send(p, Propose{View: v, Primary: n.id})
		}
		n.maybeStartView(env)
	})
}

// stepDown ends this server's time as primary (if it was one): the
// operation in flight may or may not commit later (retry), the queued ones
// go to hint.
func (n *Node) stepDown(env nodes.Env, hint nodes.ID) {
	if n.st.Primary == n.id && n.status == normal {
		env.Reached("pbkv: deposed primary stepped down")
	}
	if n.pending != nil {
		env.Send(n.pending.from, kv.Reply{Seq: n.pending.seq, Status: kv.StatusRetry, Leader: hint})
		n.pending = nil
	}
	for _, r := range n.queue {
		env.Send(r.from, kv.Reply{Seq: r.req.Seq, Status: kv.StatusNotLeader, Leader: hint})
	}
	n.queue = nil
	n.started, n.active, n.commit = false, false, 0
	n.accepts = nil
	clear(n.acked)
}

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
			env.Send(from, StartView{View: n.st.View, Snap: n.st.Snap.clone()})
		}
	}
}

func (n *Node) onPing(env nodes.Env, from nodes.ID, m Ping) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.Active && m.View == n.st.View && from == n.st.Primary {
		n.progress = env.Monotonic()
		if n.status == normal && m.Commit > n.st.Snap.OpNum {
			env.Send(from, NeedState{View: n.st.View}) // we missed committed ops
		}
	}
	if m.Active && (m.View > n.st.View || (m.View == n.st.View && n.status != normal && from == n.st.Primary)) {
		env.Send(from, NeedState{View: n.st.View})
	}
	if n.isPrimary() && n.started && (m.View < n.st.View || (m.View == n.st.View && !m.Normal)) {
		env.Send(from, StartView{View: n.st.View, Snap: n.st.Snap.clone()})
	}
}

func (n *Node) onPropose(env nodes.Env, from nodes.ID, m Propose) {
	n.maxSeen = max(n.maxSeen, m.View)
	switch {
	case m.View < n.st.View || (m.View == n.st.View && n.st.Primary != m.Primary):
		env.Send(from, Reject{View: n.st.View, Primary: n.st.Primary})
		return
	case m.View == n.st.View:
		if n.status == viewChange { // a resent proposal: answer again once durable
			n.persist(env, func(env nodes.Env) { n.sendAccept(env, from, m.View) })
		}
		return
	}
	n.stepDown(env, m.Primary)
	n.st.View, n.st.Primary = m.View, m.Primary
	n.status = viewChange
	n.progress = env.Monotonic()
	n.persist(env, func(env nodes.Env) { n.sendAccept(env, from, m.View) })
}

func (n *Node) sendAccept(env nodes.Env, to nodes.ID, v uint64) {
	if n.st.View == v && n.status == viewChange {
		env.Send(to, Accept{View: v, Snap: n.st.Snap.clone()})
	}
}

func (n *Node) onAccept(env nodes.Env, from nodes.ID, m Accept) {
	if m.View != n.st.View || n.st.Primary != n.id || n.status != viewChange || n.accepts == nil {
		return
	}
	n.accepts[from] = m.Snap
	n.maybeStartView(env)
}

// maybeStartView adopts the most recent state among a majority of Accepts
// and starts the view.
func (n *Node) maybeStartView(env nodes.Env) {
	if len(n.accepts) < n.majority() {
		return
	}
	best := n.id
	for _, id := range slices.Sorted(maps.Keys(n.accepts)) {
		a, b := n.accepts[id], n.accepts[best]
		if a.LastNormal > b.LastNormal || (a.LastNormal == b.LastNormal && a.OpNum > b.OpNum) {
			best = id
		}
	}
	if best != n.id {
		env.Reached("pbkv: primary adopted a backup's newer state")
	}
	chosen := n.accepts[best]
	n.st.Snap = chosen.clone()
	n.st.Snap.LastNormal = n.st.View
	n.accepts = nil
	n.status = normal
	n.started, n.active = false, false
	clear(n.acked)
	v, op := n.st.View, n.st.Snap.OpNum
	env.Logf("view %d: adopted %v's state at op %d", v, best, op)
	n.persist(env, func(env nodes.Env) {
		if n.st.View != v || !n.isPrimary() {
			return
		}
		n.started = true
		n.durable = n.st.Snap.OpNum
		for _, p := range env.Peers() {
			env.Send(p, StartView{View: v, Snap: n.st.Snap.clone()})
		}
		n.tryCommit(env)
	})
}

func (n *Node) onReject(env nodes.Env, m Reject) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.View <= n.st.View {
		return
	}
	// A newer view exists: stop acting in ours, promise the newer one, and
	// wait for its primary's state.
	n.stepDown(env, m.Primary)
	n.st.View, n.st.Primary = m.View, m.Primary
	n.status = viewChange
	n.persist(env, nil)
}

func (n *Node) onStartView(env nodes.Env, from nodes.ID, m StartView) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.View < n.st.View {
		env.Send(from, Reject{View: n.st.View, Primary: n.st.Primary})
		return
	}
	if m.View == n.st.View && n.status == normal && (n.st.Primary != from || m.Snap.OpNum <= n.st.Snap.OpNum) {
		if n.st.Primary == from {
			n.ackDurable(env, from)
		}
		return
	}
	if m.View > n.st.View || n.st.Primary != from {
		n.stepDown(env, from)
	}
	if n.status == normal {
		env.Reached("pbkv: backup caught up by state transfer")
	}
	n.st.View, n.st.Primary = m.View, from
	n.st.Snap = m.Snap.clone()
	n.status = normal
	n.progress = env.Monotonic()
	n.persist(env, func(env nodes.Env) { n.sendOK(env, from, m.View, m.Snap.OpNum) })
}

// ackDurable acknowledges our op number once everything written is durable.
func (n *Node) ackDurable(env nodes.Env, to nodes.ID) {
	v, op := n.st.View, n.st.Snap.OpNum
	n.syncs.After(env, func(env nodes.Env) { n.sendOK(env, to, v, op) })
}

func (n *Node) sendOK(env nodes.Env, to nodes.ID, v, op uint64) {
	if n.st.View == v && n.status == normal {
		env.Send(to, PrepareOK{View: v, OpNum: op})
	}
}

func (n *Node) onPrepare(env nodes.Env, from nodes.ID, m Prepare) {
	n.maxSeen = max(n.maxSeen, m.View)
	switch {
	case m.View < n.st.View:
		env.Send(from, Reject{View: n.st.View, Primary: n.st.Primary})
		return
	case m.View > n.st.View || n.status != normal || n.st.Primary != from:
		env.Send(from, NeedState{View: n.st.View})
		return
	}
	n.progress = env.Monotonic()
	switch {
	case m.OpNum <= n.st.Snap.OpNum:
		n.ackDurable(env, from) // a resend: we have it
	case m.OpNum == n.st.Snap.OpNum+1:
		n.st.Snap.apply(m.Client, m.Seq, &m.Op)
		n.persist(env, func(env nodes.Env) { n.sendOK(env, from, m.View, m.OpNum) })
	default:
		env.Send(from, NeedState{View: n.st.View})
	}
}

func (n *Node) onPrepareOK(env nodes.Env, from nodes.ID, m PrepareOK) {
	if !n.isPrimary() || !n.started || m.View != n.st.View {
		return
	}
	n.acked[from] = max(n.acked[from], m.OpNum)
	n.tryCommit(env)
}

// tryCommit commits the op in flight (or, at the start of a view, the
// adopted state) once a majority durably holds it.
func (n *Node) tryCommit(env nodes.Env) {
	target := n.st.Snap.OpNum
	if n.active && n.pending == nil {
		return
	}
	count := 0
	if n.durable >= target {
		count++
	}
	for _, p := range env.Peers() {
		if n.acked[p] >= target {
			count++
		}
	}
	if count < n.majority() {
		return
	}
	n.commit = target
	if !n.active {
		n.active = true
		env.Reached("pbkv: new primary active")
		env.Logf("view %d active at op %d", n.st.View, target)
	}
	if p := n.pending; p != nil {
		n.pending = nil
		env.Send(p.from, reply(p.seq, p.res, 0))
	}
	n.next(env)
}

// retransmit resends what the backups have not acknowledged.
func (n *Node) retransmit(env nodes.Env) {
	for _, p := range env.Peers() {
		if n.acked[p] >= n.st.Snap.OpNum {
			continue
		}
		if !n.active {
			env.Send(p, StartView{View: n.st.View, Snap: n.st.Snap.clone()})
		} else if q := n.pending; q != nil {
			env.Send(p, Prepare{View: n.st.View, OpNum: q.opNum, Client: q.client, Seq: q.seq, Op: q.op})
		}
	}
}

func reply(seq uint64, s Session, leader nodes.ID) kv.Reply {
	return kv.Reply{Seq: seq, Status: s.Status, Leader: leader, Value: s.Value, Exists: s.Exists}
}

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if !validKind(req.Op.Kind) {
		panic(fmt.Sprintf("pbkv: %v: request from %v with unknown operation kind %q", n.id, from, req.Op.Kind))
	}
	if !n.isPrimary() {
		hint := n.st.Primary
		if hint == n.id {
			hint = 0
		}
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusNotLeader, Leader: hint})
		return
	}
	if n.cfg.Bugs.StaleReads && n.active && isRead(&req.Op) {
		// Planted bug: no round to a majority, so a deposed primary that
		// has not heard of the new view answers from stale state.
		env.Send(from, reply(req.Seq, n.st.Snap.execute(&req.Op), 0))
		return
	}
	if p := n.pending; p != nil && p.client == req.Client && p.seq == req.Seq {
		p.from = from // a retry of the op in flight: its answer will come
		return
	}
	n.queue = slices.DeleteFunc(n.queue, func(r request) bool { return r.req.Client == req.Client })
	n.queue = append(n.queue, request{from: from, req: req})
	n.next(env)
}

// next starts replicating the first queued request, if nothing is in
// flight.
func (n *Node) next(env nodes.Env) {
	for n.active && n.pending == nil && len(n.queue) > 0 {
		r := n.queue[0]
		n.queue = n.queue[1:]
		if ss, ok := n.st.Snap.Sessions[r.req.Client]; ok && r.req.Seq <= ss.Seq {
			if r.req.Seq == ss.Seq {
				env.Reached("pbkv: retried request answered from the session table")
				env.Send(r.from, reply(r.req.Seq, ss, 0))
			}
			continue // an older Seq: the client has moved on
		}
		res := n.st.Snap.apply(r.req.Client, r.req.Seq, &r.req.Op)
		op := n.st.Snap.OpNum
		n.pending = &inflight{opNum: op, from: r.from, client: r.req.Client, seq: r.req.Seq, op: r.req.Op, res: res}
		v := n.st.View
		n.persist(env, func(env nodes.Env) {
			if n.st.View == v && n.isPrimary() {
				n.durable = max(n.durable, op)
				n.tryCommit(env)
			}
		})
		for _, p := range env.Peers() {
			env.Send(p, Prepare{View: v, OpNum: op, Client: r.req.Client, Seq: r.req.Seq, Op: r.req.Op})
		}
	}
}
