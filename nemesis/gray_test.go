package nemesis

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// grayHarness is the effect tests' pinger world with a service time: each
// server handles a message in 500µs, so at 3 servers pinging every 10ms a
// server is busy 2ms in 10.
func grayHarness(t *testing.T) *harness {
	t.Helper()
	p := &probe{starts: map[nodes.ID]int{}, corrupt: map[nodes.ID]int{}, reads: map[nodes.ID]int{}}
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 3, Node: func(id nodes.ID) nodes.Node { return &pinger{p: p, id: id} },
		Service: sim.Service{PerMessage: 500 * time.Microsecond}})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, w: w, p: p, rec: sim.Record(w)}
}

func (h *harness) handled(id nodes.ID, from, to time.Duration) int {
	n := 0
	for _, e := range h.events(trace.Deliver, from, to) {
		if e.Node == id {
			n++
		}
	}
	return n
}

func TestSlowBuildsAQueue(t *testing.T) {
	h := grayHarness(t)
	h.run(100 * time.Millisecond)
	a := h.apply("slow n2 10x")
	if got := h.w.ServiceFactor(2); got != sim.Times(10) {
		t.Fatalf("n2's factor is %v while slow", got)
	}
	h.run(300 * time.Millisecond)
	// 5ms a message: n2 handles at most 40 in 200ms while ~80 arrive; n1
	// keeps up.
	if n2, n1 := h.handled(2, 110*time.Millisecond, 300*time.Millisecond), h.handled(1, 110*time.Millisecond, 300*time.Millisecond); n2 > 40 || n1 < 55 {
		t.Errorf("while slow n2 handled %d messages (want ≤ 40), n1 %d (want ≥ 55: pings from both and n3's pongs)", n2, n1)
	}
	if q := h.w.Queued(2); q < 20 {
		t.Errorf("n2's queue holds %d messages after 200ms at 10x, want a backlog (~40)", q)
	}
	a.Stop()
	if got := h.w.ServiceFactor(2); got != sim.FactorOne {
		t.Errorf("n2's factor is %v after the fault", got)
	}
	// Back at ×1 (2ms of work per 10ms) the backlog drains.
	h.run(600 * time.Millisecond)
	if q := h.w.Queued(2); q > 2 {
		t.Errorf("n2 still has %d messages queued 300ms after the fault", q)
	}
	if n := h.handled(2, 500*time.Millisecond, 600*time.Millisecond); n < 35 {
		t.Errorf("n2 handled %d messages in 100ms after draining, want ~40", n)
	}
}

// loadClient ticks every 10ms divided by the offered load.
type loadClient struct {
	nodes.Base
	ticks *[]time.Duration
}

func (c loadClient) Start(env nodes.Env) { c.next(env) }
func (c loadClient) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	*c.ticks = append(*c.ticks, env.Monotonic())
	c.next(env)
}
func (c loadClient) next(env nodes.Env) {
	env.SetTimer(time.Duration(int64(10*time.Millisecond)*1000/nodes.LoadPermilleOf(env)), 0)
}

func TestOverloadStepsTheLoad(t *testing.T) {
	var ticks []time.Duration
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 1, Node: func(nodes.ID) nodes.Node { return &nodes.Base{} },
		Clients: 1, Client: func(nodes.ID) nodes.Node { return loadClient{ticks: &ticks} }})
	if err != nil {
		t.Fatal(err)
	}
	count := func(from, to time.Duration) int {
		n := 0
		for _, at := range ticks {
			if at >= from && at < to {
				n++
			}
		}
		return n
	}
	w.Run(100 * time.Millisecond)
	a, err := Apply(w, MustParse("overload 3x"), Stream(1, "test"))
	if err != nil {
		t.Fatal(err)
	}
	w.Run(200 * time.Millisecond)
	a.Stop()
	w.Run(300 * time.Millisecond)
	before, during, after := count(0, 100*time.Millisecond), count(110*time.Millisecond, 200*time.Millisecond), count(210*time.Millisecond, 300*time.Millisecond)
	if before < 9 || before > 10 || during < 26 || during > 28 || after < 8 || after > 10 {
		t.Errorf("ticks per window: %d before, %d during (want ~27 in 90ms), %d after", before, during, after)
	}
	if w.Load() != sim.FactorOne {
		t.Errorf("load %v after the fault", w.Load())
	}
}

// Overlapping slow faults restore what each found; heal restores ×1.
func TestGrayHeal(t *testing.T) {
	h := grayHarness(t)
	h.run(10 * time.Millisecond)
	a := h.apply("slow n1,n2 4x")
	b := h.apply("slow n2 8x")
	c := h.apply("overload 2x")
	b.Stop()
	if h.w.ServiceFactor(2) != sim.Times(4) || h.w.ServiceFactor(1) != sim.Times(4) {
		t.Errorf("after the inner slow stopped: n1 %v, n2 %v (want 4x both)", h.w.ServiceFactor(1), h.w.ServiceFactor(2))
	}
	h.apply("heal")
	if h.w.ServiceFactor(1) != sim.FactorOne || h.w.ServiceFactor(2) != sim.FactorOne || h.w.Load() != sim.FactorOne {
		t.Errorf("after heal: n1 %v, n2 %v, load %v", h.w.ServiceFactor(1), h.w.ServiceFactor(2), h.w.Load())
	}
	a.Stop()
	c.Stop()
}

// Generated gray faults use the default factors and round-trip; a
// leaderless protocol's slow targets one.
func TestGenerateGray(t *testing.T) {
	s := gen(t, 7, GenOptions{Kinds: []string{"slow", "overload"}, NoLeader: true})
	seen := map[string]bool{}
	for _, st := range s.Steps {
		text := st.Fault.String()
		seen[st.Fault.Kind()] = true
		if err := roundTrip(st.Fault); err != nil {
			t.Error(err)
		}
		if text != "slow one 10x" && text != "overload 3x" {
			t.Errorf("generated %q", text)
		}
	}
	if !seen["slow"] || !seen["overload"] {
		t.Errorf("generated kinds %v from %d steps", seen, len(s.Steps))
	}
}
