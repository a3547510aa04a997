package paxos

import (
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// learn records the command chosen in a slot.
func (n *Node) learn(env nodes.Env, slot uint64, cmd Command) {
	if slot <= n.sm.Index {
		return
	}
	if _, ok := n.chosen[slot]; ok {
		return
	}
	n.chosen[slot] = cmd
	n.record(Event{Kind: EventLearned, Slot: slot, Cmd: cmd})
}

// applyReady applies the chosen commands that follow the applied slot, in
// slot order, and answers the clients waiting for them.
func (n *Node) applyReady(env nodes.Env) {
	for {
		cmd, ok := n.chosen[n.sm.Index+1]
		if !ok {
			break
		}
		delete(n.chosen, n.sm.Index+1)
		out := n.sm.apply(&cmd)
		n.tail = append(n.tail, Entry{Slot: n.sm.Index, Cmd: cmd})
		n.record(Event{Kind: EventApplied, Slot: n.sm.Index, Hash: n.sm.Hash})
		n.answer(env, n.sm.Index, &cmd, out.res)
	}
	n.maybeCompact(env)
}

// answer replies to the client waiting on slot, now applied. If another
// command landed there, the client's request was lost with an earlier
// leader's proposal: it may retry.
func (n *Node) answer(env nodes.Env, slot uint64, cmd *Command, res Session) {
	w, ok := n.waiters[slot]
	if !ok {
		return
	}
	delete(n.waiters, slot)
	if n.inflight[w.client] == slot {
		delete(n.inflight, w.client)
	}
	if cmd.Noop || cmd.Client != w.client || cmd.Seq != w.seq {
		res = Session{Status: kv.StatusRetry}
	}
	n.reply(env, w.from, w.seq, res)
}

// installSnapshot replaces the applied state by a more advanced one (from
// the leader, or from a promise) and makes it durable.
func (n *Node) installSnapshot(env nodes.Env, snap Snapshot) {
	if snap.Index <= n.sm.Index {
		return
	}
	env.Reached(ProbeSnapInstalled)
	env.Logf("installing snapshot at slot %d (applied %d)", snap.Index, n.sm.Index)
	if snap.Data == nil {
		snap.Data = map[string]string{}
	}
	if snap.Sessions == nil {
		snap.Sessions = map[nodes.ID]Session{}
	}
	n.sm = snap
	n.tail = nil
	for _, s := range slices.Sorted(maps.Keys(n.chosen)) {
		if s <= snap.Index {
			delete(n.chosen, s)
		}
	}
	// Clients waiting on slots the snapshot covers: their result is in
	// its session table, if their command was chosen.
	for _, s := range slices.Sorted(maps.Keys(n.waiters)) {
		if s > snap.Index {
			continue
		}
		w := n.waiters[s]
		delete(n.waiters, s)
		delete(n.inflight, w.client)
		res := Session{Status: kv.StatusRetry}
		if ss, dup, _ := n.sm.lookup(w.client, w.seq); dup {
			res = ss
		}
		n.reply(env, w.from, w.seq, res)
	}
	n.record(Event{Kind: EventApplied, Slot: n.sm.Index, Hash: n.sm.Hash})
	n.writeSnapshot(env)
}

// maybeCompact snapshots the state machine once SnapshotEvery slots were
// applied above the durable snapshot.
func (n *Node) maybeCompact(env nodes.Env) {
	if n.snapPending || n.sm.Index-n.durableSnap < uint64(n.cfg.SnapshotEvery) {
		return
	}
	env.Reached(ProbeCompacted)
	n.writeSnapshot(env)
}

// writeSnapshot writes the applied state; once it is durable, the
// acceptor log and the tail below it are dropped.
func (n *Node) writeSnapshot(env nodes.Env) {
	idx := n.sm.Index
	n.snapPending = true
	n.disk.writeSnapshot(env.Store(), &n.sm)
	n.syncs.After(env, func(env nodes.Env) {
		n.snapPending = false
		if idx <= n.durableSnap {
			return
		}
		n.durableSnap = idx
		for _, s := range slices.Sorted(maps.Keys(n.acc.accepted)) {
			if s <= idx {
				delete(n.acc.accepted, s)
			}
		}
		i := 0
		for i < len(n.tail) && n.tail[i].Slot <= idx {
			i++
		}
		n.tail = append(n.tail[:0], n.tail[i:]...)
		n.disk.rewrite(env.Store(), &n.acc, n.cfg.Bugs.PromiseNotPersisted)
		n.syncs.After(env, nil)
	})
}
