package raftkv

import (
	"time"

	"github.com/faultline/faultline/nodes"
)

// Log replication (§5.3), commitment (§5.4.2), and snapshots (§7).

// progress is the leader's view of one follower (nextIndex and matchIndex
// of Figure 2, plus flow control).
type progress struct {
	id    nodes.ID
	next  uint64
	match uint64
	// probing: the follower's position is not yet known. The leader sends
	// one batch at a time (paused until a reply or the next heartbeat) and
	// does not advance next optimistically.
	probing bool
	paused  bool
	// acked is the highest broadcast round the follower echoed this term.
	acked uint64
	// snapSentAt is when a snapshot was last sent (zero: none in flight).
	snapSentAt time.Duration
	snapSent   bool
}

// round is a broadcast: when it was sent, by both clocks.
type round struct {
	n    uint64
	mono time.Duration
	wall time.Time
}

func (n *Node) progressOf(id nodes.ID) *progress {
	for i := range n.prs {
		if n.prs[i].id == id {
			return &n.prs[i]
		}
	}
	return nil
}

// appendEntry appends e to the leader's log and writes it to the WAL.
func (n *Node) appendEntry(env nodes.Env, e Entry) uint64 {
	n.log.entries = append(n.log.entries, e)
	i := n.log.lastIndex()
	n.persistEntries(env, i)
	return i
}

// heartbeat is the leader's periodic tick: CheckQuorum, then a broadcast.
func (n *Node) heartbeat(env nodes.Env) {
	if n.role != Leader {
		return
	}
	if !n.cfg.NoCheckQuorum && env.Monotonic()-n.quorumAt > n.cfg.ElectionTimeoutMax {
		env.Logf("%v lost its quorum", n.id)
		env.Reached("raft: leader lost its quorum (CheckQuorum)")
		n.stepDown(env)
		return
	}
	for i := range n.prs {
		n.prs[i].paused = false
	}
	n.broadcast(env)
	n.heartbeatTimer = env.SetTimer(n.cfg.HeartbeatInterval, tagHeartbeat)
}

// broadcast starts a new round: an AppendEntries (or snapshot) to every
// follower, carrying the round number they will echo.
func (n *Node) broadcast(env nodes.Env) {
	n.round++
	n.rounds = append(n.rounds, round{n: n.round, mono: env.Monotonic(), wall: env.Now()})
	for i := range n.prs {
		n.sendAppend(env, &n.prs[i])
	}
	n.roundsAcked(env) // a one-node cluster confirms its own rounds
}

// sendAppend sends pr the entries from pr.next on (or just a heartbeat if
// it is paused or up to date), or the snapshot if they are compacted.
func (n *Node) sendAppend(env nodes.Env, pr *progress) {
	if pr.next <= n.log.snapIndex {
		n.sendSnapshot(env, pr)
		return
	}
	prev := pr.next - 1
	prevTerm, _ := n.log.term(prev)
	// Send copies the message (AppendEntries.Clone), so one value is
	// reused for every AppendEntries this node sends.
	m := &n.appendScratch
	*m = AppendEntries{Term: n.term, PrevIndex: prev, PrevTerm: prevTerm, Commit: n.commit, Round: n.round}
	if last := n.log.lastIndex(); pr.next <= last && !pr.paused {
		hi := min(last, prev+uint64(n.cfg.MaxEntriesPerAppend))
		m.Entries = n.log.slice(pr.next, hi)
		if pr.probing {
			pr.paused = true
		} else {
			pr.next = hi + 1 // optimistic: a loss shows up as a rejection
		}
	}
	env.Send(pr.id, m)
	m.Entries = nil // do not keep the log's memory reachable
}

func (n *Node) sendSnapshot(env nodes.Env, pr *progress) {
	now := env.Monotonic()
	if pr.snapSent && now-pr.snapSentAt < n.cfg.ElectionTimeoutMin {
		return // one in flight; resend only if it seems lost
	}
	pr.snapSent, pr.snapSentAt = true, now
	env.Send(pr.id, &InstallSnapshot{Term: n.term, Index: n.log.snapIndex, LastTerm: n.log.snapTerm, Data: n.snapshot, Round: n.round})
}

// acceptLeader handles the part common to AppendEntries and
// InstallSnapshot from a current leader: adopt its term, follow it, and
// stay quiet (refuse votes, hold off the election timer).
func (n *Node) acceptLeader(env nodes.Env, term uint64, from nodes.ID) {
	if term > n.term || n.role != Follower {
		n.becomeFollower(env, term, from)
	}
	n.leader = from
	n.quietUntil = env.Monotonic() + n.cfg.ElectionTimeoutMin
	n.resetElectionTimer(env)
}

func (n *Node) handleAppendEntries(env nodes.Env, from nodes.ID, m *AppendEntries) {
	if m.Term < n.term {
		n.sendReply(env, from, AppendEntriesReply{Term: n.term, Reject: m.PrevIndex, Round: m.Round})
		return
	}
	if n.role == Leader && m.Term == n.term {
		env.Logf("%v: another leader %v in term %d", n.id, from, n.term)
		return
	}
	n.acceptLeader(env, m.Term, from)

	prev, prevTerm, entries := m.PrevIndex, m.PrevTerm, m.Entries
	if prev < n.log.snapIndex {
		// The prefix up to our snapshot is committed, hence identical.
		skip := min(n.log.snapIndex-prev, uint64(len(entries)))
		entries = entries[skip:]
		prev += skip
		if prev < n.log.snapIndex {
			n.sendReplyDurable(env, from, AppendEntriesReply{Term: n.term, Success: true, Match: prev, Round: m.Round})
			return
		}
		prevTerm = n.log.snapTerm
	}
	reply := AppendEntriesReply{Term: n.term, Reject: m.PrevIndex, Round: m.Round}
	if prev > n.log.lastIndex() {
		reply.ConflictIndex = n.log.lastIndex() + 1
		n.sendReply(env, from, reply)
		return
	}
	if t, _ := n.log.term(prev); t != prevTerm {
		reply.ConflictTerm = t
		reply.ConflictIndex = n.log.firstIndexOfTerm(prev)
		n.sendReply(env, from, reply)
		return
	}

	// The logs match through prev. Skip entries we already have; from the
	// first conflict (or the end of our log) on, take the leader's.
	for k := range entries {
		i := prev + 1 + uint64(k)
		if t, ok := n.log.term(i); ok && t == entries[k].Term {
			continue
		}
		if i <= n.log.lastIndex() {
			if i <= n.commit {
				env.Logf("%v: overwriting committed entry %d (commit %d)", n.id, i, n.commit)
			}
			n.log.truncateFrom(i)
			n.logTruncated(i)
		}
		n.log.entries = append(n.log.entries, entries[k:]...)
		n.persistEntries(env, i)
		break
	}
	match := prev + uint64(len(entries))
	if c := min(m.Commit, match); c > n.commit {
		n.commit = c
		n.applyCommitted(env)
	}
	n.sendReplyDurable(env, from, AppendEntriesReply{Term: n.term, Success: true, Match: match, Round: m.Round})
}

func (n *Node) handleAppendReply(env nodes.Env, from nodes.ID, m AppendEntriesReply) {
	if m.Term > n.term {
		n.becomeFollower(env, m.Term, 0)
		return
	}
	if n.role != Leader || m.Term != n.term {
		return
	}
	pr := n.progressOf(from)
	if pr == nil {
		return
	}
	pr.paused = false
	if m.Round > pr.acked {
		pr.acked = m.Round
		// A round no later than the confirmed one cannot lift the
		// quorum's round past it: roundsAcked would return at once.
		if m.Round > n.confirmed {
			n.roundsAcked(env)
		}
	}
	if m.Success {
		if m.Match > pr.match {
			pr.match = m.Match
			pr.next = max(pr.next, m.Match+1)
			pr.probing, pr.snapSent = false, false
			n.maybeCommit(env)
		}
		if n.role == Leader && pr.next <= n.log.lastIndex() {
			n.sendAppend(env, pr)
		}
		return
	}
	// A rejection. Ignore stale ones: for an index already matched, or
	// (while probing) for a probe we have since replaced.
	if m.Reject <= pr.match || (pr.probing && m.Reject != pr.next-1) {
		return
	}
	next := m.ConflictIndex
	if m.ConflictTerm != 0 {
		if k := n.log.lastIndexOfTerm(m.ConflictTerm, m.Reject); k != 0 {
			next = k + 1
		}
	}
	pr.next = max(min(next, m.Reject), pr.match+1)
	pr.probing, pr.paused = true, false
	n.sendAppend(env, pr)
}

func (n *Node) handleInstallSnapshot(env nodes.Env, from nodes.ID, m *InstallSnapshot) {
	if m.Term < n.term {
		n.sendReply(env, from, AppendEntriesReply{Term: n.term, Reject: m.Index, Round: m.Round})
		return
	}
	if n.role == Leader && m.Term == n.term {
		return
	}
	n.acceptLeader(env, m.Term, from)
	if m.Index > n.commit {
		var sm *stateMachine
		var err error
		if n.custom != nil {
			sm, err = newStateMachine(), n.custom.Restore(m.Data)
		} else {
			sm, err = decodeStateMachine(m.Data)
		}
		if err != nil {
			panic("raftkv: " + n.id.String() + ": snapshot from " + from.String() + ": " + err.Error())
		}
		if t, ok := n.log.term(m.Index); ok && t == m.LastTerm {
			n.log.compact(m.Index, m.LastTerm) // keep the entries after it
		} else {
			n.log = raftLog{snapIndex: m.Index, snapTerm: m.LastTerm}
			n.logTruncated(m.Index + 1)
		}
		n.sm, n.snapshot = sm, m.Data
		n.commit, n.applied = m.Index, m.Index
		n.trailBase, n.trail = m.Index, n.trail[:0]
		n.rewriteWAL(env)
		env.Logf("%v installed snapshot at %d (term %d) from %v", n.id, m.Index, m.LastTerm, from)
		env.Reached("raft: follower installed a snapshot")
	}
	n.sendReplyDurable(env, from, AppendEntriesReply{Term: n.term, Success: true, Match: m.Index, Round: m.Round})
}

// maybeCommit advances the commit index to the highest index stored on a
// quorum — only if that entry is from the current term (§5.4.2; earlier
// entries commit indirectly). The Figure8Commit bug drops that condition.
func (n *Node) maybeCommit(env nodes.Env) {
	matches := append(n.quorumScratch[:0], n.selfMatch())
	for i := range n.prs {
		matches = append(matches, n.prs[i].match)
	}
	c := quorumValue(matches, n.quorum)
	n.quorumScratch = matches
	if c <= n.commit {
		return
	}
	if t, _ := n.log.term(c); t != n.term {
		if !n.cfg.Bugs.Figure8Commit {
			return
		}
		env.Logf("%v commits %d of earlier term %d by counting (Figure8Commit)", n.id, c, t)
	}
	n.commit = c
	n.applyCommitted(env)
}

// applyCommitted applies entries up to the commit index in order, answers
// the clients waiting on them (leader), serves reads that were waiting for
// them, and takes a snapshot when enough has accumulated.
func (n *Node) applyCommitted(env nodes.Env) {
	for n.applied < n.commit {
		i := n.applied + 1
		e := n.log.at(i)
		var res result
		if n.custom != nil {
			if !e.IsNoop() {
				res = n.applyCustom(e)
			}
		} else {
			res = n.sm.apply(e, !n.cfg.Bugs.NoSessions)
		}
		n.applied = i
		n.trail = append(n.trail, e.ID())
		if n.role == Leader {
			n.answerWaiter(env, i, e, res)
		}
	}
	if n.role == Leader {
		n.advanceReads(env)
	}
	n.maybeSnapshot(env)
}

// maybeSnapshot compacts the log once SnapshotThreshold applied entries
// have accumulated beyond the last snapshot (§7).
func (n *Node) maybeSnapshot(env nodes.Env) {
	if n.applied-n.log.snapIndex < uint64(n.cfg.SnapshotThreshold) {
		return
	}
	prev := n.log.snapIndex
	t, _ := n.log.term(n.applied)
	if n.custom != nil {
		n.snapshot = n.custom.Snapshot()
	} else {
		n.snapshot = n.sm.encode()
	}
	n.log.compact(n.applied, t)
	// Keep the applied trail back to the previous snapshot, so that the
	// invariant checker still sees what this handler applied.
	if prev > n.trailBase {
		// In place: the trail keeps its memory (Node.Applied returns
		// copies, nothing else holds it).
		n.trail = n.trail[:copy(n.trail, n.trail[prev-n.trailBase:])]
		n.trailBase = prev
	}
	n.rewriteWAL(env)
}
