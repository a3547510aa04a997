package raftkv

import "github.com/faultline/faultline/nodes"

// Durability: the node writes its persistent state to the WAL as it
// changes, issues one Sync at the end of every handler that wrote, and
// holds back every message that promises durability (a granted vote, an
// acknowledgement of entries, a candidate's vote request that counts its
// own vote) until the Sync covering those writes completes.

// syncPoint remembers, for an issued Sync, how far the log reached when it
// was issued: once it completes, entries up to last are durable.
type syncPoint struct {
	tag  uint64
	last uint64
}

// queuedMsg is a message waiting for sync tag need to complete: msg, or
// (if isReply) reply, which sendReply sends.
type queuedMsg struct {
	need    uint64
	to      nodes.ID
	msg     nodes.Message
	isReply bool
	reply   AppendEntriesReply
}

// retiredFile is an old WAL generation, deleted once sync tag completes
// (the sync that makes the generation replacing it durable).
type retiredFile struct {
	tag  uint64
	name string
}

// persistedVote is the vote as written to disk.
func (n *Node) persistedVote() nodes.ID {
	if n.cfg.Bugs.VoteNotPersisted {
		return 0 // planted bug: the vote is forgotten by a restart
	}
	return n.vote
}

// walRewriteMinBytes is how much may be appended to a WAL generation
// before it is rewritten, if its base record is smaller than that.
const walRewriteMinBytes = 32 << 10

// walAppend appends the record framed in n.wal (see beginFrame).
func (n *Node) walAppend(env nodes.Env) {
	rec := n.wal.framed()
	if n.walSegBytes > 0 && n.walSegBytes+len(rec) > segmentBytes {
		n.walSeg++
		n.walSegBytes = 0
		n.walFile = walName(n.walGen, n.walSeg)
	}
	env.Store().Append(n.walFile, rec)
	n.walSegBytes += len(rec)
	n.walAppended += len(rec)
	n.dirty = true
}

// persistHardState records the current term and vote.
func (n *Node) persistHardState(env nodes.Env) {
	n.wal.beginFrame()
	n.wal.hardState(n.term, n.persistedVote())
	n.walAppend(env)
}

// persistEntries records log[from:], replacing whatever the WAL held from
// index from on.
func (n *Node) persistEntries(env nodes.Env, from uint64) {
	n.wal.beginFrame()
	n.wal.entries(from, n.log.slice(from, n.log.lastIndex()))
	n.walAppend(env)
	n.noteChanged(from)
}

// rewriteWAL starts a new generation holding the whole state; the old one
// is deleted once the new one is durable.
func (n *Node) rewriteWAL(env nodes.Env) {
	for seg := 0; seg <= n.walSeg; seg++ {
		n.retired = append(n.retired, retiredFile{tag: n.syncTag + 1, name: walName(n.walGen, seg)})
	}
	n.walGen++
	st := durableState{term: n.term, vote: n.persistedVote(), log: n.log, snapshot: n.snapshot}
	n.wal.beginFrame()
	n.wal.base(&st)
	base := n.wal.framed()
	n.walFile = walName(n.walGen, 0)
	env.Store().Write(n.walFile, base)
	n.walSeg, n.walSegBytes = 0, len(base)
	n.walBase, n.walAppended = len(base), 0
	n.dirty = true
}

// flush issues a Sync covering the handler's writes, if it made any. It
// first starts a new generation if the appended records outgrew the base
// (so that recovery, and the file, stay proportional to the state).
func (n *Node) flush(env nodes.Env) {
	if !n.dirty {
		return
	}
	if n.walAppended > max(n.walBase, walRewriteMinBytes) {
		n.rewriteWAL(env)
	}
	n.dirty = false
	n.syncTag++
	n.syncing = append(n.syncing, syncPoint{tag: n.syncTag, last: n.log.lastIndex()})
	env.Store().Sync(n.syncTag)
}

// sendDurable sends msg once everything written so far is durable.
func (n *Node) sendDurable(env nodes.Env, to nodes.ID, msg nodes.Message) {
	need, now := n.durableAt()
	if now {
		env.Send(to, msg)
		return
	}
	n.outbox = append(n.outbox, queuedMsg{need: need, to: to, msg: msg})
}

// sendReplyDurable is sendDurable for an AppendEntriesReply, which waits
// in the outbox by value and is sent by sendReply.
func (n *Node) sendReplyDurable(env nodes.Env, to nodes.ID, r AppendEntriesReply) {
	need, now := n.durableAt()
	if now {
		n.sendReply(env, to, r)
		return
	}
	n.outbox = append(n.outbox, queuedMsg{need: need, to: to, isReply: true, reply: r})
}

// durableAt returns the sync tag that makes everything written so far
// durable, and whether it has completed (or durability is skipped by the
// ack-before-sync bug).
func (n *Node) durableAt() (need uint64, now bool) {
	need = n.syncTag
	if n.dirty {
		need++
	}
	return need, need <= n.syncedTag || n.cfg.Bugs.AckBeforeSync
}

// sendReply sends r from the node's scratch reply: Send copies it at once
// (into a recycled copy, AppendEntriesReply.CloneInto), so nothing is
// allocated, where sending the value would box it.
func (n *Node) sendReply(env nodes.Env, to nodes.ID, r AppendEntriesReply) {
	n.replyScratch = r
	env.Send(to, &n.replyScratch)
}

// logTruncated keeps the durability bookkeeping honest when entries from
// index i on are replaced: they are no longer the entries that were synced.
func (n *Node) logTruncated(i uint64) {
	n.durableIndex = min(n.durableIndex, i-1)
	for k := range n.syncing {
		n.syncing[k].last = min(n.syncing[k].last, i-1)
	}
}

// selfMatch is how far the leader's own log counts towards a quorum: the
// durable prefix (§5.2 lets the leader write in parallel with followers,
// but it counts only once the write is durable).
func (n *Node) selfMatch() uint64 {
	if n.cfg.Bugs.AckBeforeSync {
		return n.log.lastIndex()
	}
	return min(n.durableIndex, n.log.lastIndex())
}

func (n *Node) syncCompleted(env nodes.Env, tag uint64) {
	n.syncedTag = max(n.syncedTag, tag)
	done := 0
	for done < len(n.syncing) && n.syncing[done].tag <= tag {
		n.durableIndex = max(n.durableIndex, n.syncing[done].last)
		done++
	}
	n.syncing = append(n.syncing[:0], n.syncing[done:]...) // in place: no regrowth

	k := 0
	for i := range n.outbox {
		q := &n.outbox[i] // by reference: a queued reply is a large value
		if q.need <= tag {
			if q.isReply {
				n.sendReply(env, q.to, q.reply)
			} else {
				env.Send(q.to, q.msg)
			}
		} else {
			if k != i {
				n.outbox[k] = *q
			}
			k++
		}
	}
	clear(n.outbox[k:])
	n.outbox = n.outbox[:k]
	k = 0
	for _, r := range n.retired {
		if r.tag <= tag {
			env.Store().Delete(r.name)
		} else {
			n.retired[k] = r
			k++
		}
	}
	n.retired = n.retired[:k]
	if n.role == Leader {
		n.maybeCommit(env)
	}
}
