package queue

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

// Defaults for Config's zero fields.
const (
	DefaultHeartbeat      = 50 * time.Millisecond
	DefaultViewTimeout    = 300 * time.Millisecond
	DefaultSessionTimeout = 1 * time.Second
)

// Config configures every broker of a cluster.
type Config struct {
	// Heartbeat is the ping interval between brokers (default 50ms).
	Heartbeat time.Duration
	// ViewTimeout is how long a backup waits without hearing an active
	// primary before it suspects it (default 300ms; at least two
	// heartbeats).
	ViewTimeout time.Duration
	// SessionTimeout is how long a group member may stay silent before the
	// primary removes it and its partitions go to the others (default 1s):
	// the visibility timeout of what it fetched and did not commit.
	SessionTimeout time.Duration
	Bugs           Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// AckBeforeDurable: the primary answers an effect as soon as it has
	// applied it, before a majority (or even its own disk) holds it.
	AckBeforeDurable bool
	// DedupNotPersisted: the sinks' dedup tables live in memory only: not
	// in the snapshot file, nor in the state a view change transfers.
	DedupNotPersisted bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.ViewTimeout == 0 {
		c.ViewTimeout = DefaultViewTimeout
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Heartbeat <= 0 || c.ViewTimeout <= 0 || c.SessionTimeout <= 0 {
		return errors.New("queue: heartbeat, view_timeout and session_timeout must be positive")
	}
	if c.ViewTimeout < 2*c.Heartbeat {
		return fmt.Errorf("queue: view_timeout %v must be at least two heartbeats (%v)", c.ViewTimeout, 2*c.Heartbeat)
	}
	if c.SessionTimeout < 2*c.Heartbeat {
		return fmt.Errorf("queue: session_timeout %v must be at least two heartbeats (%v)", c.SessionTimeout, 2*c.Heartbeat)
	}
	return nil
}

// New returns the broker factory. It panics on an invalid Config (call
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
	// viewChange: the server has accepted view but does not hold its
	// state yet (or is proposing it).
	viewChange status = iota
	// normal: the server holds view's state (as primary or backup).
	normal
)

// MaxBatch is the most operations the primary replicates in one Prepare
// (group commit: one round trip and one sync for all of them).
const MaxBatch = 64

// inflight is the batch the primary is replicating.
type inflight struct {
	first   uint64 // op number of entries[0]
	entries []Entry
	waiters []waiter
}

// waiter is a client to answer when the batch commits.
type waiter struct {
	from   nodes.ID
	client nodes.ID
	seq    uint64
	res    Result
}

type request struct {
	from nodes.ID
	req  Request
}

// member names a group member, for session timeouts.
type member struct {
	group string
	id    nodes.ID
}

const tickTag = 1

// Node is one broker.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID
	n   int // cluster size

	view    uint64
	primary nodes.ID
	snap    Snapshot
	epoch   uint64 // of the snapshot file; log entries carry it
	logged  int    // entries in the log file since the snapshot
	status  status

	// Primary side (primary == id, status normal).
	started  bool   // StartView sent: the view's state is ours
	active   bool   // a majority holds the view's state: serving
	durable  uint64 // highest op number our own disk holds
	acked    map[nodes.ID]uint64
	commit   uint64
	pending  *inflight
	queue    []request
	maxSeen  uint64
	accepts  map[nodes.ID]Snapshot
	lastSeen map[nodes.ID]time.Duration
	progress time.Duration
	heard    map[member]time.Duration // last request of each group member (monotonic)

	syncs durable.Syncs
}

// State is what a broker exposes to invariants, digests and tests.
type State struct {
	View    uint64
	Primary nodes.ID
	Normal  bool
	Active  bool
	OpNum   uint64
	Hash    uint64
}

// State reports the broker's state.
func (n *Node) State() State {
	return State{View: n.view, Primary: n.primary, Normal: n.status == normal, Active: n.active, OpNum: n.snap.OpNum, Hash: n.snap.Hash()}
}

// Log returns a copy of partition p's message ids in this broker's state.
func (n *Node) Log(p int) []string {
	if p < 0 || p >= len(n.snap.Logs) {
		return nil
	}
	return slices.Clone(n.snap.Logs[p])
}

// IsLeader implements nodes.LeaderReporter: the active primary.
func (n *Node) IsLeader() bool { return n.active }

func (n *Node) majority() int { return n.n/2 + 1 }

// Start recovers from the store alone: the view file, the snapshot, and
// the log entries after it, replayed.
func (n *Node) Start(env nodes.Env) {
	n.n = len(env.Peers()) + 1
	n.acked = map[nodes.ID]uint64{}
	n.lastSeen = map[nodes.ID]time.Duration{}
	n.heard = map[member]time.Duration{}
	r, err := readStore(env.Store())
	if err != nil {
		panic(fmt.Sprintf("queue: %v: %v", n.id, err))
	}
	n.view, n.primary = r.view.View, r.view.Primary
	n.snap, n.epoch = r.snap.Snap, r.snap.Epoch
	if n.cfg.Bugs.DedupNotPersisted {
		n.snap.Dedup = map[string]map[string]bool{}
	}
	for _, e := range r.entries {
		if e.OpNum != n.snap.OpNum+1 {
			continue
		}
		n.snap.apply(e.Client, e.Seq, &e.Op)
		n.logged++
	}
	if r.torn {
		env.Reached("queue: recovery dropped a torn log record")
	}
	n.maxSeen = n.view
	n.status = viewChange
	if n.view > 0 && n.snap.LastNormal == n.view && n.primary != n.id {
		n.status = normal // a backup resumes in its view
		env.Logf("recovered as backup of view %d (primary %v), op %d", n.view, n.primary, n.snap.OpNum)
	}
	n.progress = env.Monotonic() - n.cfg.ViewTimeout + 2*n.cfg.Heartbeat
	env.SetTimer(n.cfg.Heartbeat, tickTag)
}

// saveView writes the view file.
func (n *Node) saveView(env nodes.Env) {
	env.Store().Write(ViewFile, durable.SealJSON(viewRecord{View: n.view, Primary: n.primary}))
}

// persisted is the snapshot as it goes to disk or to another broker.
func (n *Node) persisted() Snapshot {
	s := n.snap.clone()
	if n.cfg.Bugs.DedupNotPersisted {
		s.Dedup = nil // planted bug: the dedup table is left out
	}
	return s
}

// saveSnapshot writes a new snapshot and empties the log.
func (n *Node) saveSnapshot(env nodes.Env) {
	n.epoch++
	env.Store().Write(SnapshotFile, durable.SealJSON(snapRecord{Epoch: n.epoch, Snap: n.persisted()}))
	env.Store().Write(LogFile, nil)
	n.logged = 0
}

// logOp appends the operation just applied (or compacts).
func (n *Node) logOp(env nodes.Env, client nodes.ID, seq uint64, op Op) {
	if n.logged >= CompactEvery {
		n.saveSnapshot(env)
		return
	}
	env.Store().Append(LogFile, frame(logEntry{Epoch: n.epoch, OpNum: n.snap.OpNum, Client: client, Seq: seq, Op: op}))
	n.logged++
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// Timer is the heartbeat tick: ping, retransmit, expire silent members,
// maybe propose a view.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tickTag {
		return
	}
	env.SetTimer(n.cfg.Heartbeat, tickTag)
	ping := Ping{View: n.view, Primary: n.primary, Normal: n.status == normal, Active: n.active, OpNum: n.snap.OpNum, Commit: n.commit}
	for _, p := range env.Peers() {
		env.Send(p, ping)
	}
	now := env.Monotonic()
	switch {
	case n.isPrimary() && n.started:
		n.progress = now
		n.retransmit(env)
		if n.active {
			n.expireSilent(env, now)
		}
		return
	case n.status == viewChange && n.primary == n.id && n.accepts != nil:
		for _, p := range env.Peers() {
			if _, ok := n.accepts[p]; !ok {
				env.Send(p, Propose{View: n.view, Primary: n.id})
			}
		}
	}
	waited := now - n.progress
	if waited <= n.cfg.ViewTimeout {
		return
	}
	var live []nodes.ID
	for _, p := range env.Peers() {
		if t, ok := n.lastSeen[p]; ok && now-t <= n.cfg.ViewTimeout && p != n.primary {
			live = append(live, p)
		}
	}
	live = append(live, n.id)
	slices.Sort(live)
	if len(live) < n.majority() {
		return
	}
	rank := slices.Index(live, n.id)
	if waited > time.Duration(1+2*rank)*n.cfg.ViewTimeout {
		n.propose(env)
	}
}

// expireSilent queues an OpExpire for every member not heard from for
// SessionTimeout. Members are first heard when the primary becomes active.
func (n *Node) expireSilent(env nodes.Env, now time.Duration) {
	for _, name := range n.snap.groupNames() {
		for _, m := range n.snap.Groups[name].Members {
			k := member{name, m}
			t, ok := n.heard[k]
			if !ok {
				n.heard[k] = now
				continue
			}
			if now-t > n.cfg.SessionTimeout {
				n.heard[k] = now // one expiry per timeout
				env.Reached("queue: member session expired")
				env.Logf("group %s: member %v silent for %v, expiring", name, m, now-t)
				n.queue = append(n.queue, request{req: Request{Op: Op{Code: OpExpire, Group: name, Member: m}}})
			}
		}
	}
	n.next(env)
}

func (n *Node) isPrimary() bool { return n.status == normal && n.primary == n.id }

func (n *Node) propose(env nodes.Env) {
	n.stepDown(env, 0)
	v := max(n.view, n.maxSeen) + 1
	n.maxSeen = v
	n.view, n.primary = v, n.id
	n.status = viewChange
	n.accepts = nil
	n.progress = env.Monotonic()
	env.Reached("queue: view change proposed")
	env.Logf("proposing view %d", v)
	n.saveView(env)
	n.syncs.After(env, func(env nodes.Env) {
		if n.view != v || n.primary != n.id || n.status != viewChange {
			return
		}
		n.accepts = map[nodes.ID]Snapshot{n.id: n.persisted()}
		for _, p := range env.Peers() {
			env.Send(p, Propose{View: v, Primary: n.id})
		}
		n.maybeStartView(env)
	})
}

// stepDown ends this server's time as primary (if it was one).
func (n *Node) stepDown(env nodes.Env, hint nodes.ID) {
	if n.primary == n.id && n.status == normal {
		env.Reached("queue: deposed primary stepped down")
	}
	if p := n.pending; p != nil {
		for _, w := range p.waiters {
			env.Send(w.from, Reply{Seq: w.seq, Leader: hint, Result: Result{Status: StatusRetry}})
		}
	}
	n.pending = nil
	for _, r := range n.queue {
		if r.from != 0 {
			env.Send(r.from, Reply{Seq: r.req.Seq, Leader: hint, Result: Result{Status: StatusNotLeader}})
		}
	}
	n.queue = nil
	n.started, n.active, n.commit = false, false, 0
	n.accepts = nil
	clear(n.acked)
	clear(n.heard)
}

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if !from.IsClient() {
		n.lastSeen[from] = env.Monotonic()
	}
	switch m := msg.(type) {
	case Request:
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
		if n.isPrimary() && n.started && m.View <= n.view {
			env.Send(from, StartView{View: n.view, Snap: n.persisted()})
		}
	}
}

func (n *Node) onPing(env nodes.Env, from nodes.ID, m Ping) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.Active && m.View == n.view && from == n.primary {
		n.progress = env.Monotonic()
		if n.status == normal && m.Commit > n.snap.OpNum {
			env.Send(from, NeedState{View: n.view})
		}
	}
	if m.Active && (m.View > n.view || (m.View == n.view && n.status != normal && from == n.primary)) {
		env.Send(from, NeedState{View: n.view})
	}
	if n.isPrimary() && n.started && (m.View < n.view || (m.View == n.view && !m.Normal)) {
		env.Send(from, StartView{View: n.view, Snap: n.persisted()})
	}
}

func (n *Node) onPropose(env nodes.Env, from nodes.ID, m Propose) {
	n.maxSeen = max(n.maxSeen, m.View)
	switch {
	case m.View < n.view || (m.View == n.view && n.primary != m.Primary):
		env.Send(from, Reject{View: n.view, Primary: n.primary})
		return
	case m.View == n.view:
		if n.status == viewChange {
			n.syncs.After(env, func(env nodes.Env) { n.sendAccept(env, from, m.View) })
		}
		return
	}
	n.stepDown(env, m.Primary)
	n.view, n.primary = m.View, m.Primary
	n.status = viewChange
	n.progress = env.Monotonic()
	n.saveView(env)
	n.syncs.After(env, func(env nodes.Env) { n.sendAccept(env, from, m.View) })
}

func (n *Node) sendAccept(env nodes.Env, to nodes.ID, v uint64) {
	if n.view == v && n.status == viewChange {
		env.Send(to, Accept{View: v, Snap: n.persisted()})
	}
}

func (n *Node) onAccept(env nodes.Env, from nodes.ID, m Accept) {
	if m.View != n.view || n.primary != n.id || n.status != viewChange || n.accepts == nil {
		return
	}
	n.accepts[from] = m.Snap
	n.maybeStartView(env)
}

// maybeStartView adopts the most recent state among a majority of Accepts
// (highest last normal view, then op number, as Viewstamped Replication)
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
		env.Reached("queue: primary adopted a backup's newer state")
	}
	chosen := n.accepts[best]
	n.install(chosen)
	n.snap.LastNormal = n.view
	n.accepts = nil
	n.status = normal
	n.started, n.active = false, false
	clear(n.acked)
	v := n.view
	env.Logf("view %d: adopted %v's state at op %d", v, best, n.snap.OpNum)
	n.saveSnapshot(env)
	n.syncs.After(env, func(env nodes.Env) {
		if n.view != v || !n.isPrimary() {
			return
		}
		n.started = true
		n.durable = n.snap.OpNum
		for _, p := range env.Peers() {
			env.Send(p, StartView{View: v, Snap: n.persisted()})
		}
		n.tryCommit(env)
	})
}

// install replaces the state with a received one.
func (n *Node) install(s Snapshot) {
	n.snap = s.clone()
	n.snap.fill()
}

func (n *Node) onReject(env nodes.Env, m Reject) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.View <= n.view {
		return
	}
	n.stepDown(env, m.Primary)
	n.view, n.primary = m.View, m.Primary
	n.status = viewChange
	n.saveView(env)
	n.syncs.After(env, nil)
}

func (n *Node) onStartView(env nodes.Env, from nodes.ID, m StartView) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.View < n.view {
		env.Send(from, Reject{View: n.view, Primary: n.primary})
		return
	}
	if m.View == n.view && n.status == normal && (n.primary != from || m.Snap.OpNum <= n.snap.OpNum) {
		if n.primary == from {
			n.ackDurable(env, from)
		}
		return
	}
	if m.View > n.view || n.primary != from {
		n.stepDown(env, from)
	}
	if n.status == normal {
		env.Reached("queue: backup caught up by state transfer")
	}
	n.view, n.primary = m.View, from
	n.install(m.Snap)
	n.status = normal
	n.progress = env.Monotonic()
	n.saveView(env)
	n.saveSnapshot(env)
	op := m.Snap.OpNum
	n.syncs.After(env, func(env nodes.Env) { n.sendOK(env, from, m.View, op) })
}

func (n *Node) ackDurable(env nodes.Env, to nodes.ID) {
	v, op := n.view, n.snap.OpNum
	n.syncs.After(env, func(env nodes.Env) { n.sendOK(env, to, v, op) })
}

func (n *Node) sendOK(env nodes.Env, to nodes.ID, v, op uint64) {
	if n.view == v && n.status == normal {
		env.Send(to, PrepareOK{View: v, OpNum: op})
	}
}

func (n *Node) onPrepare(env nodes.Env, from nodes.ID, m Prepare) {
	n.maxSeen = max(n.maxSeen, m.View)
	switch {
	case m.View < n.view:
		env.Send(from, Reject{View: n.view, Primary: n.primary})
		return
	case m.View > n.view || n.status != normal || n.primary != from:
		env.Send(from, NeedState{View: n.view})
		return
	}
	n.progress = env.Monotonic()
	last := m.OpNum + uint64(len(m.Entries)) - 1
	switch {
	case len(m.Entries) == 0 || last <= n.snap.OpNum:
		n.ackDurable(env, from)
	case m.OpNum <= n.snap.OpNum+1:
		for i, e := range m.Entries {
			if m.OpNum+uint64(i) == n.snap.OpNum+1 {
				n.snap.apply(e.Client, e.Seq, &e.Op)
				n.logOp(env, e.Client, e.Seq, e.Op)
			}
		}
		n.syncs.After(env, func(env nodes.Env) { n.sendOK(env, from, m.View, last) })
	default:
		env.Send(from, NeedState{View: n.view})
	}
}

func (n *Node) onPrepareOK(env nodes.Env, from nodes.ID, m PrepareOK) {
	if !n.isPrimary() || !n.started || m.View != n.view {
		return
	}
	n.acked[from] = max(n.acked[from], m.OpNum)
	n.tryCommit(env)
}

// tryCommit commits the op in flight (or, at the start of a view, the
// adopted state) once a majority durably holds it.
func (n *Node) tryCommit(env nodes.Env) {
	target := n.snap.OpNum
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
		env.Reached("queue: new primary active")
		env.Logf("view %d active at op %d", n.view, target)
	}
	if p := n.pending; p != nil {
		n.pending = nil
		for _, w := range p.waiters {
			env.Send(w.from, Reply{Seq: w.seq, Result: w.res})
		}
	}
	n.next(env)
}

// retransmit resends what the backups have not acknowledged.
func (n *Node) retransmit(env nodes.Env) {
	for _, p := range env.Peers() {
		if n.acked[p] >= n.snap.OpNum {
			continue
		}
		if !n.active {
			env.Send(p, StartView{View: n.view, Snap: n.persisted()})
		} else if q := n.pending; q != nil {
			env.Send(p, Prepare{View: n.view, OpNum: q.first, Entries: q.entries})
		}
	}
}

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req Request) {
	if req.Op.Code < OpProduce || req.Op.Code > OpSink || req.Client == 0 {
		panic(fmt.Sprintf("queue: %v: request from %v with operation %v", n.id, from, req.Op.Code))
	}
	if !n.isPrimary() || !n.active {
		hint := n.primary
		if hint == n.id {
			hint = 0
		}
		env.Send(from, Reply{Seq: req.Seq, Leader: hint, Result: Result{Status: StatusNotLeader}})
		return
	}
	if req.Op.Group != "" {
		n.heard[member{req.Op.Group, req.Client}] = env.Monotonic()
	}
	if p := n.pending; p != nil {
		for i, w := range p.waiters {
			if w.client == req.Client && w.seq == req.Seq {
				p.waiters[i].from = from // a retry of an op in flight: its answer will come
				return
			}
		}
		for _, e := range p.entries {
			if e.Client == req.Client && e.Seq == req.Seq {
				return // in flight, already answered (the planted bug)
			}
		}
	}
	n.queue = slices.DeleteFunc(n.queue, func(r request) bool { return r.from != 0 && r.req.Client == req.Client })
	n.queue = append(n.queue, request{from: from, req: req})
	n.next(env)
}

// next starts replicating the queued requests (up to MaxBatch), if
// nothing is in flight.
func (n *Node) next(env nodes.Env) {
	for n.active && n.pending == nil && len(n.queue) > 0 {
		batch := &inflight{first: n.snap.OpNum + 1}
		for len(n.queue) > 0 && len(batch.entries) < MaxBatch {
			r := n.queue[0]
			n.queue = n.queue[1:]
			if r.req.Client != 0 {
				if ss, ok := n.snap.Sessions[r.req.Client]; ok && r.req.Seq <= ss.Seq {
					if r.req.Seq == ss.Seq {
						env.Reached("queue: retried request answered from the session table")
						env.Send(r.from, Reply{Seq: r.req.Seq, Result: ss.Result.clone()})
					}
					continue
				}
			}
			e := Entry{Client: r.req.Client, Seq: r.req.Seq, Op: r.req.Op}
			res := n.snap.apply(e.Client, e.Seq, &e.Op)
			n.logOp(env, e.Client, e.Seq, e.Op)
			batch.entries = append(batch.entries, e)
			switch {
			case r.from == 0:
			case n.cfg.Bugs.AckBeforeDurable && e.Op.Code == OpEffect:
				// Planted bug: the effect is acknowledged once applied
				// here, before any disk (ours or a backup's) holds it.
				env.Send(r.from, Reply{Seq: e.Seq, Result: res.clone()})
			default:
				batch.waiters = append(batch.waiters, waiter{from: r.from, client: e.Client, seq: e.Seq, res: res})
			}
		}
		if len(batch.entries) == 0 {
			continue
		}
		if len(batch.entries) > 1 {
			env.Reached("queue: primary replicated a batch of operations")
		}
		n.pending = batch
		v, op := n.view, n.snap.OpNum
		n.syncs.After(env, func(env nodes.Env) {
			if n.view == v && n.isPrimary() {
				n.durable = max(n.durable, op)
				n.tryCommit(env)
			}
		})
		for _, p := range env.Peers() {
			env.Send(p, Prepare{View: v, OpNum: batch.first, Entries: batch.entries})
		}
	}
}
