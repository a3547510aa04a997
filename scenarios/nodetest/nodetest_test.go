package nodetest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func init() { stock.Register() }

// The built-in Raft KV keeps the contract.
func TestRaftKV(t *testing.T) {
	nodetest.Run(t, raftkvkind.Kind())
}

// Each property fails on a protocol that breaks it, and says which.
func TestEachPropertyCanFail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params []scenarios.Param
		wrap   func(nodes.Factory) nodes.Factory
		shape  func(*scenarios.NodeKind)
		want   string
	}{
		{name: "same-node-twice", want: "fresh: Factory returned the same", wrap: func(f nodes.Factory) nodes.Factory {
			cache := map[nodes.ID]nodes.Node{}
			return func(id nodes.ID) nodes.Node {
				if cache[id] == nil {
					cache[id] = f(id)
				}
				return cache[id]
			}
		}},
		{name: "never-answers-cas", want: "quiet: no cas operation completed OK", wrap: func(f nodes.Factory) nodes.Factory {
			return func(id nodes.ID) nodes.Node { return dropCAS{f(id)} }
		}},
		{name: "global-counter", want: "deterministic: sim: seed 1 is not deterministic", wrap: func(f nodes.Factory) nodes.Factory {
			return func(id nodes.ID) nodes.Node { return &counting{Node: f(id)} }
		}},
		{name: "ack-before-sync", params: []scenarios.Param{{Key: "bugs", Value: raftkvkind.BugAckBeforeSync}}, want: "restart: seed"},
		{name: "panics-on-strangers", want: "unknown-messages: seed 1: panic", wrap: func(f nodes.Factory) nodes.Factory {
			return func(id nodes.ID) nodes.Node { return strict{f(id)} }
		}},
		{name: "unexported-slice", want: "messages: n", wrap: func(f nodes.Factory) nodes.Factory {
			return func(id nodes.ID) nodes.Node { return &gossiping{Node: f(id)} }
		}},
		{name: "misspelt-replication", want: `hunt-shape: HuntShape.Replication is "AppendEntry", but no server sent one to another in 3 faulted seeds (they sent: AppendEntries,`, shape: func(k *scenarios.NodeKind) {
			k.Hunt.Replication = "AppendEntry"
		}},
		{name: "keeps-recycled", want: "messages: seed 1: the trace differs when delivered *raftkv.AppendEntries", wrap: func(f nodes.Factory) nodes.Factory {
			return func(id nodes.ID) nodes.Node { return &hoarding{Node: f(id)} }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := raftkvkind.Kind()
			k.Name = "nodetest-" + tc.name
			if tc.shape != nil {
				tc.shape(&k)
			}
			if tc.wrap != nil {
				// The wrappers hide *raftkv.Node from its digest and invariants.
				k.Digest, k.Invariants = false, false
				build := k.Build
				k.Build = func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
					proto, err := build(p, size)
					if err != nil {
						return nil, err
					}
					return &scenarios.Protocol{Factory: tc.wrap(proto.Factory)}, nil
				}
			}
			err := nodetest.Test(k, nodetest.Options{Params: tc.params})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant a problem containing %q", err, tc.want)
			}
			if testing.Verbose() {
				t.Log(err)
			}
		})
	}
}

// dropCAS never answers a cas.
type dropCAS struct{ nodes.Node }

func (d dropCAS) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if r, ok := msg.(kv.Request); ok && r.Op.Kind == "cas" {
		return
	}
	d.Node.Message(env, from, msg)
}

// builds is state no seed controls.
var builds int

// counting lets a package-level counter reach the trace.
type counting struct{ nodes.Node }

func (c *counting) Start(env nodes.Env) {
	builds++
	env.SetTimer(timeMs(builds), 0xbad)
	c.Node.Start(env)
}

func (c *counting) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	if tag == 0xbad {
		return
	}
	c.Node.Timer(env, id, tag)
}

// strict panics on messages it does not know.
type strict struct{ nodes.Node }

func (s strict) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch msg.(type) {
	case kv.Request, kv.Reply:
	default:
		if from.IsClient() || strings.Contains(typeName(msg), "stranger") || msg == nil {
			panic("unexpected message")
		}
	}
	s.Node.Message(env, from, msg)
}

// note carries an unexported slice: the simulator's copy shares it.
type note struct {
	Term  uint64
	peers []nodes.ID
}

// gossiping sends a note with an unexported slice on start.
type gossiping struct{ nodes.Node }

func (g *gossiping) Start(env nodes.Env) {
	g.Node.Start(env)
	for _, p := range env.Peers() {
		env.Send(p, note{Term: 1, peers: env.Peers()})
	}
}

func (g *gossiping) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if _, ok := msg.(note); ok {
		return
	}
	g.Node.Message(env, from, msg)
}

// hoarding keeps the last AppendEntries delivered to it, which the
// simulator recycles, and lets what it says later reach the trace.
type hoarding struct {
	nodes.Node
	kept *raftkv.AppendEntries
}

func (h *hoarding) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if h.kept != nil && h.kept.Commit%2 == 1 {
		env.Logf("kept commit %d", h.kept.Commit)
		env.SetTimer(time.Microsecond, 0xbad) // a timer event in the trace
	}
	if m, ok := msg.(*raftkv.AppendEntries); ok {
		h.kept = m
	}
	h.Node.Message(env, from, msg)
}

func (h *hoarding) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	if tag == 0xbad {
		return
	}
	h.Node.Timer(env, id, tag)
}

func timeMs(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func typeName(m any) string { return fmt.Sprintf("%T", m) }
