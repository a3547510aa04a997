package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// huntFile is the hunted scenario's name inside --out: the replay line of
// the failure names it.
const huntFile = "hunt.yaml"

func (a *app) cmdHunt(args []string) error {
	fs := a.newFlags("hunt")
	node := fs.String("node", "", "the node kind to hunt (with --workload; or --scenario)")
	workload := fs.String("workload", "", "the workload kind (default the node kind's first)")
	params := fs.String("params", "", "the node kind's parameters, key=value,key=value (bugs=no-sessions,read_mode=lease)")
	scenario := fs.String("scenario", "", "hunt with this scenario instead of the generated one")
	forD := fs.Duration("for", 0, "wall-time budget (default: none; with neither --for nor --seeds, 10m)")
	seeds := fs.Uint64("seeds", 0, "seed budget: run at most this many seeds")
	first := fs.String("first", "", "the first seed (default: drawn at random, and printed)")
	workers := fs.Int("workers", runtime.NumCPU(), "parallel workers")
	out := fs.String("out", "", "the store's root: the hunt writes ROOT/<scenario>/<run id>/ ("+huntFile+", the failing seed's seed-N/, the shrunk failure) and points ROOT/<scenario>/latest at it (default "+defaultStore+")")
	shrinkBudget := fs.Duration("shrink-budget", 60*time.Second, "wall-time budget for shrinking the failure (0: do not shrink)")
	verify := fs.Float64("verify-determinism", 0, "re-run this fraction of the seeds twice more and compare their traces")
	corpusDir := fs.String("corpus", "", "directory of the coverage-guided corpus, read and added to (default ROOT/<scenario>/"+corpusDirName+", shared by every hunt of the scenario)")
	noCorpus := fs.Bool("no-corpus", false, "fresh seeds only: no corpus, no mutants (seeds to failure are then the lowest failing seed's position)")
	budget := addCheckFlags(fs, "check-ceiling")
	// A hunt runs thousands of seeds: one history whose linearizability
	// search explodes must not eat its budget (the seed is Unknown,
	// counted, and the hunt goes on).
	setDefault(fs, "check-steps", strconv.Itoa(huntCheckSteps))
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{fmt.Sprintf("hunt takes flags only (got %q): --node K [--workload W] or --scenario FILE", pos[0])}
	}
	if err := budget.validate("check-ceiling"); err != nil {
		return err
	}
	if err := checkWorkers(*workers); err != nil {
		return err
	}
	if *forD < 0 {
		return usageError{fmt.Sprintf("--for %v: want a positive duration such as 10m", *forD)}
	}
	if *shrinkBudget < 0 {
		return usageError{fmt.Sprintf("--shrink-budget %v: want a duration, 0 to skip the shrink", *shrinkBudget)}
	}
	if *verify < 0 || *verify > 1 || *verify != *verify {
		return usageError{fmt.Sprintf("--verify-determinism %v: want a fraction of the seeds from 0 to 1", *verify)}
	}
	ps, err := scenarios.ParseParams(*params)
	if err != nil {
		return usageError{"--params " + strings.TrimPrefix(err.Error(), "scenarios: params ")} // --params "bugs": want key=value pairs...
	}
	var sc *scenarios.Scenario
	switch {
	case *scenario != "" && (*node != "" || *workload != ""):
		return usageError{"give --node/--workload or --scenario, not both"}
	case *scenario != "":
		if sc, err = a.loadScenario(*scenario); err != nil {
			return err
		}
		if len(ps) > 0 {
			sc = withParams(sc, ps)
		}
	case *node == "":
		return usageError{"hunt needs --node K (and optionally --workload W), or --scenario FILE"}
	default:
		if sc, err = scenarios.HuntScenario(scenarios.HuntSpec{Node: *node, Workload: *workload, Params: ps}); err != nil {
			return err
		}
	}
	var start uint64
	if *first != "" {
		if start, err = strconv.ParseUint(*first, 10, 64); err != nil {
			return usageError{fmt.Sprintf("--first %q: want a non-negative integer", *first)}
		}
	} else {
		start = rand.Uint64N(1 << 40) // short enough to type back
	}
	limit := *forD
	if limit == 0 && *seeds == 0 {
		limit = 10 * time.Minute
	}
	dir, err := createRun(orDefault(*out, defaultStore), sc.Name)
	if err != nil {
		return err
	}
	file := filepath.Join(dir, huntFile)
	if err := writeFileAtomic(file, scenarios.Format(sc)); err != nil {
		return err
	}
	// The replay line must load what ran: the written file, read back.
	if sc, err = scenarios.LoadFile(file); err != nil {
		return fmt.Errorf("the hunted scenario does not read back (a bug): %v", err)
	}
	var corpus *scenarios.Corpus
	if !*noCorpus {
		cd := *corpusDir
		if cd == "" {
			cd = filepath.Join(filepath.Dir(dir), corpusDirName) // shared by the scenario's hunts
		}
		if corpus, err = scenarios.OpenCorpus(cd, sc); err != nil {
			return err
		}
	}

	var bounds []string
	if limit > 0 {
		bounds = append(bounds, limit.String())
	}
	if *seeds > 0 {
		bounds = append(bounds, plural(int(*seeds), "seed"))
	}
	how := "random"
	if *first != "" {
		how = "given"
	}
	fmt.Fprintf(a.stdout, "%s hunt: %s — seeds from %d (%s; --first %d repeats this hunt), %s, until a failure or %s\n",
		a.name, sc.Name, start, how, start, plural(*workers, "worker"), strings.Join(bounds, " or "))
	fmt.Fprintf(a.stdout, "  scenario: %s\n", file)
	if corpus != nil {
		fmt.Fprintf(a.stdout, "  corpus: %s (%s; fresh seeds and, a quarter of the runs, mutants of its entries)\n", corpus.Dir, entries(len(corpus.Entries)))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var last time.Time
	mutants := 0 // runs that were corpus mutants, not seeds
	progress := func(p scenarios.HuntProgress) {
		if p.Mutant {
			mutants++
		}
		if len(p.NewFaults) > 0 || len(p.NewProbes) > 0 {
			var parts []string
			if len(p.NewFaults) > 0 {
				parts = append(parts, "faults "+strings.Join(p.NewFaults, ", "))
			}
			if len(p.NewProbes) > 0 {
				parts = append(parts, "probes "+strings.Join(p.NewProbes, ", "))
			}
			fmt.Fprintf(a.stdout, "  %6.1fs new coverage at %s: %s\n", p.Elapsed.Seconds(), huntRunName(p), strings.Join(parts, "; "))
		} else if n := len(p.NewCoverage); n > 0 && p.Mutant {
			fmt.Fprintf(a.stdout, "  %6.1fs new coverage at %s: %s\n", p.Elapsed.Seconds(), huntRunName(p), coverageCounts(p.NewCoverage))
		}
		if now := time.Now(); now.Sub(last) >= 5*time.Second {
			last = now
			fmt.Fprintf(a.stdout, "  %6.1fs %s, %.0f/s, %d not valid\n", p.Elapsed.Seconds(), huntRuns(p.Done, mutants), float64(p.Done)/max(p.Elapsed.Seconds(), 1e-9), p.Failed)
		}
	}
	res, err := scenarios.Hunt(ctx, sc, scenarios.HuntOptions{
		First: start, Seeds: *seeds, For: limit, Workers: *workers,
		Run: budget.runOptions(scenarios.RunOptions{}), VerifyDeterminism: *verify,
		Progress: progress, ShrinkBudget: -1, Corpus: corpus, // the shrink comes after the summary (below)
	})
	if err != nil {
		return err
	}
	s := res.Summary
	fmt.Fprintf(a.stdout, "\n%s: %s, %s in %s", sc.Name, res.Stop, huntRuns(s.Seeds, mutants), s.Elapsed.Round(time.Millisecond))
	if s.Elapsed > 0 {
		fmt.Fprintf(a.stdout, " (%.0f/s)", float64(s.Seeds)/s.Elapsed.Seconds())
	}
	fmt.Fprintln(a.stdout)
	if n := s.Counts[scenarios.StatusUnknown]; n > 0 {
		fmt.Fprintf(a.stdout, "  %s undecided (a checker out of budget: not a pass, not a failure)\n", plural(n, "seed"))
	}
	writeBeyondBudget(a.stdout, sc, s)
	writeReplicationStorms(a.stdout, sc, res.ReplicationStorms)
	writeCoverage(a.stdout, sc, s)
	if r := scenarios.StrategyReport(res.Strategies, 8); r != "" {
		fmt.Fprint(a.stdout, "\n"+r)
	}
	if corpus != nil {
		fmt.Fprintf(a.stdout, "  corpus: %s in %s\n", entries(res.Corpus), corpus.Dir)
	}
	if err := writeHuntSummary(filepath.Join(dir, huntSummaryFile), res); err != nil {
		return err
	}
	if res.Failure == nil {
		if res.Stop == scenarios.HuntInterrupted {
			return exitError{130}
		}
		return nil
	}
	f := res.Failure
	what := fmt.Sprintf("seed %d", f.Seed)
	if res.FailureScenario != nil {
		what = fmt.Sprintf("a corpus mutant of seed %d", f.Seed)
	}
	fmt.Fprintf(a.stdout, "\nFAILURE at %s (run %d of the hunt, after %s; %s): %s — %s\n", what, res.SeedsToFailure, res.TimeToFailure.Round(time.Millisecond), strategyList(res.FailureStrategies), f.Status, oneLine(f.Reason))
	if f.BeyondBudget {
		fmt.Fprintf(a.stdout, "  beyond the recoverability budget: a safety violation there is still a bug (safety holds under any number of crash-recoveries)\n")
	}
	replayFile := file
	if res.FailureScenario != nil {
		replayFile = filepath.Join(dir, fmt.Sprintf("mutant-seed-%d.yaml", f.Seed))
		if err := writeFileAtomic(replayFile, scenarios.Format(res.FailureScenario)); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "  mutant: %s\n", replayFile)
	} else if k := scenarios.SwarmKnobs(sc, f.Seed); k != "" {
		fmt.Fprintf(a.stdout, "  knobs: %s\n", k)
	}
	fmt.Fprintf(a.stdout, "  reproduce: %s\n", a.replayCommand(replayFile, f.Seed))
	failed := sc
	if res.FailureScenario != nil {
		failed = res.FailureScenario
	}
	if err := scenarios.WriteArtifacts(failed, f.Seed, dir, budget.runOptions(scenarios.RunOptions{}), a.replayCommand(replayFile, f.Seed)); err != nil {
		fmt.Fprintf(a.stderr, "%s hunt: writing the failing seed's artifacts: %v\n", a.name, err)
	} else {
		fmt.Fprintf(a.stdout, "  artifacts: %s\n", filepath.Join(dir, fmt.Sprintf("seed-%d", f.Seed)))
	}
	if *shrinkBudget > 0 && ctx.Err() == nil {
		a.huntShrink(ctx, sc, res, dir, *shrinkBudget, budget.runOptions(scenarios.RunOptions{}))
	}
	return exitError{f.Status.ExitCode()}
}

// huntShrink shrinks the hunt's failure, printing its progress, then the
// shrunk fault script, the shrunk scenario's file and its replay line.
func (a *app) huntShrink(ctx context.Context, sc *scenarios.Scenario, res *scenarios.HuntResult, dir string, budget time.Duration, run scenarios.RunOptions) {
	f := res.Failure
	what := fmt.Sprintf("seed %d", f.Seed)
	if res.FailureScenario != nil {
		what = "the mutant"
	}
	fmt.Fprintf(a.stdout, "\nshrinking %s (--shrink-budget %v; Ctrl-C stops it and keeps the smallest failure so far):\n", what, budget)
	err := res.ShrinkFailure(ctx, sc, scenarios.ShrinkOptions{Budget: budget, Run: run, Progress: func(p scenarios.ShrinkProgress) {
		if p.Kept {
			fmt.Fprintf(a.stdout, "  %6.1fs run %-4d kept: %-40s → %s\n", p.Elapsed.Seconds(), p.Runs, p.Step, p.Best)
		}
	}})
	if err != nil {
		fmt.Fprintf(a.stderr, "%s hunt: shrink: %v\n", a.name, err)
	}
	r := res.Shrunk
	if r == nil {
		return
	}
	path := filepath.Join(dir, fmt.Sprintf("shrunk-seed-%d.yaml", f.Seed))
	if err := writeFileAtomic(path, scenarios.Format(r.Scenario)); err != nil {
		fmt.Fprintf(a.stderr, "%s hunt: writing the shrunk scenario: %v\n", a.name, err)
		return
	}
	state := "shrunk"
	if !r.Complete {
		state = "shrunk (stopped by the budget)"
	}
	fmt.Fprintf(a.stdout, "  %s in %s, %d runs: %s → %s\n", state, r.Elapsed.Round(time.Millisecond), r.Runs, r.Before, r.After)
	for _, st := range r.Scenario.Nemesis.Script {
		end := "until the heal"
		if st.For > 0 {
			end = "for " + st.For.String()
		}
		fmt.Fprintf(a.stdout, "    at %-8s %-14s %s\n", st.At, end, st.Fault)
	}
	fmt.Fprintf(a.stdout, "  wrote %s\n  reproduce the shrunk failure: %s\n", path, a.replayCommand(path, r.Seed))
}

// writeBeyondBudget states which share of the seeds went beyond the
// recoverability budget and how they were judged (nothing when none did).
func writeBeyondBudget(w io.Writer, sc *scenarios.Scenario, s *scenarios.Summary) {
	if s.BeyondBudget == 0 {
		return
	}
	drawn := ""
	if sc.Swarm != nil && !sc.Swarm.BeyondBudget.IsZero() {
		drawn = ", drawn with probability " + sc.Swarm.BeyondBudget.String()
	}
	if sc.Swarm != nil && !sc.Swarm.SendStorm.IsZero() {
		drawn += ", crash-on-send storms with probability " + sc.Swarm.SendStorm.String()
	}
	if sc.Swarm != nil && !sc.Swarm.ReplicationStorm.IsZero() {
		drawn += ", replication storms with probability " + sc.Swarm.ReplicationStorm.String()
	}
	fmt.Fprintf(w, "  %s of %d (%.1f%%%s) beyond the recoverability budget: safety judged as always, liveness failures excused (%d)\n",
		plural(s.BeyondBudget, "seed"), s.Seeds, 100*float64(s.BeyondBudget)/float64(max(s.Seeds, 1)), drawn, s.Excused)
}

// huntRuns counts a hunt's runs: "86 seeds", or with corpus mutants
// among them "86 runs (70 seeds, 16 corpus mutants)".
func huntRuns(runs, mutants int) string {
	if mutants == 0 {
		return plural(runs, "seed")
	}
	return fmt.Sprintf("%s (%s, %s)", plural(runs, "run"), plural(runs-mutants, "seed"), plural(mutants, "corpus mutant"))
}

// writeReplicationStorms says whether the replication storms took: how
// many runs were storms and how many of them sent the kind's replication
// message; a warning when none did (HuntShape.Replication names a message
// the kind never sends, so the storms crashed nothing).
func writeReplicationStorms(w io.Writer, sc *scenarios.Scenario, r *scenarios.ReplicationStorms) {
	switch {
	case r == nil:
	case r.Idle():
		sent := "nothing"
		if len(r.Others) > 0 {
			sent = strings.Join(r.Others, ", ")
		}
		fmt.Fprintf(w, "  WARNING: the replication storms did nothing: in the %[2]s that were storms no server sent a message of type %[1]s to another, so they crashed and dropped nothing.\n"+
			"    Node kind %[3]s declares HuntShape.Replication %[1]q; its servers sent each other: %[4]s.\n", r.Message, plural(r.Runs, "run"), sc.Cluster.Node, sent)
	default:
		fmt.Fprintf(w, "  replication storms: %s, %d of them sent %s (HuntShape.Replication)\n", plural(r.Runs, "run"), r.Sent, r.Message)
	}
}

// huntCheckSteps is hunt's default linearizability budget, in model
// steps: about a second of search.
const huntCheckSteps = 2_000_000

// setDefault changes a defined flag's default value (and its help).
func setDefault(fs *flag.FlagSet, name, value string) {
	if err := fs.Set(name, value); err != nil {
		panic(err)
	}
	fs.Lookup(name).DefValue = value
}

// withParams is sc with its cluster parameters set (added or replaced) by ps.
func withParams(sc *scenarios.Scenario, ps []scenarios.Param) *scenarios.Scenario {
	c := sc.Clone()
	for _, p := range ps {
		replaced := false
		for i := range c.Cluster.Params {
			if c.Cluster.Params[i].Key == p.Key {
				c.Cluster.Params[i].Value, replaced = p.Value, true
			}
		}
		if !replaced {
			c.Cluster.Params = append(c.Cluster.Params, p)
		}
	}
	return c
}

// untilFailure wraps a sweep's progress callback for run --until-failure:
// the first failing seed (not an Unknown one) cancels the returned
// context. stopped reports whether that happened, so the sweep's early
// end is not taken for an interruption.
func untilFailure(ctx context.Context, on bool, update func(scenarios.Progress)) (wrapped func(scenarios.Progress), _ context.Context, stopped func() bool) {
	if !on {
		return update, ctx, func() bool { return false }
	}
	ctx, cancel := context.WithCancel(ctx)
	failed := false
	return func(p scenarios.Progress) {
		if p.Last != nil && p.Last.Failed() && p.Last.Status != scenarios.StatusUnknown && !failed {
			failed = true
			cancel()
		}
		update(p)
	}, ctx, func() bool { return failed }
}
