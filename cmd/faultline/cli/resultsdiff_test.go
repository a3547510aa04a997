package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// merge --compare: two sweeps of the same seeds agree; a results line
// whose explanation was changed is a difference, named by seed, exit 7.
func TestMergeCompare(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, out := range []string{a, b} {
		if code, _, stderr := runCLI("run", "abd-partitions", "--seeds", "1..3", "--workers", "1", "--out", out, "--json"); code != 0 {
			t.Fatalf("run: exit %d: %s", code, stderr)
		}
	}
	code, stdout, stderr := runCLI("merge", "--compare", a, b)
	if code != 0 || !strings.Contains(stdout, "3 seeds in both, 3 the same") || stderr != "" {
		t.Errorf("two sweeps of seeds 1..3: exit %d\n%s%s", code, stdout, stderr)
	}

	// Seed 2 of b says something else, and b has a seed a lacks.
	bRun := onlyRun(t, b) // b is a store's root: the run is under it
	path := filepath.Join(bRun, "results.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, line := range lines[1:] {
		var o scenarios.Outcome
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatal(err)
		}
		if o.Seed == 2 {
			o.Checks[len(o.Checks)-1].Explanation = "another explanation"
			changed, _ := json.Marshal(o)
			lines[i+1] = string(changed)
			o.Seed = 9
			extra, _ := json.Marshal(o)
			lines = append(lines, string(extra))
			break
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI("merge", "--compare", a, b)
	if code != scenarios.ExitNondeterministic || !strings.Contains(stdout, "3 seeds in both, 2 the same") ||
		!strings.Contains(stdout, `seed 2      check `) || !strings.Contains(stdout, `explanation`) ||
		!strings.Contains(stderr, "seeds only in "+bRun+", not compared: 9") {
		t.Errorf("a changed explanation: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI("merge", "--compare", a, b, "--json")
	var got struct {
		Both, Same int
		Diffs      []struct{ Seed uint64 }
		OnlyB      []string `json:"only_b"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != scenarios.ExitNondeterministic ||
		got.Both != 3 || got.Same != 2 || len(got.Diffs) != 1 || got.Diffs[0].Seed != 2 || len(got.OnlyB) != 1 || got.OnlyB[0] != "9" {
		t.Errorf("--json: exit %d, %+v (%v)\n%s", code, got, err, stdout)
	}
	if code, _, stderr := runCLI("merge", "--compare", a); code != scenarios.ExitUsage || !strings.Contains(stderr, "takes two sweeps' results") {
		t.Errorf("one directory: exit %d: %s", code, stderr)
	}
}
