package nemesis

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Correlated faults come in pairs on the same role at the same instant
// (or as one sharp fault at it), which the plain generator never draws;
// off, the schedule is the plain one, step for step.
func TestGenerateCorrelated(t *testing.T) {
	end := 20 * time.Second
	pairs, sharp := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		plain := gen(t, seed, GenOptions{End: end})
		corr := gen(t, seed, GenOptions{End: end, Correlated: true})
		if plain.String() == corr.String() {
			continue
		}
		for i, st := range corr.Steps {
			if i > 0 && corr.Steps[i-1].At == st.At {
				a, b := corr.Steps[i-1].Fault.String(), st.Fault.String()
				if !strings.HasSuffix(a, " leader") || !strings.HasPrefix(b, "clock-jump leader -") || st.For != corr.Steps[i-1].For {
					t.Errorf("seed %d: correlated pair %q, %q (for %v, %v): want isolate/pause leader with clock-jump leader -D, same duration", seed, a, b, corr.Steps[i-1].For, st.For)
				}
				pairs++
			}
			if k := st.Fault.String(); (k == "crash leader" || k == "disk-lose leader") && st.For >= 20*time.Millisecond && st.For <= 100*time.Millisecond {
				sharp++
			}
		}
		// Off, nothing of the plain schedule moves: the same start times.
		if !slices.Equal(dedup(times(corr)), times(plain)) {
			t.Errorf("seed %d: correlated faults moved the schedule:\n%v\nvs\n%v", seed, times(corr), times(plain))
		}
	}
	if pairs == 0 || sharp == 0 {
		t.Errorf("40 seeds: %d correlated pairs, %d sharp leader crashes (want some of each)", pairs, sharp)
	}
	for seed := uint64(1); seed <= 40; seed++ {
		for _, st := range gen(t, seed, GenOptions{End: end}).Steps {
			if st.Fault.Kind() == "disk-lose" && strings.Contains(st.Fault.String(), "leader") {
				t.Fatalf("seed %d: the plain generator power-lost the leader: the comparison is moot", seed)
			}
		}
	}
}

func dedup(ts []time.Duration) []time.Duration { return slices.Compact(slices.Clone(ts)) }

// Against a protocol without a leader, both faults of a pair hit one
// explicit server drawn from the seed, not two independent "one" draws.
func TestGenerateCorrelatedLeaderless(t *testing.T) {
	found := 0
	for seed := uint64(1); seed <= 40; seed++ {
		s := gen(t, seed, GenOptions{End: 20 * time.Second, Correlated: true, NoLeader: true, Servers: 5})
		for i, st := range s.Steps {
			if strings.Contains(st.Fault.String(), "leader") {
				t.Fatalf("seed %d: %q targets the leader of a leaderless protocol", seed, st.Fault)
			}
			if i == 0 || s.Steps[i-1].At != st.At {
				continue
			}
			a, b := strings.Fields(s.Steps[i-1].Fault.String()), strings.Fields(st.Fault.String())
			if a[1] != b[1] || !strings.HasPrefix(a[1], "n") {
				t.Errorf("seed %d: pair %v / %v does not aim at one explicit server", seed, a, b)
			}
			found++
		}
	}
	if found == 0 {
		t.Error("no correlated pair in 40 seeds")
	}
}

// A storm goes beyond the budget: a crash-loop over a minority or a
// majority from early on, and repeated hits on the leader or on every
// server; it is drawn from its own stream, so the generated faults beside
// it are those of the plain schedule.
func TestGenerateStorm(t *testing.T) {
	end := 5 * time.Second
	kinds := map[string]int{}
	for seed := uint64(1); seed <= 30; seed++ {
		plain := gen(t, seed, GenOptions{End: end})
		s := gen(t, seed, GenOptions{End: end, Storm: true})
		var rest []string
		loops := 0
		for _, st := range s.Steps {
			text := st.Fault.String()
			switch {
			case strings.HasPrefix(text, "crash-loop minority 1ms..10ms"), strings.HasPrefix(text, "crash-loop majority"), strings.HasPrefix(text, "crash-loop minority 10ms"):
				loops++
				if st.For != 0 {
					t.Errorf("seed %d: storm loop %q stops at %v, want until the heal", seed, text, st.For)
				}
			case (text == "crash leader" || text == "crash all" || text == "disk-lose leader") && (st.For == 0 || st.For >= 20*time.Millisecond && st.For <= 100*time.Millisecond):
				kinds[text]++
			default:
				rest = append(rest, st.String())
			}
		}
		var want []string
		for _, st := range plain.Steps {
			want = append(want, st.String())
		}
		if loops != 1 || !slices.Equal(rest, want) {
			t.Errorf("seed %d: %d storm loops (want 1); the other steps\n%v\nwant the plain schedule\n%v", seed, loops, rest, want)
		}
	}
	if kinds["crash leader"] == 0 || kinds["crash all"] == 0 || kinds["disk-lose leader"] == 0 {
		t.Errorf("storm hits over 30 seeds: %v (want each kind)", kinds)
	}
}
