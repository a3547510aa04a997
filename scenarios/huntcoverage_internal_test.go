package scenarios

import (
	"slices"
	"testing"
)

// What only a strategy reached is what no run without it reached — the
// runs before its first one included: the corpus's mutants come after a
// batch of fresh seeds, and what those seeds reached is not the corpus's.
func TestStrategyOnlyCountsEarlierRuns(t *testing.T) {
	hc := newHuntCoverage()
	hc.add([]string{"fault crash", "fault isolate"}, []Strategy{StrategySwarm})
	hc.add([]string{"fault crash", "probe x"}, []Strategy{StrategyPCT})
	hc.add([]string{"fault crash", "fault isolate", "probe y"}, []Strategy{StrategyCorpus, StrategyPCT})
	got := map[Strategy][]string{}
	for _, c := range hc.report() {
		got[c.Strategy] = c.Only
	}
	for _, c := range []struct {
		s    Strategy
		want []string
	}{
		{StrategySwarm, nil},
		{StrategyCorpus, []string{"probe y"}},
		{StrategyPCT, []string{"probe x", "probe y"}},
	} {
		if !slices.Equal(got[c.s], c.want) {
			t.Errorf("only %s: %q, want %q", c.s, got[c.s], c.want)
		}
	}
}

// TestCountBucket: how often, in powers of two; once is the item itself.
func TestCountBucket(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, ""}, {1, ""}, {2, "2-3"}, {3, "2-3"}, {4, "4-7"}, {7, "4-7"}, {8, "8-15"}, {1500, "1024-2047"}} {
		if got := countBucket(c.n); got != c.want {
			t.Errorf("countBucket(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
