// Command badkinds is the faultline command with node kinds that misbehave
// on some seeds, for the isolation tests of package cli (isolate_test.go).
// Each kind bad-MODE is ABD whose first server, on one seed in three, does
// MODE in the first message handler of its first life. Which seeds is decided by the
// virtual time of that first message, not by a draw from the Env (ABD
// draws its operation ids from it), so on every other seed the kind is
// ABD event for event: the same trace hash and verdict as plain abd.
// It lives under testdata: it breaks every rule the determinism lint
// enforces, on purpose.
package main

import (
	"math/rand/v2"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/cmd/faultline/cli"
	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/abd/abdkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

var modes = []string{"panic", "loop", "alloc", "livelock", "cycle", "loopystring", "exit", "goexit",
	"keptenv", "wallclock", "globalrand", "goroutine"}

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
	k.Invariants = false // they look for *abd.Node
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
	// first: this server has yet to handle a message in this life.
	first bool
	// spins is node state a goroutine mutates (mode goroutine) until
	// stop, and pending says the next handler decides by it.
	spins   atomic.Int64
	stop    atomic.Bool
	pending bool
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

const (
	livelockTag = 1 << 60
	// A timer set at a nondeterministic delay; its handler panics, so
	// that the seed fails and a sweep with --out replays it.
	nondeterministicTag = 1<<60 + 1
)

var hoard [][]byte

// kept is an Env kept past its call (mode keptenv): the first server
// keeps its own, and the next other server to handle a message uses it
// to send as the first.
var kept nodes.Env

func (b *badNode) Start(env nodes.Env) {
	b.first = true
	if env.ID() == nodes.NodeID(1) {
		kept = nil // one kept in an earlier world of this process
	}
	b.inner.Start(env)
}

func (b *badNode) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch msg.(type) {
	case *cyc, loopy:
		return
	}
	if k := kept; k != nil && env.ID() != nodes.NodeID(1) {
		kept = nil
		k.Send(env.Peers()[0], msg) // panics: the Env of n1 during a handler of this server
	}
	if b.pending {
		b.pending = false
		// The goroutine counts until told to stop, so what is read
		// here is where it happened to be: a bounded count could have
		// finished first in both runs and made them agree.
		for b.spins.Load() < 1000 {
			runtime.Gosched()
		}
		n := b.spins.Load()
		b.stop.Store(true)
		b.decide(env, n)
	}
	if b.first {
		b.first = false
		// One seed in three, by the virtual time of the first message
		// (of the first life: the first fault comes after a second).
		if env.ID() == nodes.NodeID(1) && env.Now().Before(sim.Epoch.Add(time.Second)) && env.Monotonic()/time.Microsecond%3 == 0 {
			b.misbehave(env)
		}
	}
	b.inner.Message(env, from, msg)
}

// decide sets a timer whose delay (1ms to about 1s, in microseconds, so
// that two runs rarely draw the same) depends on n, a value that is not
// the seed's.
func (b *badNode) decide(env nodes.Env, n int64) {
	env.SetTimer(time.Millisecond+time.Duration(n%999_983)*time.Microsecond, nondeterministicTag)
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
	case "keptenv":
		kept = env
	case "wallclock":
		b.decide(env, time.Now().UnixNano())
	case "globalrand":
		b.decide(env, rand.Int64())
	case "goroutine":
		b.spins.Store(0)
		b.stop.Store(false)
		go func() {
			for !b.stop.Load() {
				b.spins.Add(1)
			}
		}()
		b.pending = true
	}
}

func (b *badNode) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	switch tag {
	case livelockTag:
		env.SetTimer(0, livelockTag)
		return
	case nondeterministicTag:
		panic("badkinds: a panic after a nondeterministic decision")
	}
	b.inner.Timer(env, id, tag)
}

func (b *badNode) Synced(env nodes.Env, tag uint64) { b.inner.Synced(env, tag) }
