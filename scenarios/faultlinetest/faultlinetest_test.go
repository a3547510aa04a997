package faultlinetest_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
)

// The scenarios the tests use, and what each does on seeds 1..10.
const (
	quickFile    = "../testdata/quick.yaml"       // valid on every seed
	leaseFile    = "../bugs/lease-unbounded.yaml" // valid on seeds 1-5, invalid (linearizable) on seed 6
	sessionsFile = "../bugs/no-sessions.yaml"     // invalid (linearizable) on every seed
	ackSyncFile  = "../bugs/ack-before-sync.yaml" // invalid (invariants) on every seed
	sharedRepro  = "go test ./scenarios/faultlinetest -run "
)

func load(t *testing.T, file string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// An ordinary go test over seeds: each seed is a subtest, and passing
// seeds report valid outcomes.
func TestRunOverSeeds(t *testing.T) {
	outs := faultlinetest.Run(t, load(t, quickFile), faultlinetest.Seeds(3), faultlinetest.FirstSeed(10))
	if len(outs) != 3 || outs[0].Seed != 10 || outs[2].Seed != 12 {
		t.Fatalf("ran %d seeds: %+v", len(outs), outs)
	}
	for _, o := range outs {
		if o.Status != scenarios.StatusValid || o.Hash == "" {
			t.Fatalf("seed %d: %s %s", o.Seed, o.Status, o.Reason)
		}
	}
}

// Parallel seeds come back in seed order, each the same run as alone.
func TestParallelOutcomesInSeedOrder(t *testing.T) {
	sc := load(t, quickFile)
	outs := faultlinetest.Run(t, sc, faultlinetest.Seeds(8), faultlinetest.FirstSeed(5), faultlinetest.Parallel(), faultlinetest.NoDeterminismCheck())
	if len(outs) != 8 {
		t.Fatalf("ran %d seeds, want 8", len(outs))
	}
	for i, o := range outs {
		want := scenarios.RunSeed(sc, uint64(5+i), scenarios.RunOptions{})
		if o.Seed != uint64(5+i) || o.Hash != want.Hash {
			t.Errorf("outcome %d: seed %d hash %s, want seed %d hash %s", i, o.Seed, o.Hash, 5+i, want.Hash)
		}
	}
}

// ExpectFailure passes in-process on a planted bug, sequentially and in
// parallel, and stops at the catch: the first failing seed, whatever the
// scheduling.
func TestExpectFailureStopsAtCatch(t *testing.T) {
	sc := load(t, leaseFile)
	for _, parallel := range []bool{false, true} {
		t.Run(fmt.Sprintf("parallel=%v", parallel), func(t *testing.T) {
			opts := []faultlinetest.Option{faultlinetest.Seeds(10), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid))}
			if parallel {
				opts = append(opts, faultlinetest.Parallel())
			}
			outs := faultlinetest.Run(t, sc, opts...)
			if !parallel && !slices.Equal(seedsOf(outs), []uint64{1, 2, 3, 4, 5, 6}) {
				t.Fatalf("ran seeds %v, want 1..6", seedsOf(outs))
			}
			if !slices.Contains(seedsOf(outs), 6) {
				t.Fatalf("ran seeds %v, none of them the catch (6)", seedsOf(outs))
			}
			for _, o := range outs {
				if o.Seed < 6 && o.Status != scenarios.StatusValid || o.Seed == 6 && o.Status != scenarios.StatusInvalid {
					t.Fatalf("seed %d: %s", o.Seed, o.Status)
				}
			}
		})
	}
}

func seedsOf(outs []scenarios.Outcome) []uint64 {
	var s []uint64
	for _, o := range outs {
		s = append(s, o.Seed)
	}
	return s
}

// The determinism self-check is on by default and can be turned off:
// the flaky node kind (below) passes every seed, and only the double run
// can tell.
func TestNoDeterminismCheck(t *testing.T) {
	outs := faultlinetest.Run(t, flaky(t), faultlinetest.Seeds(1), faultlinetest.NoDeterminismCheck())
	if len(outs) != 1 || outs[0].Failed() {
		t.Fatalf("%+v", outs)
	}
}

// Tests that must fail (or whose logs matter) run in a child test process,
// and the spec asserts on its output.
func TestSpec(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixture string
		args    []string
		pass    bool
		want    []string // lines (regexps) the output must contain
		notWant []string // and must not
	}{{
		name:    "expect-failure catches the bug and logs seeds-to-first-failure",
		fixture: "TestFixtureCatch",
		pass:    true,
		want: []string{
			`faultlinetest: caught at seed 6 after 6 seeds \(invalid, linearizable\(kv\)\)`,
			`--- PASS: TestFixtureCatch/seed-6`,
			`caught, as expected:`,
			`reproduce: ` + regexp.QuoteMeta(sharedRepro+`'^TestFixtureCatch$/^seed-6$' -faultline.seed=6`),
		},
		notWant: []string{`TestFixtureCatch/seed-7`},
	}, {
		name:    "expect-failure in parallel catches the same seed",
		fixture: "TestFixtureCatchParallel",
		args:    []string{"-test.parallel=4"},
		pass:    true,
		want:    []string{`faultlinetest: caught at seed 6 after 6 seeds \(invalid, linearizable\(kv\)\)`},
	}, {
		name:    "expect-failure fails when no seed catches the bug",
		fixture: "TestFixtureMiss",
		want: []string{
			`faultlinetest: no seed in 1\.\.3 caught the bug: 3 valid`,
			`--- FAIL: TestFixtureMiss `,
			`--- PASS: TestFixtureMiss/seed-3`,
		},
	}, {
		name:    "expect-failure with a Want ignores other failures",
		fixture: "TestFixtureMissWant",
		want: []string{
			`not the expected failure: invalid: sim: violation`,
			`faultlinetest: no seed in 1\.\.2 caught the bug \(want check linearizable\): 2 invalid`,
			`--- FAIL: TestFixtureMissWant `,
		},
	}, {
		name:    "a failing seed fails with its verdict, artifacts and repro line",
		fixture: "TestFixtureFailing",
		want: []string{
			`--- FAIL: TestFixtureFailing/seed-6`,
			`scenario bug-lease-unbounded, seed 6: INVALID`,
			`artifacts: .*/TestFixtureFailing__seed-6 \(keep them with go test -artifacts\)`,
			`reproduce: ` + regexp.QuoteMeta(sharedRepro+`'^TestFixtureFailing$/^seed-6$' -faultline.seed=6`) + `$`,
			`--- PASS: TestFixtureFailing/seed-5`,
			`TestFixtureFailing/seed-7`, // no stop without the option
		},
	}, {
		name:    "StopAtFirstFailure runs no seed after the first failure",
		fixture: "TestFixtureStop",
		want:    []string{`--- FAIL: TestFixtureStop/seed-6`, `--- PASS: TestFixtureStop/seed-5`},
		notWant: []string{`TestFixtureStop/seed-7`},
	}, {
		name:    "-faultline.failfast stops every test",
		fixture: "TestFixtureFailing",
		args:    []string{"-faultline.failfast"},
		want:    []string{`--- FAIL: TestFixtureFailing/seed-6`},
		notWant: []string{`TestFixtureFailing/seed-7`},
	}, {
		name:    "StopAtFirstFailure in parallel skips the seeds not started",
		fixture: "TestFixtureStopParallel",
		args:    []string{"-test.parallel=1"},
		want: []string{
			`--- FAIL: TestFixtureStopParallel/seeds/seed-1 `,
			`--- SKIP: TestFixtureStopParallel/seeds/seed-\d+`,
			`faultlinetest: seed \d+ failed first \(stop at first failure\)`,
			`reproduce: ` + regexp.QuoteMeta(sharedRepro+`'^TestFixtureStopParallel$/^seeds$/^seed-1$' -faultline.seed=1`),
		},
	}, {
		name:    "the determinism check names the first diverging event",
		fixture: "TestFixtureNondeterministic",
		want: []string{
			`--- FAIL: TestFixtureNondeterministic/determinism`,
			`sim: seed 1 is not deterministic: runs diverge at event \d+`,
			`  first:  .*`,
			`  second: .*`,
			`reproduce: ` + regexp.QuoteMeta(sharedRepro+`'^TestFixtureNondeterministic$/^determinism$' -faultline.seed=1`),
			`--- PASS: TestFixtureNondeterministic/seed-1`,
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			out, pass := runFixture(t, tc.fixture, tc.args...)
			if pass != tc.pass {
				t.Errorf("fixture passed: %v, want %v", pass, tc.pass)
			}
			for _, w := range tc.want {
				if !regexp.MustCompile(`(?m)` + w).MatchString(out) {
					t.Errorf("output lacks %s", w)
				}
			}
			for _, w := range tc.notWant {
				if regexp.MustCompile(`(?m)` + w).MatchString(out) {
					t.Errorf("output has %s", w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// A failing seed's artifacts land in a directory named by test and seed.
func TestArtifactsOfFailingSeed(t *testing.T) {
	dir := t.TempDir()
	runFixture(t, "TestFixtureStop", "-test.artifacts", "-test.outputdir="+dir)
	// go test -artifacts puts the subtest's t.ArtifactDir() somewhere
	// under _artifacts; the seed's directory is inside it.
	var found, all []string
	filepath.WalkDir(filepath.Join(dir, "_artifacts"), func(path string, d fs.DirEntry, err error) error {
		all = append(all, path)
		if err == nil && d.IsDir() && d.Name() == "TestFixtureStop__seed-6" {
			found = append(found, path)
		}
		return err
	})
	if len(found) != 1 {
		t.Fatalf("want one artifact directory for seed 6; have %v", all)
	}
	for _, f := range []string{scenarios.TraceFile, scenarios.HistoryFile, scenarios.ScenarioFile, scenarios.ExplanationFile, scenarios.VisualFile} {
		if _, err := os.Stat(filepath.Join(found[0], f)); err != nil {
			t.Errorf("artifact missing: %v", err)
		}
	}
}

// The printed repro line, pasted into a shell at the module root, reruns
// exactly the failing seed.
func TestReproLineReruns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the test binary with the go tool")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out, _ := runFixture(t, "TestFixtureStop")
	m := regexp.MustCompile(`(?m)reproduce: (go test .*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no repro line in:\n%s", out)
	}
	line := strings.Replace(m[1], "go test", "'"+goTool+"' test -count=1 -v", 1)
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = "../.." // the module root
	cmd.Env = append(os.Environ(), fixtureEnv+"=1")
	b, err := cmd.CombinedOutput()
	rerun := string(b)
	if err == nil || !strings.Contains(rerun, "--- FAIL: TestFixtureStop/seed-6") || strings.Contains(rerun, "seed-5") {
		t.Fatalf("%s: %v\n%s", line, err, rerun)
	}
}

func TestReproLine(t *testing.T) {
	for _, tc := range []struct{ pkg, test, want string }{
		{".", "TestRaft/seed-17", `go test . -run '^TestRaft$/^seed-17$' -faultline.seed=17`},
		{"./scenarios/faultlinetest", "TestRaft/seeds/seed-3", `go test ./scenarios/faultlinetest -run '^TestRaft$/^seeds$/^seed-3$' -faultline.seed=3`},
		{"./my pkg", "TestX/it's_a.b/seed-1", `go test './my pkg' -run '^TestX$/^it'\''s_a\.b$/^seed-1$' -faultline.seed=1`},
	} {
		if got := faultlinetest.ReproLineFor(tc.pkg, tc.test, seedOf(tc.test)); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
	// From this package's directory: the path from the module root.
	got := faultlinetest.ReproLine("TestRaft/seed-17", 17)
	if want := `go test ./scenarios/faultlinetest -run '^TestRaft$/^seed-17$' -faultline.seed=17`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func seedOf(test string) uint64 {
	var n uint64
	fmt.Sscanf(test[strings.LastIndex(test, "seed-")+len("seed-"):], "%d", &n)
	return n
}

func TestPackageArg(t *testing.T) {
	root := filepath.FromSlash("/src/mod")
	for dir, want := range map[string]string{
		"/src/mod":       ".",
		"/src/mod/a/b":   "./a/b",
		"/src/mod/../x":  ".", // outside the module: go test runs in the package's directory
		"/src/mod/a/../": ".",
	} {
		if got := faultlinetest.PackageArg(root, filepath.FromSlash(dir)); got != want {
			t.Errorf("PackageArg(%s, %s) = %s, want %s", root, dir, got, want)
		}
	}
}

func TestArtifactName(t *testing.T) {
	long := "TestLong/" + strings.Repeat("x", 100)
	for _, tc := range []struct {
		test string
		want string // regexp
	}{
		{"TestRaft", `^TestRaft__seed-7$`},
		{"TestRaft/sub_case", `^TestRaft__sub_case__seed-7$`},
		{"..", `^_\.__seed-7$`},
		{"", `^unnamed__seed-7$`},
		{"TestX/a\\b\x00c\td:é", `^TestX__a_b_c_d___+__seed-7$`},
		{long, `^TestLong__x+-[0-9a-f]{16}__seed-7$`},
	} {
		got := faultlinetest.ArtifactName(tc.test, 7)
		if !regexp.MustCompile(tc.want).MatchString(got) {
			t.Errorf("ArtifactName(%q) = %q, want %s", tc.test, got, tc.want)
		}
		if strings.ContainsAny(got, `/\`) || strings.Trim(got, ".") == "" || len(got) > 100 {
			t.Errorf("ArtifactName(%q) = %q is not one safe path element", tc.test, got)
		}
	}
	if a, b := faultlinetest.ArtifactName(long, 1), faultlinetest.ArtifactName(long+"y", 1); a == b {
		t.Errorf("long names collide: %s", a)
	}
}

// Options that can never catch a bug are an error in the test.
func TestStatusWantMustBeAFailure(t *testing.T) {
	out, pass := runFixture(t, "TestFixtureBadWant")
	if pass || !strings.Contains(out, `faultlinetest: ExpectFailure(Status("unknown")): a catch is invalid, liveness or panic`) {
		t.Fatalf("pass %v:\n%s", pass, out)
	}
}

// Fixtures: tests meant to fail, run only as children of runFixture.

const fixtureEnv = "FAULTLINETEST_FIXTURES"

func fixture(t *testing.T) {
	if os.Getenv(fixtureEnv) == "" {
		t.Skip("a fixture: runs in a child process of TestSpec")
	}
}

// runFixture runs one fixture test in a child process of this test binary
// and returns its output and whether it passed.
func runFixture(t *testing.T, name string, args ...string) (string, bool) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"-test.run=^" + name + "$", "-test.v", "-test.count=1"}, args...)...)
	cmd.Env = append(os.Environ(), fixtureEnv+"=1")
	out, err := cmd.CombinedOutput()
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return string(out), err == nil
}

func TestFixtureCatch(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, leaseFile), faultlinetest.Seeds(10), faultlinetest.NoDeterminismCheck(),
		faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check("linearizable")))
}

func TestFixtureCatchParallel(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, leaseFile), faultlinetest.Seeds(10), faultlinetest.NoDeterminismCheck(),
		faultlinetest.Parallel(), faultlinetest.ExpectFailure())
}

func TestFixtureMiss(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, quickFile), faultlinetest.Seeds(3), faultlinetest.NoDeterminismCheck(), faultlinetest.ExpectFailure())
}

func TestFixtureMissWant(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, ackSyncFile), faultlinetest.Seeds(2), faultlinetest.NoDeterminismCheck(),
		faultlinetest.ExpectFailure(faultlinetest.Check("linearizable")))
}

func TestFixtureBadWant(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, quickFile), faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusUnknown)))
}

func TestFixtureFailing(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, leaseFile), faultlinetest.Seeds(7), faultlinetest.NoDeterminismCheck())
}

func TestFixtureStop(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, leaseFile), faultlinetest.Seeds(10), faultlinetest.NoDeterminismCheck(), faultlinetest.StopAtFirstFailure())
}

func TestFixtureStopParallel(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, load(t, sessionsFile), faultlinetest.Seeds(8), faultlinetest.NoDeterminismCheck(),
		faultlinetest.Parallel(), faultlinetest.StopAtFirstFailure())
}

func TestFixtureNondeterministic(t *testing.T) {
	fixture(t)
	faultlinetest.Run(t, flaky(t), faultlinetest.Seeds(1))
}

// flakyBuilds makes the faultlinetest-flaky node kind nondeterministic:
// it is raftkv with a heartbeat that grows by a microsecond every time a
// world is built, a package-level counter no seed controls.
var flakyBuilds atomic.Int64

func init() {
	stock.Register()
	raft, ok := scenarios.LookupNode("raftkv")
	if !ok {
		panic("no raftkv node kind")
	}
	flakyKind := raft
	flakyKind.Name = "faultlinetest-flaky"
	flakyKind.Help = "raftkv whose heartbeat depends on how many worlds were built before (a nondeterminism fixture)"
	flakyKind.Build = func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
		proto, err := raft.Build(p, size) // raftkv's invariants and digest
		if err != nil {
			return nil, err
		}
		hb := 50*time.Millisecond + time.Duration(flakyBuilds.Add(1))*time.Microsecond
		proto.Factory = raftkv.New(raftkv.Config{HeartbeatInterval: hb})
		return proto, nil
	}
	scenarios.RegisterNode(flakyKind)
}

func flaky(t *testing.T) *scenarios.Scenario {
	sc := load(t, quickFile)
	sc.Cluster.Node = "faultlinetest-flaky"
	return sc
}
