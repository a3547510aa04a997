package sim_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// TestSentCountsEverySendEvent: Sent(id) is the number of Send events of
// id in the trace — messages dropped by loss and injected ones included,
// across a crash and restart — for servers and clients alike.
func TestSentCountsEverySendEvent(t *testing.T) {
	node := func(nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) { env.SetTimer(time.Millisecond, 0) },
			timer: func(env nodes.Env, _ uint64) {
				for range 1 + env.Rand().IntN(3) {
					env.Send(env.Peers()[env.Rand().IntN(len(env.Peers()))], Echo{})
				}
				env.SetTimer(time.Millisecond, 0)
			},
		}
	}
	w, err := sim.New(sim.Config{Seed: 9, Nodes: 3, Node: node, Clients: 2, Client: node,
		Network: sim.Network{Drop: sim.Ratio{Num: 1, Den: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	counted := map[nodes.ID]int{}
	w.ObserveKinds(func(e *trace.Event) error { counted[e.Node]++; return nil }, trace.Send)
	w.Run(20 * time.Millisecond)
	if err := w.Crash(2); err != nil {
		t.Fatal(err)
	}
	if err := w.Inject(nodes.NodeID(3), nodes.NodeID(1), Echo{}, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Restart(2); err != nil {
		t.Fatal(err)
	}
	w.Run(40 * time.Millisecond)
	ids := append(w.Servers(), w.Clients()...)
	for _, id := range ids {
		if got := w.Sent(id); got != counted[id] || got == 0 {
			t.Errorf("Sent(%v) = %d; the trace has %d Send events of it", id, got, counted[id])
		}
	}
	if got := w.Sent(nodes.NodeID(9)); got != 0 {
		t.Errorf("Sent of a process that does not exist = %d", got)
	}
}
