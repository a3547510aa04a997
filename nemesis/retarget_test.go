package nemesis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// crashes lists the servers crashed in [from, to), in order, with times.
func (h *harness) crashes(from, to time.Duration) string {
	var b []string
	for _, e := range h.events(trace.Crash, from, to) {
		b = append(b, fmt.Sprintf("%v %v", e.At, e.Node))
	}
	return strings.Join(b, ", ")
}

// TestCrashLoopVictims: a retarget loop crashes whichever server leads
// at each crash, waits while none does, and restarts its victim at every
// up time and when it stops; a plain loop keeps its first victim; an up
// range of its own sets the time between a restart and the next crash.
func TestCrashLoopVictims(t *testing.T) {
	for _, c := range []struct {
		fault string
		want  string
	}{
		{"crash-loop leader 100ms retarget", "1ms n2, 201ms n4, 601ms n5, 801ms n5"},
		{"crash-loop leader 100ms", "1ms n2, 201ms n2, 401ms n2, 601ms n2, 801ms n2"},
		{"crash-loop n3 100ms 300ms", "1ms n3, 401ms n3, 801ms n3"},
		{"crash-loop leader 50ms 250ms retarget", "1ms n2, 301ms n4, 601ms n5"},
	} {
		t.Run(c.fault, func(t *testing.T) {
			h := newHarness(t, hopt{leader: 2, report: true})
			h.run(time.Millisecond)
			a := h.apply(c.fault)
			for _, step := range []struct {
				until  time.Duration
				leader nodes.ID
			}{{150 * time.Millisecond, 4}, {350 * time.Millisecond, 0}, {550 * time.Millisecond, 5}, {850 * time.Millisecond, 5}} {
				h.run(step.until)
				h.p.leader = step.leader
			}
			a.Stop()
			if got := h.crashes(0, time.Second); got != c.want {
				t.Errorf("crashes: %s\nwant:    %s", got, c.want)
			}
			for _, id := range h.w.Servers() {
				if !h.w.IsUp(id) {
					t.Errorf("%v still down after the loop stopped", id)
				}
			}
		})
	}
}

// TestCrashLoopRetargetBudget: a retarget loop counts only its current
// victim against the recoverability budget, so another fault may take
// the slot in an up time, and a crash that would exceed the budget is not
// made (the loop tries again after an up time).
func TestCrashLoopRetargetBudget(t *testing.T) {
	h := newHarness(t, hopt{leader: 2, report: true})
	sched := mustSchedule(t, "at 10ms for 1s: crash-loop leader 100ms retarget\nat 150ms for 300ms: crash n1,n3")
	if _, err := Install(h.w, sched, Options{HealAt: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	h.run(time.Second)
	if got, want := h.crashes(0, time.Second), "10ms n2, 150ms n1, 150ms n3, 510ms n2, 710ms n2, 910ms n2"; got != want {
		t.Errorf("crashes: %s\nwant:    %s", got, want)
	}
	if ev := h.nemesisEvents(); strings.Contains(ev, "nemesis-skip") {
		t.Errorf("a step was skipped:\n%s", ev)
	}
}

// TestCrashLoopRetargetText: retarget is canonical text, needs an
// abstract target, and the fault's window names no single victim.
func TestCrashLoopRetargetText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"crash-loop leader 50ms..300ms retarget", "crash-loop leader 50ms..300ms retarget"},
		{"crash-loop one 1s retarget", "crash-loop one 1s retarget"},
		{"crash-loop n2 1s retarget", `retarget needs a target resolved at run time`},
		{"crash-loop leader 1s again", `crash-loop up time "again"`},
		{"crash-loop leader 1s 2s retarget again", `unexpected "again"`},
		{"crash-loop leader 50ms 300ms..600ms retarget", "crash-loop leader 50ms 300ms..600ms retarget"},
	} {
		f, err := Parse(c.in)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = f.String()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%q: %s, want %s", c.in, got, c.want)
		}
	}
	h := newHarness(t, hopt{leader: 3, report: true})
	if _, err := Install(h.w, mustSchedule(t, "at 10ms for 100ms: crash-loop leader 30ms retarget"), Options{HealAt: time.Second}); err != nil {
		t.Fatal(err)
	}
	h.run(200 * time.Millisecond)
	if got := h.nemesisEvents(); !strings.Contains(got, `fault-start - crash-loop "crash-loop leader 30ms retarget"`) {
		t.Errorf("events:\n%s\nwant a fault-start with no node and no resolution", got)
	}
}
