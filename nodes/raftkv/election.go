package raftkv

import (
	"time"

	"github.com/faultline/faultline/nodes"
)

// Leader election (§5.2), with PreVote (dissertation §9.6) and the rule
// that a server which recently heard from a leader ignores vote requests
// (§6 of the paper, "disruptive servers"; CheckQuorum makes it safe).

// inLease reports whether the node currently believes in a live leader and
// so refuses to help anyone else become leader.
func (n *Node) inLease(env nodes.Env) bool {
	return n.role == Leader || env.Monotonic() < n.quietUntil
}

// startPreVote runs when the election timer fires: ask the peers whether
// they would vote for us in the next term, without changing any term.
func (n *Node) startPreVote(env nodes.Env) {
	n.role, n.leader = PreCandidate, 0
	n.votes = append(n.votes[:0], n.id)
	n.resetElectionTimer(env)
	if n.quorumOf(len(n.votes)) {
		n.becomeCandidate(env)
		return
	}
	req := RequestVote{Term: n.term + 1, LastIndex: n.log.lastIndex(), LastTerm: n.log.lastTerm(), PreVote: true}
	for _, p := range n.peers {
		env.Send(p, req)
	}
}

// becomeCandidate starts a real election: new term, vote for self. The
// vote requests wait until the term and self-vote are durable, or a crash
// could let this node vote twice in the term.
func (n *Node) becomeCandidate(env nodes.Env) {
	n.role, n.leader = Candidate, 0
	n.term++
	n.vote = n.id
	n.persistHardState(env)
	n.votes = append(n.votes[:0], n.id)
	n.resetElectionTimer(env)
	env.Logf("%v starts election for term %d", n.id, n.term)
	env.Reached("raft: election started")
	if n.quorumOf(len(n.votes)) {
		n.becomeLeader(env)
		return
	}
	req := RequestVote{Term: n.term, LastIndex: n.log.lastIndex(), LastTerm: n.log.lastTerm()}
	for _, p := range n.peers {
		n.sendDurable(env, p, req)
	}
}

func (n *Node) handleRequestVote(env nodes.Env, from nodes.ID, m RequestVote) {
	if m.PreVote {
		// Grant if we would vote in m.Term: it is ahead of ours, we have
		// no live leader, and the candidate's log is up to date. Nothing
		// changes here, so nothing needs persisting.
		if m.Term > n.term && !n.inLease(env) && n.log.upToDate(m.LastIndex, m.LastTerm) {
			env.Send(from, RequestVoteReply{Term: m.Term, Granted: true, PreVote: true})
		} else {
			env.Send(from, RequestVoteReply{Term: n.term, PreVote: true})
		}
		return
	}
	if m.Term > n.term {
		if n.inLease(env) {
			env.Reached("raft: vote refused while a leader is live (CheckQuorum/PreVote)")
			return // a live leader exists: do not let this candidate disrupt it
		}
		n.becomeFollower(env, m.Term, 0)
	}
	if m.Term == n.term && (n.vote == 0 || n.vote == from) && n.log.upToDate(m.LastIndex, m.LastTerm) {
		if n.vote != from {
			n.vote = from
			n.persistHardState(env)
		}
		n.resetElectionTimer(env)
		n.sendDurable(env, from, RequestVoteReply{Term: n.term, Granted: true})
		return
	}
	env.Send(from, RequestVoteReply{Term: n.term})
}

func (n *Node) handleVoteReply(env nodes.Env, from nodes.ID, m RequestVoteReply) {
	if m.PreVote {
		switch {
		case n.role == PreCandidate && m.Granted && m.Term == n.term+1:
			if n.quorumOf(n.addVote(from)) {
				n.becomeCandidate(env)
			}
		case !m.Granted && m.Term > n.term:
			n.becomeFollower(env, m.Term, 0)
		}
		return
	}
	if m.Term > n.term {
		n.becomeFollower(env, m.Term, 0)
		return
	}
	if n.role == Candidate && m.Term == n.term && m.Granted && n.quorumOf(n.addVote(from)) {
		n.becomeLeader(env)
	}
}

// becomeLeader takes office: reset each follower's progress, append the
// term's no-op entry (§8: it commits the entries of earlier terms and lets
// the leader serve reads), and start heartbeats.
func (n *Node) becomeLeader(env nodes.Env) {
	n.role, n.leader = Leader, n.id
	env.Logf("%v became leader in term %d", n.id, n.term)
	env.Reached("raft: leader elected")
	env.Sometimes(n.term > 1, "raft: leader elected after a re-election")
	if n.electionTimer != 0 {
		env.CancelTimer(n.electionTimer)
		n.electionTimer = 0
	}
	n.prs = n.prs[:0]
	for _, p := range n.peers {
		n.prs = append(n.prs, progress{id: p, next: n.log.lastIndex() + 1, probing: true})
	}
	n.round, n.confirmed, n.rounds = 0, 0, n.rounds[:0]
	now := env.Monotonic()
	n.quorumAt, n.leaseMono, n.leaseWall = now, 0, time.Time{}
	n.appendEntry(env, Entry{Term: n.term})
	n.broadcast(env)
	n.heartbeatTimer = env.SetTimer(n.cfg.HeartbeatInterval, tagHeartbeat)
}
