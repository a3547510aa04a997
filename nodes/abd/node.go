package abd

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
	DefaultRetransmit = 20 * time.Millisecond
	DefaultOpTimeout  = 2 * time.Second
)

// Config configures every server of a cluster.
type Config struct {
	// Retransmit is how often a coordinator resends a phase's message to
	// the servers that have not answered it (default 20ms).
	Retransmit time.Duration
	// OpTimeout is how long a coordinator works on one client request
	// before it forgets it (default 2s); the client has retried elsewhere
	// long before.
	OpTimeout time.Duration
	Bugs      Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// NoWriteBack: a read answers the highest version of its query phase
	// without writing it back to a quorum.
	NoWriteBack bool
	// TagNotUnique: a write's tag is the highest timestamp plus one, with
	// neither the coordinator's id nor its counter.
	TagNotUnique bool
	// MinorityQuorum: a quorum is n/2 servers instead of n/2+1.
	MinorityQuorum bool
	// NoReservation: a write stores its freshly chosen tag at once, with
	// no reservation round, so a write retried at another coordinator
	// gets a second tag.
	NoReservation bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Retransmit == 0 {
		c.Retransmit = DefaultRetransmit
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Retransmit <= 0 || c.OpTimeout <= 0 {
		return errors.New("abd: retransmit and op_timeout must be positive")
	}
	if c.OpTimeout < 2*c.Retransmit {
		return fmt.Errorf("abd: op_timeout %v must be at least two retransmits (%v)", c.OpTimeout, 2*c.Retransmit)
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

// phase is where a coordinated operation is.
type phase uint8

const (
	phaseQuery   phase = iota + 1 // reading a quorum's versions (and records)
	phaseCounter                  // a write waits for its new counter to be durable
	phaseReserve                  // a write fixes its tag at a quorum
	phaseStore                    // writing (or writing back) a version to a quorum
)

// op is a client request this server coordinates.
type op struct {
	id      uint64
	from    nodes.ID // where the answer goes (the latest attempt's sender)
	req     kv.Request
	started time.Duration
	phase   phase

	queries  map[nodes.ID]QueryReply
	reserves map[nodes.ID]Tag
	acks     map[nodes.ID]bool
	proposed Tag
	store    Version  // what the store phase writes
	reply    kv.Reply // the answer once the store phase has a quorum
}

func (o *op) isWrite() bool { return !o.req.Op.Kind.IsRead() }

const tickTag = 1

// Node is one ABD server: a replica of every key and a coordinator of the
// client requests sent to it.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID
	n   int // cluster size

	st state

	ops      map[uint64]*op
	byClient map[nodes.ID]uint64 // client → the id of its op here

	syncs durable.Syncs // actions waiting for their writes to be durable
}

// Value returns this server's version of key.
func (n *Node) Value(key string) (Version, bool) {
	v, ok := n.st.Data[key]
	return v, ok
}

// Keys returns the keys this server holds a version of, sorted.
func (n *Node) Keys() []string { return slices.Sorted(maps.Keys(n.st.Data)) }

// Session returns this server's session record for client.
func (n *Node) Session(client nodes.ID) (Record, bool) {
	r, ok := n.st.Sessions[client]
	return r, ok
}

// Quorum is the number of servers an operation's phase waits for.
func (n *Node) Quorum() int {
	if n.cfg.Bugs.MinorityQuorum {
		return max(1, n.n/2)
	}
	return n.n/2 + 1
}

// Start recovers from the store alone.
func (n *Node) Start(env nodes.Env) {
	n.n = len(env.Peers()) + 1
	n.ops = map[uint64]*op{}
	n.byClient = map[nodes.ID]uint64{}
	n.st = newState()
	if b, err := env.Store().Read(StateFile); err == nil {
		st, err := decodeState(b)
		if err != nil {
			panic(fmt.Sprintf("abd: %v: %v", n.id, err))
		}
		n.st = st
		env.Reached("abd: server recovered its state from disk")
		env.Logf("recovered %d keys, %d sessions, counter %d", len(st.Data), len(st.Sessions), st.Counter)
	} else if !errors.Is(err, nodes.ErrNotFound) {
		panic(fmt.Sprintf("abd: %v: reading state: %v", n.id, err))
	}
	env.SetTimer(n.cfg.Retransmit, tickTag)
}

// persist writes the state (if changed) and runs then once every earlier
// write is durable.
func (n *Node) persist(env nodes.Env, changed bool, then func(env nodes.Env)) {
	if changed {
		env.Store().Write(StateFile, n.st.encode())
	}
	n.syncs.After(env, then)
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// servers lists every server, this one included, in ID order.
func (n *Node) servers(env nodes.Env) []nodes.ID {
	return slices.Sorted(slices.Values(append(slices.Clone(env.Peers()), n.id)))
}

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case kv.Request:
		n.onRequest(env, from, m)
	case Query:
		n.onQuery(env, from, m)
	case Reserve:
		n.onReserve(env, from, m)
	case Store:
		n.onStore(env, from, m)
	case QueryReply:
		if o := n.ops[m.Op]; o != nil && o.phase == phaseQuery {
			o.queries[from] = m
			n.afterQuery(env, o)
		}
	case ReserveReply:
		if o := n.ops[m.Op]; o != nil && o.phase == phaseReserve {
			if m.Stale {
				n.drop(env, o, "the client has moved on")
				return
			}
			o.reserves[from] = m.Tag
			n.afterReserve(env, o)
		}
	case StoreAck:
		if o := n.ops[m.Op]; o != nil && o.phase == phaseStore {
			o.acks[from] = true
			n.afterStore(env, o)
		}
	}
}

// --- The replica side: answer queries, record reservations, store. ---

func (n *Node) onQuery(env nodes.Env, from nodes.ID, m Query) {
	r := QueryReply{Op: m.Op, Version: n.st.Data[m.Key]}
	if m.Write {
		if rec, ok := n.st.Sessions[m.Client]; ok {
			r.Stale = rec.Seq > m.Seq
			r.HasRec = rec.Seq == m.Seq
			if r.HasRec {
				r.Rec = rec.Tag
			}
		}
	}
	// Answer once what we report is durable: a read that finds a quorum
	// agreeing skips its write-back, which is only safe if none of them
	// can lose the version in a crash.
	n.persist(env, false, func(env nodes.Env) { env.Send(from, r) })
}

func (n *Node) onReserve(env nodes.Env, from nodes.ID, m Reserve) {
	rec, ok := n.st.Sessions[m.Client]
	switch {
	case ok && rec.Seq > m.Seq:
		env.Send(from, ReserveReply{Op: m.Op, Stale: true})
		return
	case ok && rec.Seq == m.Seq:
		if rec.Tag != m.Tag {
			env.Reached("abd: reservation refused, the write has another tag")
		}
		// Answer with the recorded tag once it is durable (it may still
		// be in flight to the disk).
		n.persist(env, false, func(env nodes.Env) { env.Send(from, ReserveReply{Op: m.Op, Tag: rec.Tag}) })
		return
	}
	n.st.Sessions[m.Client] = Record{Seq: m.Seq, Tag: m.Tag}
	n.persist(env, true, func(env nodes.Env) { env.Send(from, ReserveReply{Op: m.Op, Tag: m.Tag}) })
}

func (n *Node) onStore(env nodes.Env, from nodes.ID, m Store) {
	cur := n.st.Data[m.Key]
	changed := cur.Tag.Less(m.Version.Tag)
	if changed {
		n.st.Data[m.Key] = m.Version
	}
	n.persist(env, changed, func(env nodes.Env) { env.Send(from, StoreAck{Op: m.Op}) })
}

// --- The coordinator side. ---

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if !kv.Known(req.Op.Kind) {
		panic(fmt.Sprintf("abd: %v: request from %v with unknown operation kind %q", n.id, from, req.Op.Kind))
	}
	switch req.Op.Kind {
	case nodes.OpCAS, nodes.OpAppend:
		// No atomic read-modify-write in a quorum register (see the
		// package doc): a definite failure.
		env.Reached("abd: read-modify-write refused as unsupported")
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported})
		return
	}
	if id, ok := n.byClient[req.Client]; ok {
		o := n.ops[id]
		switch {
		case o.req.Seq == req.Seq:
			o.from = from // a retry of the op under way here: it will answer
			return
		case o.req.Seq > req.Seq:
			return // a late copy of a request the client has moved past
		}
		n.drop(env, o, "the client has moved on")
	}
	o := &op{id: env.Rand().Uint64(), from: from, req: req, started: env.Monotonic(), phase: phaseQuery,
		queries: map[nodes.ID]QueryReply{}, reserves: map[nodes.ID]Tag{}, acks: map[nodes.ID]bool{}}
	for n.ops[o.id] != nil || o.id == 0 {
		o.id = env.Rand().Uint64()
	}
	n.ops[o.id] = o
	n.byClient[req.Client] = o.id
	n.send(env, o)
}

// send sends the op's current phase message to every server that has not
// answered it yet.
func (n *Node) send(env nodes.Env, o *op) {
	for _, s := range n.servers(env) {
		switch o.phase {
		case phaseQuery:
			if _, ok := o.queries[s]; !ok {
				env.Send(s, Query{Op: o.id, Key: o.req.Op.Key, Write: o.isWrite(), Client: o.req.Client, Seq: o.req.Seq})
			}
		case phaseReserve:
			if _, ok := o.reserves[s]; !ok {
				env.Send(s, Reserve{Op: o.id, Client: o.req.Client, Seq: o.req.Seq, Tag: o.proposed})
			}
		case phaseStore:
			if !o.acks[s] {
				env.Send(s, Store{Op: o.id, Key: o.req.Op.Key, Version: o.store})
			}
		}
	}
}

// Timer is the retransmit tick: resend what has not been answered, forget
// operations that have run too long.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tickTag {
		return
	}
	env.SetTimer(n.cfg.Retransmit, tickTag)
	now := env.Monotonic()
	for _, id := range slices.Sorted(maps.Keys(n.ops)) {
		o := n.ops[id]
		if now-o.started > n.cfg.OpTimeout {
			env.Reached("abd: coordinator gave up on an operation")
			n.drop(env, o, "timed out")
			continue
		}
		n.send(env, o)
	}
}

// drop forgets an op without answering (the client has moved on, or it
// retries elsewhere).
func (n *Node) drop(env nodes.Env, o *op, why string) {
	env.Logf("dropping %v seq %d: %s", o.req.Client, o.req.Seq, why)
	delete(n.ops, o.id)
	if n.byClient[o.req.Client] == o.id {
		delete(n.byClient, o.req.Client)
	}
}

// finish answers the client and forgets the op.
func (n *Node) finish(env nodes.Env, o *op, r kv.Reply) {
	env.Send(o.from, r)
	delete(n.ops, o.id)
	if n.byClient[o.req.Client] == o.id {
		delete(n.byClient, o.req.Client)
	}
}

// afterQuery moves an op on once a quorum has answered its query.
func (n *Node) afterQuery(env nodes.Env, o *op) {
	if len(o.queries) < n.Quorum() {
		return
	}
	var best Version
	var recs []Tag
	agree := true
	for i, s := range slices.Sorted(maps.Keys(o.queries)) {
		r := o.queries[s]
		if r.Stale {
			env.Reached("abd: stale write dropped, the client has moved on")
			n.drop(env, o, "the client has moved on")
			return
		}
		if r.HasRec {
			recs = append(recs, r.Rec)
		}
		if i > 0 && r.Version.Tag != best.Tag {
			agree = false
		}
		if i == 0 || best.Tag.Less(r.Version.Tag) {
			best = r.Version
		}
	}
	if !o.isWrite() {
		o.reply = kv.Reply{Seq: o.req.Seq, Status: kv.StatusOK, Value: best.Value, Exists: best.Exists}
		switch {
		case best.Tag.IsZero():
			env.Reached("abd: read found the key never written")
		case n.cfg.Bugs.NoWriteBack:
			// Planted bug: the highest version may be at a minority only;
			// a later read may miss it and return an older one.
		case agree:
			env.Reached("abd: read skipped the write-back, a quorum already agreed")
		default:
			env.Reached("abd: read wrote back a newer version")
			n.startStore(env, o, best)
			return
		}
		n.finish(env, o, o.reply)
		return
	}
	if len(recs) > 0 {
		env.Reached("abd: retried write adopted its reserved tag")
		o.proposed = mostCommon(recs)
		n.startReserve(env, o)
		return
	}
	if n.cfg.Bugs.TagNotUnique {
		// Planted bug: two coordinators that saw the same highest tag
		// choose the same tag for different writes.
		o.proposed = Tag{TS: best.Tag.TS + 1}
		n.startReserve(env, o)
		return
	}
	// A fresh tag: its counter must be durable before anyone sees it, so
	// a restart never hands out the same tag again.
	n.st.Counter++
	o.proposed = Tag{TS: best.Tag.TS + 1, Node: n.id, N: n.st.Counter}
	o.phase = phaseCounter
	n.persist(env, true, func(env nodes.Env) {
		if n.ops[o.id] == o {
			n.startReserve(env, o)
		}
	})
}

// mostCommon returns the tag recorded most often, the highest on a tie.
func mostCommon(tags []Tag) Tag {
	slices.SortFunc(tags, func(a, b Tag) int {
		switch {
		case a.Less(b):
			return -1
		case b.Less(a):
			return 1
		}
		return 0
	})
	var best Tag
	bestN := 0
	for i := 0; i < len(tags); {
		j := i
		for j < len(tags) && tags[j] == tags[i] {
			j++
		}
		if j-i >= bestN {
			best, bestN = tags[i], j-i
		}
		i = j
	}
	return best
}

func (n *Node) startReserve(env nodes.Env, o *op) {
	if n.cfg.Bugs.NoReservation {
		// Planted bug: classic ABD's write, which assumes one coordinator
		// per write; a retry elsewhere stores the same value again under
		// a tag of its own.
		o.reply = kv.Reply{Seq: o.req.Seq, Status: kv.StatusOK}
		n.startStore(env, o, Version{Tag: o.proposed, Value: o.req.Op.Value, Exists: true, Client: o.req.Client, Seq: o.req.Seq})
		return
	}
	o.phase = phaseReserve
	n.send(env, o)
}

// afterReserve starts the store once a quorum has recorded the same tag
// for the write; if every server has answered and no tag has a quorum,
// the write cannot finish here.
func (n *Node) afterReserve(env nodes.Env, o *op) {
	count := map[Tag]int{}
	for _, s := range slices.Sorted(maps.Keys(o.reserves)) {
		t := o.reserves[s]
		count[t]++
		if count[t] >= n.Quorum() {
			if t != o.proposed {
				env.Reached("abd: write took the tag another coordinator reserved")
			}
			o.reply = kv.Reply{Seq: o.req.Seq, Status: kv.StatusOK}
			n.startStore(env, o, Version{Tag: t, Value: o.req.Op.Value, Exists: true, Client: o.req.Client, Seq: o.req.Seq})
			return
		}
	}
	if len(o.reserves) == n.n {
		// Every server has recorded a tag for this write and records
		// never change, so no tag will ever reach a quorum: the write is
		// never stored. Say so (a definite failure), or its client would
		// retry the same seq until its timeout.
		env.Reached("abd: reservations split, no tag has a quorum")
		n.finish(env, o, kv.Reply{Seq: o.req.Seq, Status: kv.StatusFailed})
	}
}

func (n *Node) startStore(env nodes.Env, o *op, v Version) {
	o.phase = phaseStore
	o.store = v
	n.send(env, o)
}

func (n *Node) afterStore(env nodes.Env, o *op) {
	if len(o.acks) >= n.Quorum() {
		n.finish(env, o, o.reply)
	}
}
