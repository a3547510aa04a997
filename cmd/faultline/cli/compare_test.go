package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/faultline/faultline/scenarios"
)

// compare prints one row per protocol and each check's record, the same
// for the same seeds, and draws the plot it is asked for.
func TestCompareCommand(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "cap.png")
	code, out, errs := runCLI("compare", "testdata/compare.yaml", "--seeds", "1..3", "--plot", plot)
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	for _, want := range []string{"2 protocols × seeds 1..3", "raft                 all checks  3/3", "raft-follower-reads  eventual", "staleness", "lost-writes", "plot: " + plot} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if st, err := os.Stat(plot); err != nil || st.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
	_, again, _ := runCLI("compare", "testdata/compare.yaml", "--seeds", "1..3", "--workers", "1")
	table := func(s string) string { _, t, _ := strings.Cut(s, "\n\n"); return t }
	if table(again) != strings.Split(table(out), "\nplot:")[0] {
		t.Errorf("the same seeds gave another table:\n%s\n---\n%s", table(out), table(again))
	}
	if code, _, errs := runCLI("compare"); code != 2 || !strings.Contains(errs, "one or more scenario files") {
		t.Errorf("no files: exit %d, %s", code, errs)
	}
}

// plot --kind staleness draws a replayed seed's history.
func TestPlotStaleness(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := runCLI("replay", bugFile, "--seed", "1", "--out", dir); code != 1 {
		t.Fatalf("replay: exit %d\n%s%s", code, out, errs)
	}
	dir = seedDir(t, dir, 1)
	png := filepath.Join(dir, "stale.png")
	if code, out, errs := runCLI("plot", filepath.Join(dir, "history.jsonl"), "--kind", "staleness", "--out", png); code != 0 {
		t.Fatalf("plot: exit %d\n%s%s", code, out, errs)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
}

// A scenario's name never steers where replay writes: the default
// directory stays under out/.
func TestReplayNameCannotEscape(t *testing.T) {
	data, err := os.ReadFile(bugFile)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	work := filepath.Join(root, "a", "b")
	os.MkdirAll(work, 0o755)
	file := filepath.Join(work, "evil.yaml")
	os.WriteFile(file, []byte(strings.Replace(string(data), "name: bug-no-sessions", "name: ../../../escaped/x", 1)), 0o644)
	t.Chdir(work)
	if code, out, errs := runCLI("replay", "evil.yaml", "--seed", "1"); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	entries, _ := os.ReadDir(filepath.Join(work, "out"))
	if len(entries) != 1 || strings.ContainsAny(entries[0].Name(), "/") {
		t.Fatalf("out/ holds %v", entries)
	}
	if _, err := os.Stat(filepath.Join(root, "escaped")); err == nil {
		t.Error("replay wrote outside out/")
	}
}

// A crash of the command itself (here: a malformed kind handed to
// Config) has its own exit code and says it is not a verdict.
func TestCrashExitCode(t *testing.T) {
	bad := Config{Name: "mytool", Workloads: []scenarios.WorkloadKind{{Name: "broken-workload-kind"}}}
	code, _, errs := runWith(bad, "list")
	if code != scenarios.ExitCrash || !strings.Contains(errs, "mytool list: internal error") || !strings.Contains(errs, "not a verdict") {
		t.Errorf("exit %d:\n%s", code, errs)
	}
}

// run --force resumes another build's results; without it the sweep refuses.
func TestRunForce(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := runCLI("run", bugFile, "--seed", "1", "--out", dir); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	dir = onlyRun(t, dir) // the run directory itself: resumed as it is
	path := filepath.Join(dir, "results.jsonl")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `"build":"`, `"build":"old `, 1)), 0o644)
	if code, _, errs := runCLI("run", bugFile, "--seeds", "1..2", "--out", dir); code != 2 || !strings.Contains(errs, "another build") {
		t.Errorf("without --force: exit %d %s", code, errs)
	}
	// merge and compare refuse the other build too, naming the flag.
	other := t.TempDir()
	if code, out, errs := runCLI("run", bugFile, "--seed", "1", "--out", other); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	other = onlyRun(t, other)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"merge", dir, other, "--out", t.TempDir()}, "results of different code would mix: different builds (--force merges them anyway)"},
		{[]string{"merge", "--compare", dir, other}, "different code may judge differently: different builds (--force compares them anyway)"},
	} {
		if code, _, errs := runCLI(c.args...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d %s, want %q", c.args, code, errs, c.want)
		}
	}
	if code, out, errs := runCLI("run", bugFile, "--seeds", "1..2", "--out", dir, "--force"); code != 1 || !strings.Contains(out, "1 resumed") {
		t.Errorf("with --force: exit %d\n%s%s", code, out, errs)
	}
}

// Flag and command mistakes are usage errors naming what is wrong.
func TestUsageMistakes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, 0, "faultline github.com/faultline/faultline@"},
		{[]string{"help", "run"}, 0, "flags of faultline run"},
		{[]string{"help", "run"}, 0, "examples:\n  faultline run raft-kv-partitions --seeds 1..1000"},
		{[]string{"check", "-h"}, 0, "faultline check history.edn --html lin.html"},
		{[]string{"rnu"}, 2, `unknown command "rnu" (did you mean "run"?)`},
		{[]string{"run", bugFile, "--workers", "0"}, 2, "--workers 0: want at least 1"},
		{[]string{"run", bugFile, "--workers", "-3"}, 2, "--workers -3: want at least 1"},
		{[]string{"run", bugFile, "--seeds", "0..18446744073709551615"}, 2, "2^64 seeds"},
		{[]string{"run", bugFile, "--seeds", "1..99999999999999999999"}, 2, "want A..B of integers"},
		{[]string{"check", "x.jsonl", "--timeout", "-1s"}, 2, "--timeout -1s: want a positive time budget"},
		{[]string{"compare", bugFile, "--plot", "out.txt"}, 2, "must end in .png or .svg"},
		{[]string{"viz", "trace.jsonl", "--width", "5"}, 2, "--width 5: want 40..1000 columns"},
		{[]string{"viz", "trace.jsonl", "--width", "100000"}, 2, "--width 100000: want 40..1000 columns"},
		{[]string{"viz", "."}, 2, "is a directory without a trace.jsonl"},
		{[]string{"run", "raft-kv-partitons", "--seed", "1"}, 2, `no embedded scenario of that name (did you mean "raft-kv-partitions.yaml"?)`},
		{[]string{"list", "extra"}, 2, "list takes no arguments"},
		{[]string{"run", bugFile, "--check-steps", "0"}, 2, "--check-steps 0: want a positive number of model steps"},
		{[]string{"run", bugFile, "--check-ceiling", "0s"}, 2, "--check-ceiling 0s: want a positive time budget"},
		{[]string{"run", bugFile, "--verify-determinism", "2"}, 2, "--verify-determinism 2: want a fraction"},
	} {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%q: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, out, errs)
		}
	}
	if _, err := os.Stat("out.txt"); err == nil {
		t.Error("compare created the plot file it refused")
	}
}

// The progress line's rate counts only seeds run now, and it estimates the
// time left at that rate.
func TestRateETA(t *testing.T) {
	for _, c := range []struct {
		pr   scenarios.Progress
		want string
	}{
		{scenarios.Progress{Done: 10, Total: 100, Elapsed: time.Second}, "10 seeds/s · ETA 9s"},
		{scenarios.Progress{Done: 60, Total: 100, Resumed: 50, Elapsed: time.Second}, "10 seeds/s · ETA 4s"},
		{scenarios.Progress{Done: 3, Total: 10, Elapsed: 2 * time.Second}, "1.5 seeds/s · ETA 5s"},
		{scenarios.Progress{Done: 100, Total: 100, Resumed: 100, Elapsed: time.Millisecond}, "– seeds/s"},
		{scenarios.Progress{Done: 100, Total: 100, Elapsed: 2 * time.Second}, "50 seeds/s · 2s"},
	} {
		if got := rateETA(c.pr); got != c.want {
			t.Errorf("%+v: %q, want %q", c.pr, got, c.want)
		}
	}
}

// A long reason is folded onto one line and cut between words.
func TestOneLine(t *testing.T) {
	long := "linearizable(kv): invalid\n  the key \"k1\" is not linearizable: " + strings.Repeat("c1 put(\"k1\", \"v12\") -> ok ", 10)
	got := oneLine(long)
	if len(got) > 162 || strings.Contains(got, "\n") || !strings.HasSuffix(got, " …") {
		t.Fatalf("%d bytes: %q", len(got), got)
	}
	if body := strings.TrimSuffix(got, " …"); !strings.HasPrefix(long[strings.Index(long, "the"):], body[strings.Index(body, "the"):]) || strings.HasSuffix(body, "\"v1") {
		t.Errorf("cut mid-token: %q", got)
	}
	if got := oneLine("short\nreason"); got != "short reason" {
		t.Errorf("%q", got)
	}
	word := strings.Repeat("é", 200)
	if got := oneLine(word); !utf8.ValidString(got) {
		t.Errorf("cut inside a rune: %q", got)
	}
}

// A replayed seed's directory has its plots beside the trace.
func TestReplayWritesPlots(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := runCLI("replay", bugFile, "--seed", "1", "--out", dir); code != scenarios.ExitInvalid {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	dir = seedDir(t, dir, 1)
	for _, f := range []string{LatencyPlotFile, AvailabilityPlotFile, RatePlotFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: %v (%d bytes)", f, err, len(b))
		}
	}
}
