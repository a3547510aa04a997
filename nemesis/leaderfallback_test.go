package nemesis

import (
	"strings"
	"testing"
	"time"
)

// TestLeaderOrOne: a leader-or-one fault hits the leader when a server
// reports leadership, and a random server when none does — where a leader
// fault is skipped (TestSkipWithoutLeader).
func TestLeaderOrOne(t *testing.T) {
	for _, c := range []struct {
		name string
		o    hopt
		want string
	}{
		{"a leader", hopt{leader: 4, report: true}, `10ms fault-start n4 isolate "isolate leader-or-one [n4]"`},
		{"no leader now", hopt{report: true}, `10ms fault-start n5 isolate "isolate leader-or-one [n5]"`},
		{"nobody reports leadership", hopt{}, `10ms fault-start n5 isolate "isolate leader-or-one [n5]"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.o)
			if _, err := Install(h.w, mustSchedule(t, "at 10ms: isolate leader-or-one"), Options{HealAt: time.Second}); err != nil {
				t.Fatal(err)
			}
			h.run(100 * time.Millisecond)
			if got := h.nemesisEvents(); !strings.Contains(got, c.want) || strings.Contains(got, "nemesis-skip") {
				t.Errorf("got:\n%s\nwant a line %s and no skip", got, c.want)
			}
		})
	}
}

// TestGenerateLeaderFallback: with LeaderFallback a generated schedule is
// the same schedule with every leader target written leader-or-one — the
// plain one's draws, and leader targets left in none of its faults.
func TestGenerateLeaderFallback(t *testing.T) {
	leaders := 0
	for seed := uint64(1); seed <= 20; seed++ {
		o := GenOptions{Correlated: true, Storm: true, Swarm: true}
		plain := gen(t, seed, o)
		o.LeaderFallback = true
		fallback := gen(t, seed, o)
		if len(plain.Steps) != len(fallback.Steps) {
			t.Fatalf("seed %d: %d steps, %d with LeaderFallback", seed, len(plain.Steps), len(fallback.Steps))
		}
		for i, st := range plain.Steps {
			a, b := st.Fault.String(), fallback.Steps[i].Fault.String()
			if strings.Contains(a, "leader") {
				leaders++
			}
			if want := strings.ReplaceAll(a, "leader", "leader-or-one"); b != want || st.At != fallback.Steps[i].At || st.For != fallback.Steps[i].For {
				t.Errorf("seed %d step %d: %v %q for %v with LeaderFallback, want %v %q for %v", seed, i, fallback.Steps[i].At, b, fallback.Steps[i].For, st.At, want, st.For)
			}
		}
	}
	if leaders == 0 {
		t.Fatal("no generated fault targets the leader: the test shows nothing")
	}
}

// TestSwarmOverloadFactor: a swarm draws the overload's factor too (2x..10x),
// as the last draw of its intensity, so every other intensity is the same as
// without it; a plain schedule keeps DefaultOverloadFactor.
func TestSwarmOverloadFactor(t *testing.T) {
	factors := map[string]bool{}
	for seed := uint64(1); seed <= 40; seed++ {
		_, in, err := Swarm(seed, GenOptions{Kinds: []string{"overload"}})
		if err != nil {
			t.Fatal(err)
		}
		factors[in.Overload.String()] = true
		in.Overload = 0
		_, want, _ := Swarm(seed, GenOptions{Kinds: []string{"overload"}, Intensity: Intensity{Overload: DefaultOverloadFactor}})
		want.Overload = 0
		if in != want {
			t.Errorf("seed %d: the overload draw changed the other intensities: %+v, want %+v", seed, in, want)
		}
	}
	if len(factors) < 3 {
		t.Errorf("40 swarm seeds drew overload factors %v, want several", factors)
	}
	for _, st := range gen(t, 1, GenOptions{Kinds: []string{"overload"}}).Steps {
		if st.Fault.String() != "overload "+DefaultOverloadFactor.String() {
			t.Errorf("plain schedule: %v, want overload %v", st.Fault, DefaultOverloadFactor)
		}
	}
}
