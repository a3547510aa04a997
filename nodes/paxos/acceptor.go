package paxos

import (
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// persist puts a record in the acceptor log (the first one, on a fresh
// store, as a base) and runs then once it is durable.
func (n *Node) persist(env nodes.Env, r *record, then func(env nodes.Env)) {
	if n.cfg.Bugs.PromiseNotPersisted {
		r.Promised = Ballot{} // planted bug: the promise lives in memory only
	}
	if n.disk.gen == 0 {
		n.disk.rewrite(env.Store(), &n.acc, n.cfg.Bugs.PromiseNotPersisted)
	} else {
		n.disk.appendRecord(env.Store(), r)
	}
	n.syncs.After(env, then)
}

// promise raises the promised ballot (in memory; the caller persists it).
// A proposer that sees a higher ballot than its own gives up.
func (n *Node) promise(env nodes.Env, from nodes.ID, b Ballot) {
	n.maxSeen = max(n.maxSeen, b.N)
	if !n.acc.promised.Less(b) {
		return
	}
	n.acc.promised = b
	if n.role != Follower && from != n.id && n.ballot.Less(b) {
		env.Reached(ProbePreempted)
		n.stepDown(env, "preempted by ballot "+b.String())
	}
}

// onPrepare is phase 1b.
func (n *Node) onPrepare(env nodes.Env, from nodes.ID, m Prepare) {
	if n.cfg.ReadMode == ReadLease && from != n.id && from != n.guardFor && env.Monotonic() < n.guardUntil {
		return // a leader's lease may still run: no promise to anyone else
	}
	if m.Ballot.Less(n.acc.promised) {
		n.send(env, from, Nack{Ballot: m.Ballot, Promised: n.acc.promised})
		return
	}
	fresh := n.acc.promised.Less(m.Ballot)
	n.promise(env, from, m.Ballot)
	n.record(Event{Kind: EventPromised, Ballot: m.Ballot})
	if from != n.id {
		n.resetDeadline(env) // let the proposer finish
	}
	p := Promise{Ballot: m.Ballot, From: m.From}
	if n.durableSnap >= m.From {
		// The proposals of some slots of the window were dropped with the
		// log; they are chosen, and the applied state stands for them.
		s := n.sm.clone()
		p.Snap = &s
	}
	for _, s := range slices.Sorted(maps.Keys(n.acc.accepted)) {
		if s >= m.From {
			p.Accepted = append(p.Accepted, n.acc.accepted[s])
		}
	}
	answer := func(env nodes.Env) {
		n.record(Event{Kind: EventAnswered, Ballot: m.Ballot})
		n.send(env, from, p)
	}
	switch {
	case n.cfg.Bugs.PromiseNotPersisted:
		answer(env) // planted bug: the promise lives in memory only
	case fresh:
		n.persist(env, &record{Promised: m.Ballot}, answer)
	default:
		n.syncs.After(env, answer) // a resend: answer once the promise is durable
	}
}

// onAccept is phase 2b.
func (n *Node) onAccept(env nodes.Env, from nodes.ID, m Accept) {
	if m.Ballot.Less(n.acc.promised) {
		n.send(env, from, Nack{Ballot: m.Ballot, Promised: n.acc.promised})
		return
	}
	n.promise(env, from, m.Ballot)
	if from != n.id {
		n.follow(env, from)
	}
	r := record{Promised: m.Ballot}
	ack := Accepted{Ballot: m.Ballot}
	for _, e := range m.Entries {
		ack.Slots = append(ack.Slots, e.Slot)
		if e.Slot <= n.durableSnap {
			continue // chosen, and in the durable snapshot, which answers for it
		}
		a := AcceptedEntry{Slot: e.Slot, Ballot: m.Ballot, Cmd: e.Cmd}
		n.acc.accepted[e.Slot] = a
		r.Accepted = append(r.Accepted, a)
		n.record(Event{Kind: EventAccepted, Slot: e.Slot, Ballot: m.Ballot, Cmd: e.Cmd})
	}
	n.persist(env, &r, func(env nodes.Env) {
		n.record(Event{Kind: EventAnswered, Ballot: m.Ballot})
		n.send(env, from, ack)
	})
	n.behind(env, from, m.Commit)
}

// follow notes a message from the leader of the ballot this server
// promised: the leader is alive.
func (n *Node) follow(env nodes.Env, leader nodes.ID) {
	n.leader = leader
	n.resetDeadline(env)
	n.guardFor = leader
	n.guardUntil = max(n.guardUntil, env.Monotonic()+n.cfg.ElectionTimeoutMin)
}

// onHeartbeat is a follower hearing from a leader.
func (n *Node) onHeartbeat(env nodes.Env, from nodes.ID, m Heartbeat) {
	if from == n.id {
		return
	}
	if m.Ballot.Less(n.acc.promised) {
		env.Send(from, Nack{Ballot: m.Ballot, Promised: n.acc.promised})
		return
	}
	n.maxSeen = max(n.maxSeen, m.Ballot.N)
	if n.role != Follower {
		env.Reached(ProbePreempted)
		n.stepDown(env, "heard leader "+from.String()+" of ballot "+m.Ballot.String())
	}
	n.follow(env, from)
	env.Send(from, HeartbeatOK{Ballot: m.Ballot, Round: m.Round, Applied: n.sm.Index})
	n.behind(env, from, m.Commit)
}

// behind asks the leader for what it has chosen up to commit, when this
// server has not learned it (at most once a heartbeat).
func (n *Node) behind(env nodes.Env, leader nodes.ID, commit uint64) {
	if leader == n.id || commit <= n.sm.Index {
		return
	}
	if _, ok := n.chosen[n.sm.Index+1]; ok {
		return
	}
	now := env.Monotonic()
	if n.catchUpAt != 0 && now-n.catchUpAt < n.cfg.Heartbeat {
		return
	}
	n.catchUpAt = now
	env.Send(leader, CatchUp{From: n.sm.Index + 1})
}
