package paxos

import (
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// queueMax bounds the requests a candidate holds until phase 1 ends.
const queueMax = 64

// startPhase1 makes this server a candidate for a ballot above every one
// it has heard of, and sends one Prepare for every slot from its first
// unchosen one on.
func (n *Node) startPhase1(env nodes.Env) {
	n.stepDownQuietly(env)
	n.ballot = Ballot{N: max(n.maxSeen, n.acc.promised.N) + 1, Node: n.id}
	n.maxSeen = n.ballot.N
	n.role = Candidate
	n.promises = map[nodes.ID]Promise{}
	n.from = n.sm.Index + 1
	if n.cfg.Bugs.SkipPhase1Unlearned {
		// Planted bug: the window starts above what this server accepted
		// itself, as if its own log were the cluster's.
		for s := range n.acc.accepted { //faultline:orderless taking the maximum
			n.from = max(n.from, s+1)
		}
		for s := range n.chosen { //faultline:orderless taking the maximum
			n.from = max(n.from, s+1)
		}
	}
	n.resetDeadline(env)
	env.Logf("phase 1: ballot %v from slot %d", n.ballot, n.from)
	p := Prepare{Ballot: n.ballot, From: n.from}
	for _, peer := range n.peers {
		env.Send(peer, p)
	}
	n.onPrepare(env, n.id, p)
}

func (n *Node) onPromise(env nodes.Env, from nodes.ID, m Promise) {
	if n.role != Candidate || m.Ballot != n.ballot {
		return
	}
	n.promises[from] = m
	if len(n.promises) >= n.majority() {
		n.becomeLeader(env)
	}
}

func (n *Node) onNack(env nodes.Env, m Nack) {
	n.maxSeen = max(n.maxSeen, m.Promised.N)
	if n.role != Follower && m.Ballot == n.ballot && n.ballot.Less(m.Promised) {
		env.Reached(ProbePreempted)
		n.stepDown(env, "preempted by ballot "+m.Promised.String())
	}
}

// becomeLeader ends phase 1 with a majority of promises: it catches up
// from the most advanced snapshot among them, then, for every slot of the
// window not known to be chosen, re-proposes the value accepted with the
// highest ballot, or a no-op where none was accepted (a gap).
func (n *Node) becomeLeader(env nodes.Env) {
	ids := slices.Sorted(maps.Keys(n.promises))
	var best *Snapshot
	for _, id := range ids {
		if s := n.promises[id].Snap; s != nil && s.Index > n.sm.Index && (best == nil || s.Index > best.Index) {
			best = s
		}
	}
	if best != nil {
		env.Reached(ProbeSnapPromise)
		n.installSnapshot(env, best.clone())
	}
	highest := map[uint64]AcceptedEntry{}
	top := n.sm.Index
	for _, id := range ids {
		for _, a := range n.promises[id].Accepted {
			top = max(top, a.Slot)
			if h, ok := highest[a.Slot]; !ok || h.Ballot.Less(a.Ballot) {
				highest[a.Slot] = a
			}
		}
	}
	for s := range n.chosen { //faultline:orderless taking the maximum
		top = max(top, s)
	}
	if n.cfg.Bugs.SkipPhase1Unlearned {
		top = max(top, n.from-1)
	}
	n.role = Leader
	n.promises = nil
	n.leader = n.id
	n.props = map[uint64]*proposal{}
	n.waiters = map[uint64]waiter{}
	n.inflight = map[nodes.ID]uint64{}
	n.lastAck = map[nodes.ID]time.Duration{}
	n.roundSent = map[uint64]time.Duration{}
	n.roundAck = map[nodes.ID]uint64{}
	n.leaseEnd = 0
	n.activeAt = env.Monotonic()
	var slots []uint64
	for s := n.sm.Index + 1; s <= top; s++ {
		if _, ok := n.chosen[s]; ok {
			continue
		}
		var cmd Command
		own, mine := n.acc.accepted[s]
		h, found := highest[s]
		switch {
		case n.cfg.Bugs.SkipPhase1Unlearned && s < n.from:
			// Planted bug: no acceptor was asked about this slot; it is
			// taken for a gap.
			cmd = Command{Noop: true}
		case n.cfg.Bugs.OwnValue && mine:
			cmd = own.Cmd // planted bug: its own value, not the highest
		case found:
			env.Reached(ProbeAdopted)
			cmd = h.Cmd
		default:
			env.Reached(ProbeNoop)
			cmd = Command{Noop: true}
		}
		n.props[s] = &proposal{cmd: cmd}
		slots = append(slots, s)
	}
	n.next = top + 1
	n.recovered = top
	env.Reached(ProbeElected)
	env.Logf("leader of ballot %v: re-proposing %d slots up to %d", n.ballot, len(slots), top)
	n.sendAccepts(env, slots)
	n.heartbeat(env, env.Monotonic())
	q := n.queued
	n.queued = nil
	for _, r := range q {
		n.onRequest(env, r.from, r.req)
	}
}

// sendAccepts proposes the given slots to every server, itself included.
func (n *Node) sendAccepts(env nodes.Env, slots []uint64) {
	if len(slots) == 0 {
		return
	}
	m := Accept{Ballot: n.ballot, Commit: n.sm.Index}
	for _, s := range slots {
		m.Entries = append(m.Entries, Entry{Slot: s, Cmd: n.props[s].cmd})
	}
	for _, p := range n.peers {
		env.Send(p, m)
	}
	n.onAccept(env, n.id, m)
}

// resend proposes again, to each server, the slots it has not accepted.
func (n *Node) resend(env nodes.Env) {
	if len(n.props) == 0 {
		return
	}
	slots := slices.Sorted(maps.Keys(n.props))
	for _, p := range n.peers {
		m := Accept{Ballot: n.ballot, Commit: n.sm.Index}
		for _, s := range slots {
			if n.props[s].acks&bit(p) == 0 {
				m.Entries = append(m.Entries, Entry{Slot: s, Cmd: n.props[s].cmd})
			}
		}
		if len(m.Entries) > 0 {
			env.Send(p, m)
		}
	}
}

func (n *Node) onAccepted(env nodes.Env, from nodes.ID, m Accepted) {
	if n.role != Leader || m.Ballot != n.ballot {
		return
	}
	n.lastAck[from] = env.Monotonic()
	var chosen []Entry
	for _, s := range m.Slots {
		p, ok := n.props[s]
		if !ok {
			continue
		}
		p.acks |= bit(from)
		if popcount(p.acks) >= n.majority() {
			delete(n.props, s)
			chosen = append(chosen, Entry{Slot: s, Cmd: p.cmd})
			n.learn(env, s, p.cmd)
		}
	}
	if len(chosen) == 0 {
		return
	}
	for _, p := range n.peers {
		env.Send(p, Learn{Entries: chosen})
	}
	n.applyReady(env)
}

func popcount(x uint64) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

// heartbeat starts a heartbeat round.
func (n *Node) heartbeat(env nodes.Env, now time.Duration) {
	n.round++
	n.roundSent[n.round] = now
	delete(n.roundSent, n.round-16)
	hb := Heartbeat{Ballot: n.ballot, Commit: n.sm.Index, Round: n.round}
	for _, p := range n.peers {
		env.Send(p, hb)
	}
}

func (n *Node) onHeartbeatOK(env nodes.Env, from nodes.ID, m HeartbeatOK) {
	if n.role != Leader || m.Ballot != n.ballot {
		return
	}
	n.lastAck[from] = env.Monotonic()
	n.roundAck[from] = max(n.roundAck[from], m.Round)
	// The highest round a majority (this server included) acknowledged.
	acks := []uint64{n.round}
	for _, p := range n.peers {
		acks = append(acks, n.roundAck[p])
	}
	slices.Sort(acks)
	r := acks[len(acks)-n.majority()]
	if sent, ok := n.roundSent[r]; ok {
		n.leaseEnd = max(n.leaseEnd, sent+n.cfg.leaseDuration())
	}
}

// lostQuorum: a leader that has heard from no majority for an election
// timeout steps down, since the others may have moved on.
func (n *Node) lostQuorum(now time.Duration) bool {
	if now-n.activeAt < n.cfg.ElectionTimeoutMin {
		return false
	}
	count := 1
	for _, p := range n.peers {
		if t, ok := n.lastAck[p]; ok && now-t < n.cfg.ElectionTimeoutMin {
			count++
		}
	}
	return count < n.majority()
}

// stepDown makes a leader or candidate a follower, failing the requests it
// holds: they may still be chosen under the next leader, which the
// session table makes safe to retry.
func (n *Node) stepDown(env nodes.Env, why string) {
	if n.role == Leader {
		env.Reached(ProbeStepDown)
	}
	env.Logf("%s steps down: %s", n.role, why)
	n.stepDownQuietly(env)
	n.resetDeadline(env)
}

func (n *Node) stepDownQuietly(env nodes.Env) {
	for _, s := range slices.Sorted(maps.Keys(n.waiters)) {
		w := n.waiters[s]
		n.reply(env, w.from, w.seq, Session{Status: kv.StatusRetry})
	}
	for _, r := range n.queued {
		n.reply(env, r.from, r.req.Seq, Session{Status: kv.StatusNotLeader})
	}
	if n.role == Leader {
		n.leader = 0
	}
	n.role = Follower
	n.waiters, n.inflight, n.props, n.promises, n.queued = nil, nil, nil, nil, nil
	n.leaseEnd = 0
}

// onRequest serves a client: a leader proposes its command in the next
// free slot (or answers a retry from the session table); a candidate holds
// it until phase 1 ends; a follower points at the leader.
func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if !kv.Known(req.Op.Kind) {
		n.reply(env, from, req.Seq, Session{Status: kv.StatusUnsupported})
		return
	}
	switch n.role {
	case Follower:
		n.reply(env, from, req.Seq, Session{Status: kv.StatusNotLeader})
		return
	case Candidate:
		if len(n.queued) < queueMax {
			n.queued = append(n.queued, request{from: from, req: req})
		} else {
			n.reply(env, from, req.Seq, Session{Status: kv.StatusRetry})
		}
		return
	}
	if res, dup, stale := n.sm.lookup(req.Client, req.Seq); dup {
		env.Reached(ProbeSession)
		n.reply(env, from, req.Seq, res)
		return
	} else if stale {
		n.reply(env, from, req.Seq, Session{Status: kv.StatusRetry})
		return
	}
	if req.Op.Kind.IsRead() && n.leaseRead(env) {
		env.Reached(ProbeLeaseRead)
		r := kv.Apply(n.sm.Data, req.Op)
		n.reply(env, from, req.Seq, Session{Status: r.Status, Value: r.Value, Exists: r.Exists})
		return
	}
	if s, ok := n.inflight[req.Client]; ok {
		if w := n.waiters[s]; w.seq == req.Seq {
			n.waiters[s] = waiter{from: from, client: req.Client, seq: req.Seq}
			return // already proposed: answer when it is chosen
		}
	}
	s := n.next
	n.next++
	n.props[s] = &proposal{cmd: Command{Client: req.Client, Seq: req.Seq, Op: req.Op}}
	n.waiters[s] = waiter{from: from, client: req.Client, seq: req.Seq}
	n.inflight[req.Client] = s
	n.sendAccepts(env, []uint64{s})
}

// leaseRead reports whether the leader may answer a read from its applied
// state: it holds a lease, and it has applied every slot phase 1
// re-proposed (so every write acknowledged by an earlier leader).
func (n *Node) leaseRead(env nodes.Env) bool {
	return n.cfg.ReadMode == ReadLease && env.Monotonic() < n.leaseEnd && n.sm.Index >= n.recovered
}

func (n *Node) onCatchUp(env nodes.Env, from nodes.ID, m CatchUp) {
	if n.role != Leader || m.From > n.sm.Index {
		return
	}
	if len(n.tail) == 0 || m.From < n.tail[0].Slot {
		env.Send(from, InstallSnapshot{Snap: n.sm.clone()})
		return
	}
	i := int(m.From - n.tail[0].Slot)
	end := min(len(n.tail), i+catchUpMax)
	env.Send(from, Learn{Entries: slices.Clone(n.tail[i:end])})
}

// catchUpMax bounds the commands one catch-up Learn carries.
const catchUpMax = 128
