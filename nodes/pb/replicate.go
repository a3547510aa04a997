package pb

import (
	"fmt"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

func reply(seq uint64, s Session) kv.Reply {
	return kv.Reply{Seq: seq, Status: s.Status, Value: s.Value, Exists: s.Exists}
}

func (n *Node) onRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if !kv.Known(req.Op.Kind) {
		panic(fmt.Sprintf("pb: %v: request from %v with unknown operation kind %q", n.id, from, req.Op.Kind))
	}
	if n.st.Primary != n.id {
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusNotLeader, Leader: n.st.Primary})
		return
	}
	// This server is the view's primary or proposing to be: requests wait
	// here until it is active (or are told to go elsewhere if it is not).
	if p := n.pending; p != nil && p.client == req.Client && p.seq == req.Seq {
		p.from = from // a retry of the write in flight: its answer will come
		return
	}
	// A client has one request at a time: a new one replaces any queued.
	n.queue = slices.DeleteFunc(n.queue, func(r request) bool { return r.req.Client == req.Client })
	n.reads = slices.DeleteFunc(n.reads, func(r readReq) bool { return r.req.Client == req.Client })
	if req.Op.Kind.IsRead() {
		n.onRead(env, from, req)
		return
	}
	n.queue = append(n.queue, request{from: from, req: req})
	n.next(env)
}

// next starts replicating the first queued write, if nothing is in flight
// and the primary is serving.
func (n *Node) next(env nodes.Env) {
	now := env.Monotonic()
	for n.active && n.pending == nil && len(n.queue) > 0 && n.quorum(now) {
		r := n.queue[0]
		n.queue = n.queue[1:]
		if ss, ok := n.st.Snap.Sessions[r.req.Client]; ok && r.req.Seq <= ss.Seq {
			if r.req.Seq == ss.Seq {
				env.Reached("pb: retried write answered from the session table")
				env.Send(r.from, reply(r.req.Seq, ss))
			}
			continue // an older Seq: the client has moved on
		}
		res := n.st.Snap.apply(r.req.Client, r.req.Seq, &r.req.Op)
		op, v := n.st.Snap.OpNum, n.st.View
		p := &pendingWrite{opNum: op, from: r.from, client: r.req.Client, seq: r.req.Seq, res: res}
		n.pending = p
		n.stallSince = now
		n.log = append(n.log, logEntry{opNum: op, client: r.req.Client, seq: r.req.Seq, op: r.req.Op})
		if len(n.log) > logKeep {
			n.log = slices.Delete(n.log, 0, len(n.log)-logKeep)
		}
		for _, q := range n.peers {
			env.Send(q, Prepare{View: v, OpNum: op, Client: r.req.Client, Seq: r.req.Seq, Op: r.req.Op})
		}
		n.persist(env, func(env nodes.Env) {
			if n.st.View != v || !n.isPrimary() || n.pending != p {
				return
			}
			n.durable = max(n.durable, op)
			switch {
			case n.cfg.Mode == Async:
				// Asynchronous: our own disk is enough; the backups
				// follow in the background.
				n.commit, n.ackedOp = op, op
				n.pending = nil
				env.Send(p.from, reply(p.seq, p.res))
				n.serveReads(env)
				n.next(env)
				return
			case n.cfg.Bugs.AckBeforeBackup:
				// Planted bug: sync mode acknowledging as async does.
				p.replied = true
				n.ackedOp = max(n.ackedOp, op)
				env.Send(p.from, reply(p.seq, p.res))
			}
			n.tryCommit(env)
		})
	}
}

// holds reports whether enough servers durably hold op number target to
// commit it: every member of the view in sync mode; a majority in async
// mode (which needs that only to start a view).
func (n *Node) holds(target uint64) bool {
	if n.durable < target {
		return false
	}
	if n.cfg.Mode == Sync {
		for _, p := range n.members {
			if p != n.id && n.acked[p] < target {
				return false
			}
		}
		return true
	}
	count := 1
	for _, p := range n.peers {
		if n.acked[p] >= target {
			count++
		}
	}
	return count >= n.majoritySize()
}

// tryCommit commits the write in flight (or, at the start of a view, the
// adopted state) once it is held widely enough, answers its client, and
// moves on.
func (n *Node) tryCommit(env nodes.Env) {
	if !n.started || (n.active && n.pending == nil) {
		return
	}
	target := n.st.Snap.OpNum
	if !n.holds(target) {
		return
	}
	n.commit = target
	n.ackedOp = max(n.ackedOp, target)
	if !n.active {
		n.active = true
		n.activeAt = env.Monotonic()
		env.Reached("pb: new primary active")
		env.Logf("view %d active at op %d", n.st.View, target)
	}
	if p := n.pending; p != nil {
		n.pending = nil
		if !p.replied {
			env.Send(p.from, reply(p.seq, p.res))
		}
	}
	n.serveReads(env)
	n.next(env)
}

func (n *Node) onPrepare(env nodes.Env, from nodes.ID, m Prepare) {
	n.maxSeen = max(n.maxSeen, m.View)
	switch {
	case m.View < n.st.View:
		env.Send(from, Reject{View: n.st.View, Primary: n.st.Primary})
		return
	case m.View > n.st.View || n.status != normal || n.st.Primary != from:
		env.Send(from, NeedState{View: n.st.View})
		return
	}
	n.progress = env.Monotonic()
	switch {
	case m.OpNum <= n.st.Snap.OpNum:
		n.ackDurable(env, from) // a resend: we have it
	case m.OpNum == n.st.Snap.OpNum+1:
		n.st.Snap.apply(m.Client, m.Seq, &m.Op)
		// Writes that overtook this one on the network follow it now.
		for {
			next, ok := n.ahead[n.st.Snap.OpNum+1]
			if !ok {
				break
			}
			n.st.Snap.apply(next.Client, next.Seq, &next.Op)
		}
		clear(n.ahead)
		op := n.st.Snap.OpNum
		n.persist(env, func(env nodes.Env) { n.sendOK(env, from, m.View, op) })
	case m.OpNum <= n.st.Snap.OpNum+aheadKeep:
		// A gap: keep the write until the ones before it arrive (the
		// primary resends what we lack on its next tick).
		if n.ahead == nil {
			n.ahead = map[uint64]Prepare{}
		}
		n.ahead[m.OpNum] = m
	}
}

// ackDurable acknowledges our op number once everything written is durable.
func (n *Node) ackDurable(env nodes.Env, to nodes.ID) {
	v, op := n.st.View, n.st.Snap.OpNum
	n.afterSync(env, func(env nodes.Env) { n.sendOK(env, to, v, op) })
}

func (n *Node) sendOK(env nodes.Env, to nodes.ID, v, op uint64) {
	if n.st.View == v && n.status == normal && n.st.Primary == to {
		env.Send(to, PrepareOK{View: v, OpNum: op})
	}
}

func (n *Node) onPrepareOK(env nodes.Env, from nodes.ID, m PrepareOK) {
	if !n.isPrimary() || !n.started || m.View != n.st.View {
		return
	}
	n.acked[from] = max(n.acked[from], m.OpNum)
	n.tryCommit(env)
}

// retransmit resends to every live server what it has not acknowledged:
// the writes it lacks, or the whole state when it is further behind than
// the primary's log (or the view has not started yet).
func (n *Node) retransmit(env nodes.Env, now time.Duration) {
	target := n.st.Snap.OpNum
	for _, p := range n.peers {
		t, ok := n.lastSeen[p]
		if !ok || now-t > n.cfg.ViewTimeout || n.acked[p] >= target {
			continue
		}
		if !n.active || len(n.log) == 0 || n.acked[p]+1 < n.log[0].opNum {
			n.sendState(env, p)
			continue
		}
		for _, e := range n.log {
			if e.opNum > n.acked[p] {
				env.Send(p, Prepare{View: n.st.View, OpNum: e.opNum, Client: e.client, Seq: e.seq, Op: e.op})
			}
		}
	}
}

// onRead queues a read for the next confirmation round: the primary
// answers it from committed state once a majority has said, after the
// read arrived, that it still follows this primary's view.
func (n *Node) onRead(env nodes.Env, from nodes.ID, req kv.Request) {
	if n.cfg.Bugs.StalePrimaryReads && n.active {
		// Planted bug: no round, so a deposed primary that has not heard
		// of the new view answers from stale (or uncommitted) state.
		env.Send(from, reply(req.Seq, n.st.Snap.execute(&req.Op)))
		return
	}
	n.reads = append(n.reads, readReq{from: from, req: req, round: n.round + 1})
	if n.isPrimary() && n.confirmed == n.round {
		n.startRound(env)
	}
}

func (n *Node) startRound(env nodes.Env) {
	n.round++
	n.sendConfirm(env)
}

func (n *Node) sendConfirm(env nodes.Env) {
	for _, p := range n.peers {
		if n.confirms[p] < n.round {
			env.Send(p, Confirm{View: n.st.View, Round: n.round})
		}
	}
}

func (n *Node) onConfirmOK(env nodes.Env, from nodes.ID, m ConfirmOK) {
	if !n.isPrimary() || m.View != n.st.View || m.Round > n.round {
		return
	}
	n.confirms[from] = max(n.confirms[from], m.Round)
	// The highest round a majority (this server included) confirmed.
	rounds := []uint64{n.round}
	for _, p := range n.peers {
		rounds = append(rounds, n.confirms[p])
	}
	slices.Sort(rounds)
	slices.Reverse(rounds)
	n.confirmed = max(n.confirmed, rounds[n.majoritySize()-1])
	n.serveReads(env)
}

// serveReads answers the confirmed reads from committed state (no write in
// flight), and starts the next round for the reads that wait for it.
func (n *Node) serveReads(env nodes.Env) {
	if len(n.reads) == 0 || !n.isPrimary() {
		return
	}
	if n.active && n.pending == nil {
		served := false
		n.reads = slices.DeleteFunc(n.reads, func(r readReq) bool {
			if r.round > n.confirmed {
				return false
			}
			env.Send(r.from, reply(r.req.Seq, n.st.Snap.execute(&r.req.Op)))
			served = true
			return true
		})
		if served {
			env.Reached("pb: read answered after its view was confirmed")
		}
	}
	if len(n.reads) > 0 && n.confirmed == n.round {
		n.startRound(env)
	}
}
