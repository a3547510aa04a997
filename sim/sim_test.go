package sim_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// probe is a scriptable node for tests: each hook is optional.
type probe struct {
	nodes.Base
	start  func(env nodes.Env)
	msg    func(env nodes.Env, from nodes.ID, m nodes.Message)
	timer  func(env nodes.Env, tag uint64)
	synced func(env nodes.Env, tag uint64)
}

func (p *probe) Start(env nodes.Env) {
	if p.start != nil {
		p.start(env)
	}
}
func (p *probe) Message(env nodes.Env, from nodes.ID, m nodes.Message) {
	if p.msg != nil {
		p.msg(env, from, m)
	}
}
func (p *probe) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if p.timer != nil {
		p.timer(env, tag)
	}
}
func (p *probe) Synced(env nodes.Env, tag uint64) {
	if p.synced != nil {
		p.synced(env, tag)
	}
}

func world(t testing.TB, cfg sim.Config) (*sim.Sim, *sim.Recorder) {
	t.Helper()
	w, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w, sim.Record(w)
}

func count(r *sim.Recorder, k trace.Kind) int {
	n := 0
	for i := range r.Events {
		if r.Events[i].Kind == k {
			n++
		}
	}
	return n
}

func TestConfigErrors(t *testing.T) {
	f := func(nodes.ID) nodes.Node { return &probe{} }
	cases := []struct {
		name string
		cfg  sim.Config
		want string
	}{
		{"no nodes", sim.Config{Node: f}, "Nodes: need at least one node"},
		{"no factory", sim.Config{Nodes: 3}, "Node: no node factory"},
		{"negative latency", sim.Config{Nodes: 1, Node: f, Network: sim.Network{Latency: sim.Const(-time.Millisecond)}}, "Network.Latency: negative duration -1ms"},
		{"ratio above one", sim.Config{Nodes: 1, Node: f, Network: sim.Network{Drop: sim.Ratio{Num: 3, Den: 2}}}, "Network.Drop: 3/2 is not a probability"},
		{"unknown link node", sim.Config{Nodes: 2, Node: f, Network: sim.Network{Links: []sim.LinkLatency{{From: 1, To: 7, Latency: sim.Const(0)}}}}, "Network.Links[0]: unknown process in n1->n7"},
		{"clients without factory", sim.Config{Nodes: 1, Node: f, Clients: 2}, "2 clients but no client factory"},
		{"drift too big", sim.Config{Nodes: 1, Node: f, Clocks: sim.Clocks{DriftPPM: 2_000_000}}, "Clocks.DriftPPM: 2000000 is outside"},
		{"uniform inverted", sim.Config{Nodes: 1, Node: f, Network: sim.Network{Latency: sim.UniformDist(5*time.Millisecond, time.Millisecond)}}, "uniform max 1ms is below min 5ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sim.New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want error containing %q", err, c.want)
			}
		})
	}
}

func TestEventOrderAndQuiescence(t *testing.T) {
	var got []uint64
	w, _ := world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) {
				env.SetTimer(30*time.Millisecond, 3)
				env.SetTimer(10*time.Millisecond, 1)
				env.SetTimer(10*time.Millisecond, 2) // same instant: set order
				id := env.SetTimer(20*time.Millisecond, 99)
				env.CancelTimer(id)
			},
			timer: func(env nodes.Env, tag uint64) { got = append(got, tag) },
		}
	}})
	res := w.Run(time.Second)
	if res.Outcome != sim.OutcomeQuiescent {
		t.Fatalf("outcome %v, want quiescent", res.Outcome)
	}
	if want := []uint64{1, 2, 3}; !equal(got, want) {
		t.Fatalf("timers fired %v, want %v", got, want)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLivelockEndsWithBudget(t *testing.T) {
	w, _ := world(t, sim.Config{Nodes: 2, MaxEvents: 10_000, Node: func(nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) { env.SetTimer(0, 0) },
			timer: func(env nodes.Env, _ uint64) { env.SetTimer(0, 0) }, // a timer storm in zero time
		}
	}})
	res := w.Run(time.Hour)
	if res.Outcome != sim.OutcomeBudget || res.Steps != 10_000 || res.At != 0 {
		t.Fatalf("got %+v, want budget outcome after 10000 steps at t=0", res)
	}
}

func TestPanicIsAFailureNotACrash(t *testing.T) {
	w, rec := world(t, sim.Config{Seed: 7, Nodes: 3, Node: func(id nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) { env.SetTimer(5*time.Millisecond, 0) },
			timer: func(env nodes.Env, _ uint64) {
				if env.ID() == 2 {
					var m map[string]int
					m["boom"]++ // nil map write
				}
			},
		}
	}})
	res := w.Run(time.Second)
	if res.Outcome != sim.OutcomePanic || res.Failure == nil {
		t.Fatalf("outcome %v, want panic", res.Outcome)
	}
	f := res.Failure
	if f.Seed != 7 || f.Node != 2 || f.At != 5*time.Millisecond || !strings.Contains(f.Err, "nil map") || !strings.Contains(f.Stack, "sim_test.go") {
		t.Fatalf("failure lacks context: %+v", f)
	}
	if !strings.Contains(f.Error(), "seed 7") || count(rec, trace.Panic) != 1 {
		t.Fatalf("error %q / panic events %d", f.Error(), count(rec, trace.Panic))
	}
	// The world stays stopped.
	if again := w.Run(2 * time.Second); again.Outcome != sim.OutcomePanic {
		t.Fatalf("second Run: %v", again.Outcome)
	}
}

// TestSendTargets: a message to an ID that names no process of this world
// is dropped (the trace can name it); an ID nothing can name is the
// sender's bug, a panic failure at the send.
func TestSendTargets(t *testing.T) {
	for _, c := range []struct {
		to    nodes.ID
		panic bool
	}{
		{nodes.NodeID(9), false},
		{nodes.ClientID(4), false},
		{0, true},
		{-1, true},
		{nodes.ClientBase, true},
		{2 * nodes.ClientBase, true},
	} {
		w, rec := world(t, sim.Config{Seed: 3, Nodes: 2, Node: func(id nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) {
				if env.ID() == 1 {
					env.Send(c.to, "hello")
				}
			}}
		}})
		res := w.Run(time.Second)
		if c.panic {
			if res.Outcome != sim.OutcomePanic || !strings.Contains(res.Failure.Err, "invalid process id") || res.Failure.Node != 1 {
				t.Errorf("send to %d: %+v, want a panic of n1 naming the invalid id", int32(c.to), res)
			}
			continue
		}
		if res.Outcome == sim.OutcomePanic || count(rec, trace.Drop) != 1 {
			t.Errorf("send to %s: outcome %v, %d drops; want no panic and one drop", c.to, res.Outcome, count(rec, trace.Drop))
		}
	}
}

// An Env is valid only during its call: a node that keeps it and acts
// through it later — in its own later handler, another node's, or between
// handlers — panics there, naming whose Env it was, instead of sending as
// another node or corrupting another world.
func TestKeptEnvPanics(t *testing.T) {
	for _, c := range []struct {
		name string
		use  func(kept nodes.Env)
		want string
	}{
		{"send", func(kept nodes.Env) { kept.Send(2, "forged") }, "the Env of n1 was used during a handler of n2"},
		{"store", func(kept nodes.Env) { kept.Store().Write("f", []byte("x")) }, "the Env of n1 was used during a handler of n2"},
		{"timer", func(kept nodes.Env) { kept.SetTimer(time.Millisecond, 9) }, "the Env of n1 was used during a handler of n2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var kept nodes.Env
			w, _ := world(t, sim.Config{Seed: 5, Nodes: 2, Node: func(id nodes.ID) nodes.Node {
				return &probe{
					start: func(env nodes.Env) {
						if env.ID() == 1 {
							kept = env
						} else {
							env.SetTimer(time.Millisecond, 0)
						}
					},
					timer: func(env nodes.Env, _ uint64) { c.use(kept) },
				}
			}})
			res := w.Run(time.Second)
			if res.Outcome != sim.OutcomePanic || res.Failure.Node != 2 || !strings.Contains(res.Failure.Err, c.want) {
				t.Fatalf("%+v, want a panic of n2 saying %q", res, c.want)
			}
		})
	}
	// Outside any handler (a test, or another goroutine).
	var kept nodes.Env
	w, _ := world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) { kept = env }}
	}})
	w.Run(time.Millisecond)
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "the Env of n1 was used outside any handler") {
			t.Errorf("panic %v", p)
		}
	}()
	kept.Send(1, "late")
}

type Payload struct {
	Items []int
	Meta  map[string]string
}

func TestMessagesDoNotAlias(t *testing.T) {
	var received *Payload
	sent := &Payload{Items: []int{1, 2}, Meta: map[string]string{"a": "1"}}
	w, _ := world(t, sim.Config{Nodes: 2, Node: func(id nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) {
				if env.ID() == 1 {
					env.Send(2, sent)
					sent.Items[0] = 100 // mutate after send
					sent.Meta["a"] = "changed"
				}
			},
			msg: func(env nodes.Env, from nodes.ID, m nodes.Message) { received = m.(*Payload) },
		}
	}})
	w.Run(time.Second)
	if received == nil || received.Items[0] != 1 || received.Meta["a"] != "1" {
		t.Fatalf("receiver observed sender's mutation: %+v", received)
	}
	if received == sent {
		t.Fatal("receiver got the sender's pointer")
	}
}

// cut is a test rule dropping packets from a set of sources to a set of
// destinations.
type cut struct{ from, to map[nodes.ID]bool }

func (c cut) Judge(p *sim.Packet, _ *rand.Rand) sim.Verdict {
	if c.from[p.From] && c.to[p.To] {
		return sim.Verdict{Action: sim.Drop}
	}
	return sim.Verdict{}
}
func (c cut) String() string { return "cut" }

type hold struct{}

func (hold) Judge(*sim.Packet, *rand.Rand) sim.Verdict { return sim.Verdict{Action: sim.Hold} }
func (hold) String() string                            { return "clog" }

func chatty(id nodes.ID) nodes.Node {
	return &probe{
		start: func(env nodes.Env) { env.SetTimer(10*time.Millisecond, 0) },
		timer: func(env nodes.Env, _ uint64) {
			for _, p := range env.Peers() {
				env.Send(p, "hello")
			}
			env.SetTimer(10*time.Millisecond, 0)
		},
	}
}

func TestNetworkRules(t *testing.T) {
	w, rec := world(t, sim.Config{Nodes: 3, Node: chatty})
	h := w.AddRule(cut{from: map[nodes.ID]bool{1: true}, to: map[nodes.ID]bool{2: true, 3: true}})
	w.Run(time.Second)
	for _, e := range rec.Events {
		if e.Kind == trace.Deliver && e.Peer == 1 {
			t.Fatalf("a message crossed the one-way cut: %s", e.String())
		}
	}
	delivered := func() (to1 int) {
		for _, e := range rec.Events {
			if e.Kind == trace.Deliver && e.Node == 1 {
				to1++
			}
		}
		return
	}
	if delivered() == 0 {
		t.Fatal("the cut is one-way: n1 should still hear from n2 and n3")
	}
	if err := w.RemoveRule(h); err != nil {
		t.Fatal(err)
	}
	if err := w.RemoveRule(h); err == nil {
		t.Fatal("removing a rule twice should fail")
	}
	rec.Events = rec.Events[:0]
	w.Run(2 * time.Second)
	healed := 0
	for _, e := range rec.Events {
		if e.Kind == trace.Deliver && e.Peer == 1 {
			healed++
		}
	}
	if healed == 0 {
		t.Fatal("no delivery from n1 after the rule was removed")
	}
}

func TestClogHoldsThenBursts(t *testing.T) {
	w, rec := world(t, sim.Config{Nodes: 2, Node: chatty})
	h := w.AddRule(hold{})
	w.Run(500 * time.Millisecond)
	if n := count(rec, trace.Deliver); n != 0 {
		t.Fatalf("%d deliveries through a clogged network", n)
	}
	held := count(rec, trace.Hold)
	w.RemoveRule(h)
	w.Run(510 * time.Millisecond)
	if n := count(rec, trace.Deliver); n < held {
		t.Fatalf("released %d of %d held messages", n, held)
	}
}

func TestLossAndDuplication(t *testing.T) {
	w, rec := world(t, sim.Config{Seed: 3, Nodes: 2, Node: chatty, Network: sim.Network{
		Drop: sim.Ratio{Num: 1, Den: 4}, Duplicate: sim.Ratio{Num: 1, Den: 10}}})
	w.Run(20 * time.Second)
	sends, drops, dups := count(rec, trace.Send), count(rec, trace.Drop), count(rec, trace.Duplicate)
	if r := float64(drops) / float64(sends); r < 0.2 || r > 0.3 {
		t.Fatalf("drop rate %.3f, want about 1/4 (%d sends)", r, sends)
	}
	if r := float64(dups) / float64(sends-drops); r < 0.07 || r > 0.13 {
		t.Fatalf("duplicate rate %.3f, want about 1/10", r)
	}
}

func TestCrashLosesUnsyncedWritesAndRestartRecovers(t *testing.T) {
	var recovered []string
	w, rec := world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) {
			st := env.Store()
			if b, err := st.Read("log"); err == nil {
				recovered = append(recovered, string(b))
				return
			}
			st.Append("log", []byte("a"))
			st.Sync(1)
			st.Append("log", []byte("b")) // never synced
		}}
	}})
	w.Run(10 * time.Millisecond)
	if count(rec, trace.DiskSynced) != 1 {
		t.Fatal("sync did not complete")
	}
	w.Crash(1)
	w.Restart(1)
	if len(recovered) != 1 || recovered[0] != "a" {
		t.Fatalf("after crash the log reads %q, want only the synced \"a\"", recovered)
	}
}

func TestAckBeforeSyncIsObservable(t *testing.T) {
	// A write acknowledged before its sync completes is lost by a crash
	// that lands in between.
	w, _ := world(t, sim.Config{Nodes: 1, Disk: sim.Disk{SyncLatency: sim.Const(5 * time.Millisecond)},
		Node: func(nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) {
				if _, err := env.Store().Read("x"); err == nil {
					t.Fatal("an unsynced write survived the crash")
				}
				env.Store().Write("x", []byte("acked"))
				env.Store().Sync(1)
			}}
		}})
	w.Run(2 * time.Millisecond)
	w.Crash(1)
	w.Restart(1)
	if _, ok := w.DurableFiles(1)["x"]; ok {
		t.Fatal("x is durable before its sync completed")
	}
}

func TestTornWriteAndBitFlip(t *testing.T) {
	var reads [][]byte
	w, rec := world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) {
			b, err := env.Store().Read("f")
			if err == nil {
				reads = append(reads, b)
				return
			}
			env.Store().Append("f", []byte("0123456789"))
		}}
	}})
	w.SetDiskFaults(1, sim.DiskFaults{Tear: sim.Always})
	w.Run(time.Millisecond / 2)
	w.Crash(1)
	w.Restart(1)
	if len(reads) != 1 || len(reads[0]) >= 10 || string(reads[0]) != "0123456789"[:len(reads[0])] {
		t.Fatalf("torn write left %q, want a strict prefix", reads)
	}
	if count(rec, trace.DiskFault) < 1 {
		t.Fatal("no disk-fault event")
	}
	w2, _ := world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) {
			env.Store().Write("g", []byte{0, 0, 0, 0})
			b, _ := env.Store().Read("g")
			reads = append(reads, b)
		}}
	}})
	w2.SetDiskFaults(1, sim.DiskFaults{Flip: sim.Always})
	w2.Run(time.Millisecond)
	last := reads[len(reads)-1]
	ones := 0
	for _, b := range last {
		for ; b != 0; b &= b - 1 {
			ones++
		}
	}
	if ones != 1 {
		t.Fatalf("flip fault changed %d bits, want 1 (%v)", ones, last)
	}
}

func TestPauseDefersAndResumeDelivers(t *testing.T) {
	var got []time.Duration
	var w *sim.Sim
	w, _ = world(t, sim.Config{Nodes: 2, Node: func(id nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) {
				if env.ID() == 1 {
					env.SetTimer(10*time.Millisecond, 0)
				}
			},
			timer: func(env nodes.Env, _ uint64) { env.Send(2, "x") },
			msg:   func(env nodes.Env, _ nodes.ID, _ nodes.Message) { got = append(got, w.Now()) },
		}
	}})
	w.Start()
	w.Pause(2)
	w.Run(100 * time.Millisecond)
	if len(got) != 0 {
		t.Fatal("a paused node handled a message")
	}
	w.Resume(2)
	w.Run(200 * time.Millisecond)
	if len(got) != 1 || got[0] != 100*time.Millisecond {
		t.Fatalf("deliveries at %v, want one at resume (100ms)", got)
	}
}

func TestClocks(t *testing.T) {
	var fired time.Duration
	var w *sim.Sim
	w, _ = world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) { env.SetTimer(time.Second, 0) },
			timer: func(env nodes.Env, _ uint64) { fired = w.Now() },
		}
	}})
	w.Start()
	// +10% drift: the timer's second of local time passes in ~909ms.
	if err := w.SetDrift(1, 100_000); err != nil {
		t.Fatal(err)
	}
	before := w.MonotonicClock(1)
	wallBefore := w.WallClock(1)
	w.Run(500 * time.Millisecond)
	w.JumpClock(1, -10*time.Second)
	if !w.WallClock(1).Before(wallBefore) {
		t.Fatal("a backward jump did not move the wall clock back")
	}
	if w.MonotonicClock(1) < before {
		t.Fatal("the monotonic clock went back")
	}
	w.Run(2 * time.Second)
	if fired < 909*time.Millisecond || fired > 910*time.Millisecond {
		t.Fatalf("timer fired at %v, want ≈909ms under +10%% drift", fired)
	}
	if err := w.SetDrift(1, 900_000); err == nil {
		t.Fatal("absurd drift accepted")
	}
}

func TestObserverViolationStopsAtEvent(t *testing.T) {
	w, rec := world(t, sim.Config{Nodes: 3, Node: chatty})
	w.Observe(func(e *trace.Event) error {
		if e.Kind == trace.Deliver && e.At >= 50*time.Millisecond {
			return errors.New("too late")
		}
		return nil
	})
	res := w.Run(time.Second)
	if res.Outcome != sim.OutcomeViolation || res.At != 50*time.Millisecond+time.Millisecond {
		t.Fatalf("got %v at %v", res.Outcome, res.At)
	}
	if last := rec.Events[len(rec.Events)-1]; last.Kind != trace.Violation {
		t.Fatalf("last event %s, want the violation", last.String())
	}
}

func TestObserveKinds(t *testing.T) {
	w, rec := world(t, sim.Config{Nodes: 3, Node: chatty})
	var order []string
	var sends, delivers, all int
	w.ObserveKinds(func(e *trace.Event) error {
		sends++
		order = append(order, "send")
		return nil
	}, trace.Send, trace.Send) // a kind named twice is observed once
	w.Observe(func(e *trace.Event) error {
		all++
		if e.Kind == trace.Send {
			order = append(order, "all")
		}
		return nil
	})
	w.ObserveKinds(func(e *trace.Event) error {
		if e.Kind != trace.Deliver {
			t.Errorf("a Deliver observer saw %s", e.Kind)
		}
		delivers++
		return nil
	}, trace.Deliver)
	w.Run(100 * time.Millisecond)
	if want := count(rec, trace.Send); sends != want || want == 0 {
		t.Errorf("the Send observer saw %d events, want %d", sends, want)
	}
	if want := count(rec, trace.Deliver); delivers != want || want == 0 {
		t.Errorf("the Deliver observer saw %d events, want %d", delivers, want)
	}
	if all != len(rec.Events) {
		t.Errorf("the observer of every kind saw %d events, want %d", all, len(rec.Events))
	}
	for i := 0; i+1 < len(order); i += 2 {
		if order[i] != "send" || order[i+1] != "all" {
			t.Fatalf("observers of a Send ran as %v, want in the order added", order[i:i+2])
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("ObserveKinds(KindNone) did not panic")
		}
	}()
	w.ObserveKinds(func(*trace.Event) error { return nil }, trace.KindNone)
}

func TestStreamsAreIndependent(t *testing.T) {
	a := sim.NewStream(1, "network")
	b := sim.NewStream(1, "network")
	c := sim.NewStream(1, "disk")
	for i := 0; i < 100; i++ {
		x, y := a.Uint64(), b.Uint64()
		if x != y {
			t.Fatal("same stream differs")
		}
		if x == c.Uint64() {
			t.Fatal("different streams agree")
		}
	}
}

func TestRatioAndDistParse(t *testing.T) {
	for _, s := range []string{"1/100", "0", "1", "3/7"} {
		r, err := sim.ParseRatio(s)
		if err != nil {
			t.Fatal(err)
		}
		back, _ := sim.ParseRatio(r.String())
		if back != r {
			t.Fatalf("%q round-trips to %v", s, back)
		}
	}
	for _, s := range []string{"2/1", "1/0", "x", "-1/3"} {
		if _, err := sim.ParseRatio(s); err == nil {
			t.Fatalf("ParseRatio(%q) accepted", s)
		}
	}
	for _, s := range []string{"5ms", "uniform(1ms, 10ms)", "pareto(1ms, 1.5, 500ms)"} {
		d, err := sim.ParseDist(s)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != s {
			t.Fatalf("%q prints as %q", s, d.String())
		}
	}
	for _, s := range []string{"-5ms", "uniform(5ms)", "pareto(1ms, 0, 1s)", "gauss(1ms)", "uniform(2ms, 1ms)"} {
		if _, err := sim.ParseDist(s); err == nil {
			t.Fatalf("ParseDist(%q) accepted", s)
		}
	}
}

func FuzzParseDist(f *testing.F) {
	for _, s := range []string{"5ms", "uniform(1ms, 10ms)", "pareto(1ms, 1.5, 500ms)", "const(2s)", "("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := sim.ParseDist(s)
		if err != nil {
			return
		}
		back, err := sim.ParseDist(d.String())
		if err != nil || back != d {
			t.Fatalf("%q -> %v -> %v, %v", s, d, back, err)
		}
	})
}

func FuzzParseRatio(f *testing.F) {
	for _, s := range []string{"1/100", "0", "1", "7/7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := sim.ParseRatio(s)
		if err != nil {
			return
		}
		if !r.Valid() {
			t.Fatalf("%q parsed to invalid %v", s, r)
		}
		back, err := sim.ParseRatio(r.String())
		if err != nil || back != r {
			t.Fatalf("%q -> %v -> %v", s, r, back)
		}
	})
}

func TestProbes(t *testing.T) {
	w, rec := world(t, sim.Config{Nodes: 2, Node: func(nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) {
			env.Reached("started")
			env.Sometimes(env.ID() == 2, "second node")
			env.Sometimes(false, "never")
		}}
	}})
	w.Run(time.Millisecond)
	got := w.Probes()
	if got["started"] != 2 || got["second node"] != 1 || got["never"] != 0 {
		t.Fatalf("probes %v", got)
	}
	if _, ok := got["never"]; !ok {
		t.Fatal("a declared probe that never fired is missing")
	}
	marks := 0
	for _, e := range rec.Events {
		if e.MarkType() == trace.MarkProbe {
			marks++
		}
	}
	if marks != 2 {
		t.Fatalf("%d probe marks in the trace, want one per probe reached", marks)
	}
}

// A node that asks for "forever" gets a timer that never fires, under any
// drift, and the run still ends at its deadline.
func TestHugeTimersNeverFire(t *testing.T) {
	fired := false
	var first nodes.TimerID
	w, _ := world(t, sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) {
				first = env.SetTimer(time.Duration(1<<63-1), 0)
				env.SetTimer(200*365*24*time.Hour, 1)
			},
			timer: func(nodes.Env, uint64) { fired = true },
		}
	}})
	w.Start()
	w.SetDrift(1, -500_000)
	if res := w.Run(10 * time.Second); res.Outcome == sim.OutcomeBudget || res.At != 10*time.Second {
		t.Fatalf("%+v", res)
	}
	if fired {
		t.Fatal("a timer set for centuries fired")
	}
	if first == 0 {
		t.Fatal("the first TimerID is zero")
	}
}

func TestPeersIsPrivate(t *testing.T) {
	w, _ := world(t, sim.Config{Nodes: 3, Clients: 1,
		Node: func(nodes.ID) nodes.Node { return &probe{} },
		Client: func(nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) {
				p := env.Peers()
				p[0], p[2] = p[2], p[0] // a client that shuffles its list
			}}
		}})
	w.Run(time.Millisecond)
	if s := w.Servers(); s[0] != 1 || s[2] != 3 {
		t.Fatalf("a client's shuffle changed the simulator's server list: %v", s)
	}
}

// Work deferred by a pause runs at the resume before anything else due
// at that instant, in arrival order.
func TestResumeRunsDeferredWorkFirst(t *testing.T) {
	var got []string
	var w *sim.Sim
	w, _ = world(t, sim.Config{Nodes: 3, Network: sim.Network{Latency: sim.Const(10 * time.Millisecond)},
		Node: func(id nodes.ID) nodes.Node {
			return &probe{
				start: func(env nodes.Env) {
					switch env.ID() {
					case 1:
						env.Send(3, "early") // arrives at 10ms, while n3 is paused
					case 2:
						env.SetTimer(10*time.Millisecond, 0)
					}
				},
				timer: func(env nodes.Env, _ uint64) { env.Send(3, "late") }, // arrives at 20ms
				msg:   func(env nodes.Env, _ nodes.ID, m nodes.Message) { got = append(got, m.(string)) },
			}
		}})
	w.Start()
	w.Pause(3)
	w.At(20*time.Millisecond, func() { w.Resume(3) })
	w.Run(time.Second)
	if len(got) != 2 || got[0] != "early" || got[1] != "late" {
		t.Fatalf("delivered %v, want [early late]", got)
	}
}
