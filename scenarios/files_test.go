package scenarios_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

func TestSafeDirName(t *testing.T) {
	for in, want := range map[string]string{
		"raft-kv-basic":             "raft-kv-basic",
		"../../../../elsewhere/x":   "_.__..__..__..__elsewhere__x",
		".hidden":                   "_hidden",
		"a/b":                       "a__b",
		"tab\tnew\nline":            "tab_new_line",
		"":                          "unnamed",
		"cap-partitions/raft (n=3)": "cap-partitions__raft__n_3_",
	} {
		got := scenarios.SafeDirName(in)
		if got != want || strings.ContainsAny(got, `/\`) || filepath.Base(got) != got {
			t.Errorf("SafeDirName(%q) = %q, want %q", in, got, want)
		}
	}
	if long := scenarios.SafeDirName(strings.Repeat("x", 200)); len(long) != 80 {
		t.Errorf("a long name gives %d bytes", len(long))
	}
}

// A sweep writes only what it names: it does not follow a symlinked
// results file, and it does not replace a seed directory it did not write.
func TestSweepWritesOnlyItsOwnFiles(t *testing.T) {
	sc, err := scenarios.LoadFile("bugs/no-sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere.txt")
	os.WriteFile(target, []byte("the user's\n"), 0o644)
	os.Symlink(target, filepath.Join(dir, "results.jsonl"))
	if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a symlinked results file: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "the user's\n" {
		t.Errorf("the link's target was written: %q", b)
	}

	dir = t.TempDir()
	mine := filepath.Join(dir, "seed-1", "notes.txt")
	os.MkdirAll(filepath.Dir(mine), 0o755)
	os.WriteFile(mine, []byte("keep me"), 0o644)
	sum, _ := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir})
	if b, err := os.ReadFile(mine); err != nil || string(b) != "keep me" {
		t.Errorf("the user's seed-1/notes.txt: %q, %v", b, err)
	}
	if sum == nil || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Reason, "was not written by Faultline") {
		t.Errorf("the failure should say its artifacts were not written: %+v", sum)
	}
	// A directory Faultline wrote is replaced by the next run's.
	dir = t.TempDir()
	for i := 0; i < 2; i++ {
		os.Remove(filepath.Join(dir, "results.jsonl"))
		if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "seed-1", scenarios.TraceFile)); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}
