package raftkv

import (
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Linearizable reads without writing to the log (§8 of the paper;
// dissertation §6.4).
//
// ReadIndex: the leader (1) waits until it has committed an entry in its
// own term, so its commit index is at least that of any earlier leader;
// (2) records the commit index as the read's index; (3) starts a new
// broadcast round and waits for a quorum to acknowledge it, which proves
// no other leader had been elected when the read arrived; (4) waits until
// it has applied the read index, then reads its state machine.
//
// Lease: step (3) is skipped while the leader holds a lease, i.e. a quorum
// acknowledged a round sent less than leaseDuration ago by the leader's
// monotonic clock. Followers that acknowledged it refuse votes for
// ElectionTimeoutMin of their own clocks, so no new leader exists before
// then if clocks drift by less than the configured bound.

// pendingRead is a read waiting at the leader.
type pendingRead struct {
	from      nodes.ID
	req       kv.Request
	index     uint64 // the read index (0: not assigned yet)
	round     uint64 // the round that must be acknowledged
	confirmed bool
}

// committedInTerm reports whether the leader has committed an entry of its
// own term.
func (n *Node) committedInTerm() bool {
	t, _ := n.log.term(n.commit)
	return n.commit > 0 && t == n.term
}

// leaseValid reports whether the leader may serve a read without a round.
func (n *Node) leaseValid(env nodes.Env) bool {
	if n.cfg.ReadMode != ReadLease {
		return false
	}
	if n.cfg.Bugs.LeaseUnbounded {
		return env.Now().Before(n.leaseWall) // planted bug: wall clock, no drift margin
	}
	return env.Monotonic() < n.leaseMono
}

// advanceReads moves every pending read as far as it can go, and starts
// one round for the reads that need one.
func (n *Node) advanceReads(env nodes.Env) {
	needRound := false
	k := 0
	for _, r := range n.reads {
		if r.index == 0 && n.committedInTerm() {
			r.index = n.commit
			if n.leaseValid(env) {
				r.confirmed = true
			} else {
				r.round = n.round + 1 // the broadcast below
				needRound = true
			}
		}
		if r.index != 0 && !r.confirmed && r.round <= n.confirmed {
			r.confirmed = true
		}
		if r.confirmed && r.index <= n.applied {
			n.reply(env, r.from, r.req.Seq, n.sm.execute(&r.req.Op))
			continue
		}
		n.reads[k] = r
		k++
	}
	clear(n.reads[k:])
	n.reads = n.reads[:k]
	if needRound {
		n.broadcast(env)
	}
}

// roundsAcked recomputes the latest round a quorum has acknowledged (the
// leader counts itself for every round) and, if it advanced, renews the
// lease and the CheckQuorum clock from that round's send time.
func (n *Node) roundsAcked(env nodes.Env) {
	acks := append(n.quorumScratch[:0], n.round)
	for i := range n.prs {
		acks = append(acks, n.prs[i].acked)
	}
	c := quorumValue(acks, n.quorum)
	n.quorumScratch = acks
	if c <= n.confirmed {
		return
	}
	n.confirmed = c
	k := 0
	for k < len(n.rounds) && n.rounds[k].n <= c {
		k++
	}
	if k > 0 {
		sent := n.rounds[k-1]
		n.quorumAt = max(n.quorumAt, sent.mono)
		n.leaseMono = max(n.leaseMono, sent.mono+n.cfg.leaseDuration())
		n.leaseWall = sent.wall.Add(n.cfg.ElectionTimeoutMin)
		n.rounds = append(n.rounds[:0], n.rounds[k:]...)
	}
	n.advanceReads(env)
}
