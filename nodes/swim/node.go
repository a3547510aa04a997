package swim

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/fd"
)

// IncarnationFiles are the two files a member keeps its incarnation in,
// written alternately so that a torn write of one leaves the other.
var IncarnationFiles = [2]string{"swim-inc-0", "swim-inc-1"}

// Change is one change of a member's view, in the order they happened:
// Member became State at incarnation Inc.
type Change = Update

// Member is one entry of a view.
type Member struct {
	ID    nodes.ID
	State State
	Inc   uint64
}

type member struct {
	state     State
	inc       uint64
	suspicion nodes.TimerID // pending suspicion timeout, 0 if none
	due       time.Duration // when it should fire (monotonic)
	det       fd.Detector   // all-to-all modes only
}

type bcast struct {
	u    Update
	sent int
}

type probe struct {
	target nodes.ID
	seq    uint64
	acked  bool
}

type relay struct {
	from   nodes.ID
	seq    uint64 // the requester's
	period uint64
}

// Timer tags: the kind in the top byte, a value below it.
const (
	tagPeriod uint64 = iota + 1
	tagProbeTimeout
	tagSuspicion
	tagBeat
)

func tag(kind, v uint64) uint64 { return kind<<56 | v }

// Node is one member. Build it with New.
type Node struct {
	nodes.Base
	cfg     Config
	self    nodes.ID
	n       int // cluster size, self included
	inc     uint64
	shown   uint64 // the incarnation last made durable and announced
	ready   bool
	leaving bool // told to leave: announced, waiting to be stopped
	members map[nodes.ID]*member
	ids     []nodes.ID // the peers, sorted
	changes []Change
	syncs   durable.Syncs

	// SWIM
	seq     uint64
	period  uint64
	order   []nodes.ID
	pos     int
	probe   *probe
	relays  map[uint64]relay
	queue   []bcast
	retrans int
	synced  bool // a Sync reply arrived since the member (re)joined

	lastBeat time.Duration // all-to-all modes: when beat last ran
}

// PushPullPeriods is how many protocol periods pass between a member's
// full-view exchanges with a random peer.
const PushPullPeriods = 25

// New returns the factory of a cluster's members.
func New(cfg Config) nodes.Factory {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		panic(err.Error())
	}
	return func(id nodes.ID) nodes.Node { return &Node{cfg: cfg, self: id} }
}

// Incarnation is the member's own incarnation as last announced (0 until
// the first is durable).
func (n *Node) Incarnation() uint64 { return n.shown }

// Ready reports whether the member has made its incarnation durable and
// joined in.
func (n *Node) Ready() bool { return n.ready }

// Changes lists the member's view changes since it started, oldest first.
// The slice is the member's own: do not modify it.
func (n *Node) Changes() []Change { return n.changes }

// View is the member's view of every peer, in ID order.
func (n *Node) View() []Member {
	out := make([]Member, 0, len(n.ids))
	for _, id := range n.ids {
		m := n.members[id]
		out = append(out, Member{ID: id, State: m.state, Inc: m.inc})
	}
	return out
}

func (n *Node) Start(env nodes.Env) {
	n.ids = env.Peers()
	n.n = len(n.ids) + 1
	n.retrans = n.cfg.Retransmits(n.n)
	n.members = map[nodes.ID]*member{}
	n.relays = map[uint64]relay{}
	for _, id := range n.ids {
		n.members[id] = &member{}
	}
	// The highest incarnation that survived, plus one: a restarted member
	// refutes with a number above anything it announced before (it
	// announces one only once it is durable).
	last := uint64(0)
	for _, f := range IncarnationFiles {
		if b, err := env.Store().Read(f); err == nil {
			var v uint64
			if durable.OpenJSON(b, &v) == nil {
				last = max(last, v)
			}
		}
	}
	n.bump(env, last+1, func(env nodes.Env) { n.join(env) })
}

// bump raises the incarnation to inc, persists it and runs then once it
// is durable.
func (n *Node) bump(env nodes.Env, inc uint64, then func(env nodes.Env)) {
	n.inc = inc
	env.Store().Write(IncarnationFiles[inc%2], durable.SealJSON(inc))
	n.syncs.After(env, func(env nodes.Env) {
		if inc > n.shown {
			n.shown = inc
		}
		then(env)
	})
}

func (n *Node) Synced(env nodes.Env, t uint64) { n.syncs.Synced(env, t) }

func (n *Node) join(env nodes.Env) {
	n.ready = true
	n.enqueue(Update{Member: n.self, State: Alive, Inc: n.inc})
	switch n.cfg.Detector {
	case DetectorSWIM:
		// Members start their periods at random offsets, as unsynchronised
		// processes would.
		env.SetTimer(time.Duration(env.Rand().Int64N(int64(n.cfg.ProbeInterval)))+1, tag(tagPeriod, 0))
	default:
		now := env.Monotonic()
		for _, id := range n.ids {
			m := n.members[id]
			if n.cfg.Detector == DetectorPhi {
				m.det = fd.NewPhi(n.cfg.phi())
			} else {
				m.det = fd.NewHeartbeat(n.cfg.HeartbeatTimeout)
			}
			m.det.Heard(now)
		}
		n.beat(env)
	}
}

func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, t uint64) {
	kind, v := t>>56, t&(1<<56-1)
	switch kind {
	case tagPeriod:
		n.tick(env)
	case tagProbeTimeout:
		n.probeTimeout(env, v)
	case tagSuspicion:
		id := nodes.ID(v)
		m := n.members[id]
		if m == nil || m.state != Suspect {
			break
		}
		if now := env.Monotonic(); now > m.due+n.cfg.ProbeInterval {
			// The timer fired late: this member was stalled (paused), and
			// the refutation may be queued behind the timer. Give it a
			// period to arrive.
			env.Reached("swim: suspicion timeout deferred after a local stall")
			m.due = now + n.cfg.ProbeInterval
			m.suspicion = env.SetTimer(n.cfg.ProbeInterval, tag(tagSuspicion, uint64(id)))
			break
		}
		m.suspicion = 0
		n.set(env, id, Dead, m.inc)
	case tagBeat:
		n.beat(env)
	}
}

func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if q, ok := msg.(ViewQuery); ok {
		env.Send(from, n.summary(q.Seq))
		return
	}
	if !n.ready || n.members[from] == nil {
		return // still recovering, or not a member
	}
	switch m := msg.(type) {
	case Ping:
		n.learn(env, m.Updates)
		env.Send(from, Ack{Seq: m.Seq, Of: n.self, Updates: n.piggyback(from)})
	case PingReq:
		n.learn(env, m.Updates)
		if n.members[m.Target] == nil {
			return
		}
		n.seq++
		n.relays[n.seq] = relay{from: from, seq: m.Seq, period: n.period}
		env.Send(m.Target, Ping{Seq: n.seq, Updates: n.piggyback(m.Target)})
	case Ack:
		n.learn(env, m.Updates)
		if p := n.probe; p != nil && m.Seq == p.seq && m.Of == p.target {
			if from != p.target {
				env.Reached("swim: indirect probe acked")
			}
			p.acked = true
			return
		}
		if r, ok := n.relays[m.Seq]; ok {
			delete(n.relays, m.Seq)
			env.Send(r.from, Ack{Seq: r.seq, Of: m.Of, Updates: n.piggyback(r.from)})
		}
	case Sync:
		n.learn(env, m.Updates)
		if m.Reply {
			n.synced = true
		} else {
			env.Send(from, Sync{Reply: true, Updates: n.full()})
		}
	case Heartbeat:
		mem := n.members[from]
		if m.Left {
			if m.Inc >= mem.inc && mem.state != Left {
				n.set(env, from, Left, m.Inc)
			}
			return
		}
		if mem.state == Left && m.Inc <= mem.inc {
			return // sent before its leave, delivered after
		}
		if mem.det != nil {
			mem.det.Heard(env.Monotonic())
		}
		if mem.state != Alive || m.Inc > mem.inc {
			if mem.state == Dead {
				env.Reached("swim: dead member came back")
			}
			n.set(env, from, Alive, max(m.Inc, mem.inc))
		}
	}
}

// Leave is a graceful leave (nodes.Leaver): the member tells every peer
// it is leaving at its incarnation, stops probing and heartbeating, and
// refutes nothing until it is stopped. It comes back, if it does, by a
// restart at a higher incarnation.
func (n *Node) Leave(env nodes.Env) {
	if !n.ready || n.leaving {
		return
	}
	n.leaving = true
	env.Reached("swim: leaving")
	for _, id := range n.ids {
		if n.cfg.Detector == DetectorSWIM {
			env.Send(id, Ping{Updates: []Update{{Member: n.self, State: Left, Inc: n.shown}}})
		} else {
			env.Send(id, Heartbeat{Inc: n.shown, Left: true})
		}
	}
}

func (n *Node) summary(seq uint64) ViewReply {
	r := ViewReply{Seq: seq, Alive: 1} // itself
	if !n.ready {
		r.Alive = 0
	}
	for _, id := range n.ids {
		switch n.members[id].state {
		case Alive:
			r.Alive++
		case Suspect:
			r.Suspect++
		case Dead, Left:
			r.Dead++
		}
	}
	return r
}

// beat is the all-to-all modes' period: a heartbeat to every peer, then
// a look at every peer's detector.
func (n *Node) beat(env nodes.Env) {
	if n.leaving {
		return
	}
	for _, id := range n.ids {
		env.Send(id, Heartbeat{Inc: n.inc})
	}
	now := env.Monotonic()
	// A member that was itself stalled (paused, starved) wakes to find
	// every peer silent: the heartbeats that queued up meanwhile are
	// handled only after this timer. Judge no one this round (Cassandra's
	// local-pause guard) and let them arrive.
	stalled := n.lastBeat != 0 && now-n.lastBeat > 2*n.cfg.HeartbeatInterval
	n.lastBeat = now
	if stalled {
		env.Reached("swim: skipped judging after a local stall")
	}
	for _, id := range n.ids {
		if m := n.members[id]; !stalled && m.state != Dead && m.det.Suspect(now) {
			n.set(env, id, Dead, m.inc)
		}
	}
	env.SetTimer(n.cfg.HeartbeatInterval, tag(tagBeat, 0))
}

// tick is SWIM's protocol period: judge the last probe, start the next.
func (n *Node) tick(env nodes.Env) {
	if n.leaving {
		return
	}
	env.SetTimer(n.cfg.ProbeInterval, tag(tagPeriod, 0))
	n.period++
	if p := n.probe; p != nil && !p.acked {
		if m := n.members[p.target]; m.state == Alive {
			n.set(env, p.target, Suspect, m.inc)
		}
	}
	n.probe = nil
	for seq, r := range n.relays { //faultline:orderless deleting stale entries, no other effect
		if n.period-r.period > 2 {
			delete(n.relays, seq)
		}
	}
	if len(n.ids) == 0 {
		return
	}
	// Push-pull: a member that (re)joined learns the others' incarnations
	// (it starts out believing every peer alive at incarnation 0); all
	// members repair, now and then, what gossip lost.
	switch {
	case !n.synced:
		// Until one answers, push to IndirectK members at once: the news
		// of the (re)join then spreads from several places.
		peers := slices.Clone(n.ids)
		env.Rand().Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
		for _, id := range peers[:min(len(peers), max(1, n.cfg.IndirectK))] {
			env.Send(id, Sync{Updates: n.full()})
		}
	case n.period%PushPullPeriods == 0:
		env.Send(n.ids[env.Rand().IntN(len(n.ids))], Sync{Updates: n.full()})
	}
	// Randomised round robin: every member is probed once per pass, in an
	// order shuffled afresh for each pass. Dead members are probed too, so
	// one that was wrongly declared (or came back) hears of it and
	// refutes.
	if n.pos >= len(n.order) {
		n.order = slices.Clone(n.ids)
		env.Rand().Shuffle(len(n.order), func(i, j int) { n.order[i], n.order[j] = n.order[j], n.order[i] })
		n.pos = 0
	}
	target := n.order[n.pos]
	n.pos++
	n.seq++
	n.probe = &probe{target: target, seq: n.seq}
	env.Send(target, Ping{Seq: n.seq, Updates: n.piggyback(target)})
	env.SetTimer(n.cfg.ProbeTimeout, tag(tagProbeTimeout, n.seq))
}

func (n *Node) probeTimeout(env nodes.Env, seq uint64) {
	p := n.probe
	if p == nil || p.seq != seq || p.acked || n.members[p.target].state >= Dead || n.cfg.Bugs.NoIndirect {
		return
	}
	var helpers []nodes.ID
	for _, id := range n.ids {
		if id != p.target && n.members[id].state == Alive {
			helpers = append(helpers, id)
		}
	}
	env.Rand().Shuffle(len(helpers), func(i, j int) { helpers[i], helpers[j] = helpers[j], helpers[i] })
	for _, h := range helpers[:min(len(helpers), n.cfg.IndirectK)] {
		env.Send(h, PingReq{Seq: seq, Target: p.target, Updates: n.piggyback(h)})
	}
}

// full is the member's whole view as updates, itself included.
func (n *Node) full() []Update {
	out := []Update{{Member: n.self, State: Alive, Inc: n.shown}}
	for _, id := range n.ids {
		m := n.members[id]
		out = append(out, Update{Member: id, State: m.state, Inc: m.inc})
	}
	return out
}

// learn applies the updates a message carried.
func (n *Node) learn(env nodes.Env, us []Update) {
	for _, u := range us {
		n.apply(env, u)
	}
}

// apply merges one update by SWIM's precedence: a higher incarnation
// wins; at the same incarnation dead beats suspect beats alive.
func (n *Node) apply(env nodes.Env, u Update) {
	if u.Member == n.self {
		switch {
		case u.State == Alive || n.cfg.Bugs.NoRefute || n.leaving:
		case u.Inc >= n.inc:
			env.Reached("swim: refuted a suspicion")
			n.bump(env, u.Inc+1, func(env nodes.Env) {
				n.enqueue(Update{Member: n.self, State: Alive, Inc: n.inc})
			})
		case n.shown == n.inc:
			// A claim about an older incarnation: whoever holds it missed
			// our announcement (it expired from the queues before it
			// reached them), so announce again.
			n.enqueue(Update{Member: n.self, State: Alive, Inc: n.inc})
		}
		return
	}
	m := n.members[u.Member]
	if m == nil {
		return
	}
	newer := u.Inc > m.inc
	same := u.Inc == m.inc
	switch {
	case newer:
	case same && u.State > m.state:
	default:
		return
	}
	if u.State == Alive && (m.state == Dead || m.state == Left) {
		env.Reached("swim: dead member came back")
	}
	n.set(env, u.Member, u.State, u.Inc)
}

// set records a member's new state and incarnation, starts or stops its
// suspicion timeout and disseminates the news.
func (n *Node) set(env nodes.Env, id nodes.ID, st State, inc uint64) {
	m := n.members[id]
	if m.state != st {
		n.changes = append(n.changes, Change{Member: id, State: st, Inc: inc})
		switch st {
		case Suspect:
			env.Reached("swim: member suspected")
		case Dead:
			env.Reached("swim: member declared dead")
		case Left:
			env.Reached("swim: member left")
		}
	}
	m.state, m.inc = st, inc
	if st == Suspect && m.suspicion == 0 {
		m.due = env.Monotonic() + n.cfg.SuspicionTimeout(n.n)
		m.suspicion = env.SetTimer(n.cfg.SuspicionTimeout(n.n), tag(tagSuspicion, uint64(id)))
	}
	if st != Suspect && m.suspicion != 0 {
		env.CancelTimer(m.suspicion)
		m.suspicion = 0
	}
	if n.cfg.Detector == DetectorSWIM {
		n.enqueue(Update{Member: id, State: st, Inc: inc})
	}
}

// enqueue puts news on the dissemination queue, replacing older news of
// the same member.
func (n *Node) enqueue(u Update) {
	if n.cfg.Detector != DetectorSWIM {
		return
	}
	for i := range n.queue {
		if n.queue[i].u.Member == u.Member {
			n.queue[i] = bcast{u: u}
			return
		}
	}
	n.queue = append(n.queue, bcast{u: u})
}

// piggyback picks the updates a message to peer carries: what we believe
// of the peer itself if it is not alive (so it can refute at once), then
// the least-sent news, each until it has been sent retrans times.
func (n *Node) piggyback(to nodes.ID) []Update {
	var out []Update
	if m := n.members[to]; m != nil && m.state != Alive {
		out = append(out, Update{Member: to, State: m.state, Inc: m.inc})
	}
	slices.SortStableFunc(n.queue, func(a, b bcast) int {
		return cmp.Or(cmp.Compare(a.sent, b.sent), cmp.Compare(a.u.Member, b.u.Member))
	})
	for i := 0; i < len(n.queue) && len(out) < n.cfg.MaxPiggyback; i++ {
		out = append(out, n.queue[i].u)
		n.queue[i].sent++
	}
	n.queue = slices.DeleteFunc(n.queue, func(b bcast) bool { return b.sent >= n.retrans })
	return out
}

func (n *Node) String() string { return fmt.Sprintf("swim %v inc %d", n.self, n.inc) }
