package raftkv_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

// counter is a custom state machine: the commands each server proposed,
// in the order they were applied.
type counter struct {
	applied []string
}

func (c *counter) Apply(client nodes.ID, seq uint64, op nodes.Op) kv.Reply {
	c.applied = append(c.applied, client.String()+":"+op.Key)
	return kv.Reply{Status: kv.StatusOK, Value: strconv.Itoa(len(c.applied))}
}

func (c *counter) Snapshot() []byte {
	var b []byte
	for _, a := range c.applied {
		b = append(b, a...)
		b = append(b, '\n')
	}
	return b
}

func (c *counter) Restore(b []byte) error {
	c.applied = nil
	start := 0
	for i, x := range b {
		if x == '\n' {
			c.applied = append(c.applied, string(b[start:i]))
			start = i + 1
		}
	}
	return nil
}

// proposer wraps a Raft node of one group and proposes a command every
// 10ms while it leads.
type proposer struct {
	raft *raftkv.Node
	sm   *counter
	n    int
}

const tagPropose = 1 << 40

func (p *proposer) Start(env nodes.Env) {
	p.raft.Start(env)
	env.SetTimer(10*time.Millisecond, tagPropose)
}
func (p *proposer) Message(env nodes.Env, from nodes.ID, m nodes.Message) {
	p.raft.Message(env, from, m)
}
func (p *proposer) Synced(env nodes.Env, tag uint64) { p.raft.Synced(env, tag) }
func (p *proposer) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	if tag != tagPropose {
		p.raft.Timer(env, id, tag)
		return
	}
	env.SetTimer(10*time.Millisecond, tagPropose)
	p.n++
	p.raft.Propose(env, nodes.Op{Kind: "incr", Key: strconv.Itoa(p.n)})
}

// TestStateMachineHook: two Raft groups of three in one cluster, each
// applying its leaders' proposals to a custom state machine. Every member
// of a group applies the same sequence (also across a crash, recovering
// from a snapshot of the custom state), and the groups stay independent.
func TestStateMachineHook(t *testing.T) {
	groups := [][]nodes.ID{{1, 2, 3}, {4, 5, 6}}
	cfg := raftkv.Config{ReadMode: raftkv.ReadLog, SnapshotThreshold: 8}
	w, err := sim.New(sim.Config{
		Seed:    1,
		Nodes:   6,
		Network: sim.Network{Latency: sim.UniformDist(100*time.Microsecond, time.Millisecond)},
		Node: func(id nodes.ID) nodes.Node {
			g := groups[(id.Index()-1)/3]
			var peers []nodes.ID
			for _, p := range g {
				if p != id {
					peers = append(peers, p)
				}
			}
			sm := &counter{}
			return &proposer{raft: raftkv.NewNode(cfg, sm, peers), sm: sm}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f := w.Run(time.Second).Failure; f != nil {
		t.Fatal(f)
	}
	if err := w.Crash(2); err != nil {
		t.Fatal(err)
	}
	w.Run(1200 * time.Millisecond)
	if err := w.Restart(2); err != nil {
		t.Fatal(err)
	}
	if f := w.Run(3 * time.Second).Failure; f != nil {
		t.Fatal(f)
	}
	for gi, g := range groups {
		var ref []string
		for _, id := range g {
			p := w.Node(id).(*proposer)
			got := p.sm.applied
			if len(got) < 20 {
				t.Errorf("group %d: %v applied only %d commands", gi+1, id, len(got))
			}
			for _, a := range got {
				if who, _ := nodes.ParseID(a[:2]); who != 0 && (who.Index()-1)/3 != gi {
					t.Errorf("group %d: %v applied %q, proposed in another group", gi+1, id, a)
					break
				}
			}
			n := min(len(ref), len(got))
			if ref != nil && !equal(ref[:n], got[:n]) {
				t.Errorf("group %d: %v's applied sequence diverges from its peer's", gi+1, id)
			}
			if len(got) > len(ref) {
				ref = got
			}
		}
	}
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestNewNodeNeedsReadLog: a custom state machine cannot be combined with
// ReadIndex or lease reads (the Node would serve reads past it).
func TestNewNodeNeedsReadLog(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewNode with a StateMachine and ReadIndex did not panic")
		}
	}()
	raftkv.NewNode(raftkv.Config{}, &counter{}, nil)
}
