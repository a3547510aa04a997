package nemesis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

func mustSchedule(t *testing.T, text string) Schedule {
	t.Helper()
	s, err := ParseSchedule(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// nemesisEvents renders the fault and mark events of a run, one per line.
func (h *harness) nemesisEvents() string {
	var b strings.Builder
	for _, e := range h.rec.Events {
		switch e.Kind {
		case trace.FaultStart, trace.FaultStop, trace.Mark:
			fmt.Fprintf(&b, "%v %s %s %s %q\n", e.At, e.Kind, e.Node, e.Type, e.Text)
		}
	}
	return b.String()
}

func TestInstallTraceAndHeal(t *testing.T) {
	h := newHarness(t, hopt{clocks: sim.Clocks{Skew: 100 * time.Millisecond, DriftPPM: 100}})
	sched := mustSchedule(t, `
at 100ms for 200ms: partition n1
at 150ms: crash n3
at 200ms: clock-jump n4 -300ms
at 250ms: drop 1/2 n4->n5
at 300ms: pause n5
at 350ms: disk-flip n4 1/10
at 400ms: delay 10ms n1->n2
at 450ms: drift n2 +1000ppm
`)
	nm, err := Install(h.w, sched, Options{HealAt: time.Second, Quiet: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h.run(nm.End())
	got := h.nemesisEvents()
	want := `100ms fault-start - partition "partition n1"
150ms fault-start n3 crash "crash n3"
200ms fault-start n4 clock-jump "clock-jump n4 -300ms"
250ms fault-start - drop "drop 1/2 n4->n5"
300ms fault-stop - partition "partition n1"
300ms fault-start n5 pause "pause n5"
350ms mark - nemesis-skip "disk-flip n4 1/10: would leave 5 of 5 servers down (budget 2)"
400ms fault-start - delay "delay 10ms n1->n2"
450ms fault-start n2 drift "drift n2 +1000ppm"
1s mark - phase "heal"
1s fault-stop n2 drift "drift n2 +1000ppm"
1s fault-stop - delay "delay 10ms n1->n2"
1s fault-stop n5 pause "pause n5"
1s fault-stop - drop "drop 1/2 n4->n5"
1s fault-stop n4 clock-jump "clock-jump n4 -300ms"
1s fault-stop n3 crash "crash n3"
1.5s mark - phase "quiet period over"
`
	if got != want {
		t.Errorf("nemesis events:\n%s\nwant:\n%s", got, want)
	}
	if rules := h.w.Rules(); len(rules) != 0 {
		t.Errorf("rules left after the heal: %v", rules)
	}
	for _, id := range h.w.Servers() {
		off, ppm := h.w.Clock(id)
		if !h.w.IsUp(id) || h.w.IsPaused(id) || h.w.DiskFaultsOf(id) != (sim.DiskFaults{}) || off != 0 || ppm != 0 {
			t.Errorf("%v after the heal: up %v paused %v disk %+v clock %v %dppm", id, h.w.IsUp(id), h.w.IsPaused(id), h.w.DiskFaultsOf(id), off, ppm)
		}
	}
	if nm.Down() != 0 {
		t.Errorf("%d servers down after the heal", nm.Down())
	}
	wins := nm.Windows()
	if len(wins) != 8 || wins[0].String() != "100ms..300ms partition n1" || wins[5].Skipped == "" || wins[1].End != time.Second {
		t.Errorf("windows: %v", wins)
	}
	fromTrace := WindowsFromTrace(h.rec.Events)
	for i := range wins {
		wins[i].Step = -1
	}
	if fmt.Sprint(fromTrace) != fmt.Sprint(wins) {
		t.Errorf("windows from the trace:\n%v\nfrom the nemesis:\n%v", fromTrace, wins)
	}
	for i := range wins {
		if fromTrace[i] != wins[i] {
			t.Errorf("window %d: %+v from the trace, %+v from the nemesis", i, fromTrace[i], wins[i])
		}
	}
	// Every delivery after the heal: all links work again.
	for _, f := range h.fates(time.Second, 1400*time.Millisecond) {
		if len(f.delivered) != 1 {
			t.Errorf("after the heal %v delivered %d times", f.send.String(), len(f.delivered))
		}
	}
}

func TestHealRestoresInitialClocks(t *testing.T) {
	h := newHarness(t, hopt{clocks: sim.Clocks{Skew: 100 * time.Millisecond, DriftPPM: 100}})
	var before [6]struct {
		off time.Duration
		ppm int64
	}
	for _, id := range h.w.Servers() {
		before[id].off, before[id].ppm = h.w.Clock(id)
	}
	nm, err := Install(h.w, mustSchedule(t, "at 10ms: skew all +1s\nat 20ms: drift all -500ppm\nat 30ms: clock-reset n1"), Options{HealAt: 100 * time.Millisecond, Clocks: ClocksInitial})
	if err != nil {
		t.Fatal(err)
	}
	h.run(50 * time.Millisecond)
	if off, ppm := h.w.Clock(1); off != before[1].off || ppm != before[1].ppm {
		t.Errorf("clock-reset n1 with ClocksInitial: %v %d, want %v %d", off, ppm, before[1].off, before[1].ppm)
	}
	h.run(nm.End())
	for _, id := range h.w.Servers() {
		if off, ppm := h.w.Clock(id); off != before[id].off || ppm != before[id].ppm {
			t.Errorf("%v after the heal: %v %d, want %v %d", id, off, ppm, before[id].off, before[id].ppm)
		}
	}
}

func TestBudget(t *testing.T) {
	cases := []struct {
		name    string
		sched   string
		opts    Options
		skipped []string
	}{
		{"crashes beyond a minority", "at 10ms: crash n1\nat 20ms: crash n2\nat 30ms: crash n3", Options{}, []string{"crash n3"}},
		{"unbounded", "at 10ms: crash n1\nat 20ms: crash n2\nat 30ms: crash n3", Options{Unbounded: true}, nil},
		{"a budget of one", "at 10ms: crash n1\nat 20ms: pause n2", Options{MaxDown: 1}, []string{"pause n2"}},
		{"partition then crash across", "at 10ms: partition n1,n2\nat 20ms: crash n3\nat 30ms: crash n1", Options{}, []string{"crash n3"}},
		{"crash majority", "at 10ms: crash majority", Options{}, []string{"crash majority"}},
		{"halves of four", "at 10ms: partition halves", Options{}, nil},
		{"one-way cuts isolating a node", "at 10ms: cut n1->n2\nat 20ms: cut n1->n3\nat 30ms: cut n4->n1\nat 40ms: cut n5->n2", Options{}, nil},
		{"the cuts add up", "at 10ms: cut n1->all\nat 20ms: isolate n2\nat 30ms: cut n3<->n4", Options{}, []string{"cut n3<->n4"}},
		{"stopped faults free the budget", "at 10ms for 10ms: crash n1,n2\nat 30ms: crash n3,n4", Options{}, nil},
		{"drops do not count", "at 10ms: drop 1/2\nat 20ms: crash n1,n2", Options{}, nil},
		{"drop 1 is a cut", "at 10ms: drop 1 n1<->all\nat 20ms: crash n2,n3", Options{}, []string{"crash n2,n3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 5
			if c.name == "halves of four" {
				n = 4
			}
			h := newHarness(t, hopt{nodes: n})
			c.opts.HealAt = time.Second
			nm, err := Install(h.w, mustSchedule(t, c.sched), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			h.run(500 * time.Millisecond)
			var skipped []string
			for _, w := range nm.Windows() {
				if w.Skipped != "" {
					f, _ := SplitText(w.Text)
					skipped = append(skipped, f)
				}
			}
			if c.name == "halves of four" {
				if len(skipped) != 1 || !strings.Contains(nm.Windows()[0].Skipped, "4 of 4") {
					t.Errorf("halves of four should leave no majority: %v", nm.Windows())
				}
				return
			}
			if fmt.Sprint(skipped) != fmt.Sprint(c.skipped) {
				t.Errorf("skipped %v, want %v; windows %v", skipped, c.skipped, nm.Windows())
			}
			if b := nm.Budget(); !c.opts.Unbounded && nm.Down() > b {
				t.Errorf("%d down, budget %d", nm.Down(), b)
			}
		})
	}
}

func TestSkipWithoutLeader(t *testing.T) {
	h := newHarness(t, hopt{report: true})
	nm, err := Install(h.w, mustSchedule(t, "at 10ms: isolate leader\nat 20ms: restart one"), Options{HealAt: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h.run(100 * time.Millisecond)
	got := h.nemesisEvents()
	want := `10ms mark - nemesis-skip "isolate leader: target leader: no node is leader now"
20ms mark - nemesis-skip "restart one: target one: no eligible server"
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	_ = nm
}

func TestHealStepAndResolutionText(t *testing.T) {
	h := newHarness(t, hopt{leader: 4, report: true})
	nm, err := Install(h.w, mustSchedule(t, "at 10ms: crash leader\nat 20ms: drift majority +10ppm\nat 30ms: heal\nat 40ms: clock-reset"), Options{HealAt: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h.run(100 * time.Millisecond)
	got := h.nemesisEvents()
	for _, want := range []string{
		`10ms fault-start n4 crash "crash leader [n4]"`,
		`20ms fault-start - drift "drift majority +10ppm [`,
		`30ms fault-start - heal "heal"`,
		`30ms fault-stop n4 crash "crash leader [n4]"`,
		`30ms fault-stop - heal "heal"`,
		`40ms fault-start - clock-reset "clock-reset"`,
		`40ms fault-stop - clock-reset "clock-reset"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in:\n%s", want, got)
		}
	}
	if !h.w.IsUp(4) || len(h.w.Rules()) != 0 {
		t.Errorf("after the heal step: n4 up %v, rules %v", h.w.IsUp(4), h.w.Rules())
	}
	f, res := SplitText(nm.Windows()[0].Text)
	if f != "crash leader" || res != "n4" {
		t.Errorf("SplitText: %q %q", f, res)
	}
}

// The same seed and schedule give the same run; the nemesis adds no
// nondeterminism.
func TestInstallDeterministic(t *testing.T) {
	run := func(seed uint64) trace.Hash {
		h := newHarness(t, hopt{seed: seed, report: true, leader: 2})
		s, err := Generate(seed, GenOptions{End: 5 * time.Second, Interval: Span(100*time.Millisecond, time.Second), Duration: Span(100*time.Millisecond, 2*time.Second), Kinds: GeneratedKinds()})
		if err != nil {
			t.Fatal(err)
		}
		nm, err := Install(h.w, s, Options{HealAt: 5 * time.Second, Quiet: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		h.run(nm.End())
		return h.w.Hash()
	}
	for seed := uint64(1); seed <= 2; seed++ {
		if a, b := run(seed), run(seed); a != b {
			t.Errorf("seed %d: hashes %v and %v", seed, a, b)
		}
	}
}
