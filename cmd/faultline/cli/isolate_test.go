package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

var long = flag.Bool("faultline.long", false, "sweep 40 seeds of each misbehaving kind (a minute)")

// badScenario is swept once per misbehaving kind of testdata/badkinds.
const badScenario = `name: bad-MODE
cluster: {node: bad-MODE, size: 3}
network: {latency: uniform(1ms, 10ms)}
workload: {kind: kv, clients: 2, keys: 2, mix: {get: 50, put: 50}, timeout: 1s}
nemesis:
  generate: {faults: [partition, crash], interval: 1s..2s, duration: 1s..2s}
run: {duration: 3s, heal: 2s}
check: [linearizable]
`

// TestIsolatedSweepOfMisbehavingKinds builds a binary with node kinds that
// panic, hang, allocate without bound, livelock, send a cyclic message or
// one whose String never returns, exit or Goexit (on one seed in three),
// and sweeps each in worker processes: every sweep finishes, every bad
// seed is in results.jsonl with its status, the good seeds are valid, the
// exit code names the status, and a resume runs nothing again unless
// asked to retry the lost seeds.
func TestIsolatedSweepOfMisbehavingKinds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the memory watchdog reads /proc")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "badkinds")
	build := exec.Command("go", "build", "-o", bin, "./testdata/badkinds")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building testdata/badkinds: %v\n%s", err, out)
	}
	last := 4
	if *long {
		last = 40
	}
	for _, tc := range []struct {
		mode string
		want scenarios.Status
		// says is in the reason of every bad seed.
		says string
		// timeout is --seed-timeout when the default (700ms) would cut the
		// bad seed short of what it should be caught at.
		timeout string
	}{
		{"panic", scenarios.StatusPanic, "a deliberate panic", ""},
		{"loop", scenarios.StatusTimeout, "wall-time limit", ""},
		{"alloc", scenarios.StatusOOM, "resident memory reached", "20s"},
		{"livelock", scenarios.StatusTimeout, "wall-time limit", ""},
		{"cycle", scenarios.StatusPanic, "cycle", ""},
		{"loopystring", scenarios.StatusTimeout, "wall-time limit", ""},
		{"exit", scenarios.StatusCrash, "exited with status 0", ""},
		{"goexit", scenarios.StatusCrash, "runtime.Goexit", ""},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			file := filepath.Join(dir, tc.mode+".yaml")
			if err := os.WriteFile(file, []byte(strings.ReplaceAll(badScenario, "MODE", tc.mode)), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out-"+tc.mode)
			timeout := tc.timeout
			if timeout == "" {
				timeout = "700ms"
			}
			args := []string{"run", file, "--seeds", fmt.Sprintf("1..%d", last), "--workers", "2",
				"--seed-timeout", timeout, "--seed-memory", "256MiB", "--out", out}
			code := runBin(t, bin, args...)
			if code != tc.want.ExitCode() {
				t.Errorf("exit code %d, want %d (%s)", code, tc.want.ExitCode(), tc.want)
			}
			got := readResults(t, latestIn(t, out))
			if len(got) != last {
				t.Fatalf("results.jsonl has %d seeds, want %d", len(got), last)
			}
			bad := 0
			for seed := uint64(1); seed <= uint64(last); seed++ {
				o := got[seed]
				switch {
				case o.Status == scenarios.StatusValid:
				case o.Status != tc.want:
					t.Errorf("seed %d: %s (%s), want %s or valid", seed, o.Status, o.Reason, tc.want)
				case !strings.Contains(o.Reason, tc.says):
					t.Errorf("seed %d: reason %q does not say %q", seed, o.Reason, tc.says)
				case o.Status.Lost() && !strings.Contains(o.Reason, fmt.Sprintf("seed %d", seed)):
					t.Errorf("seed %d: reason %q does not name the seed", seed, o.Reason)
				default:
					bad++
				}
			}
			if tmp, _ := filepath.Glob(filepath.Join(latestIn(t, out), "*.tmp")); len(tmp) > 0 {
				t.Errorf("half-written artifacts left behind: %v", tmp)
			}
			// Seeds 2 and 4 misbehave (the kinds draw from their Env).
			if bad == 0 || bad == last {
				t.Errorf("%d of %d seeds misbehaved: want some of each", bad, last)
			}
			if !tc.want.Lost() {
				return
			}
			if code := runBin(t, bin, append(args, "--json")...); code != tc.want.ExitCode() {
				t.Errorf("resume: exit code %d, want %d", code, tc.want.ExitCode())
			}
			if n := len(readLines(t, latestIn(t, out))); n != last {
				t.Errorf("a resume ran seeds again: results.jsonl has %d lines, want %d", n, last)
			}
			runBin(t, bin, append(args, "--retry-crashed")...)
			if n := len(readLines(t, latestIn(t, out))); n != last+bad {
				t.Errorf("--retry-crashed: results.jsonl has %d lines, want %d (the %d lost seeds again)", n, last+bad, bad)
			}
		})
	}
}

func runBin(t *testing.T, bin string, args ...string) int {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.ExitCode() == scenarios.ExitUsage || ee.ExitCode() == scenarios.ExitCrash {
			t.Logf("%s %s: %s", bin, strings.Join(args, " "), stderr.String())
		}
		return ee.ExitCode()
	}
	t.Fatalf("%s: %v", bin, err)
	return -1
}

func readLines(t *testing.T, out string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return lines[1:] // the header
}

// latestIn is the latest run of the one scenario in a store's root.
func latestIn(t *testing.T, root string) string {
	t.Helper()
	links, _ := filepath.Glob(filepath.Join(root, "*", "latest"))
	if len(links) != 1 {
		t.Fatalf("%s holds %d latest runs, want one", root, len(links))
	}
	return links[0]
}

func readResults(t *testing.T, out string) map[uint64]scenarios.Outcome {
	t.Helper()
	got := map[uint64]scenarios.Outcome{}
	for _, line := range readLines(t, out) {
		var o scenarios.Outcome
		if err := json.NewDecoder(bufio.NewReader(strings.NewReader(line))).Decode(&o); err != nil {
			t.Fatalf("results line %q: %v", line, err)
		}
		got[o.Seed] = o
	}
	return got
}
