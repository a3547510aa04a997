package kv_test

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// store is the smallest KV server: one node, no replication, no sessions.
type store struct {
	nodes.Base
	data map[string]string
}

func (s *store) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	req, ok := msg.(kv.Request)
	if !ok {
		return
	}
	r := kv.Reply{Seq: req.Seq, Status: kv.StatusOK}
	switch op := req.Op; op.Kind {
	case nodes.OpGet:
		r.Value, r.Exists = s.data[op.Key]
	case nodes.OpPut:
		s.data[op.Key] = op.Value
	case nodes.OpAppend:
		s.data[op.Key] += op.Value
	case nodes.OpCAS:
		if v, ok := s.data[op.Key]; !ok || v != op.Expect {
			r.Status = kv.StatusCASMismatch
		} else {
			s.data[op.Key] = op.Value
		}
	}
	env.Send(from, r)
}

// Three closed-loop clients run five operations each against a one-node
// store, and a liveness probe writes once the workload has stopped.
func Example() {
	wl := kv.Workload{Keys: 2, MaxOps: 5, ProbeAt: time.Second, ProbeClients: 1}
	if err := wl.Validate(); err != nil {
		panic(err)
	}
	w, err := sim.New(sim.Config{
		Seed:    7,
		Nodes:   1,
		Node:    func(nodes.ID) nodes.Node { return &store{data: map[string]string{}} },
		Clients: 3,
		Client:  wl.Factory(),
	})
	if err != nil {
		panic(err)
	}
	ops := 0
	w.Observe(func(e *trace.Event) error {
		if e.Kind == trace.Return && e.Node == nodes.ClientID(1) {
			fmt.Println(e.Outcome, trace.FormatOp(e.Op, true))
		}
		if e.Kind == trace.Return {
			ops++
		}
		return nil
	})
	res := w.Run(time.Minute)
	p := w.Node(nodes.ClientID(1)).(*kv.Client).Probe()
	fmt.Println(res.Outcome, ops, "ops; probe ok:", p.OK, "after", p.Latency)
	// Output:
	// ok get k1 -> nil
	// ok put k2=c1-1
	// ok get k1 -> nil
	// ok cas k2 c1-1->c1-2
	// ok append k1=c1-3;
	// ok put k2=c1-4
	// quiescent 16 ops; probe ok: true after 2ms
}
