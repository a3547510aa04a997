package causal

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// Defaults for Config's zero fields.
const (
	DefaultFanout          = 2
	DefaultGossipInterval  = 100 * time.Millisecond
	DefaultMaxOpsPerAnswer = 256
)

// Config configures every replica.
type Config struct {
	// Fanout is how many random peers each anti-entropy round asks
	// (default 2). A new operation goes to every peer.
	Fanout int
	// GossipInterval is the time between anti-entropy rounds (default
	// 100ms).
	GossipInterval time.Duration
	Bugs           Bugs
}

// Bugs are planted bugs (see the package doc).
type Bugs struct {
	// FIFOOnly: an operation is delivered once it is the next of its
	// origin, whatever else it depends on.
	FIFOOnly bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
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
	if c.Fanout < 1 || c.GossipInterval <= 0 {
		return errors.New("causal: fanout and gossip_interval must be positive")
	}
	return nil
}

// New returns the replica factory; it panics on an invalid Config.
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(id nodes.ID) nodes.Node { return &Node{cfg: cfg, id: id} }
}

// Ops carries operations: the broadcast of a new one, or the answer to a
// Have.
type Ops struct {
	Ops []Op
}

// Have starts an anti-entropy round: what the sender has delivered. The
// receiver answers with the operations it has delivered beyond that.
type Have struct {
	Delivered crdt.VV
}

type session struct {
	seq   uint64
	reply kv.Reply
}

const tagGossip = 1

// Node is one replica of the op-based set.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID

	set       crdt.ORSet
	delivered crdt.VV // per origin, the operations delivered (a prefix)
	log       []Op    // every delivered operation, in delivery order
	buffer    map[crdt.Dot]Op
	sessions  map[nodes.ID]session
	// ownDurable is the Seq of this replica's latest durable operation:
	// the highest own operation it may show others.
	ownDurable uint64

	syncs durable.Syncs
}

// Set returns the replica's set (a copy).
func (n *Node) Set() crdt.ORSet { return n.set.Clone() }

// Delivered returns what the replica has delivered (a copy).
func (n *Node) Delivered() crdt.VV { return n.delivered.Clone() }

// Buffered is how many operations wait for their dependencies.
func (n *Node) Buffered() int { return len(n.buffer) }

// Start rebuilds the set by replaying the log.
func (n *Node) Start(env nodes.Env) {
	n.set, n.delivered, n.log = crdt.ORSet{}, crdt.VV{}, nil
	n.buffer, n.sessions = map[crdt.Dot]Op{}, map[nodes.ID]session{}
	b, err := env.Store().Read(LogFile)
	switch {
	case err == nil:
		recs, whole, err := readLog(b)
		if err != nil {
			panic(fmt.Sprintf("causal: %v: %v", n.id, err))
		}
		for _, r := range recs {
			if r.Session {
				n.sessions[r.Client] = session{seq: r.Seq, reply: r.Reply}
			} else if r.Op != nil {
				n.deliver(*r.Op)
			}
		}
		if whole < len(b) {
			// Rewrite the log without its torn tail, so later appends
			// follow whole records.
			env.Reached("crdt: op-based replica dropped a torn log tail")
			env.Store().Write(LogFile, b[:whole])
		}
		env.Reached("crdt: op-based replica replayed its log")
		env.Logf("replayed %d operations, %d sessions", len(n.log), len(n.sessions))
	case !errors.Is(err, nodes.ErrNotFound):
		panic(fmt.Sprintf("causal: %v: reading log: %v", n.id, err))
	}
	n.ownDurable = n.delivered[n.id]
	env.SetTimer(time.Duration(env.Rand().Int64N(int64(n.cfg.GossipInterval)))+1, tagGossip)
}

// Synced runs the actions whose writes are durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// deliver applies op and records it as delivered.
func (n *Node) deliver(op Op) {
	switch op.Kind {
	case crdt.OpAdd:
		n.set.ApplyAdd(op.Elem, op.Dot())
	case crdt.OpRemove:
		n.set.ApplyRemove(op.Elem, op.Dots)
	}
	n.delivered[op.Origin] = op.Seq
	n.log = append(n.log, op)
}

// deliverable reports whether op may be delivered now: it is the next of
// its origin, and everything it depends on is delivered.
func (n *Node) deliverable(op Op) bool {
	if op.Seq != n.delivered[op.Origin]+1 {
		return false
	}
	if n.cfg.Bugs.FIFOOnly {
		// Planted bug: per-origin order only. A remove that observed an
		// add from a third replica may arrive, and be delivered, first.
		return true
	}
	for _, id := range slices.Sorted(maps.Keys(op.Deps)) {
		if id != op.Origin && op.Deps[id] > n.delivered[id] {
			return false
		}
	}
	return true
}

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case kv.Request:
		n.onRequest(env, from, m)
	case Ops:
		n.onOps(env, m)
	case Have:
		n.onHave(env, from, m)
	}
}

// Timer is the anti-entropy round.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tagGossip {
		return
	}
	env.SetTimer(n.cfg.GossipInterval, tagGossip)
	peers := env.Peers()
	for _, i := range env.Rand().Perm(len(peers))[:min(n.cfg.Fanout, len(peers))] {
		env.Send(peers[i], Have{Delivered: n.delivered.Clone()})
	}
}

func (n *Node) onHave(env nodes.Env, from nodes.ID, h Have) {
	var out []Op
	for _, op := range n.log {
		if op.Seq <= h.Delivered[op.Origin] || (op.Origin == n.id && op.Seq > n.ownDurable) {
			continue
		}
		out = append(out, op)
		if len(out) == DefaultMaxOpsPerAnswer {
			break
		}
	}
	if len(out) > 0 {
		env.Reached("crdt: op-based anti-entropy resent operations")
		env.Send(from, Ops{Ops: out})
	}
}

func (n *Node) onOps(env nodes.Env, m Ops) {
	for _, op := range m.Ops {
		if op.Seq > n.delivered[op.Origin] {
			n.buffer[op.Dot()] = op
		}
	}
	var recs []byte
	for progress := true; progress; {
		progress = false
		for _, d := range slices.SortedFunc(maps.Keys(n.buffer), func(a, b crdt.Dot) int {
			if a.Node != b.Node {
				return int(a.Node) - int(b.Node)
			}
			return int(a.N) - int(b.N)
		}) {
			op := n.buffer[d]
			if op.Seq <= n.delivered[op.Origin] {
				delete(n.buffer, d)
				continue
			}
			if !n.deliverable(op) {
				continue
			}
			delete(n.buffer, d)
			n.deliver(op)
			recs = append(recs, frame(record{Op: &op})...)
			progress = true
		}
	}
	if len(n.buffer) > 0 {
		env.Reached("crdt: op-based replica buffered an operation for its dependencies")
	}
	if len(recs) > 0 {
		env.Store().Append(LogFile, recs)
		n.syncs.After(env, nil)
	}
}

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	switch req.Op.Kind {
	case nodes.OpRead:
		els := n.set.Elements()
		out := ""
		for i, e := range els {
			if i > 0 {
				out += ","
			}
			out += e
		}
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusOK, Value: out, Exists: true})
		return
	case crdt.OpAdd, crdt.OpRemove:
	default:
		env.Reached("crdt: operation refused as unsupported by the type")
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported})
		return
	}
	if s, ok := n.sessions[req.Client]; ok && req.Seq <= s.seq {
		if req.Seq == s.seq {
			env.Reached("crdt: retried update answered from the session")
			reply := s.reply
			n.syncs.After(env, func(env nodes.Env) { env.Send(from, reply) })
		}
		return
	}
	deps := n.delivered.Clone()
	op := Op{Origin: n.id, Seq: n.delivered[n.id] + 1, Deps: deps, Kind: req.Op.Kind, Elem: req.Op.Value}
	reply := kv.Reply{Seq: req.Seq, Status: kv.StatusOK}
	if op.Kind == crdt.OpAdd {
		op.Dots = []crdt.Dot{op.Dot()}
		reply.Value = op.Dot().String()
	} else {
		op.Dots = n.set.Dots(op.Elem)
		reply.Value = crdt.FormatDots(op.Dots)
	}
	n.deliver(op)
	n.sessions[req.Client] = session{seq: req.Seq, reply: reply}
	env.Store().Append(LogFile, append(frame(record{Op: &op}), frame(record{Session: true, Client: req.Client, Seq: req.Seq, Reply: reply})...))
	n.syncs.After(env, func(env nodes.Env) {
		n.ownDurable = max(n.ownDurable, op.Seq)
		env.Send(from, reply)
		for _, p := range env.Peers() {
			env.Send(p, Ops{Ops: []Op{op}})
		}
	})
}
