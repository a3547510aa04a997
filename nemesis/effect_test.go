package nemesis

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// The effect tests prove that each fault kind does what it says in the
// simulator, with a tiny protocol: every server pings its peers every
// 10ms of its own clock and answers pings with pongs. It also keeps a
// durable "base" file, appends 64 unsynced bytes to "log" at every tick,
// and reads "base" back to detect flipped bits.

type pingMsg struct{ N int }
type pongMsg struct{ N int }

type probe struct {
	starts  map[nodes.ID]int
	corrupt map[nodes.ID]int
	reads   map[nodes.ID]int
	leader  nodes.ID // the server that reports leadership (0: none)
	report  bool     // whether nodes implement LeaderReporter at all
}

type pinger struct {
	nodes.Base
	p    *probe
	id   nodes.ID
	tick int
}

// leaderPinger is a pinger that reports leadership.
type leaderPinger struct{ *pinger }

func (l leaderPinger) IsLeader() bool { return l.id == l.p.leader }

var baseData = []byte("hello, durable world")

func (n *pinger) Start(env nodes.Env) {
	n.p.starts[n.id]++
	if _, err := env.Store().Read("base"); err != nil {
		env.Store().Write("base", baseData)
		env.Store().Sync(1)
	}
	env.SetTimer(10*time.Millisecond, 0)
}

func (n *pinger) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	n.tick++
	for _, peer := range env.Peers() {
		env.Send(peer, pingMsg{n.tick})
	}
	env.Store().Append("log", bytes.Repeat([]byte{byte('a' + n.tick%26)}, 64))
	if b, err := env.Store().Read("base"); err == nil {
		n.p.reads[n.id]++
		if !bytes.Equal(b, baseData) {
			n.p.corrupt[n.id]++
		}
	}
	env.SetTimer(10*time.Millisecond, 0)
}

func (n *pinger) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if m, ok := msg.(pingMsg); ok {
		env.Send(from, pongMsg(m))
	}
}

type harness struct {
	t   *testing.T
	w   *sim.Sim
	p   *probe
	rec *sim.Recorder
}

type hopt struct {
	nodes   int
	leader  nodes.ID
	report  bool
	network sim.Network
	disk    sim.Disk
	clocks  sim.Clocks
	seed    uint64
}

func newHarness(t *testing.T, o hopt) *harness {
	t.Helper()
	if o.nodes == 0 {
		o.nodes = 5
	}
	if o.seed == 0 {
		o.seed = 1
	}
	p := &probe{starts: map[nodes.ID]int{}, corrupt: map[nodes.ID]int{}, reads: map[nodes.ID]int{}, leader: o.leader, report: o.report}
	w, err := sim.New(sim.Config{
		Seed:  o.seed,
		Nodes: o.nodes,
		Node: func(id nodes.ID) nodes.Node {
			n := &pinger{p: p, id: id}
			if p.report {
				return leaderPinger{n}
			}
			return n
		},
		Network: o.network,
		Disk:    o.disk,
		Clocks:  o.clocks,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, w: w, p: p, rec: sim.Record(w)}
}

// apply parses and applies a fault now, drawing from the nemesis stream.
func (h *harness) apply(text string) *Active {
	h.t.Helper()
	a, err := Apply(h.w, MustParse(text), Stream(h.w.Seed(), "test"))
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

func (h *harness) run(until time.Duration) {
	h.t.Helper()
	if r := h.w.Run(until); r.Failure != nil {
		h.t.Fatal(r.Failure)
	}
}

// events returns the recorded events of kind k in [from, to).
func (h *harness) events(k trace.Kind, from, to time.Duration) []trace.Event {
	var out []trace.Event
	for _, e := range h.rec.Events {
		if e.Kind == k && e.At >= from && e.At < to {
			out = append(out, e)
		}
	}
	return out
}

// fate maps each message sent in [from, to) to what became of it.
type fate struct {
	send      trace.Event
	delivered []time.Duration
	dropped   string
	held      bool
}

// Windows are open at from: events at the instant a fault was applied
// happened before it.
func (h *harness) fates(from, to time.Duration) map[uint64]*fate {
	fs := map[uint64]*fate{}
	for _, e := range h.rec.Events {
		switch e.Kind {
		case trace.Send:
			if e.At > from && e.At < to && !e.Peer.IsClient() {
				fs[e.ID] = &fate{send: e}
			}
		case trace.Duplicate:
			// A copy's fate is folded into the original's.
			if f := fs[uint64(e.Num)]; f != nil {
				fs[e.ID] = f
			}
		case trace.Deliver:
			if f := fs[e.ID]; f != nil {
				f.delivered = append(f.delivered, e.At)
			}
		case trace.Drop:
			if f := fs[e.ID]; f != nil {
				f.dropped = e.Note
			}
		case trace.Hold:
			if f := fs[e.ID]; f != nil {
				f.held = true
			}
		}
	}
	// Keep each message once, under its own ID.
	for id, f := range fs {
		if f.send.ID != id {
			delete(fs, id)
		}
	}
	return fs
}

func crossed(group []int, a, b nodes.ID) bool { return group[a] != group[b] }

// groupsOf parses a resolution such as "n1,n3|n2,n4,n5" into group indices.
func groupsOf(t *testing.T, n int, resolved string) []int {
	t.Helper()
	g := make([]int, n+1)
	gi := 0
	for _, part := range bytes.Split([]byte(resolved), []byte("|")) {
		gi++
		ids, err := parseIDs(string(part))
		if err != nil {
			t.Fatalf("resolution %q: %v", resolved, err)
		}
		for _, id := range ids {
			g[id] = gi
		}
	}
	return g
}

func TestPartitionNoMessageCrossesTheCut(t *testing.T) {
	for _, text := range []string{"partition majority", "partition minority", "partition halves", "partition n1,n2|n3"} {
		t.Run(text, func(t *testing.T) {
			h := newHarness(t, hopt{})
			h.run(100 * time.Millisecond)
			a := h.apply(text)
			resolved := a.Plan.Resolved
			if resolved == "" {
				resolved = "n1,n2|n3|n4,n5"
			}
			group := groupsOf(t, 5, resolved)
			h.run(300 * time.Millisecond)
			a.Stop()
			h.run(400 * time.Millisecond)
			var crossing, dropped, within, healed int
			for _, f := range h.fates(100*time.Millisecond, 300*time.Millisecond) {
				if crossed(group, f.send.Node, f.send.Peer) {
					crossing++
					if len(f.delivered) > 0 {
						t.Errorf("message %v crossed the cut", f.send.String())
					}
					if f.dropped == text {
						dropped++
					}
				} else if len(f.delivered) == 1 {
					within++
				}
			}
			for _, f := range h.fates(300*time.Millisecond, 390*time.Millisecond) {
				if crossed(group, f.send.Node, f.send.Peer) && len(f.delivered) == 1 {
					healed++
				}
			}
			if crossing == 0 || dropped != crossing || within == 0 || healed == 0 {
				t.Errorf("crossing %d, dropped by the rule %d, delivered within sides %d, across after stop %d", crossing, dropped, within, healed)
			}
		})
	}
}

// delivered counts deliveries on each directed link of messages sent in
// [from, to).
func (h *harness) delivered(from, to time.Duration) map[Link]int {
	out := map[Link]int{}
	for _, f := range h.fates(from, to) {
		out[Link{f.send.Node, f.send.Peer}] += len(f.delivered)
	}
	return out
}

func TestIsolateBridgeRing(t *testing.T) {
	cases := []struct {
		text string
		// connected reports whether a and b may still talk, given the
		// plan's resolution.
		check func(t *testing.T, p *Plan, d map[Link]int)
	}{
		{"isolate n2", func(t *testing.T, p *Plan, d map[Link]int) {
			for l, c := range d {
				if (l.From == 2 || l.To == 2) && c > 0 {
					t.Errorf("%v delivered %d", l, c)
				}
			}
		}},
		{"bridge", func(t *testing.T, p *Plan, d map[Link]int) {
			// Resolution: A|B via b.
			parts := strings.Fields(p.Resolved)
			if len(parts) != 3 || parts[1] != "via" {
				t.Fatalf("bad bridge resolution %q", p.Resolved)
			}
			group := groupsOf(t, 5, parts[0])
			bridge, _ := nodes.ParseID(parts[2])
			for a := nodes.ID(1); a <= 5; a++ {
				for b := nodes.ID(1); b <= 5; b++ {
					if a == b {
						continue
					}
					cut := a != bridge && b != bridge && group[a] != group[b]
					if got := d[Link{a, b}] > 0; got == cut {
						t.Errorf("%v->%v: delivered %d, cut %v", a, b, d[Link{a, b}], cut)
					}
				}
			}
		}},
		{"ring", func(t *testing.T, p *Plan, d map[Link]int) {
			for a := nodes.ID(1); a <= 5; a++ {
				peers := 0
				for b := nodes.ID(1); b <= 5; b++ {
					if d[Link{b, a}] > 0 {
						peers++
					}
				}
				if peers != 2 {
					t.Errorf("%v hears from %d peers in a ring of 5, want 2 (%s)", a, peers, p.Resolved)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			h := newHarness(t, hopt{})
			h.run(50 * time.Millisecond)
			a := h.apply(c.text)
			h.run(250 * time.Millisecond)
			a.Stop()
			c.check(t, a.Plan, h.delivered(50*time.Millisecond, 240*time.Millisecond))
		})
	}
}

func TestIsolateLeader(t *testing.T) {
	h := newHarness(t, hopt{leader: 3, report: true})
	h.run(50 * time.Millisecond)
	a := h.apply("isolate leader")
	if a.Plan.Resolved != "n3" || a.Plan.Node != 3 {
		t.Errorf("isolate leader resolved to %q (node %v), want n3", a.Plan.Resolved, a.Plan.Node)
	}
	a.Stop()

	h = newHarness(t, hopt{report: true}) // nobody is leader
	h.run(50 * time.Millisecond)
	if _, err := Apply(h.w, MustParse("isolate leader"), Stream(1, "test")); err == nil || !bytes.Contains([]byte(err.Error()), []byte("no node is leader")) {
		t.Errorf("isolate leader without a leader: err = %v", err)
	}
	h = newHarness(t, hopt{}) // the protocol does not report
	h.run(50 * time.Millisecond)
	if _, err := Apply(h.w, MustParse("crash leader"), Stream(1, "test")); err == nil || !bytes.Contains([]byte(err.Error()), []byte("LeaderReporter")) {
		t.Errorf("crash leader on a protocol without LeaderReporter: err = %v", err)
	}
}

func TestCutIsOneWay(t *testing.T) {
	h := newHarness(t, hopt{})
	a := h.apply("cut n1->n3")
	h.run(200 * time.Millisecond)
	a.Stop()
	d := h.delivered(0, 190*time.Millisecond)
	if d[Link{1, 3}] != 0 {
		t.Errorf("n1->n3 delivered %d messages through a cut", d[Link{1, 3}])
	}
	if d[Link{3, 1}] == 0 || d[Link{1, 2}] == 0 {
		t.Errorf("n3->n1 delivered %d, n1->n2 %d: only n1->n3 should be cut", d[Link{3, 1}], d[Link{1, 2}])
	}
}

func TestClogHoldsThenBursts(t *testing.T) {
	h := newHarness(t, hopt{})
	h.run(50 * time.Millisecond)
	a := h.apply("clog n1->n2")
	h.run(250 * time.Millisecond)
	held := 0
	for _, f := range h.fates(50*time.Millisecond, 250*time.Millisecond) {
		if f.send.Node != 1 || f.send.Peer != 2 {
			continue
		}
		if !f.held || len(f.delivered) > 0 {
			t.Fatalf("message %v: held %v, delivered %v during the clog", f.send.String(), f.held, f.delivered)
		}
		held++
	}
	a.Stop()
	h.run(300 * time.Millisecond)
	burst := 0
	for _, f := range h.fates(50*time.Millisecond, 250*time.Millisecond) {
		if f.send.Node == 1 && f.send.Peer == 2 && len(f.delivered) == 1 && f.delivered[0] <= 250*time.Millisecond+2*time.Millisecond {
			burst++
		}
	}
	if held < 10 || burst != held {
		t.Errorf("held %d messages, %d delivered in the burst after the clog", held, burst)
	}
}

func TestDropRatio(t *testing.T) {
	h := newHarness(t, hopt{})
	a := h.apply("drop 1/4 n1->n2")
	h.run(20 * time.Second)
	a.Stop()
	var sent, dropped int
	for _, f := range h.fates(0, 20*time.Second) {
		if f.send.Node == 1 && f.send.Peer == 2 {
			sent++
			if f.dropped == "drop 1/4 n1->n2" {
				dropped++
			}
		} else if f.dropped != "" {
			t.Fatalf("%v dropped on a link the fault does not select", f.send.String())
		}
	}
	ratio := float64(dropped) / float64(sent)
	if sent < 1500 || ratio < 0.22 || ratio > 0.28 {
		t.Errorf("dropped %d of %d (%.3f), want about 1/4", dropped, sent, ratio)
	}
}

func TestDelayDuplicateReorder(t *testing.T) {
	t.Run("delay", func(t *testing.T) {
		h := newHarness(t, hopt{})
		a := h.apply("delay 50ms..60ms n1->n2")
		h.run(300 * time.Millisecond)
		a.Stop()
		n := 0
		for _, f := range h.fates(0, 200*time.Millisecond) {
			if len(f.delivered) != 1 {
				continue
			}
			lat := f.delivered[0] - f.send.At
			slow := f.send.Node == 1 && f.send.Peer == 2
			if slow && (lat < 51*time.Millisecond || lat > 61*time.Millisecond) || !slow && lat != time.Millisecond {
				t.Errorf("%v took %v", f.send.String(), lat)
			}
			if slow {
				n++
			}
		}
		if n == 0 {
			t.Error("nothing delayed")
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		h := newHarness(t, hopt{})
		a := h.apply("duplicate 1 n1->n2")
		h.run(200 * time.Millisecond)
		a.Stop()
		twice := 0
		for _, f := range h.fates(0, 190*time.Millisecond) {
			want := 1
			if f.send.Node == 1 && f.send.Peer == 2 {
				want = 2
				twice++
			}
			if len(f.delivered) != want {
				t.Errorf("%v delivered %d times, want %d", f.send.String(), len(f.delivered), want)
			}
		}
		if twice < 30 {
			t.Errorf("only %d messages on n1->n2", twice)
		}
	})
	t.Run("reorder", func(t *testing.T) {
		h := newHarness(t, hopt{})
		a := h.apply("reorder 1/2 50ms n1->n2")
		h.run(time.Second)
		a.Stop()
		// Deliveries on n1->n2 in arrival order; count inversions of send order.
		var order []uint64
		for _, e := range h.events(trace.Deliver, 0, time.Second) {
			if e.Peer == 1 && e.Node == 2 {
				order = append(order, e.ID)
			}
		}
		inv := 0
		for i := 1; i < len(order); i++ {
			if order[i] < order[i-1] {
				inv++
			}
		}
		if inv < 10 {
			t.Errorf("%d inversions among %d deliveries", inv, len(order))
		}
	})
}

func TestClockFaults(t *testing.T) {
	t.Run("clock-jump backwards", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(time.Second)
		wall0, mono0 := h.w.WallClock(2), h.w.MonotonicClock(2)
		a := h.apply("clock-jump n2 -300ms")
		wall1, mono1 := h.w.WallClock(2), h.w.MonotonicClock(2)
		if !wall1.Before(wall0) || wall0.Sub(wall1) != 300*time.Millisecond {
			t.Errorf("wall clock %v -> %v, want 300ms earlier", wall0, wall1)
		}
		if mono1 < mono0 {
			t.Errorf("monotonic clock went back: %v -> %v", mono0, mono1)
		}
		h.run(2 * time.Second)
		if m := h.w.MonotonicClock(2); m != mono1+time.Second {
			t.Errorf("monotonic advanced %v in 1s", m-mono1)
		}
		a.Stop()
		if off, _ := h.w.Clock(2); off != 0 {
			t.Errorf("offset %v after the jump stopped, want 0", off)
		}
	})
	t.Run("skew", func(t *testing.T) {
		h := newHarness(t, hopt{})
		a := h.apply("skew minority +2s")
		for _, id := range h.w.Servers() {
			off, _ := h.w.Clock(id)
			hit := bytesContainsID(a.Plan.Resolved, id)
			if hit && off != 2*time.Second || !hit && off != 0 {
				t.Errorf("%v: offset %v (skewed: %s)", id, off, a.Plan.Resolved)
			}
		}
		a.Stop()
		for _, id := range h.w.Servers() {
			if off, _ := h.w.Clock(id); off != 0 {
				t.Errorf("%v: offset %v after stop", id, off)
			}
		}
	})
	t.Run("drift makes timers fire early", func(t *testing.T) {
		h := newHarness(t, hopt{})
		a := h.apply("drift n1 +100000ppm")
		h.run(time.Second)
		a.Stop()
		timers := map[nodes.ID]int{}
		for _, e := range h.events(trace.Timer, 0, time.Second) {
			timers[e.Node]++
		}
		if timers[1] < 108 || timers[2] > 100 {
			t.Errorf("timers in 1s: fast n1 %d, normal n2 %d (want about 110 and 100)", timers[1], timers[2])
		}
	})
	t.Run("strobe", func(t *testing.T) {
		h := newHarness(t, hopt{})
		a := h.apply("strobe n3 100ms 10ms")
		var offs []time.Duration
		for i := 0; i < 6; i++ {
			off, _ := h.w.Clock(3)
			offs = append(offs, off)
			h.run(h.w.Now() + 10*time.Millisecond)
		}
		a.Stop()
		want := []time.Duration{100 * time.Millisecond, 0, 100 * time.Millisecond, 0, 100 * time.Millisecond, 0}
		if !slices.Equal(offs, want) {
			t.Errorf("offsets %v, want %v", offs, want)
		}
		h.run(h.w.Now() + 100*time.Millisecond)
		if off, _ := h.w.Clock(3); off != 0 {
			t.Errorf("offset %v after the strobe stopped", off)
		}
	})
	t.Run("clock-reset", func(t *testing.T) {
		h := newHarness(t, hopt{clocks: sim.Clocks{Skew: time.Second, DriftPPM: 1000}})
		h.apply("clock-reset")
		for _, id := range h.w.Servers() {
			if off, ppm := h.w.Clock(id); off != 0 || ppm != 0 {
				t.Errorf("%v: offset %v drift %d after clock-reset", id, off, ppm)
			}
		}
	})
}

func bytesContainsID(list string, id nodes.ID) bool {
	ids, _ := parseIDs(list)
	return slices.Contains(ids, id)
}

func TestProcessFaults(t *testing.T) {
	t.Run("crash and restart", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(100 * time.Millisecond)
		a := h.apply("crash n2")
		if h.w.IsUp(2) {
			t.Fatal("n2 is up after crash")
		}
		h.run(200 * time.Millisecond)
		if n := len(h.events(trace.Deliver, 101*time.Millisecond, 200*time.Millisecond)); n == 0 {
			t.Fatal("nothing delivered while n2 was down")
		}
		for _, e := range h.events(trace.Deliver, 101*time.Millisecond, 200*time.Millisecond) {
			if e.Node == 2 {
				t.Errorf("crashed n2 got %v", e.String())
			}
		}
		a.Stop()
		if !h.w.IsUp(2) || h.p.starts[2] != 2 {
			t.Errorf("after stop: up %v, Start called %d times (want 2)", h.w.IsUp(2), h.p.starts[2])
		}
		h.apply("crash n2")
		h.apply("restart n2")
		if h.p.starts[2] != 3 {
			t.Errorf("restart: Start called %d times, want 3", h.p.starts[2])
		}
	})
	t.Run("crash-loop", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(time.Millisecond)
		a := h.apply("crash-loop n3 100ms")
		h.run(time.Second)
		a.Stop()
		crashes := 0
		for _, e := range h.events(trace.Crash, 0, time.Second) {
			if e.Node == 3 {
				crashes++
			}
		}
		if crashes != 5 || !h.w.IsUp(3) || h.p.starts[3] != 6 {
			t.Errorf("crashes %d (want 5), up %v, starts %d (want 6)", crashes, h.w.IsUp(3), h.p.starts[3])
		}
	})
	t.Run("pause defers delivery", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(100 * time.Millisecond)
		a := h.apply("pause n4")
		h.run(300 * time.Millisecond)
		for _, e := range h.rec.Events {
			if e.Node == 4 && e.At > 100*time.Millisecond && (e.Kind == trace.Deliver || e.Kind == trace.Timer) {
				t.Fatalf("paused n4: %v", e.String())
			}
		}
		a.Stop()
		h.run(300 * time.Millisecond)
		deferred := 0
		for _, e := range h.events(trace.Deliver, 300*time.Millisecond, 301*time.Millisecond) {
			if e.Node == 4 {
				deferred++
			}
		}
		if deferred < 40 || h.p.starts[4] != 1 {
			t.Errorf("%d deferred deliveries at resume; starts %d (a pause is not a restart)", deferred, h.p.starts[4])
		}
	})
}

func TestDiskFaults(t *testing.T) {
	t.Run("disk-lose", func(t *testing.T) {
		// A world whose crashes keep unsynced writes: disk-lose still loses them.
		h := newHarness(t, hopt{disk: sim.Disk{KeepUnsyncedOnCrash: true}})
		h.run(100 * time.Millisecond)
		a := h.apply("disk-lose n1")
		files := h.w.DurableFiles(1)
		if !bytes.Equal(files["base"], baseData) || len(files["log"]) != 0 {
			t.Errorf("after disk-lose: base %q, log %d bytes (want the synced base, no log)", files["base"], len(files["log"]))
		}
		a.Stop()
		if !h.w.IsUp(1) || h.w.DiskFaultsOf(1) != (sim.DiskFaults{}) {
			t.Errorf("after stop: up %v, faults %+v", h.w.IsUp(1), h.w.DiskFaultsOf(1))
		}
		// A plain crash in the same world keeps them.
		h.run(200 * time.Millisecond)
		h.apply("crash n2")
		if len(h.w.DurableFiles(2)["log"]) == 0 {
			t.Error("a crash in a world that keeps unsynced writes lost them")
		}
	})
	t.Run("disk-tear", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(100 * time.Millisecond)
		h.apply("disk-tear n1 1")
		log := h.w.DurableFiles(1)["log"]
		torn := false
		for _, e := range h.events(trace.DiskFault, 0, time.Second) {
			torn = torn || e.Node == 1 && e.Note == "torn"
		}
		if !torn || len(log) >= 64 || !bytes.Equal(log, bytes.Repeat([]byte{'b'}, len(log))) {
			t.Errorf("torn %v, durable log %q: want a strict prefix of the first unsynced append", torn, log)
		}
	})
	t.Run("disk-flip", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(time.Millisecond)
		a := h.apply("disk-flip n2 1")
		h.run(200 * time.Millisecond)
		a.Stop()
		reads := h.p.reads[2]
		h.run(400 * time.Millisecond)
		if h.p.corrupt[2] != reads || reads < 15 || h.p.corrupt[1] != 0 {
			t.Errorf("n2: %d of %d reads corrupt while armed, %d after; n1 corrupt %d", h.p.corrupt[2], reads, h.p.reads[2]-reads, h.p.corrupt[1])
		}
	})
}
