package raftkv

import (
	"fmt"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Client interaction (§8 of the paper): any node accepts a kv.Request;
// only the leader serves it. Writes (and, in ReadLog mode, reads) go
// through the log and are answered once applied; reads are otherwise
// served by ReadIndex or under a lease (reads.go).

// waiter is a client waiting for the entry at index to be applied.
type waiter struct {
	index  uint64
	from   nodes.ID
	client nodes.ID
	seq    uint64
}

// addWaiter records w, keeping n.waiters in index order (a leader appends
// at increasing indices, so it goes at the end) with one waiter per index.
func (n *Node) addWaiter(w waiter) {
	k := len(n.waiters)
	for k > 0 && n.waiters[k-1].index >= w.index {
		k--
	}
	if k < len(n.waiters) && n.waiters[k].index == w.index {
		n.waiters[k] = w
		return
	}
	n.waiters = slices.Insert(n.waiters, k, w)
}

func (n *Node) reply(env nodes.Env, to nodes.ID, seq uint64, res result) {
	leader := n.leader
	if res.hint != 0 {
		leader = res.hint
	} else if res.Status == kv.StatusNotLeader && n.role == Leader {
		leader = n.id
	}
	env.Send(to, kv.Reply{Seq: seq, Status: res.Status, Leader: leader, Value: res.Value, Exists: res.Exists})
}

func (n *Node) handleRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if n.custom != nil {
		n.handleCustomRequest(env, from, req)
		return
	}
	if !validKind(req.Op.Kind) {
		panic(fmt.Sprintf("raftkv: %v: request from %v with unknown operation kind %q", n.id, from, req.Op.Kind))
	}
	if n.role != Leader {
		if n.cfg.Bugs.FollowerReads && req.Op.Kind.IsRead() {
			n.reply(env, from, req.Seq, n.sm.execute(&req.Op)) // planted bug: possibly stale
			return
		}
		n.reply(env, from, req.Seq, result{Status: kv.StatusNotLeader})
		return
	}
	if req.Op.Kind.IsRead() && n.cfg.ReadMode != ReadLog {
		n.reads = append(n.reads, pendingRead{from: from, req: req})
		n.advanceReads(env)
		return
	}
	if !n.cfg.Bugs.NoSessions {
		if res, dup, stale := n.sm.lookup(req.Client, req.Seq); dup {
			env.Reached("raft: retried request answered from the session table")
			n.reply(env, from, req.Seq, res) // a retry of an applied request
			return
		} else if stale {
			n.reply(env, from, req.Seq, result{Status: kv.StatusRetry})
			return
		}
	}
	i := n.appendEntry(env, Entry{Term: n.term, Client: req.Client, Seq: req.Seq, Op: req.Op})
	n.addWaiter(waiter{index: i, from: from, client: req.Client, seq: req.Seq})
	n.broadcast(env)
}

// answerWaiter replies to the client waiting on index i, now applied. If a
// different entry landed there, the client's request was lost with an
// earlier leader's log: it may retry.
func (n *Node) answerWaiter(env nodes.Env, i uint64, e *Entry, res result) {
	k := 0 // entries are applied in index order: the waiter is at the front
	for k < len(n.waiters) && n.waiters[k].index < i {
		k++
	}
	if k == len(n.waiters) || n.waiters[k].index != i {
		return
	}
	w := n.waiters[k]
	n.waiters = slices.Delete(n.waiters, k, k+1)
	if w.client != e.Client || w.seq != e.Seq {
		res = result{Status: kv.StatusRetry}
	}
	n.reply(env, w.from, w.seq, res)
}

// failPending answers every waiting client with StatusRetry when the
// leader steps down: their entries may still commit under the next leader,
// which the session table makes safe to retry.
func (n *Node) failPending(env nodes.Env) {
	for _, w := range n.waiters { // in index order
		env.Reached("raft: pending request failed by a leadership change")
		n.reply(env, w.from, w.seq, result{Status: kv.StatusRetry})
	}
	n.waiters = n.waiters[:0]
	for _, r := range n.reads {
		n.reply(env, r.from, r.req.Seq, result{Status: kv.StatusRetry})
	}
	clear(n.reads)
	n.reads = n.reads[:0]
}

// handleCustomRequest sends every request of a custom state machine
// through the log; the state machine deduplicates.
func (n *Node) handleCustomRequest(env nodes.Env, from nodes.ID, req kv.Request) {
	if n.role != Leader {
		n.reply(env, from, req.Seq, result{Status: kv.StatusNotLeader})
		return
	}
	i := n.appendEntry(env, Entry{Term: n.term, Client: req.Client, Seq: req.Seq, Op: req.Op})
	n.addWaiter(waiter{index: i, from: from, client: req.Client, seq: req.Seq})
	n.broadcast(env)
}
