package causal

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/vclock"
)

// DefaultAntiEntropy is Config.AntiEntropy's default.
const DefaultAntiEntropy = 100 * time.Millisecond

// maxBuffered bounds the updates a replica holds back for missing
// dependencies; beyond it the oldest are dropped (anti-entropy brings
// their versions again).
const maxBuffered = 1024

// Config configures every replica of a cluster.
type Config struct {
	// AntiEntropy is the interval between a replica's anti-entropy rounds:
	// its whole visible state to the next peer, round robin (default
	// 100ms).
	AntiEntropy time.Duration
	Bugs        Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// DeliverBeforeDeps: a replicated update is applied on arrival, its
	// dependencies unchecked.
	DeliverBeforeDeps bool
	// LamportNoObserve: a replica's Lamport clock is not advanced by the
	// writes it receives from peers, only by its own clients.
	LamportNoObserve bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.AntiEntropy == 0 {
		c.AntiEntropy = DefaultAntiEntropy
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.WithDefaults().AntiEntropy <= 0 {
		return errors.New("causal: anti_entropy must be positive")
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

// StateFile is the one file a replica keeps in its store.
const StateFile = "causal-state"

// state is what a replica persists: its visible versions and its clock.
type state struct {
	Clock vclock.Lamport
	Data  map[string]Version
}

// parked is a client request waiting for the client's causal past to
// become visible here.
type parked struct {
	from nodes.ID
	req  kv.Request
	ctx  Context
}

const tickTag = 1

// Node is one replica.
type Node struct {
	nodes.Base
	cfg Config
	id  nodes.ID

	st       state
	buffered []Version           // updates waiting for their dependencies
	parked   map[nodes.ID]parked // per client, its latest request that waits
	next     int                 // the next anti-entropy peer (index into Peers)
	syncs    durable.Syncs
}

// Version returns this replica's visible version of key.
func (n *Node) Version(key string) (Version, bool) {
	x, ok := n.st.Data[key]
	return x, ok
}

// Keys returns the keys this replica holds a version of, sorted.
func (n *Node) Keys() []string { return slices.Sorted(maps.Keys(n.st.Data)) }

// Clock returns the replica's Lamport time.
func (n *Node) Clock() uint64 { return n.st.Clock.Time() }

// Buffered returns how many updates wait for their dependencies.
func (n *Node) Buffered() int { return len(n.buffered) }

// Start recovers from the store alone.
func (n *Node) Start(env nodes.Env) {
	n.st = state{Data: map[string]Version{}}
	n.parked = map[nodes.ID]parked{}
	if b, err := env.Store().Read(StateFile); err == nil {
		if err := durable.OpenJSON(b, &n.st); err != nil {
			// A torn or flipped state file (the disk-tear and
			// disk-flip faults) is outside the failure model: the
			// checksum makes it a loud failure, not a silent loss.
			panic(fmt.Sprintf("causal: %v: %s: %v", n.id, StateFile, err))
		}
		if n.st.Data == nil {
			n.st.Data = map[string]Version{}
		}
		env.Reached("causal: replica recovered its state from disk")
		env.Logf("recovered %d keys, clock %d", len(n.st.Data), n.st.Clock)
	} else if !errors.Is(err, nodes.ErrNotFound) {
		panic(fmt.Sprintf("causal: %v: reading state: %v", n.id, err))
	}
	env.SetTimer(n.cfg.AntiEntropy, tickTag)
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

func (n *Node) persist(env nodes.Env) { env.Store().Write(StateFile, durable.SealJSON(&n.st)) }

// Message dispatches on the message type.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case kv.Request:
		n.onRequest(env, from, m)
	case Update:
		n.onUpdate(env, m.Version)
	case Snapshot:
		n.onSnapshot(env, m)
	}
}

// Timer is the anti-entropy tick.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tickTag {
		return
	}
	env.SetTimer(n.cfg.AntiEntropy, tickTag)
	peers := env.Peers()
	if len(peers) == 0 {
		return
	}
	n.next = (n.next + 1) % len(peers)
	snap := Snapshot{Versions: make([]Version, 0, len(n.st.Data))}
	for _, k := range n.Keys() {
		snap.Versions = append(snap.Versions, n.st.Data[k])
	}
	env.Send(peers[n.next], snap)
}

// --- Replication. ---

// visible reports whether every dependency is visible here.
func (n *Node) visible(deps Deps) bool {
	//faultline:orderless a for-all test: which entry fails first does not change the answer
	for k, s := range deps {
		if n.st.Data[k].Stamp.Less(s) {
			return false
		}
	}
	return true
}

// install makes x the visible version of its key if it is newer; it
// reports a change.
func (n *Node) install(env nodes.Env, x Version, remote bool) bool {
	if !remote || !n.cfg.Bugs.LamportNoObserve {
		n.st.Clock.Observe(x.Stamp.Time)
	}
	cur, ok := n.st.Data[x.Key]
	if ok && !cur.Stamp.Less(x.Stamp) {
		return false
	}
	if ok && cur.Stamp.Client != x.Stamp.Client && !cur.Stamp.Less(Stamp{Time: x.Stamp.Time}) {
		env.Reached("causal: concurrent writes resolved by client id")
	}
	n.st.Data[x.Key] = x.clone()
	return true
}

func (n *Node) onUpdate(env nodes.Env, x Version) {
	if cur, ok := n.st.Data[x.Key]; ok && !cur.Stamp.Less(x.Stamp) {
		return // already visible, or overtaken
	}
	if !n.cfg.Bugs.DeliverBeforeDeps && !n.visible(x.Deps) {
		env.Reached("causal: update buffered until its dependencies are visible")
		if len(n.buffered) >= maxBuffered {
			n.buffered = n.buffered[1:]
		}
		n.buffered = append(n.buffered, x.clone())
		return
	}
	n.settle(env, n.install(env, x, true))
}

func (n *Node) onSnapshot(env nodes.Env, m Snapshot) {
	changed := false
	for _, x := range m.Versions {
		if n.install(env, x, true) {
			changed = true
		}
	}
	if changed {
		env.Reached("causal: anti-entropy brought newer versions")
	}
	n.settle(env, changed)
}

// settle applies the buffered updates that have become deliverable (each
// apply may unblock another), persists what changed, and serves the
// parked requests whose causal past is now visible.
func (n *Node) settle(env nodes.Env, changed bool) {
	for progress := true; progress; {
		progress = false
		keep := n.buffered[:0]
		for _, x := range n.buffered {
			switch {
			case !n.st.Data[x.Key].Stamp.Less(x.Stamp):
				// overtaken: drop
			case n.visible(x.Deps):
				env.Reached("causal: buffered update delivered")
				changed = n.install(env, x, true) || changed
				progress = true
			default:
				keep = append(keep, x)
			}
		}
		clear(n.buffered[len(keep):])
		n.buffered = keep
	}
	if !changed {
		return
	}
	n.persist(env)
	for _, c := range slices.Sorted(maps.Keys(n.parked)) {
		p := n.parked[c]
		if n.visible(p.ctx.Deps) {
			delete(n.parked, c)
			env.Reached("causal: parked request served once its past arrived")
			n.serve(env, p.from, p.req, p.ctx)
		}
	}
}

// --- Clients. ---

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	switch req.Op.Kind {
	case nodes.OpGet, nodes.OpRead, nodes.OpPut, nodes.OpWrite:
	case nodes.OpCAS, nodes.OpAppend:
		// No atomic read-modify-write without coordination (see the
		// package doc): a definite failure.
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported})
		return
	default:
		panic(fmt.Sprintf("causal: %v: request from %v with unknown operation kind %q", n.id, from, req.Op.Kind))
	}
	ctx, err := DecodeContext(req.Context)
	if err != nil {
		panic(fmt.Sprintf("causal: %v: request from %v: %v", n.id, from, err)) // only replicas write contexts
	}
	if p, ok := n.parked[req.Client]; ok && p.req.Seq > req.Seq {
		return // a late copy of a request the client has moved past
	}
	n.st.Clock.Observe(ctx.Time)
	// A context this replica wrote needs no check: its visible state is
	// causally closed, and holds everything it showed the client (replies
	// wait for the sync), crashes included.
	if ctx.Replica != n.id && !n.visible(ctx.Deps) {
		// The client has seen writes this replica has not: serving it
		// now could show it the past. Wait; its attempt timeout moves it
		// on if the writes do not arrive.
		env.Reached("causal: request parked until the client's past is visible")
		n.parked[req.Client] = parked{from: from, req: req, ctx: ctx}
		return
	}
	delete(n.parked, req.Client)
	n.serve(env, from, req, ctx)
}

// serve answers a request whose causal past is visible here, once what it
// answers is durable.
func (n *Node) serve(env nodes.Env, from nodes.ID, req kv.Request, ctx Context) {
	op := req.Op
	reply := kv.Reply{Seq: req.Seq, Status: kv.StatusOK}
	if op.Kind.IsRead() {
		x, ok := n.st.Data[op.Key]
		reply.Value, reply.Exists = x.Value, ok
		if ok {
			// The client's past now holds the version and, through it,
			// everything the version depends on: contexts and
			// dependencies are transitively closed, so a later write
			// that overwrites this key still depends on them.
			ctx.Deps.Observe(op.Key, x.Stamp)
			for _, k := range slices.Sorted(maps.Keys(x.Deps)) {
				ctx.Deps.Observe(k, x.Deps[k])
			}
		}
		// The replica's clock covers every version it holds.
		ctx.Time, ctx.Replica = max(ctx.Time, n.st.Clock.Time()), n.id
		reply.Context = ctx.Encode()
		n.syncs.After(env, func(env nodes.Env) { env.Send(from, reply) })
		return
	}
	deps := ctx.Deps.Clone()
	delete(deps, op.Key) // the write overtakes its own key's past
	x := Version{Key: op.Key, Value: op.Value, Stamp: Stamp{Time: ctx.Time + 1, Client: req.Client, Seq: req.Seq}, Deps: deps}
	changed := n.install(env, x, false)
	if !changed {
		if cur := n.st.Data[op.Key]; cur.Stamp == x.Stamp {
			env.Reached("causal: retried write found already applied")
		} else {
			env.Reached("causal: write overtaken at once by a concurrent later one")
		}
	}
	ctx.Deps.Observe(op.Key, x.Stamp)
	ctx.Time, ctx.Replica = max(ctx.Time, n.st.Clock.Time()), n.id
	reply.Context = ctx.Encode()
	if changed {
		n.persist(env)
	}
	n.syncs.After(env, func(env nodes.Env) {
		env.Send(from, reply)
		for _, p := range env.Peers() {
			env.Send(p, Update{Version: x})
		}
	})
}
