package gossip

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// Type is the replicated data type.
type Type string

// The types a replica can hold.
const (
	GCounter  Type = "gcounter"
	PNCounter Type = "pncounter"
	ORSet     Type = "orset"
	LWW       Type = "lww"
	MVReg     Type = "mvreg"
)

// Types lists the types, in the order the docs present them.
func Types() []Type { return []Type{GCounter, PNCounter, ORSet, LWW, MVReg} }

// IsCounter reports a counter type.
func (t Type) IsCounter() bool { return t == GCounter || t == PNCounter }

// Ops are the operation kinds a type performs.
func (t Type) Ops() []nodes.OpKind {
	switch t {
	case GCounter, PNCounter:
		return []nodes.OpKind{crdt.OpAdd, nodes.OpRead}
	case ORSet:
		return []nodes.OpKind{crdt.OpAdd, crdt.OpRemove, nodes.OpRead}
	case LWW, MVReg:
		return []nodes.OpKind{nodes.OpRead, nodes.OpWrite}
	}
	return nil
}

// Defaults for Config's zero fields.
const (
	DefaultFanout         = 2
	DefaultGossipInterval = 100 * time.Millisecond
)

// Config configures every replica of a cluster.
type Config struct {
	Type Type
	// Fanout is how many peers, drawn at random, each gossip round and
	// each push go to (default 2; capped at the number of peers).
	Fanout int
	// GossipInterval is the time between a replica's anti-entropy rounds
	// (default 100ms).
	GossipInterval time.Duration
	Bugs           Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// PushAddsDelta: a counter push is applied by adding its delta to the
	// origin's entry instead of merging the entry: not idempotent.
	PushAddsDelta bool
	// KeyedByClient: a counter update raises the entry of the client that
	// asked instead of the replica's own.
	KeyedByClient bool
	// RemoveUnseen: the set merge reads an element missing on one side as
	// removed there, deleting adds that side has not seen.
	RemoveUnseen bool
	// CountResets: a counter replica sets its own entry from a running
	// total it keeps in memory, which a restart resets to zero.
	CountResets bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Type == "" {
		c.Type = PNCounter
	}
	if c.Fanout == 0 {
		c.Fanout = DefaultFanout
	}
	if c.GossipInterval == 0 {
		c.GossipInterval = DefaultGossipInterval
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if !slices.Contains(Types(), c.Type) {
		return fmt.Errorf("gossip: unknown type %q", c.Type)
	}
	if c.Fanout < 1 || c.GossipInterval <= 0 {
		return errors.New("gossip: fanout and gossip_interval must be positive")
	}
	if (c.Bugs.PushAddsDelta || c.Bugs.KeyedByClient || c.Bugs.CountResets) && !c.Type.IsCounter() {
		return fmt.Errorf("gossip: the counter bugs need a counter type, not %s", c.Type)
	}
	if c.Bugs.RemoveUnseen && c.Type != ORSet {
		return fmt.Errorf("gossip: remove-unseen needs type orset, not %s", c.Type)
	}
	return nil
}

// New returns the replica factory. It panics on an invalid Config (call
// Validate on user input).
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(id nodes.ID) nodes.Node { return &Node{cfg: cfg, id: id} }
}

const tagGossip = 1

// Node is one replica.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID

	st state
	// shared is the object as of the last completed sync: the only one
	// gossip and pushes show (see the package doc).
	shared Value
	// dirty says merges changed the object since it was last written;
	// the next gossip round (or update) writes it.
	dirty bool
	// ownP and ownN are the planted bug count-resets' running totals of
	// this incarnation's increments and decrements.
	ownP, ownN uint64
	syncs      durable.Syncs
}

// Value returns the replica's current object (a copy).
func (n *Node) Value() Value { return n.st.Value.Clone() }

// Shared returns the object as of the last completed sync (a copy).
func (n *Node) Shared() Value { return n.shared.Clone() }

// Start recovers from the store alone.
func (n *Node) Start(env nodes.Env) {
	n.st = state{Value: Value{Type: n.cfg.Type}, Sessions: map[nodes.ID]Session{}}
	if b, err := env.Store().Read(StateFile); err == nil {
		st, err := decodeState(b)
		if err != nil {
			panic(fmt.Sprintf("gossip: %v: %v", n.id, err))
		}
		if st.Value.Type != n.cfg.Type {
			panic(fmt.Sprintf("gossip: %v: the store holds a %s, the cluster runs %s", n.id, st.Value.Type, n.cfg.Type))
		}
		n.st = st
		env.Reached("crdt: replica recovered its state from disk")
		env.Logf("recovered %s, %d sessions", st.Value, len(st.Sessions))
	} else if !errors.Is(err, nodes.ErrNotFound) {
		panic(fmt.Sprintf("gossip: %v: reading state: %v", n.id, err))
	}
	n.shared = n.st.Value.Clone()
	env.SetTimer(time.Duration(env.Rand().Int64N(int64(n.cfg.GossipInterval)))+1, tagGossip)
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// persist writes the state and runs then once it is durable; from then
// on gossip shows it.
func (n *Node) persist(env nodes.Env, then func(env nodes.Env)) {
	n.dirty = false
	env.Store().Write(StateFile, n.st.encode())
	snap := n.st.Value.Clone()
	n.syncs.After(env, func(env nodes.Env) {
		n.shared = snap
		if then != nil {
			then(env)
		}
	})
}

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case kv.Request:
		n.onRequest(env, from, m)
	case Gossip:
		n.onGossip(env, m)
	case Push:
		n.onPush(env, m)
	}
}

// Timer is the anti-entropy round: the durable object to fanout peers.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tagGossip {
		return
	}
	env.SetTimer(n.cfg.GossipInterval, tagGossip)
	if n.dirty {
		n.persist(env, nil)
	}
	for _, p := range n.targets(env) {
		env.Send(p, Gossip{Value: n.shared.Clone()})
	}
}

// targets draws min(fanout, peers) distinct peers.
func (n *Node) targets(env nodes.Env) []nodes.ID {
	peers := env.Peers()
	k := min(n.cfg.Fanout, len(peers))
	out := make([]nodes.ID, 0, k)
	for _, i := range env.Rand().Perm(len(peers))[:k] {
		out = append(out, peers[i])
	}
	return out
}

func (n *Node) onGossip(env nodes.Env, m Gossip) {
	if m.Value.Type != n.cfg.Type {
		return // not ours (a misconfigured peer): ignore
	}
	v := &n.st.Value
	var changed bool
	switch n.cfg.Type {
	case GCounter:
		changed = v.G.Merge(m.Value.G)
	case PNCounter:
		changed = v.PN.Merge(m.Value.PN)
	case ORSet:
		if n.cfg.Bugs.RemoveUnseen {
			changed = v.Set.MergeDroppingUnseen(m.Value.Set)
		} else {
			changed = v.Set.Merge(m.Value.Set)
		}
	case LWW:
		changed = v.LWW.Merge(m.Value.LWW)
	case MVReg:
		changed = v.MV.Merge(m.Value.MV)
	}
	if changed {
		env.Reached("crdt: gossip brought news")
		n.dirty = true
	}
}

func (n *Node) counter(neg bool) *crdt.GCounter {
	switch {
	case n.cfg.Type == GCounter:
		return &n.st.Value.G
	case neg:
		return &n.st.Value.PN.N
	}
	return &n.st.Value.PN.P
}

func (n *Node) onPush(env nodes.Env, m Push) {
	if !n.cfg.Type.IsCounter() || (m.Neg && n.cfg.Type == GCounter) {
		return
	}
	g := n.counter(m.Neg)
	if n.cfg.Bugs.PushAddsDelta {
		// Planted bug: the push is applied as the operation it announces;
		// a duplicate, or a push arriving after gossip brought the entry,
		// counts the increment again.
		g.Inc(m.Origin, m.Delta)
		n.dirty = true
		return
	}
	if m.Entry <= g.Entry(m.Origin) {
		return
	}
	g.Merge(crdt.GCounter{Counts: map[nodes.ID]uint64{m.Origin: m.Entry}})
	env.Reached("crdt: push brought news")
	n.dirty = true
}

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if !slices.Contains(n.cfg.Type.Ops(), req.Op.Kind) {
		env.Reached("crdt: operation refused as unsupported by the type")
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported})
		return
	}
	if req.Op.Kind == nodes.OpRead {
		out, exists := n.st.Value.Read()
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusOK, Value: out, Exists: exists})
		return
	}
	s, ok := n.st.Sessions[req.Client]
	switch {
	case ok && req.Seq < s.Seq:
		return // a late copy of an update the client has moved past
	case ok && req.Seq == s.Seq:
		env.Reached("crdt: retried update answered from the session")
		reply := s.Reply
		n.syncs.After(env, func(env nodes.Env) { env.Send(from, reply) })
		return
	}
	reply, push, ok := n.apply(env, req)
	if !ok {
		env.Send(from, reply)
		return
	}
	n.st.Sessions[req.Client] = Session{Seq: req.Seq, Reply: reply}
	n.persist(env, func(env nodes.Env) {
		env.Send(from, reply)
		for _, p := range n.targets(env) {
			if push != nil {
				env.Send(p, *push)
			} else {
				env.Send(p, Gossip{Value: n.shared.Clone()})
			}
		}
	})
}

// apply performs an update; ok is false for a request refused without
// effect (reply says why). push is the counter push to send once durable.
func (n *Node) apply(env nodes.Env, req kv.Request) (reply kv.Reply, push *Push, ok bool) {
	reply = kv.Reply{Seq: req.Seq, Status: kv.StatusOK}
	op := req.Op
	v := &n.st.Value
	switch {
	case n.cfg.Type.IsCounter():
		delta, err := strconv.ParseInt(op.Value, 10, 64)
		if err != nil || delta == 0 || (delta < 0 && n.cfg.Type == GCounter) {
			env.Reached("crdt: operation refused as unsupported by the type")
			return kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported}, nil, false
		}
		key := n.id
		if n.cfg.Bugs.KeyedByClient {
			// Planted bug: one entry per client, raised by whichever
			// replica serves it; two replicas raising it concurrently
			// merge to the larger, not the sum.
			key = req.Client
		}
		neg, mag := delta < 0, uint64(delta)
		if neg {
			mag = uint64(-delta)
		}
		g := n.counter(neg)
		switch {
		case n.cfg.Bugs.CountResets:
			// Planted bug: the entry is this incarnation's running total,
			// which starts from zero after a restart; merge then keeps
			// the larger, older entry and the new increments vanish.
			own := &n.ownP
			if neg {
				own = &n.ownN
			}
			*own += mag
			g.Merge(crdt.GCounter{Counts: map[nodes.ID]uint64{key: *own}})
			if g.Entry(key) != *own {
				env.Reached("crdt: counter entry behind what the replica had counted")
			}
		default:
			g.Inc(key, mag)
		}
		push = &Push{Origin: key, Neg: neg, Entry: g.Entry(key), Delta: mag}
	case n.cfg.Type == ORSet && op.Kind == crdt.OpAdd:
		reply.Value = v.Set.Add(n.id, op.Value).String()
	case n.cfg.Type == ORSet && op.Kind == crdt.OpRemove:
		ds := v.Set.Remove(op.Value)
		if len(ds) == 0 {
			env.Reached("crdt: remove found the element absent")
		}
		reply.Value = crdt.FormatDots(ds)
	case n.cfg.Type == LWW:
		// A write supersedes every write this replica has seen: its stamp
		// is above the current one even when the local clock is behind.
		st := crdt.Stamp{Wall: env.Now().UnixNano(), Node: n.id, N: v.LWW.Stamp.N + 1}
		if st.Wall <= v.LWW.Stamp.Wall {
			env.Reached("crdt: lww write stamped past a clock that is behind")
			st.Wall = v.LWW.Stamp.Wall + 1
		}
		v.LWW.Write(op.Value, st)
	case n.cfg.Type == MVReg:
		v.MV.Write(n.id, op.Value)
	}
	return reply, push, true
}
