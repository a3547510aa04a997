package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/faultline/faultline/scenarios"
)

// huntSummaryFile is the hunt's JSON summary inside --out.
const huntSummaryFile = "hunt-summary.json"

// huntRunName names a hunt's run in its progress lines.
func huntRunName(p scenarios.HuntProgress) string {
	if p.Mutant {
		return fmt.Sprintf("a mutant of seed %d", p.Last.Seed)
	}
	return fmt.Sprintf("seed %d", p.Last.Seed)
}

// coverageCounts sums new coverage items by class: "3 msgs, 1 role".
func coverageCounts(items []string) string {
	var order []string
	n := map[string]int{}
	for _, it := range items {
		class, _, _ := strings.Cut(it, " ")
		if n[class] == 0 {
			order = append(order, class)
		}
		n[class]++
	}
	var parts []string
	for _, c := range order {
		parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
	}
	return strings.Join(parts, ", ")
}

func strategyList(ss []scenarios.Strategy) string {
	var names []string
	for _, s := range ss {
		names = append(names, string(s))
	}
	if len(names) == 0 {
		return "no strategy"
	}
	return "strategy " + strings.Join(names, "+")
}

// writeHuntSummary writes the hunt's result as JSON: why it stopped, the
// counts, the failure and the per-strategy coverage.
func writeHuntSummary(path string, res *scenarios.HuntResult) error {
	type failure struct {
		Seed       uint64               `json:"seed"`
		Mutant     bool                 `json:"mutant"`
		Status     string               `json:"status"`
		Reason     string               `json:"reason"`
		Run        uint64               `json:"run"`
		Strategies []scenarios.Strategy `json:"strategies"`
		ElapsedNS  int64                `json:"elapsed_ns"`
	}
	out := struct {
		Stop       string                       `json:"stop"`
		First      uint64                       `json:"first"`
		Runs       int                          `json:"runs"`
		Counts     map[string]int               `json:"counts"`
		Corpus     int                          `json:"corpus_entries"`
		Failure    *failure                     `json:"failure,omitempty"`
		Strategies []scenarios.StrategyCoverage `json:"strategies"`
		// Replication says what the replication storms did (absent for a
		// kind that declares no replication message).
		Replication *scenarios.ReplicationStorms `json:"replication_storms,omitempty"`
	}{Stop: res.Stop.String(), First: res.First, Runs: res.Summary.Seeds, Counts: map[string]int{},
		Corpus: res.Corpus, Strategies: res.Strategies, Replication: res.ReplicationStorms}
	for st, n := range res.Summary.Counts {
		out.Counts[string(st)] = n
	}
	if f := res.Failure; f != nil {
		out.Failure = &failure{Seed: f.Seed, Mutant: res.FailureScenario != nil, Status: string(f.Status), Reason: f.Reason,
			Run: res.SeedsToFailure, Strategies: res.FailureStrategies, ElapsedNS: int64(res.TimeToFailure)}
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
