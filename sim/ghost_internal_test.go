package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// ghostNode sets timers, mostly long ones, and cancels most of them long
// before their time, as a KV client does with its operations' deadlines;
// it also sends messages, so short items mix with the long ones.
type ghostNode struct {
	nodes.Base
	coarse  bool // delays in whole 100 ms: many items due at the same instant
	pending []nodes.TimerID
	tags    []uint64
	next    uint64
}

func (g *ghostNode) set(env nodes.Env) {
	r := env.Rand()
	d := time.Duration(r.Int64N(int64(3 * time.Second)))
	if r.IntN(3) == 0 {
		d = time.Duration(r.Int64N(int64(20 * time.Millisecond)))
	}
	if g.coarse {
		d = d.Truncate(100 * time.Millisecond)
	}
	g.next++
	g.pending = append(g.pending, env.SetTimer(d, g.next))
	g.tags = append(g.tags, g.next)
}

func (g *ghostNode) churn(env nodes.Env) {
	r := env.Rand()
	for range r.IntN(3) {
		if len(g.pending) > 0 && r.IntN(4) != 0 {
			i := r.IntN(len(g.pending))
			env.CancelTimer(g.pending[i])
			g.pending = append(g.pending[:i], g.pending[i+1:]...)
			g.tags = append(g.tags[:i], g.tags[i+1:]...)
		}
	}
	for range r.IntN(3) {
		g.set(env)
	}
	if r.IntN(3) == 0 {
		peers := env.Peers()
		if len(peers) > 0 {
			env.Send(peers[r.IntN(len(peers))], "ping")
		}
	}
}

func (g *ghostNode) Start(env nodes.Env) {
	for range 4 {
		g.set(env)
	}
}

func (g *ghostNode) Message(env nodes.Env, _ nodes.ID, _ nodes.Message) { g.churn(env) }

func (g *ghostNode) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	for i, t := range g.tags {
		if t == tag {
			g.pending = append(g.pending[:i], g.pending[i+1:]...)
			g.tags = append(g.tags[:i], g.tags[i+1:]...)
			break
		}
	}
	g.churn(env)
}

// TestGhostsEndRunsAsStaleItems runs worlds full of cancelled long timers
// twice, with the stale items taken out of the queue as ghosts and with
// them left in it until their time, under small event budgets, pauses and
// runs continued in steps to deadlines that fall anywhere (some already
// passed), and requires
// the same result (outcome, time, events, steps, hash) from every Run.
func TestGhostsEndRunsAsStaleItems(t *testing.T) {
	outcomes := map[Outcome]int{}
	ghosts := 0
	for seed := uint64(1); seed <= 2000; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		coarse := seed%2 == 0
		cfg := Config{Seed: seed, Nodes: 3, Node: func(nodes.ID) nodes.Node { return &ghostNode{coarse: coarse} },
			Network:   Network{Latency: UniformDist(100*time.Microsecond, 5*time.Millisecond)},
			MaxEvents: uint64(20 + r.IntN(400))}
		if coarse {
			cfg.Network.Latency = Const(100 * time.Millisecond)
		}
		if seed%3 == 0 {
			cfg.MaxEvents += uint64(r.IntN(4000))
		}
		var ws [2]*Sim
		for i := range ws {
			w, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			w.keepStale = i == 1
			ws[i] = w
		}
		var pauses [][2]time.Duration
		for range r.IntN(4) {
			at := time.Duration(r.Int64N(int64(20 * time.Second)))
			pauses = append(pauses, [2]time.Duration{at, at + time.Duration(r.Int64N(int64(time.Second)))})
		}
		for _, w := range ws {
			for _, p := range pauses {
				w.At(p[0], func() { _ = w.Pause(nodes.NodeID(1)) })
				w.At(p[1], func() { _ = w.Resume(nodes.NodeID(1)) })
			}
		}
		until := time.Duration(0)
		for step := 0; step < 6; step++ {
			until += time.Duration(r.Int64N(int64(8 * time.Second)))
			if coarse {
				until = until.Truncate(100 * time.Millisecond)
			}
			if r.IntN(4) == 0 {
				until += time.Duration(r.Int64N(int64(time.Minute)))
			}
			at := until
			if r.IntN(5) == 0 {
				at -= min(at, time.Duration(r.Int64N(int64(3*time.Second)))) // a time already passed
			}
			got, want := ws[0].Run(at), ws[1].Run(at)
			if got != want {
				t.Fatalf("seed %d, Run(%v) #%d: with ghosts %+v, with stale items queued %+v", seed, at, step, got, want)
			}
			outcomes[got.Outcome]++
		}
		ghosts += len(ws[0].q.ghosts)
		if len(ws[1].q.ghosts) != 0 {
			t.Fatalf("seed %d: the reference world made ghosts", seed)
		}
	}
	// The cases that matter must have happened.
	for _, o := range []Outcome{OutcomeDeadline, OutcomeQuiescent, OutcomeBudget} {
		if outcomes[o] == 0 {
			t.Errorf("no Run ended %v (outcomes %v)", o, outcomes)
		}
	}
	if ghosts == 0 {
		t.Error("no stale item became a ghost")
	}
	t.Logf("outcomes %v, ghosts left at the end %d", outcomes, ghosts)
}

// TestGhostsAtTheBudget spends the event budget exactly at a deadline (the
// budget is the steps a reference world runs by then) and continues in
// small steps, where a ghost due between the last event run and the next
// one decides between budget and deadline or quiescent.
func TestGhostsAtTheBudget(t *testing.T) {
	outcomes := map[Outcome]int{}
	for seed := uint64(1); seed <= 2000; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		coarse := seed%2 == 0
		cfg := Config{Seed: seed, Nodes: 2, Node: func(nodes.ID) nodes.Node { return &ghostNode{coarse: coarse} },
			Network:   Network{Latency: UniformDist(100*time.Microsecond, 5*time.Millisecond)},
			MaxEvents: 1 << 40}
		if coarse {
			cfg.Network.Latency = Const(100 * time.Millisecond)
		}
		at := time.Duration(r.Int64N(int64(10 * time.Second)))
		if coarse {
			at = at.Truncate(100 * time.Millisecond)
		}
		probe, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		probe.keepStale = true
		probe.Run(at)
		cfg.MaxEvents = probe.Steps()
		if cfg.MaxEvents == 0 {
			continue
		}
		var ws [2]*Sim
		for i := range ws {
			ws[i], _ = New(cfg)
			ws[i].keepStale = i == 1
		}
		until := at
		for step := 0; step < 5; step++ {
			got, want := ws[0].Run(until), ws[1].Run(until)
			if got != want {
				t.Fatalf("seed %d, budget %d, Run(%v) #%d: with ghosts %+v, with stale items queued %+v", seed, cfg.MaxEvents, until, step, got, want)
			}
			outcomes[got.Outcome]++
			d := time.Duration(r.Int64N(int64(2 * time.Second)))
			if coarse {
				d = d.Truncate(100 * time.Millisecond)
			}
			until += d
		}
	}
	t.Logf("outcomes %v", outcomes)
}
