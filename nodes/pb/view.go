package pb

import (
	"maps"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// suspect proposes a view change when the view has shown no progress for
// a view timeout, and this server is the one to propose (the lowest id
// among the live servers but the suspect, or the next after a longer
// wait, so a lost candidate is replaced).
func (n *Node) suspect(env nodes.Env, now time.Duration) {
	waited := now - n.progress
	if waited <= n.cfg.ViewTimeout {
		return
	}
	var live []nodes.ID
	for _, p := range n.peers {
		if t, ok := n.lastSeen[p]; ok && now-t <= n.cfg.ViewTimeout && p != n.st.Primary {
			live = append(live, p)
		}
	}
	live = append(live, n.id)
	slices.Sort(live)
	if len(live) < n.majoritySize() {
		return // no majority in reach: proposing would only churn views
	}
	rank := slices.Index(live, n.id)
	if waited > time.Duration(1+2*rank)*n.cfg.ViewTimeout {
		n.propose(env)
	}
}

// propose starts a view change to a new view with this server as primary:
// after a suspicion, or as a primary changing its view's members.
func (n *Node) propose(env nodes.Env) {
	n.stepDown(env, n.id)
	v := max(n.st.View, n.maxSeen) + 1
	n.maxSeen = v
	n.st.View, n.st.Primary = v, n.id
	n.status = viewChange
	n.accepts, n.majority = nil, false
	n.progress = env.Monotonic()
	env.Reached("pb: view change proposed")
	env.Logf("proposing view %d", v)
	send := func(env nodes.Env) {
		if n.st.View != v || n.st.Primary != n.id || n.status != viewChange || n.accepts != nil {
			return
		}
		n.accepts = map[nodes.ID]Snapshot{n.id: n.st.Snap.clone()}
		for _, p := range n.peers {
			env.Send(p, Propose{View: v, Primary: n.id})
		}
		n.maybeStartView(env)
	}
	if n.cfg.Bugs.ViewNotPersisted {
		n.write(env) // planted bug: the promise is not durable yet
		send(env)
		return
	}
	n.persist(env, send)
}

// stepDown ends this server's time as primary or candidate, if it was
// one. The write in flight may or may not commit later, so its client is
// told to retry; queued requests and reads go to hint.
func (n *Node) stepDown(env nodes.Env, hint nodes.ID) {
	status := kv.StatusNotLeader
	if hint != 0 {
		status = kv.StatusRetry
	}
	if n.pending != nil && !n.pending.replied {
		env.Send(n.pending.from, kv.Reply{Seq: n.pending.seq, Status: kv.StatusRetry, Leader: hint})
	}
	n.pending = nil
	for _, r := range n.queue {
		env.Send(r.from, kv.Reply{Seq: r.req.Seq, Status: status, Leader: hint})
	}
	for _, r := range n.reads {
		env.Send(r.from, kv.Reply{Seq: r.req.Seq, Status: status, Leader: hint})
	}
	n.queue, n.reads, n.log = nil, nil, nil
	n.started, n.active = false, false
	n.commit, n.ackedOp, n.durable = 0, 0, 0
	n.round, n.confirmed = 0, 0
	n.accepts, n.majority = nil, false
	n.members = nil
	clear(n.acked)
	clear(n.confirms)
	clear(n.ahead)
}

// deposed steps down for another server's newer view.
func (n *Node) deposed(env nodes.Env, hint nodes.ID) {
	if n.isPrimary() {
		env.Reached("pb: deposed primary stepped down")
	}
	n.stepDown(env, hint)
}

func (n *Node) onPropose(env nodes.Env, from nodes.ID, m Propose) {
	n.maxSeen = max(n.maxSeen, m.View)
	switch {
	case m.View < n.st.View || (m.View == n.st.View && n.st.Primary != m.Primary):
		env.Send(from, Reject{View: n.st.View, Primary: n.st.Primary})
		return
	case m.View == n.st.View:
		if n.status == viewChange { // a resent proposal: answer again
			n.accept(env, from, m.View)
		}
		return
	}
	n.deposed(env, m.Primary)
	n.st.View, n.st.Primary = m.View, m.Primary
	n.status = viewChange
	n.progress = env.Monotonic()
	n.accept(env, from, m.View)
}

// accept answers a proposal of view v once the promise is durable.
func (n *Node) accept(env nodes.Env, to nodes.ID, v uint64) {
	send := func(env nodes.Env) {
		if n.st.View == v && n.status == viewChange {
			env.Send(to, Accept{View: v, Snap: n.st.Snap.clone()})
		}
	}
	if n.cfg.Bugs.ViewNotPersisted {
		n.write(env) // planted bug: acknowledged before it is durable
		send(env)
		return
	}
	n.persist(env, send)
}

func (n *Node) onAccept(env nodes.Env, from nodes.ID, m Accept) {
	if m.View != n.st.View || !n.isCandidate() {
		return
	}
	n.accepts[from] = m.Snap
	n.maybeStartView(env)
}

// maybeStartView starts the view once a majority accepted it: it adopts
// the most recent state among the Accepts, and the servers whose Accept it
// counted are the view's members. After the majority it waits up to a
// heartbeat for the other live servers, so a view starts with every
// member that answers promptly.
func (n *Node) maybeStartView(env nodes.Env) {
	if len(n.accepts) < n.majoritySize() {
		return
	}
	now := env.Monotonic()
	if !n.majority {
		n.majority, n.majorityAt = true, now
	}
	if now-n.majorityAt < n.cfg.Heartbeat {
		for _, p := range n.peers {
			if _, ok := n.accepts[p]; !ok {
				if t, seen := n.lastSeen[p]; seen && now-t <= n.cfg.ViewTimeout {
					return // a live server has not answered yet
				}
			}
		}
	}
	ids := slices.Sorted(maps.Keys(n.accepts))
	best := n.id
	for _, id := range ids {
		a, b := n.accepts[id], n.accepts[best]
		if a.LastNormal > b.LastNormal || (a.LastNormal == b.LastNormal && a.OpNum > b.OpNum) {
			best = id
		}
	}
	if best != n.id {
		env.Reached("pb: primary adopted a backup's newer state")
	}
	chosen := n.accepts[best]
	n.st.Snap = chosen.clone()
	n.st.Snap.LastNormal = n.st.View
	n.accepts, n.majority = nil, false
	n.status = normal
	n.started, n.active = false, false
	n.members = ids
	clear(n.acked)
	v, op := n.st.View, n.st.Snap.OpNum
	env.Logf("view %d: adopted %v's state at op %d; members %v", v, best, op, ids)
	n.persist(env, func(env nodes.Env) {
		if n.st.View != v || !n.isPrimary() {
			return
		}
		n.started = true
		n.durable = n.st.Snap.OpNum
		n.stallSince = env.Monotonic()
		for _, p := range n.peers {
			n.sendState(env, p)
		}
		n.tryCommit(env)
	})
}

func (n *Node) onReject(env nodes.Env, m Reject) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.View <= n.st.View {
		return
	}
	// A newer view exists: stop acting in ours, promise the newer one,
	// and wait for its primary's state.
	n.deposed(env, m.Primary)
	n.st.View, n.st.Primary = m.View, m.Primary
	n.status = viewChange
	n.persist(env, nil)
}

func (n *Node) onStartView(env nodes.Env, from nodes.ID, m StartView) {
	n.maxSeen = max(n.maxSeen, m.View)
	if m.View < n.st.View {
		env.Send(from, Reject{View: n.st.View, Primary: n.st.Primary})
		return
	}
	if m.View == n.st.View && n.status == normal && (n.st.Primary != from || m.Snap.OpNum <= n.st.Snap.OpNum) {
		if n.st.Primary == from {
			n.ackDurable(env, from) // we hold it already
		}
		return
	}
	if m.View > n.st.View || n.st.Primary != from {
		n.deposed(env, from)
	}
	if n.status == normal {
		env.Reached("pb: backup caught up by state transfer")
	}
	n.st.View, n.st.Primary = m.View, from
	n.st.Snap = m.Snap.clone()
	clear(n.ahead)
	n.status = normal
	n.members = slices.Clone(m.Members)
	n.progress = env.Monotonic()
	v, op := m.View, m.Snap.OpNum
	n.persist(env, func(env nodes.Env) { n.sendOK(env, from, v, op) })
}

// reconfigure (sync mode) changes the primary's view when its members are
// not what they should be: a member that has not acknowledged the commit
// target for backup_timeout is left out of a new view (the primary waits
// for every member, so it would block writes), and a server outside the
// view that has caught up is let back in. Either way it is a view change
// confirmed by a majority, with this server as primary again. It reports
// whether it started one.
func (n *Node) reconfigure(env nodes.Env, now time.Duration) bool {
	if n.cfg.Mode != Sync || !n.quorum(now) {
		return false
	}
	target := n.st.Snap.OpNum
	if (!n.active || n.pending != nil) && now-n.stallSince > n.cfg.BackupTimeout {
		var slow []nodes.ID
		for _, p := range n.members {
			if p != n.id && n.acked[p] < target {
				slow = append(slow, p)
			}
		}
		if len(slow) > 0 {
			env.Reached("pb: view change excludes an unresponsive backup")
			env.Logf("view %d: %v did not acknowledge op %d within %v", n.st.View, slow, target, n.cfg.BackupTimeout)
			n.propose(env)
			return true
		}
	}
	if n.active && now-n.activeAt >= n.cfg.BackupTimeout {
		for _, p := range n.peers {
			// Caught up: it holds every committed write (the write in
			// flight, if any, goes into the next view's start state).
			if slices.Contains(n.members, p) || n.acked[p] < n.commit {
				continue
			}
			if t, ok := n.lastSeen[p]; ok && now-t <= 2*n.cfg.Heartbeat {
				env.Reached("pb: view change readmits a caught-up backup")
				env.Logf("view %d: %v has caught up; changing view to let it back in", n.st.View, p)
				n.propose(env)
				return true
			}
		}
	}
	return false
}
