// Package faultlinetest runs Faultline scenarios from ordinary Go tests.
//
//	func TestRaftUnderPartitions(t *testing.T) {
//		sc, err := scenarios.LoadFile("testdata/partitions.yaml")
//		if err != nil {
//			t.Fatal(err)
//		}
//		faultlinetest.Run(t, sc, faultlinetest.Seeds(200))
//	}
//
// A scenario built in Go and the same scenario read from YAML give the
// same trace hash for the same seed.
//
// # Seeds
//
// Run runs seeds FirstSeed..FirstSeed+Seeds-1 (default 1..20), each as its
// own subtest named seed-N, and returns their outcomes in seed order. A
// seed fails its subtest when its status is not valid (invalid, liveness,
// panic, and also unknown: a checker that could not decide is never a
// pass). Seeds run one after another unless Parallel is given:
//
//	faultlinetest.Run(t, sc, faultlinetest.Seeds(500), faultlinetest.Parallel())
//
// Under Parallel every seed subtest calls t.Parallel inside a group
// subtest named seeds (so the seed subtests are TestX/seeds/seed-N), go
// test -parallel N bounds how many run at once, and Run still returns only
// when every seed is done. Scheduling does not change what a seed does:
// each seed is its own deterministic world.
//
// StopAtFirstFailure (or the flag -faultline.failfast) runs no seed after
// the first one that fails: sequentially, Run stops there; under Parallel,
// seeds after the lowest failing seed that have not started yet skip
// (seeds already running finish, and seeds before it always run, so the
// first failing seed is the same at any parallelism).
//
// # Planted bugs
//
// A test that plants a bug passes only if the bug is caught:
//
//	faultlinetest.Run(t, sc, faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid)))
//
// Under ExpectFailure seeds run in order until the first one that fails
// definitely (invalid, liveness or panic, and matching every Want given:
// Status, Check). That seed is the catch: its subtest passes and logs the
// verdict, its artifacts and its repro line, no later seed runs, and the
// test logs
//
//	caught at seed 6 after 6 seeds (invalid, linearizable(kv))
//
// that is, the seeds it took to find the bug. Unknown, and failures that
// do not match the Wants, are logged and are not a catch. If no seed in
// the range catches the bug the test fails:
//
//	faultlinetest: no seed in 1..20 caught the bug (want status invalid): 18 valid, 2 unknown
//
// # Determinism
//
// Before the seeds, a subtest named determinism runs the first seed of the
// range twice with full recording (sim.CheckDeterminism) and fails with the
// first diverging event if the two runs differ: something in a node or in
// the scenario read state that is not in its Env (a map's order, a global,
// the host's clock; see docs/DETERMINISM.md). It costs two runs of one
// seed; NoDeterminismCheck turns it off. A repro line's -run pattern
// names only its seed, so reproducing a seed skips the check.
//
// # Reproducing a failure
//
// A failing seed ends with the command that reruns just that seed, from
// the module root (the package is ".", the module root's own package, or
// ./path/to/pkg):
//
//	go test ./mypkg -run '^TestRaftUnderPartitions$/^seed-17$' -faultline.seed=17
//
// # Artifacts
//
// A failing seed (and the catch of ExpectFailure) is replayed with full
// recording; its trace, history, Porcupine visualization (when
// linearizability failed), resolved scenario and verdict are written to
// t.ArtifactDir()/TestName__seed-N (the test's name with / as __ and
// anything but letters, digits, '-', '_' and '.' as '_'). go test
// -artifacts keeps them (under _artifacts/ in the output directory);
// without it they are removed with the test. Open the trace with
// faultline viz DIR/trace.jsonl.
//
// # Flags
//
//	-faultline.seed=N     run only seed N (the repro lines use it)
//	-faultline.seeds=N    run N seeds, overriding Seeds in the tests
//	-faultline.failfast   stop at the first failing seed (StopAtFirstFailure in every test)
//
// For example, a longer soak of every test in a package, stopping each at
// its first failure, with the seeds of tests that use Parallel spread over
// eight cores:
//
//	go test ./mypkg -faultline.seeds=2000 -faultline.failfast -parallel 8
package faultlinetest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/internal/shell"
	"github.com/faultline/faultline/scenarios"
)

var (
	flagSeed     = flag.Int64("faultline.seed", -1, "run only this seed (default: the test's seeds)")
	flagSeeds    = flag.Int("faultline.seeds", 0, "number of seeds to run (0: the test's own count)")
	flagFailfast = flag.Bool("faultline.failfast", false, "stop each test at its first failing seed")
)

// Option configures Run.
type Option func(*config)

type config struct {
	first         uint64
	count         int
	opts          scenarios.RunOptions
	parallel      bool
	failfast      bool
	expect        bool
	wants         []Want
	noDeterminism bool
}

// Seeds runs n seeds (default 20).
func Seeds(n int) Option { return func(c *config) { c.count = n } }

// FirstSeed starts the seeds at first instead of 1.
func FirstSeed(first uint64) Option { return func(c *config) { c.first = first } }

// WithRunOptions sets the per-seed run options (check budget and the like).
func WithRunOptions(o scenarios.RunOptions) Option { return func(c *config) { c.opts = o } }

// Parallel runs the seeds as parallel subtests (see the package doc).
func Parallel() Option { return func(c *config) { c.parallel = true } }

// StopAtFirstFailure runs no seed after the first failing one.
func StopAtFirstFailure() Option { return func(c *config) { c.failfast = true } }

// NoDeterminismCheck skips running the first seed twice.
func NoDeterminismCheck() Option { return func(c *config) { c.noDeterminism = true } }

// ExpectFailure makes the test pass only if some seed catches the bug:
// fails definitely (invalid, liveness or panic) and matches every want.
// Seeds stop at the first catch.
func ExpectFailure(want ...Want) Option {
	return func(c *config) {
		c.expect = true
		c.wants = append(c.wants, want...)
	}
}

// A Want narrows which failures ExpectFailure counts as the catch.
type Want struct {
	desc  string
	match func(o *scenarios.Outcome) bool
	check string // the check a Check want names
	err   string // why the Want can never match
}

// Status wants the seed's status to be s: invalid, liveness or panic.
func Status(s scenarios.Status) Want {
	w := Want{desc: "status " + string(s), match: func(o *scenarios.Outcome) bool { return o.Status == s }}
	if !definite(s) {
		w.err = fmt.Sprintf("faultlinetest: ExpectFailure(Status(%q)): a catch is invalid, liveness or panic", s)
	}
	return w
}

// Check wants the named check to have failed (not valid, not unknown):
// linearizable, invariants, liveness, convergence, or run (a panic or an
// exhausted event budget). A check reported with its model,
// linearizable(kv), matches its bare name.
func Check(name string) Want {
	return Want{desc: "check " + name, check: name, match: func(o *scenarios.Outcome) bool { return failedCheck(o, name) != "" }}
}

func definite(s scenarios.Status) bool { return s.Definite() }

// failedCheck returns the full name of a failed check called name ("" if none).
func failedCheck(o *scenarios.Outcome, name string) string {
	for _, c := range o.Checks {
		if (c.Name == name || strings.HasPrefix(c.Name, name+"(")) && c.Verdict == checker.Invalid {
			return c.Name
		}
	}
	return ""
}

// Run runs the scenario over the seeds, one subtest per seed, and fails
// each seed that is not valid with its verdict, its artifacts and the
// command that reproduces it (under ExpectFailure: fails unless a seed
// catches the bug). It returns the outcomes of the seeds that ran, in
// seed order (for tests that assert more).
func Run(t *testing.T, sc *scenarios.Scenario, options ...Option) []scenarios.Outcome {
	t.Helper()
	c := config{first: 1, count: 20}
	for _, o := range options {
		o(&c)
	}
	if *flagSeeds > 0 {
		c.count = *flagSeeds
	}
	if *flagFailfast {
		c.failfast = true
	}
	if c.count <= 0 {
		t.Fatalf("faultlinetest: Seeds(%d) runs nothing", c.count)
	}
	for _, w := range c.wants {
		if w.err != "" {
			t.Fatal(w.err)
		}
	}
	if *flagSeed >= 0 {
		c.first, c.count = uint64(*flagSeed), 1
	}
	if last := c.first + uint64(c.count) - 1; last < c.first {
		t.Fatalf("faultlinetest: seeds %d.. (%d of them) overflow uint64", c.first, c.count)
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.noDeterminism {
		t.Run("determinism", func(t *testing.T) { checkDeterminism(t, sc, c.first, c.opts) })
	}
	r := &runner{c: &c, sc: sc, test: t.Name(), outs: make([]scenarios.Outcome, c.count), ran: make([]bool, c.count), stopAt: c.count}
	if c.parallel {
		t.Run("seeds", func(t *testing.T) {
			for i := range c.count {
				t.Run(seedName(c.first+uint64(i)), func(t *testing.T) {
					t.Parallel()
					r.seed(t, i)
				})
			}
		})
	} else {
		for i := 0; i < c.count && !r.stopped(i); i++ {
			t.Run(seedName(c.first+uint64(i)), func(t *testing.T) { r.seed(t, i) })
		}
	}
	if c.expect {
		r.report(t)
	}
	return r.outcomes()
}

func seedName(seed uint64) string { return "seed-" + strconv.FormatUint(seed, 10) }

// runner is one Run: the outcomes by seed offset and where to stop.
type runner struct {
	c    *config
	sc   *scenarios.Scenario
	test string // the name of the test that called Run

	mu     sync.Mutex
	outs   []scenarios.Outcome
	ran    []bool
	stopAt int // the lowest offset that stopped the run (c.count: none)
}

func (r *runner) stopped(i int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return i > r.stopAt
}

func (r *runner) record(i int, o scenarios.Outcome, stop bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outs[i], r.ran[i] = o, true
	if stop && i < r.stopAt {
		r.stopAt = i
	}
}

func (r *runner) outcomes() []scenarios.Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	var outs []scenarios.Outcome
	for i, ok := range r.ran {
		if ok {
			outs = append(outs, r.outs[i])
		}
	}
	return outs
}

// catches reports whether o is the failure ExpectFailure waits for.
func (r *runner) catches(o *scenarios.Outcome) bool {
	if !definite(o.Status) {
		return false
	}
	for _, w := range r.c.wants {
		if !w.match(o) {
			return false
		}
	}
	return true
}

// seed runs the seed at offset i in its subtest.
func (r *runner) seed(t *testing.T, i int) {
	seed := r.c.first + uint64(i)
	if r.stopped(i) {
		r.mu.Lock()
		at := r.c.first + uint64(r.stopAt)
		r.mu.Unlock()
		if r.c.expect {
			t.Skipf("faultlinetest: seed %d already caught the bug", at)
		}
		t.Skipf("faultlinetest: seed %d failed first (stop at first failure)", at)
	}
	o := scenarios.RunSeed(r.sc, seed, r.c.opts)
	caught := r.c.expect && r.catches(&o)
	r.record(i, o, caught || !r.c.expect && r.c.failfast && o.Failed())
	switch {
	case !o.Failed():
	case !r.c.expect:
		repro := ReproLine(t.Name(), seed)
		dir := r.artifacts(t, seed, repro)
		t.Errorf("%s\nartifacts: %s%s\nreproduce: %s", scenarios.Explain(r.sc, &o, repro), dir, keepHint(), repro)
	case caught:
		repro := ReproLine(t.Name(), seed)
		dir := r.artifacts(t, seed, repro)
		t.Logf("caught, as expected:\n%s\nartifacts: %s%s\nreproduce: %s", scenarios.Explain(r.sc, &o, repro), dir, keepHint(), repro)
	default:
		t.Logf("not the expected failure: %s: %s", o.Status, o.Reason)
	}
}

// artifacts replays seed with full recording into its artifact directory
// (the trace streamed to disk, bounded as a sweep's is) and returns the
// directory.
func (r *runner) artifacts(t *testing.T, seed uint64, repro string) string {
	dir := filepath.Join(t.ArtifactDir(), artifactName(r.test, seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("writing artifacts: %v", err)
		return dir
	}
	opts := r.c.opts
	opts.VisualizationPath = filepath.Join(dir, scenarios.VisualFile)
	if _, err := scenarios.ReplayTo(r.sc, seed, dir, opts, repro); err != nil {
		t.Logf("writing artifacts: %v", err)
	}
	return dir
}

// keepHint tells how to keep the artifacts, unless go test keeps them.
func keepHint() string {
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return ""
	}
	return " (keep them with go test -artifacts)"
}

// report ends an ExpectFailure run: the catch, or the test fails.
func (r *runner) report(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	counts := map[scenarios.Status]int{}
	for i, ok := range r.ran {
		if !ok {
			continue
		}
		o := &r.outs[i]
		if r.catches(o) {
			t.Logf("faultlinetest: caught at seed %d after %d seeds (%s, %s)", o.Seed, i+1, o.Status, r.culprit(o))
			return
		}
		counts[o.Status]++
	}
	var seen []string
	for _, s := range scenarios.Statuses {
		if n := counts[s]; n > 0 {
			seen = append(seen, fmt.Sprintf("%d %s", n, s))
		}
	}
	want := ""
	if len(r.c.wants) > 0 {
		descs := make([]string, len(r.c.wants))
		for i, w := range r.c.wants {
			descs[i] = w.desc
		}
		want = " (want " + strings.Join(descs, ", ") + ")"
	}
	last := r.c.first + uint64(r.c.count) - 1
	t.Errorf("faultlinetest: no seed in %d..%d caught the bug%s: %s", r.c.first, last, want, strings.Join(seen, ", "))
}

// culprit names the check that caught the bug: the one a Check want
// named, else the one behind the outcome's reason.
func (r *runner) culprit(o *scenarios.Outcome) string {
	for _, w := range r.c.wants {
		if w.check != "" {
			return failedCheck(o, w.check)
		}
	}
	first := ""
	for _, c := range o.Checks {
		if c.Verdict != checker.Invalid {
			continue
		}
		if c.Explanation == o.Reason {
			return c.Name
		}
		if first == "" {
			first = c.Name
		}
	}
	if first == "" {
		return "run"
	}
	return first
}

// checkDeterminism runs seed twice and fails at the first diverging event.
func checkDeterminism(t *testing.T, sc *scenarios.Scenario, seed uint64, opts scenarios.RunOptions) {
	if err := scenarios.CheckDeterminism(sc, seed, opts); err != nil {
		t.Errorf("%v\nthe scenario is not deterministic: a node or the harness reads state that is not in its Env (map order, a global, the host's clock; see docs/DETERMINISM.md)\nreproduce: %s", err, ReproLine(t.Name(), seed))
	}
}

// ReproLine is the go test command, run from the module root, that reruns
// one seed of a (sub)test: go test ./pkg -run '^TestX$/^seed-17$'
// -faultline.seed=17. The package is the working directory (where go test
// runs a package's tests) relative to the module root.
func ReproLine(testName string, seed uint64) string {
	pkg := "."
	if wd, err := os.Getwd(); err == nil {
		if root := moduleRoot(wd); root != "" {
			pkg = packageArg(root, wd)
		}
	}
	return reproLine(pkg, testName, seed)
}

func reproLine(pkg, testName string, seed uint64) string {
	parts := strings.Split(testName, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return fmt.Sprintf("go test %s -run %s -faultline.seed=%d", shell.Quote(pkg), shell.Quote(strings.Join(parts, "/")), seed)
}

// packageArg is go test's argument for the package in dir: "." for the
// module root, else ./rel/path.
func packageArg(root, dir string) string {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "."
	}
	return "./" + filepath.ToSlash(rel)
}

func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// artifactName is the directory, inside the seed subtest's t.ArtifactDir(),
// that holds a failing seed's artifacts: the name of the test that called
// Run and the seed (TestRaft__seed-17). It is one safe path element: / is
// __, anything but ASCII letters, digits, '-', '_' and '.' is '_', a
// leading dot is '_', and a long test name is cut and ends with a hash of
// the whole name.
func artifactName(testName string, seed uint64) string {
	return scenarios.SafeDirName(testName) + "__" + seedName(seed)
}
