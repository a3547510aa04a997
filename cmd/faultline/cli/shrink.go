package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// shrunkFile is the reduced scenario's name inside --out.
const shrunkFile = "shrunk.yaml"

func (a *app) cmdShrink(args []string) error {
	fs := a.newFlags("shrink")
	seed := fs.String("seed", "", "the failing seed to shrink (required)")
	out := fs.String("out", "", "the store's root: the shrink writes ROOT/<scenario>/<run id>/"+shrunkFile+" and points ROOT/<scenario>/latest at the run (default "+defaultStore+")")
	budget := fs.Duration("budget", 60*time.Second, "wall-time budget for trying smaller variants")
	runs := fs.Int("runs", 0, "also stop after this many runs (0: no bound); a shrink bounded by runs is the same at any load")
	quiet := fs.Bool("quiet", false, "print only the before/after summary")
	check := addCheckFlags(fs, "check-ceiling")
	_, sc, n, root, err := a.scenarioSeed("shrink", fs, args, seed, out)
	if err != nil {
		return err
	}
	if err := check.validate("check-ceiling"); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(a.stdout, "%s: shrinking %s seed %d (budget %v)\n", a.name, sc.Name, n, *budget)
	if k := scenarios.SwarmKnobs(sc, n); k != "" {
		fmt.Fprintf(a.stdout, "  swarm knobs of seed %d: %s\n", n, k)
	}
	progress := func(p scenarios.ShrinkProgress) {
		if *quiet || !p.Kept {
			return
		}
		fmt.Fprintf(a.stdout, "  %6.1fs run %-4d kept: %-40s → %s\n", p.Elapsed.Seconds(), p.Runs, p.Step, p.Best)
	}
	res, err := scenarios.Shrink(ctx, sc, n, scenarios.ShrinkOptions{Budget: *budget, Runs: *runs, Run: check.runOptions(scenarios.RunOptions{}), Progress: progress})
	if res.Scenario == nil {
		return err
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "%s shrink: %v\n", a.name, err)
	}
	dir, err := createRun(root, sc.Name)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, shrunkFile)
	if err := writeFileAtomic(path, scenarios.Format(res.Scenario)); err != nil {
		return err
	}
	state := "done"
	if !res.Complete {
		state = "stopped by the budget; the result is the smallest failing scenario found so far"
	}
	fmt.Fprintf(a.stdout, "\n%s after %d runs in %s\n", state, res.Runs, res.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(a.stdout, "  failure: %s — %s\n", res.Signature, oneLine(res.Outcome.Reason))
	fmt.Fprintf(a.stdout, "  before:  %s\n", res.Before)
	fmt.Fprintf(a.stdout, "  after:   %s\n", res.After)
	fmt.Fprintf(a.stdout, "  faults:\n")
	for _, st := range res.Scenario.Nemesis.Script {
		end := "until the heal"
		if st.For > 0 {
			end = "for " + st.For.String()
		}
		fmt.Fprintf(a.stdout, "    at %-8s %-14s %s\n", st.At, end, st.Fault)
	}
	if res.Seed != n {
		// The smaller scenario draws different randomness (fewer faults,
		// operations or clients shift every stream), so the failure is
		// kept by trying neighbouring seeds; say so, or the new seed
		// looks like a mistake.
		fmt.Fprintf(a.stdout, "  seed:    %d, not %d: with the smaller scenario the failure came back at seed %d (removing faults or operations changes what every seed draws, so the shrinker tries the seeds after the original)\n", res.Seed, n, res.Seed)
	}
	fmt.Fprintf(a.stdout, "  wrote %s\n  reproduce: %s\n", path, a.replayCommand(path, res.Seed))
	return nil
}

// writeFileAtomic writes path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
