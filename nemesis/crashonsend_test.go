package nemesis

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// crash-on-send crashes its target right after the handler that sent a
// message (of its type) — at the instant of the send, with what it sent
// on its way and its unsynced writes lost — and restarts it within the
// down time; other servers and other types are left alone, and when it
// stops the target is up for good.
func TestCrashOnSendEffect(t *testing.T) {
	for _, tc := range []struct {
		text string
		typ  string // "" every type
	}{
		{"crash-on-send n2 1ms..3ms pingMsg", "pingMsg"},
		{"crash-on-send n2 2ms", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			h := newHarness(t, hopt{})
			h.run(time.Second)
			a := h.apply(tc.text)
			h.run(2 * time.Second)
			a.Stop()
			h.run(3 * time.Second)

			sends := map[time.Duration][]trace.Event{} // n2's sends to servers, by instant
			for _, e := range h.events(trace.Send, time.Second, 2*time.Second) {
				if e.Node == 2 && !e.Peer.IsClient() {
					sends[e.At] = append(sends[e.At], e)
				}
			}
			crashes := h.events(trace.Crash, 0, 3*time.Second)
			if len(crashes) < 20 {
				t.Fatalf("%d crashes in a second: the fault hardly fired", len(crashes))
			}
			fates := h.fates(time.Second, 2*time.Second)
			for _, c := range crashes {
				if c.Node != 2 || c.At <= time.Second || c.At >= 2*time.Second {
					t.Fatalf("crash of %s at %v: want n2 only, while the fault is on", c.Node, c.At)
				}
				at := sends[c.At]
				if !slices.ContainsFunc(at, func(e trace.Event) bool { return tc.typ == "" || e.Type == tc.typ }) {
					t.Fatalf("n2 crashed at %v without sending a %q there (sent %v)", c.At, tc.typ, at)
				}
				for _, e := range at { // the handler's messages went out
					if f := fates[e.ID]; f == nil || len(f.delivered) == 0 {
						t.Errorf("%s, sent just before the crash, was not delivered", e.String())
					}
				}
			}
			restarts := h.events(trace.Restart, 0, 3*time.Second)
			if len(restarts) != len(crashes) {
				t.Fatalf("%d crashes, %d restarts: want each crash undone", len(crashes), len(restarts))
			}
			for i, r := range restarts {
				if d := r.At - crashes[i].At; d < time.Millisecond || d > 3*time.Millisecond {
					t.Errorf("n2 down for %v after the crash at %v, want within the down time", d, crashes[i].At)
				}
			}
			if tc.typ != "" { // n2 answers pings all the time: its pongs never trigger it
				for at, es := range sends {
					pings := slices.ContainsFunc(es, func(e trace.Event) bool { return e.Type == "pingMsg" })
					crashed := slices.ContainsFunc(crashes, func(c trace.Event) bool { return c.At == at })
					if crashed && !pings {
						t.Fatalf("n2 crashed at %v after sending only pongs", at)
					}
				}
			}
			if n := len(h.events(trace.Send, 2*time.Second+10*time.Millisecond, 3*time.Second)); n == 0 {
				t.Error("no traffic after the fault stopped")
			}
		})
	}
}

// The crash loses what the sending handler wrote and did not sync: the
// pinger's unsynced log appends are gone at every crash.
func TestCrashOnSendLosesUnsynced(t *testing.T) {
	h := newHarness(t, hopt{})
	h.run(time.Second)
	a := h.apply("crash-on-send n3 1ms..2ms")
	h.run(1500 * time.Millisecond)
	a.Stop()
	lost := 0
	for _, e := range h.events(trace.DiskFault, time.Second, 1500*time.Millisecond) {
		if e.Node == 3 && strings.Contains(e.Text, "unsynced") {
			lost++
		}
	}
	if lost == 0 {
		t.Error("no crash of n3 lost an unsynced write")
	}
}

// "any" picks a type the servers have sent (and says which); with no
// traffic yet it is skipped, as drop-type any is.
func TestCrashOnSendAny(t *testing.T) {
	h := newHarness(t, hopt{})
	if _, err := MustParse("crash-on-send one 1ms any").Plan(h.w, Stream(1, "test")); !IsSkip(err) {
		t.Fatalf("crash-on-send any with no traffic: %v, want a skip", err)
	}
	h.run(time.Second)
	p, err := MustParse("crash-on-send n1 1ms any").Plan(h.w, Stream(1, "test"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Resolved != "pingMsg" && p.Resolved != "pongMsg" {
		t.Fatalf("resolved %q, want a type the servers sent", p.Resolved)
	}
	if !slices.Equal(p.Down, []nodes.ID{1}) {
		t.Fatalf("Down = %v, want [n1]: the budget counts the target down", p.Down)
	}
}

// A crash-on-send storm is drawn from its own stream: crash-on-send on one
// server and a delay on every link until the heal, and the leader crashed
// for 20..100ms again and again; the generated faults beside it are those
// of the plain schedule, step for step.
func TestGenerateSendStorm(t *testing.T) {
	end := 5 * time.Second
	for seed := uint64(1); seed <= 30; seed++ {
		plain := gen(t, seed, GenOptions{End: end})
		s := gen(t, seed, GenOptions{End: end, SendStorm: true})
		var rest []string
		cos, delays, crashes := 0, 0, 0
		for _, st := range s.Steps {
			switch f := st.Fault.(type) {
			case CrashOnSend:
				cos++
				if f.Target.String() != "one" || f.Down.Min < time.Millisecond || f.Down.Max > 10*time.Millisecond || f.Type != "" || st.For != 0 {
					t.Errorf("seed %d: storm step %v, want crash-on-send one within 1ms..10ms until the heal", seed, st)
				}
				continue
			case Delay:
				if f.Links.String() == AllLinks.String() && st.For == 0 {
					delays++
					continue
				}
			case Crash:
				if f.Target.String() == "leader" && (st.For == 0 || st.For >= 20*time.Millisecond && st.For <= 100*time.Millisecond) {
					crashes++
					continue
				}
			}
			rest = append(rest, st.String())
		}
		var want []string
		for _, st := range plain.Steps {
			want = append(want, st.String())
		}
		if cos != 1 || delays != 1 || crashes < 3 || !slices.Equal(rest, want) {
			t.Errorf("seed %d: %d crash-on-send, %d delays, %d leader crashes (want 1, 1, several); the other steps\n%v\nwant the plain schedule\n%v", seed, cos, delays, crashes, rest, want)
		}
	}
	if s := gen(t, 1, GenOptions{End: end, SendStorm: true, NoLeader: true}); strings.Contains(s.String(), "leader") {
		t.Errorf("a leaderless protocol's storm aims at the leader:\n%v", s)
	}
}

// crash-on-send with after N..M spares each up period's first messages: a
// target crashes right after the handler that sent its k-th matching
// message since the fault started or it restarted, k drawn from N..M each
// time. (The harness's pings go to every other server at once, four per
// handler: a count of 6..9 spares one or two handlers.)
func TestCrashOnSendAfter(t *testing.T) {
	h := newHarness(t, hopt{})
	h.run(time.Second)
	a := h.apply("crash-on-send n2 1ms..3ms pingMsg after 6..9")
	h.run(2 * time.Second)
	a.Stop()
	h.run(3 * time.Second)

	crashes := h.events(trace.Crash, 0, 3*time.Second)
	if len(crashes) < 10 {
		t.Fatalf("%d crashes in a second: the fault hardly fired", len(crashes))
	}
	starts := []time.Duration{time.Second} // the up periods' starts: the fault, then each restart
	for _, r := range h.events(trace.Restart, 0, 2*time.Second) {
		starts = append(starts, r.At)
	}
	spared := false
	for i, c := range crashes {
		if c.Node != 2 {
			t.Fatalf("crash of %s: want n2 only", c.Node)
		}
		before, at := 0, 0
		for _, e := range h.events(trace.Send, starts[i], c.At+1) {
			if e.Node != 2 || e.Peer.IsClient() || e.Type != "pingMsg" {
				continue
			}
			if e.At == c.At {
				at++
			} else {
				before++
			}
		}
		if before >= 9 || before+at < 6 {
			t.Errorf("n2 crashed at %v after %d pings (and %d in the crashing handler) since %v: want the crash after the 6th..9th", c.At, before, at, starts[i])
		}
		if before > 0 {
			spared = true
		}
	}
	if !spared {
		t.Error("no up period with a ping before the crashing handler: the count was not drawn")
	}
}
