package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline/faultline/scenarios"
)

func (a *app) cmdMerge(args []string) error {
	fs := a.newFlags("merge")
	out := fs.String("out", "", "the store's root: the merge writes ROOT/<scenario>/<run id>/ (results.jsonl, summary.json, index.html, scenario.yaml, failing seeds' artifacts) and points ROOT/<scenario>/latest at it; a run directory given as ROOT is written over")
	seeds := fs.String("seeds", "", "the range A..B the shards should cover (default: the range the sharded runs recorded)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	junit := fs.String("junit", "", "also write the verdicts as JUnit XML to FILE, for CI")
	force := fs.Bool("force", false, "merge results written by different builds of the binary")
	compare := fs.Bool("compare", false, "compare two results directories seed by seed (status, hash, reason, every check's verdict and explanation; not wall time) instead of merging: exit 7 if any seed differs")
	dirs, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *compare {
		return a.compareResults(dirs, *force, *asJSON)
	}
	if len(dirs) == 0 {
		return usageError{"merge takes the results directories of the shards (each a run directory, or the --out root of one shard's run: its latest run)"}
	}
	for i, d := range dirs {
		if dirs[i], err = findRun(d); err != nil {
			return err
		}
	}
	newRun := false // a new run directory: latest moves to it once merged
	if *out != "" && !isSweepRun(*out) {
		name, err := resultsScenario(dirs[0])
		if err != nil {
			return err
		}
		if *out, err = makeRun(*out, name); err != nil {
			return err
		}
		newRun = true
	}
	opts := scenarios.MergeOptions{Dirs: dirs, Out: *out, Force: *force}
	if *seeds != "" {
		first, last, err := parseSeeds("", *seeds)
		if err != nil {
			return err
		}
		opts.Seeds = &scenarios.SeedRange{First: first, Last: last}
	}
	m, err := scenarios.Merge(opts)
	if errors.Is(err, scenarios.ErrDifferentBuilds) {
		err = fmt.Errorf("%w (--force merges them anyway)", err)
	}
	if err != nil && m == nil {
		if newRun {
			os.RemoveAll(*out) // made above, for a merge that did not happen
		}
		return err
	}
	if newRun {
		if err := setLatest(filepath.Dir(*out), filepath.Base(*out)); err != nil {
			return err
		}
	}
	// The merged directory's scenario.yaml replays any seed; without --out,
	// the first shard's does.
	file := filepath.Join(orDefault(*out, dirs[0]), scenarios.ScenarioFile)
	sc, sum := m.Scenario, m.Summary
	if *asJSON {
		a.writeJSONSummary(a.stdout, sc, file, sum)
	} else {
		fmt.Fprintf(a.stdout, "%s: merged %s of %s, seeds %s", a.name, plural(len(dirs), "results dir"), sc.Name, m.Range)
		if len(m.Shards) > 0 {
			var names []string
			for _, s := range m.Shards {
				names = append(names, s.String())
			}
			fmt.Fprintf(a.stdout, " (shards %s)", strings.Join(names, " "))
		}
		fmt.Fprintln(a.stdout)
		a.writeSummary(a.stdout, sc, file, *out, sum)
		if *out != "" {
			fmt.Fprintf(a.stdout, "merged into %s\n", *out)
		}
	}
	if err != nil {
		return err
	}
	if *out != "" {
		var b bytes.Buffer
		a.writeJSONSummary(&b, sc, file, sum)
		if err := os.WriteFile(filepath.Join(*out, "summary.json"), b.Bytes(), 0o644); err != nil {
			return err
		}
		page, err := a.reportPage(*out, m)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, reportFile), page, 0o644); err != nil {
			return err
		}
	}
	if *junit != "" {
		if err := a.writeJUnitFile(*junit, sc, file, m.Build, sum); err != nil {
			return err
		}
	}
	if len(m.Duplicates) > 0 {
		fmt.Fprintf(a.stderr, "%s merge: %s held by more than one directory, with the same verdict (counted once): %s\n", a.name, plural(len(m.Duplicates), "seed"), seedRanges(m.Duplicates))
	}
	if m.Outside > 0 {
		fmt.Fprintf(a.stderr, "%s merge: %s outside %s left out\n", a.name, plural(m.Outside, "seed"), m.Range)
	}
	if len(m.Missing) > 0 {
		var rs []string
		for _, r := range m.Missing {
			rs = append(rs, r.String())
		}
		fmt.Fprintf(a.stderr, "%s merge: %d of seeds %s missing: %s", a.name, m.MissingSeeds(), m.Range, limitList(rs))
		if rerun := shardsHolding(m); len(rerun) > 0 {
			if len(rerun) == 1 {
				fmt.Fprintf(a.stderr, " — run shard %s again (its run resumes)", rerun[0])
			} else {
				fmt.Fprintf(a.stderr, " — run shards %s again (each run resumes)", strings.Join(rerun, ", "))
			}
		}
		fmt.Fprintln(a.stderr)
		return exitError{scenarios.ExitUsage}
	}
	if code := sum.Worst().ExitCode(); code != 0 {
		return exitError{code}
	}
	return nil
}

// shardsHolding names the shards of the recorded sharding whose parts
// hold missing seeds ("2/4"); none when the inputs were not sharded.
func shardsHolding(m *scenarios.Merged) []string {
	if len(m.Shards) == 0 {
		return nil
	}
	n := m.Shards[0].Count
	var names []string
	for i := range n {
		lo, hi, ok := scenarios.Shard{Index: i, Count: n}.Range(m.Range.First, m.Range.Last)
		if !ok {
			continue
		}
		for _, r := range m.Missing {
			if r.First <= hi && r.Last >= lo {
				names = append(names, fmt.Sprintf("%d/%d", i, n))
				break
			}
		}
	}
	return names
}

// seedRanges lists ascending seeds as ranges, as missing seeds are
// listed: "1..50, 77".
func seedRanges(seeds []uint64) string {
	var rs []string
	for i := 0; i < len(seeds); {
		j := i
		for j+1 < len(seeds) && seeds[j+1] == seeds[j]+1 {
			j++
		}
		rs = append(rs, scenarios.SeedRange{First: seeds[i], Last: seeds[j]}.String())
		i = j + 1
	}
	return limitList(rs)
}

// limitList joins at most 20 items.
func limitList(items []string) string {
	if len(items) > 20 {
		return strings.Join(items[:20], ", ") + fmt.Sprintf(", … and %d more", len(items)-20)
	}
	return strings.Join(items, ", ")
}
