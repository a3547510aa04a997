package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// onlyRun is the latest run of the one scenario under a store's root.
func onlyRun(t *testing.T, root string) string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, e := range entries {
		if run := latestRun(filepath.Join(root, e.Name())); run != "" {
			runs = append(runs, run)
		}
	}
	if len(runs) != 1 {
		t.Fatalf("%s holds the latest runs %q, want one", root, runs)
	}
	return runs[0]
}

// seedDir is seed's directory in the latest run of the one scenario under root.
func seedDir(t *testing.T, root string, seed int) string {
	t.Helper()
	return filepath.Join(onlyRun(t, root), fmt.Sprintf("seed-%d", seed))
}

const quickFile = "../../../scenarios/testdata/quick.yaml"

// names lists a directory's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A sweep with --out writes one run directory under the root, and
// nothing else: ROOT/<scenario>/<run id>/ with the results, the summary,
// the report page, the scenario and a directory per failing seed, and
// ROOT/<scenario>/latest, a relative link to it.
func TestStoreLayout(t *testing.T) {
	root := t.TempDir()
	if code, out, errs := runCLI("run", bugFile, "--seeds", "1..2", "--out", root); code != scenarios.ExitInvalid {
		t.Fatalf("run: exit %d\n%s%s", code, out, errs)
	}
	if got := names(t, root); !slices.Equal(got, []string{"bug-no-sessions"}) {
		t.Fatalf("the root holds %q, want only the scenario's directory", got)
	}
	scDir := filepath.Join(root, "bug-no-sessions")
	got := names(t, scDir)
	if len(got) != 2 || got[1] != latestName || !regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z$`).MatchString(got[0]) {
		t.Fatalf("%s holds %q, want a run id and latest", scDir, got)
	}
	if target, err := os.Readlink(filepath.Join(scDir, latestName)); err != nil || target != got[0] {
		t.Errorf("latest links to %q (%v), want the run id %q, relative", target, err, got[0])
	}
	run := filepath.Join(scDir, got[0])
	for _, f := range []string{resultsFile, summaryFile, reportFile, scenarios.ScenarioFile, "seed-1/" + scenarios.TraceFile, "seed-2/" + reportFile, "seed-2/" + LatencyPlotFile, "seed-2/" + RatePlotFile} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Errorf("the run directory lacks %s: %v", f, err)
		}
	}
	var sum struct{ Seeds int }
	if b, err := os.ReadFile(filepath.Join(run, summaryFile)); err != nil || json.Unmarshal(b, &sum) != nil || sum.Seeds != 2 {
		t.Errorf("summary.json: %v %s", err, b)
	}
}

// How a sweep finds its run directory: running the same command again
// resumes the latest run (a killed one loses nothing and runs nothing
// twice); another range starts a new run, and latest moves to it; a run
// directory given as --out resumes that run, whichever is latest.
func TestStoreResume(t *testing.T) {
	root := t.TempDir()
	run := func(seeds string, out string) string {
		t.Helper()
		code, stdout, errs := runCLI("run", quickFile, "--seeds", seeds, "--workers", "1", "--out", out)
		if code != 0 {
			t.Fatalf("run %s: exit %d\n%s%s", seeds, code, stdout, errs)
		}
		return stdout
	}
	run("1..4", root)
	first := onlyRun(t, root)
	// Killed after one seed and half a line.
	path := filepath.Join(first, resultsFile)
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	os.WriteFile(path, []byte(lines[0]+lines[1]+lines[2][:len(lines[2])/2]), 0o644)
	if out := run("1..4", root); !strings.Contains(out, "resuming "+first) || !strings.Contains(out, "(1 resumed from") {
		t.Errorf("the same command again did not resume %s:\n%s", first, out)
	}
	if n := len(readSeeds(t, first)); n != 4 {
		t.Errorf("the resumed run holds %d seeds, want 4 (each once)", n)
	}
	if out := run("5..6", root); !strings.Contains(out, "new run ") {
		t.Errorf("another range did not start a new run:\n%s", out)
	}
	second := onlyRun(t, root)
	if second == first || filepath.Base(second) < filepath.Base(first) {
		t.Errorf("latest is %s after %s: want a new run with a later id", second, first)
	}
	if out := run("1..4", first); !strings.Contains(out, "resuming "+first) || !strings.Contains(out, "(4 resumed from") {
		t.Errorf("--out RUN did not resume that run:\n%s", out)
	}
	if onlyRun(t, root) != second {
		t.Errorf("resuming an older run moved latest")
	}
	// report, merge and serve find a scenario's latest run from the root.
	if got, err := findRun(root); err != nil || got != second {
		t.Errorf("findRun(root) = %q, %v; want %s", got, err, second)
	}
}

// readSeeds reads a run's results, failing on a seed recorded twice.
func readSeeds(t *testing.T, run string) map[uint64]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(run, resultsFile))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		var o struct{ Seed uint64 }
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			continue
		}
		if seen[o.Seed] {
			t.Errorf("%s line %d: seed %d again", run, i+2, o.Seed)
		}
		seen[o.Seed] = true
	}
	return seen
}

// Run ids sort by time, and two runs begun in one millisecond get
// distinct, still sorted, ids; latest is a link, or where the system
// makes none a file naming the run, and never leads out of its directory.
func TestStoreRunIDs(t *testing.T) {
	if a, b := runID(time.Date(2026, 12, 1, 9, 5, 7, 3e6, time.UTC)), runID(time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("x", 3600))); a != "20261201T090507.003Z" || b >= a {
		t.Errorf("run ids %q, %q: want UTC to the millisecond, sorting by time", a, b)
	}
	root := t.TempDir()
	var ids []string
	for range 3 {
		dir, err := makeRun(root, "s")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, filepath.Base(dir))
	}
	if !slices.IsSorted(ids) || ids[0] == ids[1] || ids[1] == ids[2] {
		t.Errorf("ids %q: want distinct and sorted", ids)
	}
	scDir := filepath.Join(root, "s")
	if latestRun(scDir) != "" {
		t.Errorf("makeRun moved latest")
	}
	for _, tc := range []struct {
		latest string // the file's content
		want   string // "": no run
	}{
		{ids[1] + "\n", filepath.Join(scDir, ids[1])},
		{"../" + ids[1], ""},
		{"/etc", ""},
		{"nosuch", ""},
		{"", ""},
	} {
		os.Remove(filepath.Join(scDir, latestName))
		os.WriteFile(filepath.Join(scDir, latestName), []byte(tc.latest), 0o644)
		if got := latestRun(scDir); got != tc.want {
			t.Errorf("latest file %q: run %q, want %q", tc.latest, got, tc.want)
		}
	}
	os.Remove(filepath.Join(scDir, latestName))
	if err := setLatest(scDir, ids[2]); err != nil || latestRun(scDir) != filepath.Join(scDir, ids[2]) {
		t.Errorf("setLatest: %v, latest %q", err, latestRun(scDir))
	}
}

// Replay, shrink and hunt write into the store too, each invocation a
// run of its own; the default root is out/.
func TestReplayRuns(t *testing.T) {
	root := t.TempDir()
	for range 2 {
		if code, out, errs := runCLI("replay", bugFile, "--seed", "2", "--out", root); code != scenarios.ExitInvalid {
			t.Fatalf("replay: exit %d\n%s%s", code, out, errs)
		}
	}
	scDir := filepath.Join(root, "bug-no-sessions")
	got := names(t, scDir)
	if len(got) != 3 || got[2] != latestName || latestRun(scDir) != filepath.Join(scDir, got[1]) {
		t.Fatalf("%s holds %q: want two runs, latest the second", scDir, got)
	}
	for _, f := range []string{scenarios.TraceFile, reportFile, LatencyPlotFile} {
		if _, err := os.Stat(filepath.Join(scDir, got[1], "seed-2", f)); err != nil {
			t.Error(err)
		}
	}
}
