package dynamo

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Timer tags: the anti-entropy tick, or a kind in the top bits and an
// operation or forward id below.
const (
	tagTick     = 1
	tagReplica  = 1 << 60
	tagDeadline = 2 << 60
	tagForward  = 3 << 60
	tagKind     = 0xF << 60
)

const (
	phaseRead = iota + 1
	phaseWrite
	phaseRepair
)

// target is one preference-list slot of an operation: its owner and the
// server standing in for it (the owner itself unless a sloppy quorum
// replaced it).
type target struct {
	owner, node nodes.ID
	done        bool
	replied     bool   // answered the read
	got         Record // the read reply
	durable     bool   // got was synced on the replier when it answered
}

// op is a client operation this server coordinates.
type op struct {
	id            uint64
	key           string
	from          nodes.ID // the client, or the server that forwarded it
	fwdID         uint64   // set: answer with ForwardReply
	client        nodes.ID
	seq           uint64
	kop           nodes.Op
	phase         int
	targets       []target
	rec           Record // the record being written or repaired
	reply         kv.Reply
	timer, expiry nodes.TimerID
}

// fwd is a client request this server handed to the key's coordinator.
type fwd struct {
	client nodes.ID
	seq    uint64
	kop    nodes.Op
	to     nodes.ID
	timer  nodes.TimerID
}

type hintKey struct {
	owner nodes.ID
	key   string
}

type syncAction struct {
	tag uint64
	fn  func(env nodes.Env)
}

// Node is one dynamo server.
type Node struct {
	nodes.Base
	cfg  Config
	id   nodes.ID
	ring *Ring
	pref map[string][]nodes.ID // cache of ring.Preference

	data  map[string]Record  // replica records, one per key this server owns
	hints map[hintKey]Record // records kept for an unreachable owner
	clock uint64             // Lamport clock: the highest counter seen

	ops     map[uint64]*op
	busy    map[string]uint64 // key → the operation in progress on it
	queue   map[string][]*op  // key → operations waiting for it
	nextOp  uint64
	fwds    map[uint64]*fwd
	nextFwd uint64
	suspect map[nodes.ID]time.Duration // server → suspected until (monotonic)

	syncTag uint64
	syncs   []syncAction
	synced  uint64            // the last sync tag completed
	written map[string]uint64 // file → the sync tag that makes its last write durable
	events  []Event
}

// Start rebuilds the server from its store alone.
func (n *Node) Start(env nodes.Env) {
	n.events = n.events[:0]
	all := append(slices.Clone(env.Peers()), n.id)
	slices.Sort(all)
	n.ring = NewRing(all, n.cfg.VNodes)
	n.pref = map[string][]nodes.ID{}
	n.data = map[string]Record{}
	n.hints = map[hintKey]Record{}
	n.ops = map[uint64]*op{}
	n.busy = map[string]uint64{}
	n.queue = map[string][]*op{}
	n.fwds = map[uint64]*fwd{}
	n.suspect = map[nodes.ID]time.Duration{}
	n.written = map[string]uint64{} // what the store holds at start is durable
	// Operation and forward ids start at random, so a late reply to the
	// previous incarnation names no operation of this one.
	n.nextOp = env.Rand().Uint64() >> 8
	n.nextFwd = env.Rand().Uint64() >> 8
	for _, name := range env.Store().List() {
		if !strings.HasPrefix(name, dataPrefix) && !strings.HasPrefix(name, hintPrefix) {
			continue
		}
		b, err := env.Store().Read(name)
		if err != nil {
			panic(fmt.Sprintf("dynamo: %v: reading %s: %v", n.id, name, err))
		}
		owner, r, err := decode(b)
		if err != nil {
			panic(fmt.Sprintf("dynamo: %v: %s: %v", n.id, name, err))
		}
		if owner == 0 {
			n.data[r.Key] = r
		} else {
			n.hints[hintKey{owner, r.Key}] = r
		}
		n.see(r)
	}
	if len(n.data)+len(n.hints) > 0 {
		env.Reached("dynamo: restarted with data")
		env.Logf("recovered %d keys, %d hints, clock %d", len(n.data), len(n.hints), n.clock)
	}
	n.event(Event{Kind: EvStarted})
	env.SetTimer(n.cfg.AntiEntropy/2+time.Duration(env.Rand().Int64N(int64(n.cfg.AntiEntropy))), tagTick)
}

// Record returns this server's replica record of key (the zero Record if
// it holds none).
func (n *Node) Record(key string) Record { return n.data[key] }

// Keys lists the keys this server holds replica records of, sorted.
func (n *Node) Keys() []string { return slices.Sorted(maps.Keys(n.data)) }

// Hints is the number of hints this server keeps for other owners.
func (n *Node) Hints() int { return len(n.hints) }

// Preference returns key's preference list.
func (n *Node) Preference(key string) []nodes.ID { return n.preference(key) }

func (n *Node) preference(key string) []nodes.ID {
	p, ok := n.pref[key]
	if !ok {
		p = n.ring.Preference(key, n.cfg.N)
		n.pref[key] = p
	}
	return p
}

func (n *Node) replicates(id nodes.ID, key string) bool {
	return slices.Contains(n.preference(key), id)
}

func (n *Node) see(r Record) { n.clock = max(n.clock, r.Version.Counter) }

func (n *Node) suspected(env nodes.Env, p nodes.ID) bool {
	until, ok := n.suspect[p]
	return ok && env.Monotonic() < until
}

func (n *Node) suspectNode(env nodes.Env, p nodes.ID) {
	if p != n.id {
		n.suspect[p] = env.Monotonic() + n.cfg.AntiEntropy
	}
}

// holds is the newest record of key this server keeps, as replica or in
// a hint, and whether it is durable (synced) yet.
func (n *Node) holds(key string) (Record, bool) {
	r, file := n.data[key], dataFile(key)
	for _, o := range n.ring.Walk(key) {
		if h, ok := n.hints[hintKey{o, key}]; ok && r.Less(h) {
			r, file = h, hintFile(o, key)
		}
	}
	if r.Key == "" {
		r.Key = key
	}
	return r, n.durable(file)
}

// durable reports whether the last write of file has been synced.
func (n *Node) durable(file string) bool { return n.written[file] <= n.synced }

// Message dispatches one message.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	n.events = n.events[:0]
	if !from.IsClient() {
		delete(n.suspect, from)
	}
	switch m := msg.(type) {
	case kv.Request:
		n.request(env, from, m)
	case *kv.Request:
		if m != nil {
			n.request(env, from, *m)
		}
	case Forward:
		if kv.Known(m.Op.Kind) {
			n.coordinate(env, &op{from: from, fwdID: m.ID, client: m.Client, seq: m.Seq, kop: m.Op})
		}
	case ForwardReply:
		n.forwardReply(env, m)
	case ReadReq:
		rec, durable := n.holds(m.Key)
		env.Send(from, ReadResp{Op: m.Op, Rec: rec, Unsynced: !durable})
	case ReadResp:
		n.see(m.Rec)
		n.onRead(env, m.Op, from, m.Rec, !m.Unsynced)
	case WriteReq:
		n.store(env, m.Rec, m.Hint, func(env nodes.Env) { env.Send(from, WriteAck(m)) })
	case WriteAck:
		n.onAck(env, from, m)
	case AEDigest:
		n.aeDigest(env, from, m)
	case AEReply:
		n.merge(env, m.Records)
		var push AEPush
		for _, k := range m.Want {
			if r, ok := n.data[k]; ok {
				push.Records = append(push.Records, r)
			}
		}
		if len(push.Records) > 0 {
			env.Send(from, push)
		}
	case AEPush:
		n.merge(env, m.Records)
	}
}

// Timer handles the anti-entropy tick and operation timeouts.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	n.events = n.events[:0]
	id := tag &^ tagKind
	switch {
	case tag == tagTick:
		env.SetTimer(n.cfg.AntiEntropy, tagTick)
		n.tick(env)
	case tag&tagKind == tagReplica:
		if o, ok := n.ops[id]; ok {
			n.replicaTimeout(env, o)
		}
	case tag&tagKind == tagDeadline:
		if o, ok := n.ops[id]; ok {
			n.expire(env, o)
		}
	case tag&tagKind == tagForward:
		if f, ok := n.fwds[id]; ok {
			delete(n.fwds, id)
			n.suspectNode(env, f.to)
			env.Reached("dynamo: forward timed out, coordinating locally")
			n.coordinate(env, &op{from: f.client, client: f.client, seq: f.seq, kop: f.kop})
		}
	}
}

// Synced runs the actions whose writes are now durable.
func (n *Node) Synced(env nodes.Env, tag uint64) {
	n.events = n.events[:0]
	n.synced = max(n.synced, tag)
	for len(n.syncs) > 0 && n.syncs[0].tag <= tag {
		a := n.syncs[0]
		n.syncs = n.syncs[1:]
		if a.fn != nil {
			a.fn(env)
		}
	}
}

func (n *Node) sync(env nodes.Env, then func(env nodes.Env)) {
	n.syncTag++
	env.Store().Sync(n.syncTag)
	n.syncs = append(n.syncs, syncAction{n.syncTag, then})
}

// store keeps rec durably — as the replica record, or as a hint for owner
// hint — if it is newer than what this server has, and runs then (the
// acknowledgement, if any) once everything written so far is durable.
func (n *Node) store(env nodes.Env, rec Record, hint nodes.ID, then func(env nodes.Env)) {
	n.see(rec)
	file := ""
	if hint == 0 {
		if n.data[rec.Key].Less(rec) {
			n.data[rec.Key] = rec
			file = dataFile(rec.Key)
			env.Store().Write(file, encode(0, rec))
		}
	} else if hk := (hintKey{hint, rec.Key}); n.hints[hk].Less(rec) {
		n.hints[hk] = rec
		file = hintFile(hint, rec.Key)
		env.Store().Write(file, encode(hint, rec))
		env.Reached("dynamo: hint stored")
	}
	wrote := file != ""
	ack := then
	if then != nil && hint == 0 {
		ack = func(env nodes.Env) {
			n.event(Event{Kind: EvReplicaAcked, Key: rec.Key, Rec: rec})
			then(env)
		}
	}
	switch {
	case ack == nil:
		if wrote {
			n.sync(env, nil)
		}
	case n.cfg.Bugs.AckBeforeSync:
		ack(env)
		if wrote {
			n.sync(env, nil)
		}
	default:
		n.sync(env, ack)
	}
	if wrote {
		n.written[file] = n.syncTag // every path above synced it
	}
}

// merge stores the records of an anti-entropy exchange this server
// replicates and is behind on.
func (n *Node) merge(env nodes.Env, recs []Record) {
	for _, r := range recs {
		if n.replicates(n.id, r.Key) && n.data[r.Key].Less(r) {
			env.Reached("dynamo: anti-entropy repaired a key")
			n.store(env, r, 0, nil)
		}
	}
}

// tick delivers hints and opens an anti-entropy exchange with a random
// peer over the keys both replicate.
func (n *Node) tick(env nodes.Env) {
	for _, hk := range slices.SortedFunc(maps.Keys(n.hints), func(a, b hintKey) int {
		return cmp.Or(cmp.Compare(a.owner, b.owner), cmp.Compare(a.key, b.key))
	}) {
		env.Send(hk.owner, WriteReq{Rec: n.hints[hk]})
	}
	peers := env.Peers()
	if len(peers) == 0 {
		return
	}
	p := peers[env.Rand().IntN(len(peers))]
	var d AEDigest
	for _, k := range n.Keys() {
		if n.replicates(p, k) {
			r := n.data[k]
			d.Entries = append(d.Entries, Entry{Key: k, Version: r.Version, Sum: r.sum()})
		}
	}
	env.Send(p, d)
}

func (n *Node) aeDigest(env nodes.Env, from nodes.ID, m AEDigest) {
	var reply AEReply
	listed := map[string]bool{}
	for _, e := range m.Entries {
		listed[e.Key] = true
		if !n.replicates(n.id, e.Key) {
			continue
		}
		mine, ok := n.data[e.Key]
		if ok && mine.Version == e.Version && mine.sum() == e.Sum {
			continue
		}
		if ok {
			reply.Records = append(reply.Records, mine)
		}
		reply.Want = append(reply.Want, e.Key)
	}
	for _, k := range n.Keys() {
		if !listed[k] && n.replicates(from, k) {
			reply.Records = append(reply.Records, n.data[k])
		}
	}
	if len(reply.Records)+len(reply.Want) > 0 {
		env.Reached("dynamo: anti-entropy found a difference")
		env.Send(from, reply)
	}
}

// onAck counts an acknowledgement for a coordinated operation, or drops
// a hint its owner now holds.
func (n *Node) onAck(env nodes.Env, from nodes.ID, m WriteAck) {
	if m.Op == 0 {
		hk := hintKey{from, m.Rec.Key}
		if h, ok := n.hints[hk]; ok && !m.Rec.Less(h) {
			delete(n.hints, hk)
			env.Store().Delete(hintFile(hk.owner, hk.key))
			env.Reached("dynamo: hint delivered")
		}
		return
	}
	o, ok := n.ops[m.Op]
	if !ok || (o.phase != phaseWrite && o.phase != phaseRepair) || !m.Rec.Same(o.rec) {
		return
	}
	n.ack(env, o, from)
}

func (n *Node) ack(env nodes.Env, o *op, from nodes.ID) {
	i := o.slot(from)
	if i < 0 || o.targets[i].done {
		return
	}
	o.targets[i].done = true
	if o.count() >= n.cfg.W {
		n.finish(env, o)
	}
}
