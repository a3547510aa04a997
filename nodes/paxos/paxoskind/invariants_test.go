package paxoskind_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/paxos"
	"github.com/faultline/faultline/nodes/paxos/paxoskind"
)

// fake is an incarnation of a server as the invariants see it: the events
// it has recorded so far.
type fake struct{ events []paxos.Event }

func (f *fake) Events(seq uint64) ([]paxos.Event, uint64) {
	if seq >= uint64(len(f.events)) {
		return nil, uint64(len(f.events))
	}
	return f.events[seq:], uint64(len(f.events))
}

// step is one handler's worth of events on a server; restart starts a new
// incarnation of it first.
type step struct {
	id      nodes.ID
	restart bool
	events  []paxos.Event
}

var (
	put1 = paxos.Command{Client: nodes.ClientID(1), Seq: 3, Op: nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "c1-3"}}
	put2 = paxos.Command{Client: nodes.ClientID(2), Seq: 5, Op: nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "c2-5"}}
	noop = paxos.Command{Noop: true}
	b1   = paxos.Ballot{N: 1, Node: 1}
	b2   = paxos.Ballot{N: 2, Node: 3}
)

func learned(slot uint64, c paxos.Command) paxos.Event {
	return paxos.Event{Kind: paxos.EventLearned, Slot: slot, Cmd: c}
}

func accepted(slot uint64, b paxos.Ballot, c paxos.Command) paxos.Event {
	return paxos.Event{Kind: paxos.EventAccepted, Slot: slot, Ballot: b, Cmd: c}
}

func applied(slot, hash uint64) paxos.Event {
	return paxos.Event{Kind: paxos.EventApplied, Slot: slot, Hash: hash}
}

func answered(b paxos.Ballot) paxos.Event { return paxos.Event{Kind: paxos.EventAnswered, Ballot: b} }

func promised(b paxos.Ballot) paxos.Event { return paxos.Event{Kind: paxos.EventPromised, Ballot: b} }

// TestInvariants runs histories of server events through the invariants:
// each violating one fails at the step that breaks the rule, with a
// message naming the servers, slot, ballots and commands; the others pass.
func TestInvariants(t *testing.T) {
	for _, c := range []struct {
		name  string
		steps []step
		want  string // "" for a history that keeps every invariant
	}{
		{"one value per slot", []step{
			{id: 1, events: []paxos.Event{accepted(7, b1, put1), learned(7, put1)}},
			{id: 2, events: []paxos.Event{learned(7, put1)}},
			{id: 1, events: []paxos.Event{applied(7, 0xab)}},
			{id: 2, events: []paxos.Event{applied(7, 0xab), answered(b2)}},
		}, ""},
		{"two values chosen", []step{
			{id: 1, events: []paxos.Event{learned(7, put1)}},
			{id: 3, events: []paxos.Event{learned(7, noop)}},
		}, `two values chosen for slot 7: n1 learned "c1 seq=3 put k1=c1-3", n3 learned "noop"`},
		{"the same value learned again after a restart", []step{
			{id: 1, events: []paxos.Event{learned(7, put1)}},
			{id: 1, restart: true, events: []paxos.Event{learned(7, put1)}},
		}, ""},
		{"a ballot proposes two values", []step{
			{id: 2, events: []paxos.Event{accepted(4, b2, put1)}},
			{id: 1, events: []paxos.Event{accepted(4, b2, put2)}},
		}, `ballot 2.n3 proposed two values for slot 4: n2 accepted "c1 seq=3 put k1=c1-3", n1 accepted "c2 seq=5 put k1=c2-5"`},
		{"two ballots, two values in a slot", []step{
			{id: 2, events: []paxos.Event{accepted(4, b1, put1)}},
			{id: 2, events: []paxos.Event{accepted(4, b2, put2)}},
		}, ""},
		{"replicas diverge", []step{
			{id: 1, events: []paxos.Event{applied(9, 0x1)}},
			{id: 2, events: []paxos.Event{applied(9, 0x2)}},
		}, "replicas diverged at slot 9: n1's state hash is 1, n2's is 2"},
		{"a promise forgotten across a crash", []step{
			{id: 2, events: []paxos.Event{promised(b2), answered(b2)}},
			{id: 2, restart: true, events: []paxos.Event{promised(b1)}},
		}, "acceptor n2 promised ballot 1.n1, below ballot 2.n3 it had answered before it restarted"},
		{"an accept below a promise answered before a crash", []step{
			{id: 2, events: []paxos.Event{promised(b2), answered(b2)}},
			{id: 2, restart: true, events: []paxos.Event{accepted(5, b1, put1)}},
		}, `acceptor n2 accepted "c1 seq=3 put k1=c1-3" in slot 5 under ballot 1.n1, below ballot 2.n3`},
		{"an unanswered promise may be forgotten", []step{
			{id: 2, events: []paxos.Event{promised(b2)}},
			{id: 2, restart: true, events: []paxos.Event{promised(b1), answered(b1)}},
		}, ""},
		{"answers out of order within an incarnation", []step{
			{id: 2, events: []paxos.Event{accepted(5, b1, put1), promised(b2), answered(b2), answered(b1)}},
			{id: 3, events: []paxos.Event{promised(b1)}},
		}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			live := map[nodes.ID]*fake{}
			inv := paxoskind.NewInvariants(func(id nodes.ID) paxoskind.EventSource {
				if f, ok := live[id]; ok {
					return f
				}
				return nil
			})
			var got error
			for i, s := range c.steps {
				if live[s.id] == nil || s.restart {
					live[s.id] = &fake{}
				}
				live[s.id].events = append(live[s.id].events, s.events...)
				if err := inv.Check(s.id); err != nil {
					if i != len(c.steps)-1 {
						t.Fatalf("step %d: failed early: %v", i, err)
					}
					got = err
					break
				}
			}
			switch {
			case c.want == "" && got != nil:
				t.Fatalf("a valid history failed: %v", got)
			case c.want != "" && got == nil:
				t.Fatalf("passed; want a violation containing %q", c.want)
			case c.want != "" && !strings.Contains(got.Error(), c.want):
				t.Fatalf("got %q; want it to contain %q", got, c.want)
			}
		})
	}
}

// TestInvariantsDownServer: a server that is down has nothing to check.
func TestInvariantsDownServer(t *testing.T) {
	inv := paxoskind.NewInvariants(func(nodes.ID) paxoskind.EventSource { return nil })
	if err := inv.Check(1); err != nil {
		t.Fatal(err)
	}
}
