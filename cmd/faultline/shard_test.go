package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// buildFaultline builds the command into a temporary directory: the
// shards below run as separate processes of one binary, as an Indexed
// Job's pods run one image.
func buildFaultline(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "faultline")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// exe runs bin with the extra environment and returns its exit code and
// standard output (standard error goes into failures' messages).
func exe(t *testing.T, bin string, env []string, args ...string) (int, []byte) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 0 && code != 1 {
		t.Logf("%s %s: exit %d\n%s", bin, strings.Join(args, " "), code, stderr.String())
	}
	return code, append(out, stderr.Bytes()...)
}

// results reads a results.jsonl by seed, failing on a seed held twice;
// the wall time of each seed is zeroed (it is the one field that differs
// between two runs of a seed).
// runOf is the latest run of the one scenario in a store's root (each
// --out here is a root: ROOT/<scenario>/<run id>/).
func runOf(t *testing.T, root string) string {
	t.Helper()
	links, _ := filepath.Glob(filepath.Join(root, "*", "latest"))
	if len(links) != 1 {
		t.Fatalf("%s holds %d latest runs, want one", root, len(links))
	}
	return links[0]
}

func results(t *testing.T, dir string) map[uint64]scenarios.Outcome {
	t.Helper()
	f, err := os.Open(filepath.Join(runOf(t, dir), "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	got := map[uint64]scenarios.Outcome{}
	sc.Scan() // header
	for sc.Scan() {
		var o scenarios.Outcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			continue // the half line a kill left, which resume and merge skip
		}
		if _, dup := got[o.Seed]; dup {
			t.Errorf("%s: seed %d twice", dir, o.Seed)
		}
		o.Wall = 0
		got[o.Seed] = o
	}
	return got
}

// summary is the --json summary without what legitimately differs
// between one sweep and a merge: elapsed time and the replay lines'
// scenario path.
func summary(t *testing.T, out []byte) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	delete(s, "elapsed_ns")
	fs, _ := s["failures"].([]any)
	for _, f := range fs {
		delete(f.(map[string]any), "replay")
	}
	return s
}

// Four shards run as separate processes with the Indexed Job's
// environment merge to the single-process sweep of the same seeds, seed
// for seed; a shard killed part-way resumes with no seed lost or run
// twice; a merge without one shard names the missing seeds.
func TestShardsMergeToTheSingleSweep(t *testing.T) {
	const scenario, seeds, shards = "../../scenarios/bugs/abd-no-write-back.yaml", "1..60", 4
	bin := buildFaultline(t)
	tmp := t.TempDir()

	single := filepath.Join(tmp, "single")
	code, out := exe(t, bin, nil, "run", scenario, "--seeds", seeds, "--workers", "2", "--out", single, "--json")
	want := summary(t, out)
	if code != 1 || want["counts"].(map[string]any)["invalid"].(float64) == 0 {
		t.Fatalf("want a sweep with failing seeds (exit 1), got exit %d:\n%s", code, out)
	}

	var dirs []string
	for i := range shards {
		dir := filepath.Join(tmp, fmt.Sprintf("shard-%d", i))
		dirs = append(dirs, dir)
		env := []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i), fmt.Sprintf("JOB_COMPLETION_COUNT=%d", shards)}
		exe(t, bin, env, "run", scenario, "--seeds", seeds, "--workers", "1", "--out", dir)
	}

	// Kill shard 2 part-way, as a preempted pod is: keep its header, three
	// seeds and half a line, and run it again.
	killed := filepath.Join(runOf(t, dirs[2]), "results.jsonl")
	data, err := os.ReadFile(killed)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	cut := strings.Join(lines[:4], "") + lines[4][:len(lines[4])/2]
	if err := os.WriteFile(killed, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without it the merge says which seeds are missing and which shard
	// to rerun.
	code, out = exe(t, bin, nil, "merge", dirs[0], dirs[1], dirs[3])
	if code != 2 || !strings.Contains(string(out), "15 of seeds 1..60 missing: 31..45 — run shard 2/4 again") {
		t.Errorf("merge without shard 2: exit %d, want 2 and its missing seeds named:\n%s", code, out)
	}
	_, out = exe(t, bin, []string{"JOB_COMPLETION_INDEX=2", "JOB_COMPLETION_COUNT=4"}, "run", scenario, "--seeds", seeds, "--workers", "1", "--out", dirs[2])
	if !strings.Contains(string(out), "(3 resumed from") {
		t.Errorf("rerun of shard 2 did not resume its 3 seeds:\n%s", out)
	}
	if n := len(results(t, dirs[2])); n != 15 {
		t.Errorf("shard 2 holds %d seeds after its rerun, want 15 (31..45)", n)
	}

	merged := filepath.Join(tmp, "merged")
	junit := filepath.Join(tmp, "junit.xml")
	code, out = exe(t, bin, nil, append([]string{"merge", "--out", merged, "--json", "--junit", junit}, dirs...)...)
	if code != 1 {
		t.Errorf("merge: exit %d, want 1 (the single sweep's):\n%s", code, out)
	}
	if got := summary(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("merged summary differs from the single sweep's:\n got %v\nwant %v", got, want)
	}
	a, b := results(t, single), results(t, merged)
	if len(a) != 60 || len(b) != 60 {
		t.Errorf("single sweep holds %d seeds, merge %d; want 60 each", len(a), len(b))
	}
	for seed, o := range a {
		if !reflect.DeepEqual(b[seed], o) {
			t.Errorf("seed %d: merged %+v, single sweep %+v", seed, b[seed], o)
		}
	}
	for _, f := range want["failures"].([]any) {
		seed := uint64(f.(map[string]any)["seed"].(float64))
		if _, err := os.Stat(filepath.Join(runOf(t, merged), fmt.Sprintf("seed-%d", seed), scenarios.TraceFile)); err != nil {
			t.Errorf("merged artifacts of failing seed %d: %v", seed, err)
		}
	}
	for _, f := range []string{junit, filepath.Join(runOf(t, merged), "index.html"), filepath.Join(runOf(t, merged), "summary.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("merge --out --junit: %v", err)
		}
	}

	// Shards of another scenario do not merge.
	other := filepath.Join(tmp, "other")
	exe(t, bin, nil, "run", "../../scenarios/abd-partitions.yaml", "--seeds", "1..2", "--out", other)
	if code, out := exe(t, bin, nil, "merge", dirs[0], other); code != 2 || !strings.Contains(string(out), "shards of different scenarios do not merge") {
		t.Errorf("merge of two scenarios: exit %d:\n%s", code, out)
	}
}
