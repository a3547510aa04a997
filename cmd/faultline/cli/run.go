package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/faultline/faultline/internal/shell"
	"github.com/faultline/faultline/scenarios"
)

// parseSeeds reads --seed N or --seeds A..B (or a single number).
func parseSeeds(seed, seeds string) (first, last uint64, err error) {
	if seed != "" && seeds != "" {
		return 0, 0, usageError{"give --seed or --seeds, not both"}
	}
	if seed != "" {
		n, err := strconv.ParseUint(seed, 10, 64)
		if err != nil {
			return 0, 0, usageError{fmt.Sprintf("--seed %q: want a non-negative integer", seed)}
		}
		return n, n, nil
	}
	if seeds == "" {
		seeds = "1..200"
	}
	a, b, isRange := strings.Cut(seeds, "..")
	if !isRange {
		b = a
	}
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, usageError{fmt.Sprintf("--seeds %q: want A..B of integers from 0 to %d, such as 1..500", seeds, uint64(math.MaxUint64))}
	}
	if y-x == math.MaxUint64 {
		return 0, 0, usageError{fmt.Sprintf("--seeds %q: the range has 2^64 seeds, one more than a count can hold", seeds)}
	}
	if y < x {
		return 0, 0, usageError{fmt.Sprintf("--seeds %q: want A..B with A ≤ B, such as 1..500", seeds)}
	}
	return x, y, nil
}

func (a *app) cmdRun(args []string) error {
	fs := a.newFlags("run")
	seed := fs.String("seed", "", "run one seed")
	seeds := fs.String("seeds", "", "run a range of seeds A..B (default 1..200)")
	workers := fs.Int("workers", runtime.NumCPU(), "parallel workers")
	out := fs.String("out", "", "the store's root: the sweep writes ROOT/<scenario>/<run id>/ (results.jsonl, summary.json, index.html, failing seeds' seed-N/) and points ROOT/<scenario>/latest at it; the latest run of the same sweep (scenario, build, shard, no seed outside the range) resumes, and so does a run directory given as ROOT (default: nothing written)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	force := fs.Bool("force", false, "resume a run directory (given as --out) written by another build of this binary")
	budget := addCheckFlags(fs, "check-ceiling")
	tmax := addTraceMaxFlag(fs)
	shard := fs.String("shard", "", "run shard I/N (from 0) of the seed range: the I-th of N disjoint parts (default: from "+scenarios.EnvShardIndex+" and "+scenarios.EnvShardCount+" when set)")
	junit := fs.String("junit", "", "also write the verdicts as JUnit XML to FILE, for CI")
	iso := addIsolationFlags(fs)
	untilFailure := fs.Bool("until-failure", false, "stop at the first failing seed (seeds handed out before it still finish; its replay line is printed)")
	verify := fs.Float64("verify-determinism", 0, "re-run this fraction of the seeds (0..1) twice more and compare their traces; a seed that diverges is nondeterministic (failing seeds with --out are always checked against their replay)")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"run takes one scenario file"}
	}
	sc, err := a.loadScenario(pos[0])
	if err != nil {
		return err
	}
	first, last, err := parseSeeds(*seed, *seeds)
	if err != nil {
		return err
	}
	if err := budget.validate("check-ceiling"); err != nil {
		return err
	}
	if err := tmax.validate(); err != nil {
		return err
	}
	if *verify < 0 || *verify > 1 || *verify != *verify {
		return usageError{fmt.Sprintf("--verify-determinism %v: want a fraction of the seeds from 0 to 1", *verify)}
	}
	of, err := resolveShard(*shard, first, last)
	if err != nil {
		return err
	}
	if of != nil {
		first, last, _ = of.Range(first, last)
	}
	if err := iso.validate(); err != nil {
		return err
	}
	return a.sweep(sc, pos[0], sweepArgs{first: first, last: last, workers: *workers, out: *out, asJSON: *asJSON, force: *force, verify: *verify,
		run: tmax.runOptions(budget.runOptions(scenarios.RunOptions{})), shard: of, junit: *junit, iso: iso, untilFailure: *untilFailure})
}

// sweepArgs are run's choices for one sweep.
type sweepArgs struct {
	first, last   uint64
	workers       int
	out           string
	asJSON, force bool
	verify        float64
	untilFailure  bool
	run           scenarios.RunOptions
	shard         *scenarios.ShardOf // nil: not sharded
	junit         string             // "": no JUnit file
	iso           *isolationFlags    // nil: the defaults
}

// checkWorkers refuses a worker count that cannot run anything.
func checkWorkers(n int) error {
	if n < 1 {
		return usageError{fmt.Sprintf("--workers %d: want at least 1", n)}
	}
	return nil
}

func (a *app) sweep(sc *scenarios.Scenario, file string, sa sweepArgs) error {
	first, last, workers, out, asJSON := sa.first, sa.last, sa.workers, sa.out, sa.asJSON
	if err := checkWorkers(workers); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once; the first lets running seeds finish
	}()
	if out != "" {
		dir, resumed, err := sweepRunDir(out, sc, first, last, sa.shard)
		if err != nil {
			return err
		}
		if !asJSON {
			how := "new run"
			if resumed {
				how = "resuming"
			}
			fmt.Fprintf(a.stdout, "%s: %s %s\n", a.name, how, dir)
		}
		out = dir
	}
	bar := newProgress(a.stderr, !asJSON)
	update, ctx, stoppedAtFailure := untilFailure(ctx, sa.untilFailure, bar.update)
	if !asJSON {
		fmt.Fprintf(a.stdout, "%s: %s — %s (%d..%d%s), %s\n", a.name, sc.Name, plural(int(last-first+1), "seed"), first, last, shardNote(sa.shard), plural(workers, "worker"))
	}
	sum, err := scenarios.Sweep(ctx, sc, scenarios.SweepOptions{
		First: first, Last: last, Workers: workers, Out: out, Force: sa.force,
		VerifyDeterminism: sa.verify,
		Shard:             sa.shard,
		Executor:          a.executor(sa.iso),
		RetryCrashed:      sa.iso != nil && sa.iso.retry,
		Run:               sa.run,
		Progress:          update,
		Repro:             func(seed uint64) string { return a.replayCommand(file, seed) },
	})
	bar.finish()
	if err != nil && sum == nil {
		return err
	}
	if asJSON {
		a.writeJSONSummary(a.stdout, sc, file, sum)
	} else {
		a.writeSummary(a.stdout, sc, file, out, sum)
	}
	if sa.junit != "" && err == nil {
		err = a.writeJUnitFile(sa.junit, sc, file, scenarios.BinaryBuild(), sum)
	}
	if out != "" && err == nil {
		// The page is of the sweep's range (seeds an interruption left
		// are missing), or of the seeds run when it stopped on purpose.
		seeds := &scenarios.SeedRange{First: first, Last: last}
		if stoppedAtFailure() {
			seeds = nil
		}
		err = a.writeRunReport(out, sc, file, sum, seeds)
	}
	if err != nil {
		// The results file is incomplete: do not let a green sweep say 0.
		fmt.Fprintf(a.stderr, "%s: %v\n", a.name, err)
		return exitError{scenarios.ExitUsage}
	}
	if sum.Interrupted && !stoppedAtFailure() {
		fmt.Fprintf(a.stderr, "%s: interrupted after %d of %d seeds; finished seeds are kept", a.name, sum.Seeds, last-first+1)
		if out != "" {
			fmt.Fprintf(a.stderr, " in %s — run the same command again to resume", out)
		}
		fmt.Fprintln(a.stderr)
		return exitError{130}
	}
	if code := sum.Worst().ExitCode(); code != 0 {
		return exitError{code}
	}
	return nil
}

// replayCommand is the exact command that reproduces one seed, ready to
// paste into a shell.
func (a *app) replayCommand(file string, seed uint64) string {
	return fmt.Sprintf("%s replay %s --seed %d", a.invoke, shell.Quote(file), seed)
}

func (a *app) writeSummary(w io.Writer, sc *scenarios.Scenario, file, out string, s *scenarios.Summary) {
	fmt.Fprintf(w, "\n%s: %s", sc.Name, plural(s.Seeds, "seed"))
	if s.Resumed > 0 {
		fmt.Fprintf(w, " (%d resumed from %s)", s.Resumed, out)
	}
	if s.Elapsed > 0 { // a merge of shards has no elapsed time of its own
		fmt.Fprintf(w, " in %s", s.Elapsed.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	for _, st := range scenarios.Statuses {
		if (st == scenarios.StatusNondeterministic || st.Lost()) && s.Counts[st] == 0 {
			continue // a status of its own, shown when it happens
		}
		fmt.Fprintf(w, "  %-9s %d\n", st, s.Counts[st])
	}
	writeBeyondBudget(w, sc, s)
	ran := s.Seeds - s.Resumed
	if ran > 0 && s.Elapsed > 0 {
		wall := s.Elapsed.Seconds()
		fmt.Fprintf(w, "  %.0f seeds/s · %.2fM events/s · time dilation %.0f× (virtual ÷ wall, all workers)\n",
			float64(ran)/wall, float64(s.Events)/wall/1e6, s.Virtual.Seconds()/wall)
	}
	writeCoverage(w, sc, s)
	if len(s.Failures) > 0 {
		fmt.Fprintf(w, "\nfailing seeds:\n")
		for i, f := range s.Failures {
			if i == 20 {
				fmt.Fprintf(w, "  … and %d more (see %s)\n", len(s.Failures)-20, orDefault(out, "--out DIR"))
				break
			}
			fmt.Fprintf(w, "  seed %-6d %-8s %s\n    reproduce: %s\n", f.Seed, f.Status, oneLine(f.Reason), a.replayCommand(file, f.Seed))
		}
		if out != "" {
			fmt.Fprintf(w, "artifacts (trace, history, visualization, plots, scenario, index.html) under %s/seed-N/\n", out)
		}
	}
}

// plural writes "1 seed", "2 seeds".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// oneLine folds a reason onto one line of at most 160 bytes, cutting at a
// word boundary (never inside a word, a quoted value or a UTF-8 rune).
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 160
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexByte(s[:max-1], ' ')
	if cut < max/2 {
		cut = max - 1
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + " …"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (a *app) writeJSONSummary(w io.Writer, sc *scenarios.Scenario, file string, s *scenarios.Summary) {
	type failure struct {
		Seed   uint64 `json:"seed"`
		Status string `json:"status"`
		Reason string `json:"reason"`
		Replay string `json:"replay"`
	}
	out := struct {
		Scenario    string         `json:"scenario"`
		Seeds       int            `json:"seeds"`
		Resumed     int            `json:"resumed"`
		Counts      map[string]int `json:"counts"`
		Failures    []failure      `json:"failures"`
		Events      uint64         `json:"events"`
		ElapsedNS   int64          `json:"elapsed_ns"`
		VirtualNS   int64          `json:"virtual_ns"`
		Interrupted bool           `json:"interrupted"`
		Worst       string         `json:"worst"`
		Faults      map[string]int `json:"faults"`
		Probes      map[string]int `json:"probes"`
		// BeyondBudget and Excused: seeds beyond the recoverability
		// budget, and their excused liveness failures (omitted when none).
		BeyondBudget int `json:"beyond_budget,omitempty"`
		Excused      int `json:"excused,omitempty"`
	}{BeyondBudget: s.BeyondBudget, Excused: s.Excused, Scenario: sc.Name, Seeds: s.Seeds, Resumed: s.Resumed, Counts: map[string]int{}, Failures: []failure{},
		Events: s.Events, ElapsedNS: int64(s.Elapsed), VirtualNS: int64(s.Virtual), Interrupted: s.Interrupted,
		Worst: string(s.Worst()), Faults: s.Faults, Probes: s.Probes}
	for _, st := range scenarios.Statuses {
		out.Counts[string(st)] = s.Counts[st]
	}
	for _, f := range s.Failures {
		out.Failures = append(out.Failures, failure{f.Seed, string(f.Status), f.Reason, a.replayCommand(file, f.Seed)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// progress shows a bar on a terminal and occasional plain lines otherwise.
type progress struct {
	w       io.Writer
	tty     bool
	enabled bool
	last    time.Time
	shown   bool
}

func newProgress(w io.Writer, enabled bool) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, enabled: enabled}
}

func (p *progress) update(pr scenarios.Progress) {
	if !p.enabled {
		return
	}
	now := time.Now()
	final := pr.Done == pr.Total
	if p.tty {
		if !final && now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.last = now
		const width = 30
		filled := width * pr.Done / max(pr.Total, 1)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d seeds · %s · %d failing ",
			strings.Repeat("█", filled), strings.Repeat("·", width-filled), pr.Done, pr.Total, rateETA(pr), pr.Failed)
		p.shown = true
		return
	}
	if !final && now.Sub(p.last) < 2*time.Second {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "progress: %d/%d seeds, %s, %d failing\n", pr.Done, pr.Total, strings.ReplaceAll(rateETA(pr), " · ", ", "), pr.Failed)
}

// rateETA renders the sweep's rate over the seeds run now (resumed seeds
// took no time) and the time left at that rate: "41 seeds/s · ETA 12s".
func rateETA(pr scenarios.Progress) string {
	ran := pr.Done - pr.Resumed
	if ran <= 0 || pr.Elapsed <= 0 {
		return "– seeds/s"
	}
	rate := float64(ran) / pr.Elapsed.Seconds()
	s := fmt.Sprintf("%.0f seeds/s", rate)
	if rate < 10 {
		s = fmt.Sprintf("%.1f seeds/s", rate)
	}
	if left := pr.Total - pr.Done; left > 0 {
		eta := time.Duration(float64(left) / rate * float64(time.Second))
		s += " · ETA " + eta.Round(time.Second).String()
	} else {
		s += " · " + pr.Elapsed.Round(time.Millisecond).String()
	}
	return s
}

func (p *progress) finish() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
