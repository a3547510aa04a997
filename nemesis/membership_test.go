package nemesis

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// goodbyePinger is a pinger that says goodbye to its peers when told to
// leave.
type goodbyePinger struct{ *pinger }

type goodbye struct{}

func (g goodbyePinger) Leave(env nodes.Env) {
	for _, p := range env.Peers() {
		env.Send(p, goodbye{})
	}
}

func TestMembershipFaults(t *testing.T) {
	t.Run("join: absent from the start, started at the step", func(t *testing.T) {
		h := newHarness(t, hopt{})
		sched := Schedule{Steps: []Step{{At: 200 * time.Millisecond, Fault: MustParse("join n4,n5")}}}
		if _, err := Install(h.w, sched, Options{}); err != nil {
			t.Fatal(err)
		}
		h.run(199 * time.Millisecond)
		if h.w.IsUp(4) || h.w.IsUp(5) || h.p.starts[4]+h.p.starts[5] != 0 {
			t.Fatalf("before the join: n4 up %v, n5 up %v, starts %v", h.w.IsUp(4), h.w.IsUp(5), h.p.starts)
		}
		for _, e := range h.events(trace.Deliver, 0, 199*time.Millisecond) {
			if e.Node == 4 || e.Node == 5 {
				t.Fatalf("an absent server got %v", e.String())
			}
		}
		h.run(300 * time.Millisecond)
		if !h.w.IsUp(4) || h.p.starts[4] != 1 || h.p.starts[5] != 1 {
			t.Errorf("after the join: n4 up %v, starts %v (want one start each)", h.w.IsUp(4), h.p.starts)
		}
		if n := len(h.events(trace.Deliver, 200*time.Millisecond, 300*time.Millisecond)); n == 0 {
			t.Error("nothing delivered after the join")
		}
	})
	t.Run("join names its servers", func(t *testing.T) {
		if err := (Join{Target: Target{Kind: TargetOne}}).Check(5); err == nil {
			t.Error("join one passed Check")
		}
		if err := MustParse("join n6").Check(5); err == nil {
			t.Error("join n6 passed Check on 5 servers")
		}
	})
	t.Run("leave: told, stopped after the grace, rejoins at the stop", func(t *testing.T) {
		p := &probe{starts: map[nodes.ID]int{}, corrupt: map[nodes.ID]int{}, reads: map[nodes.ID]int{}}
		w, err := sim.New(sim.Config{Seed: 1, Nodes: 3, Node: func(id nodes.ID) nodes.Node { return goodbyePinger{&pinger{p: p, id: id}} }})
		if err != nil {
			t.Fatal(err)
		}
		rec := sim.Record(w)
		w.Run(100 * time.Millisecond)
		a, err := Apply(w, MustParse("leave n2 50ms"), Stream(1, "test"))
		if err != nil {
			t.Fatal(err)
		}
		w.Run(149 * time.Millisecond)
		if !w.IsUp(2) {
			t.Fatal("n2 stopped before its grace ran out")
		}
		w.Run(151 * time.Millisecond)
		if w.IsUp(2) {
			t.Fatal("n2 still up after its grace")
		}
		goodbyes := 0
		for _, e := range rec.Events {
			if e.Kind == trace.Send && e.Node == 2 && e.Type == "goodbye" {
				goodbyes++
			}
		}
		if goodbyes != 2 {
			t.Errorf("n2 sent %d goodbyes, want one to each peer", goodbyes)
		}
		a.Stop()
		if !w.IsUp(2) || p.starts[2] != 2 {
			t.Errorf("after the stop: up %v, starts %d (want a rejoin)", w.IsUp(2), p.starts[2])
		}
	})
	t.Run("leave stopped within its grace leaves and rejoins at once", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(10 * time.Millisecond)
		a := h.apply("leave n3 1s")
		h.run(100 * time.Millisecond)
		a.Stop()
		h.run(2 * time.Second)
		crashes := h.events(trace.Crash, 0, 2*time.Second)
		if !h.w.IsUp(3) || h.p.starts[3] != 2 || len(crashes) != 1 || crashes[0].At != 100*time.Millisecond {
			t.Errorf("n3 up %v, starts %d, crashes %v: want one stop at the fault's stop, then a rejoin", h.w.IsUp(3), h.p.starts[3], crashes)
		}
	})
}
