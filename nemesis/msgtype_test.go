package nemesis

import (
	"testing"
	"time"

	"github.com/faultline/faultline/sim"
)

// drop-type loses the messages of its type on its links and nothing else;
// "any" picks a type the servers have sent, and says which.
func TestDropTypeEffect(t *testing.T) {
	for _, tc := range []struct {
		text, typ, resolved string
		onLink              func(from, to int) bool
	}{
		{"drop-type pongMsg", "pongMsg", "", func(int, int) bool { return true }},
		{"drop-type pingMsg n1->n2", "pingMsg", "", func(f, to int) bool { return f == 1 && to == 2 }},
	} {
		t.Run(tc.text, func(t *testing.T) {
			h := newHarness(t, hopt{})
			h.run(time.Second) // messages before the fault
			a := h.apply(tc.text)
			h.run(3 * time.Second)
			a.Stop()
			var hit, spared int
			for _, f := range h.fates(time.Second, 3*time.Second) {
				typ, on := f.send.Type, tc.onLink(int(f.send.Node), int(f.send.Peer))
				switch {
				case typ == tc.typ && on:
					hit++
					if f.dropped != tc.text {
						t.Fatalf("%s survived %q (dropped %q)", f.send.String(), tc.text, f.dropped)
					}
				case f.dropped != "":
					t.Fatalf("%s dropped by %q, which selects only %s", f.send.String(), f.dropped, tc.typ)
				default:
					spared++
				}
			}
			if hit < 50 || spared < 50 {
				t.Errorf("hit %d, spared %d messages: the test saw too little traffic", hit, spared)
			}
		})
	}
	t.Run("any", func(t *testing.T) {
		h := newHarness(t, hopt{})
		h.run(time.Second)
		if got := h.w.PeerMessageTypes(); len(got) != 2 || got[0] != "pingMsg" || got[1] != "pongMsg" {
			t.Fatalf("PeerMessageTypes = %q, want [pingMsg pongMsg]", got)
		}
		a := h.apply("drop-type any")
		if r := a.Plan.Resolved; r != "pingMsg" && r != "pongMsg" {
			t.Fatalf("drop-type any resolved to %q, want a type the servers sent", r)
		}
		h.run(2 * time.Second)
		a.Stop()
		for _, f := range h.fates(time.Second, 2*time.Second) {
			if (f.dropped != "") != (f.send.Type == a.Plan.Resolved) {
				t.Fatalf("%s: dropped %q under drop-type any [%s]", f.send.String(), f.dropped, a.Plan.Resolved)
			}
		}
	})
	t.Run("any before traffic", func(t *testing.T) {
		h := newHarness(t, hopt{})
		_, err := MustParse("drop-type any").Plan(h.w, Stream(1, "test"))
		if !IsSkip(err) {
			t.Fatalf("drop-type any with no traffic: %v, want a skip", err)
		}
	})
}

// A generated schedule with drop-type draws it like any other kind, with
// the abstract type; the plain default kinds never include it.
func TestDropTypeGenerated(t *testing.T) {
	s, err := Generate(3, GenOptions{Kinds: []string{"drop-type"}, End: 20 * time.Second})
	if err != nil || len(s.Steps) == 0 {
		t.Fatalf("%v, %d steps", err, len(s.Steps))
	}
	for _, st := range s.Steps {
		if f, ok := st.Fault.(DropType); !ok || f.Type != AnyType || f.Ratio != sim.Always {
			t.Errorf("generated %v, want drop-type any", st.Fault)
		}
	}
	for _, k := range DefaultKinds {
		if k == "drop-type" {
			t.Error("drop-type is in DefaultKinds: every existing generated schedule would change")
		}
	}
}

// delay-type and duplicate-type act on the messages of their type on their
// links, and leave every other message as the network delivers it (1ms,
// once, in this harness).
func TestDelayTypeDuplicateTypeEffect(t *testing.T) {
	for _, tc := range []struct {
		text   string
		typ    string
		onLink func(from, to int) bool
		// hit checks a message the fault selects.
		hit func(f *fate) bool
	}{
		{"delay-type pongMsg 50ms..60ms", "pongMsg", func(int, int) bool { return true }, func(f *fate) bool {
			lat := f.delivered[0] - f.send.At
			return len(f.delivered) == 1 && lat >= 51*time.Millisecond && lat <= 61*time.Millisecond
		}},
		{"delay-type pingMsg 50ms n1->n2", "pingMsg", func(f, to int) bool { return f == 1 && to == 2 }, func(f *fate) bool {
			return len(f.delivered) == 1 && f.delivered[0]-f.send.At == 51*time.Millisecond
		}},
		{"duplicate-type pingMsg", "pingMsg", func(int, int) bool { return true }, func(f *fate) bool { return len(f.delivered) == 2 }},
		{"duplicate-type pongMsg n2<->n3", "pongMsg", func(f, to int) bool { return f == 2 && to == 3 || f == 3 && to == 2 }, func(f *fate) bool { return len(f.delivered) == 2 }},
	} {
		t.Run(tc.text, func(t *testing.T) {
			h := newHarness(t, hopt{})
			h.run(time.Second)
			a := h.apply(tc.text)
			h.run(2 * time.Second)
			a.Stop()
			h.run(2200 * time.Millisecond)
			var hit, spared int
			for _, f := range h.fates(time.Second, 1900*time.Millisecond) {
				if len(f.delivered) == 0 {
					t.Fatalf("%s lost under %q", f.send.String(), tc.text)
				}
				if f.send.Type == tc.typ && tc.onLink(int(f.send.Node), int(f.send.Peer)) {
					hit++
					if !tc.hit(f) {
						t.Fatalf("%s delivered at %v under %q", f.send.String(), f.delivered, tc.text)
					}
					continue
				}
				spared++
				if len(f.delivered) != 1 || f.delivered[0]-f.send.At != time.Millisecond {
					t.Fatalf("%s delivered at %v: %q selects only %s", f.send.String(), f.delivered, tc.text, tc.typ)
				}
			}
			if hit < 50 || spared < 50 {
				t.Errorf("hit %d, spared %d messages: the test saw too little traffic", hit, spared)
			}
		})
	}
	t.Run("any", func(t *testing.T) {
		for _, text := range []string{"delay-type any 30ms", "duplicate-type any"} {
			h := newHarness(t, hopt{})
			h.run(time.Second)
			a := h.apply(text)
			if r := a.Plan.Resolved; r != "pingMsg" && r != "pongMsg" {
				t.Fatalf("%s resolved to %q, want a type the servers sent", text, r)
			}
			if _, err := MustParse(text).Plan(newHarness(t, hopt{}).w, Stream(1, "test")); !IsSkip(err) {
				t.Fatalf("%s with no traffic: %v, want a skip", text, err)
			}
		}
	})
}

// Generated, both draw the abstract type like drop-type; neither is in
// the default kinds, so existing generated schedules are unchanged.
func TestDelayTypeDuplicateTypeGenerated(t *testing.T) {
	for _, kind := range []string{"delay-type", "duplicate-type"} {
		s, err := Generate(3, GenOptions{Kinds: []string{kind}, End: 20 * time.Second})
		if err != nil || len(s.Steps) == 0 {
			t.Fatalf("%s: %v, %d steps", kind, err, len(s.Steps))
		}
		for _, st := range s.Steps {
			switch f := st.Fault.(type) {
			case DelayType:
				if f.Type != AnyType || f.Range.IsZero() {
					t.Errorf("generated %v, want delay-type any with a delay", f)
				}
			case DuplicateType:
				if f.Type != AnyType || f.Ratio != sim.Always {
					t.Errorf("generated %v, want duplicate-type any", f)
				}
			default:
				t.Errorf("generated %v for %s", f, kind)
			}
		}
		for _, k := range DefaultKinds {
			if k == kind {
				t.Errorf("%s is in DefaultKinds: every existing generated schedule would change", kind)
			}
		}
	}
}
