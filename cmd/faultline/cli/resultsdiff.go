package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/faultline/faultline/scenarios"
)

// compareResults is `merge --compare A B`: two sweeps of one scenario
// compared seed by seed with the rule merge applies to a seed two shards
// hold (scenarios.DiffOutcomes). Any seed that differs exits
// ExitNondeterministic: the verdict depended on something besides the seed.
func (a *app) compareResults(dirs []string, force, asJSON bool) error {
	if len(dirs) != 2 {
		return usageError{"merge --compare takes two sweeps' results (each a run directory, or the --out root of one scenario's runs: its latest run)"}
	}
	for i, d := range dirs {
		run, err := findRun(d)
		if err != nil {
			return err
		}
		dirs[i] = run
	}
	c, err := scenarios.CompareResults(scenarios.CompareResultsOptions{A: dirs[0], B: dirs[1], Force: force})
	if errors.Is(err, scenarios.ErrDifferentBuilds) {
		err = fmt.Errorf("%w (--force compares them anyway)", err)
	}
	if err != nil {
		return err
	}
	if asJSON {
		type diff struct {
			Seed uint64 `json:"seed"`
			What string `json:"what"`
		}
		out := struct {
			Scenario string   `json:"scenario"`
			Both     int      `json:"both"`
			Same     int      `json:"same"`
			Diffs    []diff   `json:"diffs"`
			OnlyA    []string `json:"only_a"`
			OnlyB    []string `json:"only_b"`
		}{Scenario: c.Scenario, Both: c.Both, Same: c.Same, Diffs: []diff{}, OnlyA: rangeTexts(c.OnlyA), OnlyB: rangeTexts(c.OnlyB)}
		for _, d := range c.Diffs {
			out.Diffs = append(out.Diffs, diff{d.Seed, d.What})
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	} else {
		fmt.Fprintf(a.stdout, "%s: compared %s and %s (%s): %s in both, %d the same", a.name, dirs[0], dirs[1], c.Scenario, plural(c.Both, "seed"), c.Same)
		if len(c.Diffs) == 0 {
			fmt.Fprintf(a.stdout, " (status, hash, reason, every check's verdict and explanation)")
		}
		fmt.Fprintln(a.stdout)
		for i, d := range c.Diffs {
			if i == 20 {
				fmt.Fprintf(a.stdout, "  … and %d more seeds differ\n", len(c.Diffs)-20)
				break
			}
			fmt.Fprintf(a.stdout, "  seed %-6d %s\n", d.Seed, oneLine(d.What))
		}
	}
	for _, side := range []struct {
		dir    string
		ranges []scenarios.SeedRange
	}{{dirs[0], c.OnlyA}, {dirs[1], c.OnlyB}} {
		if len(side.ranges) > 0 {
			fmt.Fprintf(a.stderr, "%s merge --compare: seeds only in %s, not compared: %s\n", a.name, side.dir, limitList(rangeTexts(side.ranges)))
		}
	}
	switch {
	case len(c.Diffs) > 0:
		return exitError{scenarios.ExitNondeterministic}
	case c.Both == 0:
		fmt.Fprintf(a.stderr, "%s merge --compare: %s and %s have no seed in common\n", a.name, dirs[0], dirs[1])
		return exitError{scenarios.ExitUsage}
	}
	return nil
}

func rangeTexts(rs []scenarios.SeedRange) []string {
	s := []string{}
	for _, r := range rs {
		s = append(s, r.String())
	}
	return s
}
