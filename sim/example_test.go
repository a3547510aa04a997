package sim_test

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// ping is a tiny protocol: every node pings its peers each 10ms of its own
// clock and counts the pongs it gets back.
type ping struct {
	nodes.Base
	pongs int
}

type Ping struct{ N int }
type Pong struct{ N int }

func (p *ping) Start(env nodes.Env) { env.SetTimer(10*time.Millisecond, 0) }

func (p *ping) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	for _, peer := range env.Peers() {
		env.Send(peer, Ping{N: p.pongs})
	}
	env.SetTimer(10*time.Millisecond, 0)
}

func (p *ping) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case Ping:
		env.Send(from, Pong{N: m.N})
	case Pong:
		p.pongs++
	}
}

// A 3-node world runs for one virtual second; the same seed always gives
// the same trace hash.
func Example() {
	run := func() sim.Result {
		w, err := sim.New(sim.Config{
			Seed:    42,
			Nodes:   3,
			Node:    func(nodes.ID) nodes.Node { return &ping{} },
			Network: sim.Network{Latency: sim.UniformDist(time.Millisecond, 5*time.Millisecond), Drop: sim.Ratio{Num: 1, Den: 10}},
		})
		if err != nil {
			panic(err)
		}
		return w.Run(time.Second)
	}
	a, b := run(), run()
	fmt.Println(a.Outcome, a.At, a.Events > 1000, a.Hash == b.Hash)
	// Output: deadline 1s true true
}
