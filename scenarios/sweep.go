package scenarios

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// SweepOptions configure a seed sweep.
type SweepOptions struct {
	// First and Last bound the seeds, inclusive.
	First, Last uint64
	// Workers run seeds in parallel (default: all cores). Results do not
	// depend on it.
	Workers int
	// Out is a directory for results.jsonl (which makes the sweep
	// resumable) and per-failing-seed artifacts; "" keeps nothing.
	Out string
	// Run configures each seed's run. It is shared by every worker, so a
	// VisualizationPath or Hook set here would be used by several seeds at
	// once: leave them unset (failing seeds get their own files through Out).
	Run RunOptions
	// Progress, if set, is called after each seed finishes, from a single
	// goroutine.
	Progress func(Progress)
	// Force resumes a results file written by another build of the
	// binary (by default that is an error: results of different code
	// would mix).
	Force bool
	// Repro, if set, is the command line that reproduces a seed, written
	// into its artifacts (default ReplayLine: the stock faultline command).
	Repro func(seed uint64) string
	// VerifyDeterminism re-runs this fraction of the seeds (0..1, chosen
	// per seed) twice more and compares their traces event by event; a
	// seed whose runs diverge is StatusNondeterministic. Failing seeds
	// written to Out are always checked: their replay must hash as the
	// run did.
	VerifyDeterminism float64
	// Shard, if set, says this sweep is one shard of a larger one
	// (First..Last must be its part: Shard.Range); it is recorded in the
	// results file for Merge, and resuming another shard's file is an error.
	Shard *ShardOf
	// Executor, if set, runs the seeds elsewhere — the faultline command
	// runs each worker's seeds in a subprocess, so a seed that hangs,
	// exhausts memory or kills its process is recorded as StatusTimeout,
	// StatusOOM or StatusCrash and the sweep goes on. nil runs them in
	// this process (what tests use).
	Executor Executor
	// RetryCrashed runs again, on resume, the seeds a results file
	// records as lost (timeout, oom, crash); by default a resume keeps
	// every recorded seed.
	RetryCrashed bool
}

// An Executor starts the workers of an isolated sweep. Sweep calls Start
// once per worker, before any seed runs; an error stops the sweep.
type Executor interface {
	Start(sc *Scenario, opts SweepOptions) (SeedWorker, error)
}

// A SeedWorker runs one sweep worker's seeds, one at a time, each as
// SweepSeed would. Run never fails: a seed whose run was lost is an
// Outcome with a lost status (Status.Lost) naming the seed and why, and
// the worker replaces whatever it lost before the next seed.
type SeedWorker interface {
	Run(seed uint64) Outcome
	Close() error
}

// SweepSeed is what a sweep does with one seed: run it; for a failing
// seed with opts.Out set, write its artifacts (a replay, whose hash must
// be the run's); and, for the opts.VerifyDeterminism sample, re-run it
// and compare. An Executor's workers call it.
func SweepSeed(sc *Scenario, seed uint64, opts SweepOptions) Outcome {
	o := RunSeed(sc, seed, opts.Run)
	if o.Failed() && opts.Out != "" {
		repro := ""
		if opts.Repro != nil {
			repro = opts.Repro(seed)
		}
		// The artifacts are a replay: if it took another path, the
		// verdict is not the seed's and the trace is not the run's — say
		// so rather than write a trace that contradicts the results.
		hash, err := writeArtifacts(sc, seed, opts.Out, opts.Run, repro)
		switch {
		case err != nil:
			o.Reason += fmt.Sprintf(" (artifacts: %v)", err)
		case hash != o.Hash && o.Hash != "":
			o = nondeterministic(sc, o, "(its replay for the artifacts) hashed "+hash, opts.Run)
		}
	}
	if o.Status != StatusNondeterministic && o.Hash != "" && verifySample(seed, opts.VerifyDeterminism) {
		if err := CheckDeterminism(sc, seed, opts.Run); err != nil {
			o = nondeterministic(sc, o, "diverged: "+err.Error(), opts.Run)
		}
	}
	return o
}

// Progress reports a sweep in flight.
type Progress struct {
	Done, Total, Failed int
	// Resumed of Done were read back from an earlier sweep, not run now:
	// rates and estimates count only the others.
	Resumed int
	Elapsed time.Duration
	Last    *Outcome
}

// Summary is what a sweep found.
type Summary struct {
	Scenario string
	Seeds    int // seeds with a result (run now or resumed)
	Resumed  int // of which were read back from an earlier sweep
	Counts   map[Status]int
	Failures []Outcome // sorted by seed
	Events   uint64
	Virtual  time.Duration // summed over seeds run now
	CPU      time.Duration // summed wall time of seeds run now
	Elapsed  time.Duration
	// Interrupted: the context was cancelled before every seed ran.
	Interrupted bool
	// Faults and Probes count, over seeds run now, how many seeds saw each
	// fault kind or coverage probe fire.
	Faults map[string]int
	Probes map[string]int
	// BeyondBudget counts the seeds that ran beyond the recoverability
	// budget (Outcome.BeyondBudget), and Excused those of them whose
	// liveness failure was excused (counted as valid in Counts).
	BeyondBudget, Excused int
}

// Worst is the most severe status in the sweep.
func (s *Summary) Worst() Status {
	w := StatusValid
	for st, n := range s.Counts { //faultline:orderless max over a map
		if n > 0 {
			w = Worse(w, st)
		}
	}
	return w
}

type resultsHeader struct {
	Faultline   string `json:"faultline_results"`
	Scenario    string `json:"scenario"`
	Fingerprint string `json:"fingerprint"`
	// Build names the binary that wrote the results (its module version
	// and VCS revision, with "+dirty" for uncommitted changes): results of
	// different code do not mix.
	Build string `json:"build,omitempty"`
	// Shard: the results are one shard of a larger sweep (SweepOptions.Shard).
	Shard *ShardOf `json:"shard,omitempty"`
}

// BinaryBuild names this binary for results files: the main module's
// path and version, its VCS revision when built from a clean checkout,
// and otherwise (a development build, or one without VCS stamping) a hash
// of the executable itself, which tells any two builds apart.
func BinaryBuild() string {
	buildOnce.Do(func() { build = binaryBuild() })
	return build
}

var (
	buildOnce sync.Once
	build     string
)

func binaryBuild() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	parts := []string{bi.Main.Path + "@" + bi.Main.Version}
	var rev string
	dirty := false
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			dirty = kv.Value == "true"
		}
	}
	if rev != "" {
		if !dirty {
			return strings.Join(append(parts, rev), " ")
		}
		parts = append(parts, rev+"+dirty")
	}
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				parts = append(parts, "exe:"+hex.EncodeToString(h.Sum(nil)[:8]))
			}
		}
	}
	return strings.Join(parts, " ")
}

// Fingerprint identifies a scenario's resolved content.
func Fingerprint(sc *Scenario) string {
	sum := sha256.Sum256(Format(sc))
	return hex.EncodeToString(sum[:8])
}

// Sweep runs seeds First..Last of sc, in parallel, and summarises them.
// Cancelling ctx stops handing out seeds; seeds already finished are kept
// (and, with Out set, already on disk), so a later Sweep with the same
// Out resumes where this one stopped.
func Sweep(ctx context.Context, sc *Scenario, opts SweepOptions) (*Summary, error) {
	if opts.Last < opts.First {
		return nil, fmt.Errorf("scenarios: seed range %d..%d is empty", opts.First, opts.Last)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	start := time.Now()
	sum := &Summary{Scenario: sc.Name, Counts: map[Status]int{}, Faults: map[string]int{}, Probes: map[string]int{}}
	done := map[uint64]bool{}
	var results *os.File
	if opts.Out != "" {
		var err error
		unlock, err := lockDir(opts.Out)
		if err != nil {
			return nil, err
		}
		defer unlock()
		results, err = openResults(opts.Out, sc, opts, done, sum)
		if err != nil {
			return nil, err
		}
		defer results.Close()
		if err := writeSweepScenario(opts.Out, sc); err != nil {
			return nil, err
		}
	}
	total := int(opts.Last - opts.First + 1)
	seeds := make(chan uint64)
	outs := make(chan Outcome)
	var wg sync.WaitGroup
	for range workers {
		var w SeedWorker
		if opts.Executor != nil {
			var err error
			if w, err = opts.Executor.Start(sc, opts); err != nil {
				close(seeds)
				wg.Wait()
				return nil, err
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w != nil {
				defer w.Close()
			}
			for seed := range seeds {
				var o Outcome
				if w != nil {
					o = w.Run(seed)
					if o.Status.Lost() && opts.Out != "" {
						// A worker lost while writing the artifacts leaves them
						// half-written under their temporary name.
						os.RemoveAll(filepath.Join(opts.Out, fmt.Sprintf("seed-%d.tmp", seed)))
					}
				} else {
					o = SweepSeed(sc, seed, opts)
				}
				o.bound()
				o.History, o.Trace = nil, nil // keep memory flat over long sweeps
				outs <- o
			}
		}()
	}
	go func() {
		defer close(seeds)
		for s := opts.First; ; s++ {
			if !done[s] {
				select {
				case seeds <- s:
				case <-ctx.Done():
					return
				}
			}
			if s == opts.Last {
				return
			}
		}
	}()
	go func() { wg.Wait(); close(outs) }()

	var writeErr error
	lastSync := time.Now()
	for o := range outs {
		sum.add(&o, false)
		if results != nil && writeErr == nil {
			writeErr = appendResult(results, &o)
			// Results reach the disk at least every 200ms of wall time (a
			// power loss then costs the seeds of the last 200ms, which a
			// resume runs again), and at the end.
			if writeErr == nil && time.Since(lastSync) > 200*time.Millisecond {
				writeErr, lastSync = syncFile(results), time.Now()
			}
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Done: sum.Seeds, Total: total, Failed: len(sum.Failures), Resumed: sum.Resumed, Elapsed: time.Since(start), Last: &o})
		}
	}
	if results != nil && writeErr == nil {
		writeErr = syncFile(results)
	}
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].Seed < sum.Failures[j].Seed })
	sum.Elapsed = time.Since(start)
	sum.Interrupted = sum.Seeds < total
	return sum, writeErr
}

// add counts an outcome; resumed ones count as seeds and verdicts only
// (the totals and coverage are for seeds run now, as the rates are).
func (sum *Summary) add(o *Outcome, resumed bool) {
	sum.Seeds++
	sum.Counts[o.Status]++
	if o.BeyondBudget {
		sum.BeyondBudget++
	}
	if o.Excused != "" {
		sum.Excused++
	}
	if o.Failed() {
		sum.Failures = append(sum.Failures, *o)
	}
	if resumed {
		sum.Resumed++
		return
	}
	sum.Events += o.Events
	sum.Virtual += o.Virtual
	sum.CPU += o.Wall
	for _, f := range o.Faults {
		sum.Faults[f]++
	}
	for p, n := range o.Probes { //faultline:orderless summing counts
		if n > 0 {
			sum.Probes[p]++
		} else if _, ok := sum.Probes[p]; !ok {
			sum.Probes[p] = 0 // declared (Sometimes) but not yet true
		}
	}
}

// openResults opens (creating or resuming) DIR/results.jsonl, loading the
// seeds of first..last it already holds into done and sum.
// A seed recorded more than once (run again with RetryCrashed) counts
// as its last line says; with RetryCrashed, a seed whose last line is a
// lost worker is left out, to run again.
func openResults(dir string, sc *Scenario, opts SweepOptions, done map[uint64]bool, sum *Summary) (*os.File, error) {
	first, last, force := opts.First, opts.Last, opts.Force
	if err := checkShard(opts.Shard, first, last); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scenarios: %v", err)
	}
	path := filepath.Join(dir, "results.jsonl")
	if err := noSymlink(path); err != nil {
		return nil, err
	}
	hdr := resultsHeader{Faultline: "1", Scenario: sc.Name, Fingerprint: Fingerprint(sc), Build: BinaryBuild(), Shard: opts.Shard}
	if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
		recorded := map[uint64]Outcome{}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 16<<20)
		line := 0
		for sc.Scan() {
			line++
			if line == 1 {
				var h resultsHeader
				if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Faultline == "" {
					return nil, fmt.Errorf("scenarios: %s:1: not a Faultline results file", path)
				}
				if h.Fingerprint != hdr.Fingerprint {
					return nil, fmt.Errorf("scenarios: %s holds results of a different scenario (%s, fingerprint %s; this one is %s): use another --out or remove it", path, h.Scenario, h.Fingerprint, hdr.Fingerprint)
				}
				if h.Build != hdr.Build && !force {
					return nil, fmt.Errorf("scenarios: %s holds results of another build (%s; this is %s): resuming would mix results of different code — use another --out, or force it", path, orUnknown(h.Build), hdr.Build)
				}
				if err := sameShard(path, h.Shard, opts.Shard); err != nil {
					return nil, err
				}
				continue
			}
			var o Outcome
			if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
				// A line cut short by an interruption: that seed runs again.
				continue
			}
			// Seeds outside this sweep's range stay in the file but are not
			// this sweep's results.
			if o.Seed >= first && o.Seed <= last {
				recorded[o.Seed] = o
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("scenarios: %s:%d: %v", path, line+1, err)
		}
		seeds := make([]uint64, 0, len(recorded))
		for s := range recorded { //faultline:orderless sorted below
			seeds = append(seeds, s)
		}
		slices.Sort(seeds)
		for _, s := range seeds {
			o := recorded[s]
			if opts.RetryCrashed && o.Status.Lost() {
				continue
			}
			done[s] = true
			sum.add(&o, true)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %v", err)
		}
		// Make sure the next line starts on a line of its own.
		if data[len(data)-1] != '\n' {
			if _, err := f.Write([]byte("\n")); err != nil {
				f.Close()
				return nil, fmt.Errorf("scenarios: %s: %v", path, err)
			}
		}
		return f, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %v", err)
	}
	b, _ := json.Marshal(hdr)
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return nil, fmt.Errorf("scenarios: %v", err)
	}
	if err := syncFile(f); err != nil {
		f.Close()
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unrecorded build"
	}
	return s
}

func syncFile(f *os.File) error {
	if err := f.Sync(); err != nil {
		return fmt.Errorf("scenarios: syncing %s: %v", f.Name(), err)
	}
	return nil
}

// appendResult writes one outcome as one line with a single write, so an
// interruption leaves at most one partial line, which resume ignores.
func appendResult(f *os.File, o *Outcome) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("scenarios: writing results: %v", err)
	}
	return nil
}
