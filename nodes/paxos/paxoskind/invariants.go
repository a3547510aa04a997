package paxoskind

import (
	"fmt"
	"strconv"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/paxos"
)

// EventSource is what the invariants read of a live server: its events
// (paxos.Node implements it).
type EventSource interface {
	Events(seq uint64) ([]paxos.Event, uint64)
}

// Invariants are Multi-Paxos's online checks over one run, fed after every
// server handler (Check), across every live server and incarnation:
//
//   - one value chosen per slot: no two servers ever learn different
//     commands for the same slot;
//   - one value per ballot and slot: no two acceptors accept different
//     commands for the same slot under the same ballot (a proposer
//     proposes once per slot and ballot, so two mean a ballot was reused);
//   - one state per slot: every server that reaches slot k, by applying it
//     or by installing a snapshot, holds the same state-machine hash there;
//   - promises survive crashes (Paxos's P1): once an acceptor has answered
//     ballot b (sent a Promise or an Accepted), no later incarnation of it
//     promises or accepts a ballot below b.
type Invariants struct {
	node     func(nodes.ID) EventSource
	cursors  map[nodes.ID]cursor
	chosen   map[uint64]seen
	accepted map[slotBallot]seen
	applied  map[uint64]seenHash
	answered map[nodes.ID]answers
}

// answers are the highest ballots an acceptor answered: in its earlier
// incarnations, and in the current one.
type answers struct {
	before, now paxos.Ballot
}

type cursor struct {
	src EventSource
	seq uint64
}

type seen struct {
	cmd paxos.Command
	by  nodes.ID
}

type seenHash struct {
	hash uint64
	by   nodes.ID
}

type slotBallot struct {
	slot   uint64
	ballot paxos.Ballot
}

// NewInvariants returns the invariants of one run; node returns the live
// server with an ID (nil when down).
func NewInvariants(node func(nodes.ID) EventSource) *Invariants {
	return &Invariants{
		node: node, cursors: map[nodes.ID]cursor{}, chosen: map[uint64]seen{},
		accepted: map[slotBallot]seen{}, applied: map[uint64]seenHash{},
		answered: map[nodes.ID]answers{},
	}
}

// Check reads server id's new events.
func (inv *Invariants) Check(id nodes.ID) error {
	src := inv.node(id)
	if src == nil {
		return nil
	}
	c := inv.cursors[id]
	if c.src != src { // a new incarnation numbers its events afresh
		if c.src != nil {
			a := inv.answered[id]
			inv.answered[id] = answers{before: maxBallot(a.before, a.now)}
		}
		c = cursor{src: src}
	}
	evs, next := src.Events(c.seq)
	inv.cursors[id] = cursor{src: src, seq: next}
	for _, e := range evs {
		if err := inv.event(id, e); err != nil {
			return err
		}
	}
	return nil
}

func (inv *Invariants) event(id nodes.ID, e paxos.Event) error {
	switch e.Kind {
	case paxos.EventLearned:
		if p, ok := inv.chosen[e.Slot]; ok && p.cmd != e.Cmd {
			return fmt.Errorf("paxos: two values chosen for slot %d: %v learned %q, %v learned %q", e.Slot, p.by, p.cmd, id, e.Cmd)
		} else if !ok {
			inv.chosen[e.Slot] = seen{cmd: e.Cmd, by: id}
		}
	case paxos.EventAccepted:
		if a := inv.answered[id]; e.Ballot.Less(a.before) {
			return fmt.Errorf("paxos: acceptor %v accepted %q in slot %d under ballot %v, below ballot %v it had answered before it restarted (a promise must survive a crash)", id, e.Cmd, e.Slot, e.Ballot, a.before)
		}
		k := slotBallot{e.Slot, e.Ballot}
		if p, ok := inv.accepted[k]; ok && p.cmd != e.Cmd {
			return fmt.Errorf("paxos: ballot %v proposed two values for slot %d: %v accepted %q, %v accepted %q", e.Ballot, e.Slot, p.by, p.cmd, id, e.Cmd)
		} else if !ok {
			inv.accepted[k] = seen{cmd: e.Cmd, by: id}
		}
	case paxos.EventAnswered:
		a := inv.answered[id]
		a.now = maxBallot(a.now, e.Ballot)
		inv.answered[id] = a
	case paxos.EventPromised:
		if a := inv.answered[id]; e.Ballot.Less(a.before) {
			return fmt.Errorf("paxos: acceptor %v promised ballot %v, below ballot %v it had answered before it restarted (a promise must survive a crash)", id, e.Ballot, a.before)
		}
	case paxos.EventApplied:
		if p, ok := inv.applied[e.Slot]; ok && p.hash != e.Hash {
			return fmt.Errorf("paxos: replicas diverged at slot %d: %v's state hash is %s, %v's is %s", e.Slot, p.by, hex(p.hash), id, hex(e.Hash))
		} else if !ok {
			inv.applied[e.Slot] = seenHash{hash: e.Hash, by: id}
		}
	}
	return nil
}

func hex(h uint64) string { return strconv.FormatUint(h, 16) }

func maxBallot(a, b paxos.Ballot) paxos.Ballot {
	if a.Less(b) {
		return b
	}
	return a
}
