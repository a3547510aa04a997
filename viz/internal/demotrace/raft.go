package demotrace

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// GenerateRaft runs a 5-node Raft KV store with 5 clients for until, and
// every 2s (from 1s) cuts the current leader and one follower off from the
// other three for 700ms; n3 crashes at 4.5s for 500ms. It is the input of
// the plots shown in docs/VIEWER.md: latency spikes and gaps in ok
// completions line up with the fault windows.
func GenerateRaft(seed uint64, until time.Duration) (*Run, error) {
	wl := kv.Workload{Keys: 5, Timeout: time.Second}.WithDefaults()
	w, err := sim.New(sim.Config{
		Seed:    seed,
		Nodes:   5,
		Node:    raftkv.New(raftkv.Config{}),
		Clients: 5,
		Client:  wl.Factory(),
		Network: sim.Network{Latency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)},
		Record:  true,
	})
	if err != nil {
		return nil, err
	}
	var events []trace.Event
	w.Observe(func(e *trace.Event) error {
		c := *e
		c.Msg = nil
		events = append(events, c)
		return nil
	})
	leader := func() nodes.ID {
		for _, id := range w.Servers() {
			if lr, ok := w.Node(id).(nodes.LeaderReporter); ok && lr.IsLeader() {
				return id
			}
		}
		return nodes.NodeID(1)
	}
	for t := time.Second; t < until; t += 2 * time.Second {
		var h sim.RuleHandle
		var text string
		var id int64
		w.At(t, func() {
			l := leader()
			other := nodes.NodeID(int(l)%5 + 1)
			var rest []nodes.ID
			for _, id := range w.Servers() {
				if id != l && id != other {
					rest = append(rest, id)
				}
			}
			p := partition{a: []nodes.ID{l, other}, b: rest}
			text = p.String()
			h = w.AddRule(p)
			id = w.StartFault(0, "partition", text)
		})
		w.At(t+700*time.Millisecond, func() {
			w.RemoveRule(h)
			w.StopFault(id, 0, "partition", text)
		})
	}
	n3 := nodes.NodeID(3)
	if until > 4500*time.Millisecond {
		var id int64
		w.At(4500*time.Millisecond, func() { w.Crash(n3); id = w.StartFault(n3, "crash", "crash n3") })
		w.At(5000*time.Millisecond, func() { w.Restart(n3); w.StopFault(id, n3, "crash", "crash n3") })
	}
	run := &Run{}
	r, err := finish(w, seed, until, events0(&events), run)
	if err != nil {
		return nil, err
	}
	r.File.Header.Scenario = "demo-raft-partitions"
	r.File.Header.Nodes, r.File.Header.Clients = 5, 5
	r.File.Header.Repro = fmt.Sprintf("go run ./viz/internal/vizdemo -raft -seed %d", seed)
	return r, nil
}
