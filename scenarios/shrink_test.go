package scenarios_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
)

// followerReadsYAML plants the follower-reads bug under a generated
// nemesis; about a quarter of its seeds fail linearizability.
const followerReadsYAML = `name: bug-follower-reads
cluster: {node: raftkv, size: 3, params: {bugs: follower-reads}}
network: {latency: uniform(1ms, 10ms), drop: 1/100}
workload: {kind: kv, clients: 4, keys: 2, mix: {get: 50, put: 40, cas: 10}, timeout: 1s}
nemesis:
  generate: {faults: [partition, isolate, crash, delay], interval: 500ms..2s, duration: 500ms..2s}
run: {duration: 5s, heal: 3s}
`

// firstFailing returns the first failing seed of sc in 1..limit.
func firstFailing(t *testing.T, sc *scenarios.Scenario, limit uint64) (uint64, scenarios.Outcome) {
	t.Helper()
	for seed := uint64(1); seed <= limit; seed++ {
		o := scenarios.RunSeed(scenarios.ApplySwarm(sc, seed), seed, scenarios.RunOptions{})
		if o.Failed() {
			return seed, o
		}
	}
	t.Fatalf("%s: no failing seed in 1..%d", sc.Name, limit)
	return 0, scenarios.Outcome{}
}

func TestShrinkPlantedBug(t *testing.T) {
	sc, err := scenarios.Parse("follower-reads.yaml", []byte(followerReadsYAML))
	if err != nil {
		t.Fatal(err)
	}
	seed, orig := firstFailing(t, sc, 40)
	var steps []string
	res, err := scenarios.Shrink(context.Background(), sc, seed, scenarios.ShrinkOptions{
		Budget:   20 * time.Second,
		Progress: func(p scenarios.ShrinkProgress) { steps = append(steps, p.Step) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %d runs in %v\n  before %s\n  after  %s", seed, res.Runs, res.Elapsed, res.Before, res.After)
	if res.Status != orig.Status || res.Outcome.Status != orig.Status {
		t.Fatalf("shrunk status %s/%s, want %s", res.Status, res.Outcome.Status, orig.Status)
	}
	if len(steps) == 0 || steps[0] != "script the generated faults" {
		t.Errorf("progress not reported: %q", steps)
	}
	b, a := res.Before, res.After
	if a.Faults > b.Faults || a.Ops >= b.Ops || a.Duration > b.Duration || a.Clients > b.Clients {
		t.Errorf("not smaller: before %s, after %s", b, a)
	}
	if a.Faults > 3 || a.Ops > 30 {
		t.Errorf("shrunk reproduction above the goal (≤ 3 faults, ≤ 30 ops): %s", a)
	}
	if res.Scenario.Nemesis.Generate != nil || res.Scenario.Swarm != nil {
		t.Errorf("shrunk scenario still generates: %+v", res.Scenario.Nemesis)
	}
	// The written YAML replays the same failure with the same trace.
	yml := scenarios.Format(res.Scenario)
	back, err := scenarios.Parse("shrunk.yaml", yml)
	if err != nil {
		t.Fatalf("shrunk YAML does not parse: %v\n%s", err, yml)
	}
	re := scenarios.Replay(back, res.Seed, scenarios.RunOptions{})
	if re.Status != orig.Status || re.Hash != res.Outcome.Hash {
		t.Fatalf("replay of shrunk.yaml seed %d: %s hash %s, want %s hash %s\n%s", res.Seed, re.Status, re.Hash, orig.Status, res.Outcome.Hash, yml)
	}
}

// The generated schedule written as a script replays the same run.
func TestScriptedScheduleSameTrace(t *testing.T) {
	sc, err := scenarios.Parse("follower-reads.yaml", []byte(followerReadsYAML))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		a := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		res, err := scenarios.Shrink(context.Background(), sc, seed, scenarios.ShrinkOptions{Budget: time.Nanosecond})
		if !a.Failed() {
			if err == nil || !strings.Contains(err.Error(), "passes") {
				t.Errorf("seed %d passes, want a 'passes' error, got %v", seed, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome.Hash != a.Hash || res.Seed != seed {
			t.Errorf("seed %d: scripted run hash %s (seed %d), generated %s", seed, res.Outcome.Hash, res.Seed, a.Hash)
		}
	}
}

// Out of budget, Shrink still returns the original failure.
func TestShrinkKeepsOriginalOnTinyBudget(t *testing.T) {
	sc, err := scenarios.Parse("follower-reads.yaml", []byte(followerReadsYAML))
	if err != nil {
		t.Fatal(err)
	}
	seed, orig := firstFailing(t, sc, 40)
	res, err := scenarios.Shrink(context.Background(), sc, seed, scenarios.ShrinkOptions{Budget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete || res.Status != orig.Status || res.Outcome.Hash != orig.Hash || res.After.Faults != res.Before.Faults {
		t.Fatalf("tiny budget: complete=%v status %s hash %s (want %s %s), %s → %s", res.Complete, res.Status, res.Outcome.Hash, orig.Status, orig.Hash, res.Before, res.After)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err = scenarios.Shrink(ctx, sc, seed, scenarios.ShrinkOptions{})
	if err != nil || res.Status != orig.Status {
		t.Fatalf("cancelled: %v, status %s", err, res.Status)
	}
}

func TestFailureSignature(t *testing.T) {
	for _, c := range []struct {
		o    scenarios.Outcome
		want string
	}{
		{scenarios.Outcome{Status: scenarios.StatusValid}, "valid"},
		{scenarios.Outcome{Status: scenarios.StatusInvalid,
			Failure: "sim: violation on n1 at 0.474665643s (seed 12, event 1151): raftkv: election safety: n4 and n1 are both leaders of term 4",
			Checks:  []scenarios.CheckSummary{{Name: "invariants", Verdict: checker.Invalid}}},
			"invalid invariants: raftkv: election safety"},
		{scenarios.Outcome{Status: scenarios.StatusInvalid,
			Checks: []scenarios.CheckSummary{{Name: "invariants", Verdict: checker.Valid}, {Name: "liveness", Verdict: checker.Valid}, {Name: "linearizable(kv)", Verdict: checker.Invalid}}},
			"invalid linearizable(kv)"},
		{scenarios.Outcome{Status: scenarios.StatusPanic, Failure: "sim: panic on n2 at 1s (seed 3, event 9): index out of range [7] with length 3",
			Checks: []scenarios.CheckSummary{{Name: "run", Verdict: checker.Invalid}}},
			"panic run"},
	} {
		if got := scenarios.FailureSignature(&c.o); got != c.want {
			t.Errorf("FailureSignature = %q, want %q", got, c.want)
		}
	}
}
