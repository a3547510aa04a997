package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// faultline shrink writes a smaller scenario that faultline replay runs
// to the same failure.
func TestShrinkCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI("shrink", "../../../scenarios/bugs/no-sessions.yaml", "--seed", "1", "--out", dir, "--budget", "20s")
	if code != 0 {
		t.Fatalf("shrink exited %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"before:", "after:", "kept:", "failure: invalid linearizable(kv)", "reproduce: faultline replay"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	path := filepath.Join(onlyRun(t, dir), shrunkFile)
	if _, err := scenarios.LoadFile(path); err != nil {
		t.Fatalf("shrunk.yaml: %v", err)
	}
	m := regexp.MustCompile(`reproduce: faultline replay (\S+) --seed (\d+)`).FindStringSubmatch(out)
	if m == nil || m[1] != path {
		t.Fatalf("no replay line for %s:\n%s", path, out)
	}
	if changed := m[2] != "1"; changed != strings.Contains(out, "seed:    "+m[2]+", not 1:") {
		t.Errorf("the seed went 1 → %s; the output must say why exactly when it changed:\n%s", m[2], out)
	}
	code, out, errs = runCLI("replay", m[1], "--seed", m[2], "--out", filepath.Join(dir, "replay"))
	if code != scenarios.ExitInvalid || !strings.Contains(out, "INVALID") {
		t.Fatalf("replay of the shrunk scenario exited %d, want %d\n%s\n%s", code, scenarios.ExitInvalid, out, errs)
	}
}

func TestShrinkCommandErrors(t *testing.T) {
	if code, _, errs := runCLI("shrink", "../../../scenarios/bugs/no-sessions.yaml"); code != scenarios.ExitUsage || !strings.Contains(errs, "--seed N") {
		t.Errorf("missing --seed: exit %d, %s", code, errs)
	}
	// A passing seed: nothing to shrink, nothing written.
	dir := t.TempDir()
	code, _, errs := runCLI("shrink", "../../../scenarios/testdata/quick.yaml", "--seed", "1", "--out", dir)
	if code != scenarios.ExitUsage || !strings.Contains(errs, "nothing to shrink") {
		t.Errorf("passing seed: exit %d, %s", code, errs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a passing seed wrote %s into the store", entries[0].Name())
	}
}
