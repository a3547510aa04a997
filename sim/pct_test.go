package sim_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

func TestParseSchedule(t *testing.T) {
	cases := []struct {
		in   string
		want sim.Schedule
		text string // String of the parse ("" : in)
	}{
		{"latency", sim.Schedule{}, ""},
		{"", sim.Schedule{}, "latency"},
		{"pct(3)", sim.Schedule{Depth: 3}, "pct(3, 20ms)"},
		{"pct(1, 5ms)", sim.Schedule{Depth: 1, Spread: 5 * time.Millisecond}, ""},
		{" pct( 2 , 20ms ) ", sim.Schedule{Depth: 2}, "pct(2, 20ms)"},
	}
	for _, c := range cases {
		got, err := sim.ParseSchedule(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSchedule(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			continue
		}
		text := c.text
		if text == "" {
			text = c.in
		}
		if got.String() != text {
			t.Errorf("ParseSchedule(%q).String() = %q, want %q", c.in, got.String(), text)
		}
		if back, err := sim.ParseSchedule(got.String()); err != nil || back != got {
			t.Errorf("%q does not read back: %+v, %v", got.String(), back, err)
		}
	}
	errs := []struct{ in, want string }{
		{"random", "want latency, pct(depth) or pct(depth, spread)"},
		{"pct(3", "missing closing parenthesis"},
		{"pct(0)", "the depth must be a whole number from 1 to 16"},
		{"pct(17)", "from 1 to 16"},
		{"pct(x)", "from 1 to 16"},
		{"pct(2, -1ms)", "the spread must be a positive duration"},
		{"pct(2, 0)", "the spread must be a positive duration"},
		{"pct(2, 1ms, 3)", "pct takes (depth) or (depth, spread)"},
	}
	for _, c := range errs {
		if _, err := sim.ParseSchedule(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSchedule(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"latency", "pct(3)", "pct(2, 5ms)", "pct(16, 1h)", "pct(", "pct(1,)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := sim.ParseSchedule(s)
		if err != nil {
			return
		}
		if err := sc.Validate("schedule"); err != nil {
			t.Fatalf("ParseSchedule(%q) = %+v, which does not validate: %v", s, sc, err)
		}
		back, err := sim.ParseSchedule(sc.String())
		if err != nil || back != sc {
			t.Fatalf("ParseSchedule(%q) = %+v writes %q, which reads back as %+v, %v", s, sc, sc.String(), back, err)
		}
	})
}

func TestScheduleConfigErrors(t *testing.T) {
	f := func(nodes.ID) nodes.Node { return &probe{} }
	for _, c := range []struct {
		sc   sim.Schedule
		want string
	}{
		{sim.Schedule{Depth: 17}, "Network.Schedule: pct depth 17 is outside [1, 16]"},
		{sim.Schedule{Depth: -1}, "Network.Schedule: pct depth -1"},
		{sim.Schedule{Depth: 2, Spread: -time.Millisecond}, "Network.Schedule: negative pct spread"},
		{sim.Schedule{Depth: 2, Horizon: -time.Second}, "Network.Schedule: negative pct horizon"},
	} {
		_, err := sim.New(sim.Config{Nodes: 1, Node: f, Network: sim.Network{Schedule: c.sc}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.sc, err, c.want)
		}
	}
}

// race is a world where n1 and n2 each send n3 a message, n2 one
// millisecond after n1, over links of constant latency: in latency order
// n1's message always arrives first.
func race(seed uint64, sc sim.Schedule) (first nodes.ID, _ *sim.Sim) {
	w, _ := sim.New(sim.Config{Seed: seed, Nodes: 3, Node: func(id nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) {
			switch env.ID() {
			case 1:
				env.Send(3, "hello")
			case 2:
				env.SetTimer(time.Millisecond, 0)
			}
		}, timer: func(env nodes.Env, _ uint64) { env.Send(3, "hello") }}
	}, Network: sim.Network{Latency: sim.Const(2 * time.Millisecond), Schedule: sc}})
	w.ObserveKinds(func(e *trace.Event) error {
		if first == 0 {
			first = e.Peer
		}
		return nil
	}, trace.Deliver)
	w.Run(time.Second)
	return first, w
}

// TestPCTReachesOrdersLatencyDoesNot: the plain schedule never lets the
// later message overtake; under PCT the links' priorities do on some
// seeds, and the same seed always picks the same order.
func TestPCTReachesOrdersLatencyDoesNot(t *testing.T) {
	overtaken := 0
	for seed := uint64(1); seed <= 50; seed++ {
		if first, _ := race(seed, sim.Schedule{}); first != 1 {
			t.Fatalf("seed %d: latency order delivered %v's message first", seed, first)
		}
		first, _ := race(seed, sim.Schedule{Depth: 1})
		if again, _ := race(seed, sim.Schedule{Depth: 1}); again != first {
			t.Fatalf("seed %d: PCT delivered %v first, then %v", seed, first, again)
		}
		if first == 2 {
			overtaken++
		}
	}
	// n2's link must draw a priority at least 1ms better than n1's: about
	// (19/20)²/2 of the seeds.
	if overtaken < 10 || overtaken > 40 {
		t.Fatalf("PCT let the later message overtake on %d of 50 seeds, want about 22", overtaken)
	}
}

// chat is a world whose servers message each other every few
// milliseconds, with a schedule.
func chat(seed uint64, sc sim.Schedule) *sim.Sim {
	w, _ := sim.New(sim.Config{Seed: seed, Nodes: 4, Node: func(id nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) { env.SetTimer(3*time.Millisecond, 0) },
			timer: func(env nodes.Env, _ uint64) {
				for _, p := range env.Peers() {
					env.Send(p, 1)
				}
				env.SetTimer(3*time.Millisecond, 0)
			},
		}
	}, Network: sim.Network{Latency: sim.UniformDist(time.Millisecond, 5*time.Millisecond), Schedule: sc}})
	return w
}

// TestPCTChangePoints: Depth d demotes d−1 links, one per change point,
// each below the ones before; the demoted links and the trace are the
// seed's.
func TestPCTChangePoints(t *testing.T) {
	sc := sim.Schedule{Depth: 4, Horizon: 500 * time.Millisecond}
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 10; seed++ {
		a, b := chat(seed, sc), chat(seed, sc)
		ra, rb := a.Run(time.Second), b.Run(time.Second)
		if ra.Hash != rb.Hash {
			t.Fatalf("seed %d: two runs, two hashes", seed)
		}
		d := a.PCTDemoted()
		if len(d) == 0 || len(d) > 3 || !slices.Equal(d, b.PCTDemoted()) {
			t.Fatalf("seed %d: demoted %v and %v, want the same 1..3 links", seed, d, b.PCTDemoted())
		}
		seen[fmt.Sprint(d)] = true
		if plain := chat(seed, sim.Schedule{}).Run(time.Second); plain.Hash == ra.Hash {
			t.Fatalf("seed %d: the schedule changed nothing", seed)
		}
	}
	if len(seen) < 5 {
		t.Fatalf("10 seeds demoted only %d different link sets: %v", len(seen), seen)
	}
	if d := chat(1, sim.Schedule{}).PCTDemoted(); d != nil {
		t.Fatalf("no schedule, demoted %v", d)
	}
}

// TestPCTAllocationFree: the schedule adds no allocation per message
// (the echo world allocates a little of its own: compare with it).
func TestPCTAllocationFree(t *testing.T) {
	per := func(sc sim.Schedule) float64 {
		w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return echo{} },
			Network: sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond), Schedule: sc}})
		if err != nil {
			t.Fatal(err)
		}
		w.Run(100 * time.Millisecond) // warm up: slots, queue, links
		at := w.Now()
		return testing.AllocsPerRun(20, func() {
			at += 10 * time.Millisecond
			w.Run(at)
		})
	}
	plain, pct := per(sim.Schedule{}), per(sim.Schedule{Depth: 3})
	if pct > plain {
		t.Fatalf("pct: %.0f allocations per 10ms of echo, plain %.0f", pct, plain)
	}
}

// BenchmarkMessagePassing5PCT is BenchmarkMessagePassing5 under a PCT
// schedule.
func BenchmarkMessagePassing5PCT(b *testing.B) {
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return echo{} },
		Network:   sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond), Schedule: sim.Schedule{Depth: 3}},
		MaxEvents: uint64(b.N)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if res := w.Run(1000 * time.Hour); res.Outcome != sim.OutcomeBudget {
		b.Fatalf("outcome %v", res.Outcome)
	}
}

// TestPCTEndsAtHorizon: the schedule acts in the safety phase only (its
// Horizon); from then on every message takes its link's latency alone, so
// a heal under PCT is as healthy as one without it.
func TestPCTEndsAtHorizon(t *testing.T) {
	const latency, horizon = 2 * time.Millisecond, 100 * time.Millisecond
	w, _ := sim.New(sim.Config{Seed: 7, Nodes: 3, Node: func(id nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) { env.SetTimer(3*time.Millisecond, 0) },
			timer: func(env nodes.Env, _ uint64) {
				for _, p := range env.Peers() {
					env.Send(p, 1)
				}
				env.SetTimer(3*time.Millisecond, 0)
			},
		}
	}, Network: sim.Network{Latency: sim.Const(latency), Schedule: sim.Schedule{Depth: 2, Horizon: horizon}}})
	sent := map[uint64]time.Duration{}
	var before, after, slowBefore int
	w.ObserveKinds(func(e *trace.Event) error {
		switch e.Kind {
		case trace.Send:
			sent[e.ID] = e.At
		case trace.Deliver:
			at, took := sent[e.ID], e.At-sent[e.ID]
			switch {
			case at >= horizon:
				after++
				if took != latency {
					t.Errorf("message %d sent at %v after the horizon took %v, want the latency %v", e.ID, at, took, latency)
				}
			default:
				before++
				if took > latency {
					slowBefore++
				}
			}
		}
		return nil
	}, trace.Send, trace.Deliver)
	w.Run(300 * time.Millisecond)
	if after == 0 || before == 0 || slowBefore == 0 {
		t.Fatalf("%d deliveries before the horizon (%d delayed by the schedule), %d after: want some of each", before, slowBefore, after)
	}
}
