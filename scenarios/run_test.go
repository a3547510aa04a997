package scenarios_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

func quick(t *testing.T) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadFile("testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// readResults returns seed → hash from a results.jsonl, failing on a seed
// recorded twice.
func readResults(t *testing.T, dir string) map[uint64]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[uint64]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		var o scenarios.Outcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			continue // a line cut short by the interruption, as resume treats it
		}
		if _, dup := out[o.Seed]; dup {
			t.Fatalf("seed %d recorded twice", o.Seed)
		}
		out[o.Seed] = o.Hash
	}
	return out
}

// Every seed runs exactly once whatever the worker count, and results do
// not depend on it.
func TestSweepCoversSeedsExactly(t *testing.T) {
	sc := quick(t)
	one, three := t.TempDir(), t.TempDir()
	for _, c := range []struct {
		dir     string
		workers int
	}{{one, 1}, {three, 3}} {
		sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 5, Last: 16, Workers: c.workers, Out: c.dir})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Seeds != 12 || sum.Interrupted {
			t.Fatalf("%d workers: %d seeds, interrupted %v", c.workers, sum.Seeds, sum.Interrupted)
		}
	}
	a, b := readResults(t, one), readResults(t, three)
	if len(a) != 12 || len(b) != 12 {
		t.Fatalf("results hold %d and %d seeds, want 12", len(a), len(b))
	}
	for seed := uint64(5); seed <= 16; seed++ {
		if a[seed] == "" || a[seed] != b[seed] {
			t.Fatalf("seed %d: hash %q with 1 worker, %q with 3", seed, a[seed], b[seed])
		}
	}
}

// An interrupted sweep keeps what finished, and the same command resumes
// without running finished seeds again.
func TestSweepResumesAfterInterruption(t *testing.T) {
	sc := quick(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	sum, err := scenarios.Sweep(ctx, sc, scenarios.SweepOptions{First: 1, Last: 20, Workers: 2, Out: dir,
		Progress: func(p scenarios.Progress) {
			if p.Done == 5 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted || sum.Seeds >= 20 || sum.Seeds < 5 {
		t.Fatalf("interrupted sweep: %d seeds, interrupted %v", sum.Seeds, sum.Interrupted)
	}
	done := sum.Seeds
	// An interruption in the middle of a write leaves a partial line.
	f, _ := os.OpenFile(filepath.Join(dir, "results.jsonl"), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte(`{"seed":19,"status":"val`))
	f.Close()
	sum, err = scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 20, Workers: 2, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Seeds != 20 || sum.Resumed != done {
		t.Fatalf("resumed sweep: %d seeds, %d resumed, want 20 and %d", sum.Seeds, sum.Resumed, done)
	}
	if got := readResults(t, dir); len(got) != 20 {
		t.Fatalf("results hold %d seeds, want 20", len(got))
	}
	// A narrower sweep over the same directory reports only its own seeds.
	sum, err = scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 5, Last: 8, Workers: 2, Out: dir})
	if err != nil || sum.Seeds != 4 || sum.Resumed != 4 {
		t.Fatalf("sub-range sweep: %d seeds, %d resumed (want 4 and 4), %v", sum.Seeds, sum.Resumed, err)
	}
	// A different scenario refuses the directory.
	other := *sc
	other.Run.Duration = 3 * time.Second
	if _, err := scenarios.Sweep(context.Background(), &other, scenarios.SweepOptions{First: 1, Last: 2, Out: dir}); err == nil {
		t.Fatal("a results directory of another scenario was reused")
	}
}

// The scenario built in Go gives the same trace as the same scenario read
// from YAML.
func TestYAMLAndGoAgree(t *testing.T) {
	fromYAML := quick(t)
	fromGo := &scenarios.Scenario{
		Name:        "quick",
		Description: "a small, fast scenario for the runner's own tests",
		Cluster:     scenarios.Cluster{Node: "raftkv", Size: 3},
		Network:     scenarios.Network{Latency: sim.UniformDist(time.Millisecond, 5*time.Millisecond), Drop: sim.Ratio{Num: 1, Den: 100}},
		Workload:    scenarios.Workload{Kind: "kv", Clients: 3, Keys: 3},
		Nemesis: scenarios.Nemesis{Generate: &scenarios.Generate{Faults: []string{"partition", "crash"},
			Interval: nemesis.Span(500*time.Millisecond, time.Second), Duration: nemesis.Span(300*time.Millisecond, 800*time.Millisecond)}},
		Run: scenarios.RunSpec{Duration: 2 * time.Second, Heal: 2 * time.Second},
	}
	if err := fromGo.Validate(); err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		a := scenarios.RunSeed(fromYAML, seed, scenarios.RunOptions{})
		b := scenarios.RunSeed(fromGo, seed, scenarios.RunOptions{})
		if a.Hash != b.Hash || a.Hash == "" {
			t.Fatalf("seed %d: YAML hash %s, Go hash %s", seed, a.Hash, b.Hash)
		}
	}
}

// A planted bug goes red with a replay line, and replaying the seed gives
// the same trace hash (recording on or off).
func TestPlantedBugFailsAndReplays(t *testing.T) {
	sc, err := scenarios.LoadFile("bugs/no-sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		if !o.Failed() {
			continue
		}
		if o.Status != scenarios.StatusInvalid {
			t.Fatalf("seed %d: status %s, want invalid: %s", seed, o.Status, o.Reason)
		}
		r := scenarios.Replay(sc, seed, scenarios.RunOptions{})
		if r.Hash != o.Hash || r.Status != o.Status || len(r.Trace) == 0 {
			t.Fatalf("seed %d: replay hash %s status %s, sweep hash %s status %s", seed, r.Hash, r.Status, o.Hash, o.Status)
		}
		line := scenarios.ReplayLine(sc, seed)
		if line != "faultline replay bugs/no-sessions.yaml --seed "+itoa(seed) {
			t.Fatalf("replay line %q", line)
		}
		dir := t.TempDir()
		if err := scenarios.WriteArtifacts(sc, seed, dir, scenarios.RunOptions{}, ""); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{scenarios.TraceFile, scenarios.HistoryFile, scenarios.ScenarioFile, scenarios.ExplanationFile, scenarios.VisualFile} {
			if _, err := os.Stat(filepath.Join(dir, "seed-"+itoa(seed), f)); err != nil {
				t.Errorf("artifact missing: %v", err)
			}
		}
		return
	}
	t.Fatal("the no-sessions bug was not caught in 20 seeds")
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A scenario's run is deterministic: CheckDeterminism over a few seeds
// compares every event of two runs.
func TestScenarioDeterminism(t *testing.T) {
	sc := quick(t)
	for seed := uint64(1); seed <= 5; seed++ {
		if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// The convergence check can fail: a server cut off until the very end of
// the run has not caught up when the (too short) heal window closes.
func TestConvergenceCanFail(t *testing.T) {
	sc := quick(t)
	sc.Nemesis = scenarios.Nemesis{Script: []scenarios.Step{{At: 100 * time.Millisecond, Fault: "isolate n3"}}}
	sc.Run.Heal = 5 * time.Millisecond
	sc.Check = []string{"convergence"}
	o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
	if o.Status != scenarios.StatusLiveness || !strings.Contains(o.Reason, "replicas differ") {
		t.Fatalf("status %s: %s", o.Status, o.Reason)
	}
	sc.Run.Heal = 2 * time.Second
	if o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{}); o.Failed() {
		t.Fatalf("with a real heal window: %s %s", o.Status, o.Reason)
	}
}

// A liveness failure says what the cluster looked like: who was down and
// who led at the end, and the last write that succeeded.
func TestLivenessFailureGivesContext(t *testing.T) {
	sc, err := scenarios.Parse("l.yaml", []byte(`name: l
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 2, keys: 2}
run: {duration: 2s, heal: 2ms}
check: [liveness]
nemesis:
  script:
    - {at: 1s, fault: "crash n1"}
    - {at: 1s, fault: "crash n2"}
`))
	if err != nil {
		t.Fatal(err)
	}
	o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
	if o.Status != scenarios.StatusLiveness {
		t.Fatalf("status %s (%s), want liveness", o.Status, o.Reason)
	}
	t.Log(o.Reason)
	for _, want := range []string{"no write by", "last acknowledged write: c", "leader at the end", "up at the end"} {
		if !strings.Contains(o.Reason, want) {
			t.Errorf("reason lacks %q:\n%s", want, o.Reason)
		}
	}
}
