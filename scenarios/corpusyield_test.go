package scenarios_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

var yieldKinds = flag.String("faultline.yield-kinds", "raftkv,etcdraft,abd,queue", "corpus yield: node kinds hunted")

// TestCorpusYield measures what the corpus's mutants add: over one hunt
// per kind (from seed 1, -faultline.hunt-seeds runs, no bug), the runs
// that reached an item no earlier run of the hunt did, fresh seeds
// against mutants. A measurement (docs/BENCHMARKS.md, corpus):
//
//	go test ./scenarios -run TestCorpusYield -faultline.long -faultline.hunt-seeds=400 -v -timeout 0
func TestCorpusYield(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	for _, kind := range strings.Split(*yieldKinds, ",") {
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: kind})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := scenarios.OpenCorpus("", sc)
		var n, newRuns, newItems [2]int
		var late [2]int // runs after the first half with new coverage
		var lateN [2]int
		seeds := *huntSeeds
		res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{
			First: 1, Seeds: seeds, Workers: 1, ShrinkBudget: -1, Corpus: c,
			Progress: func(p scenarios.HuntProgress) {
				i := 0
				if p.Mutant {
					i = 1
				}
				n[i]++
				if uint64(p.Done) > seeds/2 {
					lateN[i]++
				}
				if len(p.NewCoverage) > 0 {
					newRuns[i]++
					newItems[i] += len(p.NewCoverage)
					if uint64(p.Done) > seeds/2 {
						late[i]++
					}
					if p.Mutant {
						t.Logf("%s: run %d mutant of seed %d: %s", kind, p.Done, p.Last.Seed, strings.Join(p.NewCoverage, "; "))
					}
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		var only string
		for _, s := range res.Strategies {
			if s.Strategy == scenarios.StrategyCorpus {
				only = fmt.Sprint(s.Only)
			}
		}
		t.Logf("%s: %d runs, %v; fresh %d runs, %d with new coverage (%d items; %d of %d in the second half); mutants %d, %d with new (%d items; %d of %d in the second half); corpus %d; only corpus %s",
			kind, res.Summary.Seeds, res.Stop, n[0], newRuns[0], newItems[0], late[0], lateN[0], n[1], newRuns[1], newItems[1], late[1], lateN[1], res.Corpus, only)
	}
}
