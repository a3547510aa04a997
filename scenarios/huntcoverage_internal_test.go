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
