// Command badkinds is the faultline command with node kinds that misbehave
// on some seeds, for the isolation tests of package cli (isolate_test.go).
// Each kind bad-MODE is ABD whose first server, on one seed in three (a
// draw from its own Env, so the same seeds every time), does MODE in its
// first message handler. It lives under testdata: it breaks every rule the
// determinism lint enforces, on purpose.
package main

import (
	"os"
	"runtime"
	"time"

	"github.com/faultline/faultline/cmd/faultline/cli"
	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/abd/abdkind"
	"github.com/faultline/faultline/scenarios"
)

var modes = []string{"panic", "loop", "alloc", "livelock", "cycle", "loopystring", "exit", "goexit"}

func main() {
	kinds := []scenarios.NodeKind{}
	for _, m := range modes {
		kinds = append(kinds, badKind(m))
	}
	os.Exit(cli.Main(cli.Config{
		Name:      "badkinds",
		Nodes:     append(stock.Nodes(), kinds...),
		Workloads: stock.Workloads(),
	}))
}

func badKind(mode string) scenarios.NodeKind {
	k := abdkind.Kind()
	k.Name, k.Help = "bad-"+mode, "ABD that misbehaves ("+mode+") on one seed in three"
	k.Invariants, k.Digest, k.Checks = false, false, nil
	build := k.Build
	k.Build = func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
		pr, err := build(p, size)
		if err != nil {
			return nil, err
		}
		inner := pr.Factory
		return &scenarios.Protocol{Factory: func(id nodes.ID) nodes.Node {
			return &badNode{inner: inner(id), mode: mode}
		}}, nil
	}
	return k
}

type badNode struct {
	inner nodes.Node
	mode  string
	armed bool
}

// cyc is a message that points at itself.
type cyc struct{ Next *cyc }

// loopy is a message whose String never returns.
type loopy struct{ N int }

func (l loopy) String() string {
	for {
		l.N++
	}
}

const livelockTag = 1 << 60

var hoard [][]byte

func (b *badNode) Start(env nodes.Env) {
	b.armed = env.ID() == nodes.NodeID(1) && env.Rand().IntN(3) == 0
	b.inner.Start(env)
}

func (b *badNode) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch msg.(type) {
	case *cyc, loopy:
		return
	}
	if b.armed {
		b.armed = false
		b.misbehave(env)
	}
	b.inner.Message(env, from, msg)
}

func (b *badNode) misbehave(env nodes.Env) {
	switch b.mode {
	case "panic":
		panic("badkinds: a deliberate panic")
	case "loop":
		for start := time.Now(); ; {
			if time.Since(start) < 0 {
				return
			}
		}
	case "alloc":
		for {
			b := make([]byte, 16<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1 // resident, not only reserved
			}
			hoard = append(hoard, b)
		}
	case "livelock":
		env.SetTimer(0, livelockTag)
	case "cycle":
		c := &cyc{}
		c.Next = c
		env.Send(env.Peers()[0], c)
	case "loopystring":
		env.Send(env.Peers()[0], loopy{})
		panic("badkinds: a panic after sending a message that cannot be printed")
	case "exit":
		os.Exit(0)
	case "goexit":
		runtime.Goexit()
	}
}

func (b *badNode) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	if tag == livelockTag {
		env.SetTimer(0, livelockTag)
		return
	}
	b.inner.Timer(env, id, tag)
}

func (b *badNode) Synced(env nodes.Env, tag uint64) { b.inner.Synced(env, tag) }
