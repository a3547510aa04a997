package multileader

import (
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// DefaultAntiEntropy is Config.AntiEntropy's default.
const DefaultAntiEntropy = 100 * time.Millisecond

// Config configures every server of a cluster.
type Config struct {
	// Conflicts is the conflict policy (default LWW).
	Conflicts Policy
	// AntiEntropy is how often a replica starts an anti-entropy round with
	// its next peer (default 100ms, monotonic clock).
	AntiEntropy time.Duration
	Bugs        Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// MergeNotCommutative (lww): the merge compares stamps by their clock
	// alone and lets an incoming version win a tie, so which version a
	// replica keeps depends on the order versions arrive in.
	MergeNotCommutative bool
	// VectorCompareWrong (vectors): "a descends from b" looks only at a's
	// entries, so a version concurrent with a held one is taken as
	// already included and dropped.
	VectorCompareWrong bool
	// ApplyBeforeSync: a write is acknowledged when it is applied, before
	// the state that holds it is durable.
	ApplyBeforeSync bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Conflicts == "" {
		c.Conflicts = LWW
	}
	if c.AntiEntropy == 0 {
		c.AntiEntropy = DefaultAntiEntropy
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Conflicts != LWW && c.Conflicts != Vectors:
		return fmt.Errorf("multileader: conflicts %q: want lww or vectors", c.Conflicts)
	case c.AntiEntropy < 0:
		return errors.New("multileader: anti_entropy must be positive")
	case c.Bugs.MergeNotCommutative && c.Conflicts != LWW:
		return errors.New("multileader: bug merge-not-commutative needs conflicts: lww")
	case c.Bugs.VectorCompareWrong && c.Conflicts != Vectors:
		return errors.New("multileader: bug vector-compare-wrong needs conflicts: vectors")
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

// Timer tags.
const tagAntiEntropy = 1

// Node is one replica.
type Node struct {
	cfg Config
	id  nodes.ID
	st  state // everything, durable or not: what writes and merges act on
	// synced is the state as of the last completed sync: what reads answer
	// from and what peers are sent, so nothing a crash can take back ever
	// leaves the replica.
	synced  map[string][]Version
	tag     uint64     // last Sync tag issued (this incarnation)
	snaps   []snapshot // data of each outstanding sync, in tag order
	pending []pending  // replies waiting for their sync
	peer    int        // next anti-entropy peer (index into env.Peers())
	changes uint64     // state changes in this incarnation
	acked   []Ack      // writes acknowledged in this incarnation
	// dirty: the state changed while a sync was in flight; dirtyKeys were
	// written locally since the last sync started.
	dirty     bool
	dirtyKeys []string
}

type snapshot struct {
	tag  uint64
	data map[string][]Version
	keys []string // keys written locally since the previous sync: pushed on completion
}

type pending struct {
	tag    uint64
	client nodes.ID
	reply  kv.Reply
	ack    Ack
}

// Ack is a write a replica acknowledged: the key and the version it made.
type Ack struct {
	Key     string
	Version Version
}

// Start rebuilds the replica from its store and starts anti-entropy.
func (n *Node) Start(env nodes.Env) {
	n.st = newState()
	if b, err := env.Store().Read(stateFile); err == nil {
		st, err := decodeState(b)
		if err != nil {
			panic(fmt.Sprintf("multileader: %v: %v", n.id, err))
		}
		n.st = st
		env.Reached("multileader: recovered state from disk")
	}
	n.synced = cloneData(n.st.Data)
	if peers := env.Peers(); len(peers) > 0 {
		n.peer = env.Rand().IntN(len(peers))
	}
	env.SetTimer(n.cfg.AntiEntropy, tagAntiEntropy)
}

// Message handles client requests and replication traffic.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case kv.Request:
		n.request(env, m)
	case *kv.Request:
		if m != nil {
			n.request(env, *m)
		}
	case Digest:
		n.digest(env, from, m)
	case Delta:
		n.delta(env, from, m)
	}
}

// Timer runs an anti-entropy round: a digest to the next peer.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tagAntiEntropy {
		return
	}
	env.SetTimer(n.cfg.AntiEntropy, tagAntiEntropy)
	peers := env.Peers()
	if len(peers) == 0 {
		return
	}
	to := peers[n.peer%len(peers)]
	n.peer = (n.peer + 1) % len(peers)
	env.Send(to, Digest{Sums: sums(n.synced)})
}

// Synced installs the durable state, answers the writes it covers and
// pushes the keys written locally to every peer.
func (n *Node) Synced(env nodes.Env, tag uint64) {
	var pushed []string
	for len(n.snaps) > 0 && n.snaps[0].tag <= tag {
		n.synced = n.snaps[0].data
		pushed = append(pushed, n.snaps[0].keys...)
		n.snaps = n.snaps[1:]
	}
	if n.dirty && len(n.snaps) == 0 {
		n.flush(env)
	}
	for len(n.pending) > 0 && n.pending[0].tag <= tag {
		p := n.pending[0]
		n.pending = n.pending[1:]
		n.ack(env, p.client, p.reply, p.ack)
	}
	if len(pushed) == 0 {
		return
	}
	slices.Sort(pushed)
	d := Delta{Entries: n.entries(slices.Compact(pushed))}
	for _, p := range env.Peers() {
		env.Send(p, d)
	}
}

func (n *Node) ack(env nodes.Env, client nodes.ID, r kv.Reply, a Ack) {
	if s := n.st.Sessions[client]; s.Seq == r.Seq {
		s.Done = true
		n.st.Sessions[client] = s
	}
	n.acked = append(n.acked, a)
	env.Send(client, r)
}

func (n *Node) request(env nodes.Env, req kv.Request) {
	op := req.Op
	if !kv.Known(op.Kind) {
		return
	}
	if op.Kind.IsRead() {
		res := kv.Apply(flat(n.synced, op.Key), op)
		env.Send(req.Client, kv.Reply{Seq: req.Seq, Status: res.Status, Value: res.Value, Exists: res.Exists})
		return
	}
	s, ok := n.st.Sessions[req.Client]
	switch {
	case ok && req.Seq < s.Seq:
		return // an old retry: the client has moved on
	case ok && req.Seq == s.Seq:
		if s.Done { // answered before; the reply was lost
			env.Reached("multileader: retried write answered from the session table")
			env.Send(req.Client, s.Reply)
		}
		return // still waiting for its sync: the sync will answer
	}
	m := flat(n.st.Data, op.Key)
	res := kv.Apply(m, op)
	reply := kv.Reply{Seq: req.Seq, Status: res.Status, Value: res.Value, Exists: res.Exists}
	if res.Status != kv.StatusOK {
		// A rejected cas changes nothing: answer at once.
		n.st.Sessions[req.Client] = Session{Seq: req.Seq, Reply: reply, Done: true}
		n.persist(env, nil)
		env.Send(req.Client, reply)
		return
	}
	x := n.local(env, op.Key, m[op.Key])
	env.Reached("multileader: write accepted")
	n.st.Sessions[req.Client] = Session{Seq: req.Seq, Reply: reply}
	tag := n.persist(env, []string{op.Key})
	a := Ack{Key: op.Key, Version: x}
	if n.cfg.Bugs.ApplyBeforeSync {
		n.ack(env, req.Client, reply, a)
		return
	}
	n.pending = append(n.pending, pending{tag: tag, client: req.Client, reply: reply, ack: a})
}

// local makes the version of a write accepted here and merges it in.
func (n *Node) local(env nodes.Env, key, value string) Version {
	if n.cfg.Conflicts == Vectors {
		held := n.st.Data[key]
		if len(held) > 1 {
			env.Reached("multileader: siblings resolved by a write")
		}
		v := n.st.Context[key].Clone()
		v[n.id]++
		x := Version{Value: value, Vector: v}
		n.st.Data[key] = []Version{x}
		n.st.Context[key] = v.Clone()
		n.changes++
		return x
	}
	n.st.Seq++
	x := Version{Value: value, Stamp: Stamp{Millis: env.Now().UnixMilli(), Origin: n.id, Seq: n.st.Seq}}
	if !n.mergeLWW(env, key, x) {
		env.Reached("multileader: lww write lost at once to a later stamp")
	}
	return x
}

// merge merges versions of key from a peer; it reports a change.
func (n *Node) merge(env nodes.Env, key string, in []Version) bool {
	changed := false
	for _, x := range in {
		if n.cfg.Conflicts == Vectors {
			if x.Vector == nil {
				continue
			}
			changed = n.mergeVector(env, key, x) || changed
		} else {
			changed = n.mergeLWW(env, key, x) || changed
		}
	}
	return changed
}

func (n *Node) mergeLWW(env nodes.Env, key string, x Version) bool {
	held := n.st.Data[key]
	if len(held) == 1 {
		cur := held[0].Stamp
		if n.cfg.Bugs.MergeNotCommutative {
			if x.Stamp.Millis < cur.Millis || x.Stamp == cur {
				return false
			}
		} else if !cur.Less(x.Stamp) {
			return false
		}
		if x.Stamp.Millis == cur.Millis && x.Stamp.Origin != cur.Origin {
			env.Reached("multileader: lww tie between replicas broken")
		}
	}
	n.st.Data[key] = []Version{x}
	n.changes++
	return true
}

// descends is Vector.Descends, or with the planted bug the comparison
// that looks only at a's own entries.
func (n *Node) descends(a, b Vector) bool {
	if !n.cfg.Bugs.VectorCompareWrong {
		return a.Descends(b)
	}
	for _, r := range slices.Sorted(maps.Keys(a)) {
		if a[r] < b[r] {
			return false
		}
	}
	return true
}

func (n *Node) mergeVector(env nodes.Env, key string, x Version) bool {
	held := n.st.Data[key]
	ctx := n.st.Context[key]
	n.st.Context[key] = ctx.Join(x.Vector)
	for _, h := range held {
		if n.descends(h.Vector, x.Vector) {
			if ctx.Descends(x.Vector) {
				return false
			}
			n.changes++ // only the context grew (a correct merge never gets here)
			return true
		}
	}
	keep := make([]Version, 0, len(held)+1)
	for _, h := range held {
		if !n.descends(x.Vector, h.Vector) {
			keep = append(keep, h)
		}
	}
	keep = append(keep, x.clone())
	sortSiblings(keep)
	if len(keep) > 1 {
		env.Reached("multileader: concurrent writes kept as siblings")
	}
	n.st.Data[key] = keep
	n.changes++
	return true
}

// persist makes the state durable and returns the tag of the sync that
// will cover it; keys were written locally (pushed once durable). Syncs
// are group commits: while one is in flight, changes wait and go out
// together in the next, started when it completes.
func (n *Node) persist(env nodes.Env, keys []string) uint64 {
	n.dirtyKeys = append(n.dirtyKeys, keys...)
	if len(n.snaps) > 0 {
		n.dirty = true
		return n.tag + 1
	}
	n.flush(env)
	return n.tag
}

func (n *Node) flush(env nodes.Env) {
	n.tag++
	env.Store().Write(stateFile, n.st.encode())
	env.Store().Sync(n.tag)
	n.snaps = append(n.snaps, snapshot{tag: n.tag, data: cloneData(n.st.Data), keys: n.dirtyKeys})
	n.dirty, n.dirtyKeys = false, nil
}

// digest answers an anti-entropy digest: the versions of every key whose
// hash differs, and a request for the sender's versions of those keys.
func (n *Node) digest(env nodes.Env, from nodes.ID, d Digest) {
	theirs := map[string]uint64{}
	for _, s := range d.Sums {
		theirs[s.Key] = s.Sum
	}
	mine := sums(n.synced)
	var differ []string
	for _, s := range mine {
		if t, ok := theirs[s.Key]; !ok || t != s.Sum {
			differ = append(differ, s.Key)
		}
		delete(theirs, s.Key)
	}
	differ = append(differ, slices.Sorted(maps.Keys(theirs))...)
	if len(differ) == 0 {
		return
	}
	slices.Sort(differ)
	env.Send(from, Delta{Entries: n.entries(differ), Want: differ})
}

// delta merges a peer's versions, and answers what it asks for.
func (n *Node) delta(env nodes.Env, from nodes.ID, d Delta) {
	changed := false
	for _, e := range d.Entries {
		changed = n.merge(env, e.Key, e.Versions) || changed
	}
	if changed {
		if len(d.Want) > 0 {
			env.Reached("multileader: anti-entropy repaired a key")
		}
		n.persist(env, nil)
	}
	if len(d.Want) > 0 {
		if es := n.entries(d.Want); len(es) > 0 {
			env.Send(from, Delta{Entries: es})
		}
	}
}

// entries are the synced versions of keys (those it holds).
func (n *Node) entries(keys []string) []Entry {
	var out []Entry
	for _, k := range keys {
		if vs := n.synced[k]; len(vs) > 0 {
			out = append(out, Entry{Key: k, Versions: cloneVersions(vs)})
		}
	}
	return out
}

func sums(data map[string][]Version) []Sum {
	out := make([]Sum, 0, len(data))
	for _, k := range slices.Sorted(maps.Keys(data)) {
		h := fnv.New64a()
		h.Write([]byte(Render(data[k])))
		out = append(out, Sum{Key: k, Sum: h.Sum64()})
	}
	return out
}

// flat is the one-key map kv.Apply acts on: the key's value as a read
// sees it (siblings joined), absent if the key has none.
func flat(data map[string][]Version, key string) map[string]string {
	m := map[string]string{}
	if vs := data[key]; len(vs) > 0 {
		m[key] = value(vs)
	}
	return m
}

func value(vs []Version) string {
	vals := make([]string, len(vs))
	for i, x := range vs {
		vals[i] = x.Value
	}
	return nodes.JoinSiblings(vals)
}

func cloneData(d map[string][]Version) map[string][]Version {
	out := make(map[string][]Version, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		out[k] = cloneVersions(d[k])
	}
	return out
}

// Accessors for harnesses (online invariants, state digests). They copy.

// ID is the replica's id.
func (n *Node) ID() nodes.ID { return n.id }

// Policy is the replica's conflict policy.
func (n *Node) Policy() Policy { return n.cfg.Conflicts }

// Versions returns the versions the replica holds for key (volatile ones
// included), in canonical order.
func (n *Node) Versions(key string) []Version { return cloneVersions(n.st.Data[key]) }

// Keys lists the keys the replica holds, sorted.
func (n *Node) Keys() []string { return slices.Sorted(maps.Keys(n.st.Data)) }

// Context returns, under Vectors, the join of every vector the replica
// has merged or made for key: under a correct merge, the join of the
// versions it holds.
func (n *Node) Context(key string) Vector { return n.st.Context[key].Clone() }

// Changes counts the state changes of this incarnation: a harness may skip
// a replica whose count has not moved.
func (n *Node) Changes() uint64 { return n.changes }

// Acked returns the writes acknowledged in this incarnation from the i-th
// on.
func (n *Node) Acked(i int) []Ack {
	if i >= len(n.acked) {
		return nil
	}
	out := make([]Ack, len(n.acked)-i)
	for j, a := range n.acked[i:] {
		out[j] = Ack{Key: a.Key, Version: a.Version.clone()}
	}
	return out
}

// Value is the key's value as a read at this replica would see it now
// (durable or not): the lww winner, or the siblings joined.
func (n *Node) Value(key string) (string, bool) {
	vs := n.st.Data[key]
	return value(vs), len(vs) > 0
}
