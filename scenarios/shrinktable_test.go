package scenarios_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// The shrink table of docs/BENCHMARKS.md (branch shrink): failing hunt
// seeds of planted bugs (those TestHuntTable catches: the generic hunt's
// scenario of the bug, scenarios.HuntBugScenario) shrunk one after the
// other, each one's size before and after, its runs, wall and CPU time.
// The same seeds shrink the same way on any build, so two builds compare
// seed by seed. Bounded by runs (-faultline.shrink-runs) rather than wall
// time, the table is the same at any load.
//
//	go test ./scenarios -run 'TestShrinkTable$' -faultline.long -v -timeout 0 -faultline.hunt-shrink=30m -faultline.shrink-runs=1000 -faultline.shrink-seeds=paxos/own-value@35,service/shed-after-work@3
var (
	shrinkSeeds = flag.String("faultline.shrink-seeds", "", "shrink table: kind/bug@seed,... (failing seeds of the generic hunt, as TestHuntTable reports them)")
	shrinkSteps = flag.Bool("faultline.shrink-steps", false, "shrink table: log every variant kept")
	shrinkTries = flag.Bool("faultline.shrink-tries", false, "shrink table: log every variant tried, kept or not")
	shrinkRuns  = flag.Int("faultline.shrink-runs", 0, "shrink table: run budget of each shrink (0: none; with it and a generous -faultline.hunt-shrink the table is the same at any load)")
)

func TestShrinkTable(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	if *shrinkSeeds == "" {
		t.Skip("no -faultline.shrink-seeds")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| bug | seed | before: faults / ops | after: faults / ops | after | runs | wall | CPU |\n|---|---|---|---|---|---|---|---|\n")
	over := 0
	for _, spec := range strings.Split(*shrinkSeeds, ",") {
		name, seedText, ok := strings.Cut(spec, "@")
		seed, err := strconv.ParseUint(seedText, 10, 64)
		if !ok || err != nil {
			t.Fatalf("-faultline.shrink-seeds: %q is not kind/bug@seed", spec)
		}
		bugs := selectBugs(stockBugs(), name)
		if len(bugs) != 1 {
			t.Fatalf("-faultline.shrink-seeds: %q names %d planted bugs, want 1", name, len(bugs))
		}
		sc, err := scenarios.HuntBugScenario(bugs[0], true)
		if err != nil {
			t.Fatal(err)
		}
		cpu := processCPU()
		opts := scenarios.ShrinkOptions{Budget: *huntShrink, Runs: *shrinkRuns, Run: huntTableRun()}
		if *shrinkSteps || *shrinkTries {
			opts.Progress = func(p scenarios.ShrinkProgress) {
				switch {
				case p.Kept:
					t.Logf("  run %d kept: %s → %s", p.Runs, p.Step, p.Best)
				case *shrinkTries:
					t.Logf("  run %d tried: %s", p.Runs, p.Step)
				}
			}
		}
		res, err := scenarios.Shrink(context.Background(), sc, seed, opts)
		cpu = processCPU() - cpu
		if err != nil {
			t.Errorf("%s seed %d: %v", bugs[0], seed, err)
			continue
		}
		star := ""
		if !res.Complete {
			star = "*"
		}
		if res.After.Faults > 3 || res.After.Ops > 30 {
			over++
		}
		row := fmt.Sprintf("| %s | %d | %d / %d | %d / %d%s | %s | %d | %v | %v |", bugs[0], seed, res.Before.Faults, res.Before.Ops,
			res.After.Faults, res.After.Ops, star, res.After, res.Runs, res.Elapsed.Round(100*time.Millisecond), cpu.Round(100*time.Millisecond))
		t.Log(row)
		if *shrinkSteps {
			for _, st := range res.Scenario.Nemesis.Script {
				t.Logf("  at %v for %v: %s", st.At, st.For, st.Fault)
			}
		}
		b.WriteString(row + "\n")
	}
	fmt.Fprintf(&b, "\n%d above 3 faults or 30 operations; shrink budget %v and %d runs (* : stopped by one).\n", over, *huntShrink, *shrinkRuns)
	t.Logf("\n%s", b.String())
	if *tableFlag != "" {
		if err := os.WriteFile(*tableFlag, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
