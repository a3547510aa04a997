package scenarios_test

import (
	"testing"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
)

const weakChecks = "[linearizable, invariants, liveness, convergence, lost-writes, read-your-writes, monotonic-reads, monotonic-writes, writes-follow-reads, staleness]"

func metric(c scenarios.CheckSummary, name string) float64 {
	for _, m := range c.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return -1
}

func check(o scenarios.Outcome, name string) scenarios.CheckSummary {
	for _, c := range o.Checks {
		if c.Name == name {
			return c
		}
	}
	return scenarios.CheckSummary{}
}

// A linearizable store passes every weaker check too: no lost write, no
// session anomaly, no stale read.
func TestWeakChecksOnALinearizableStore(t *testing.T) {
	sc, err := scenarios.Parse("w.yaml", []byte(`name: weak-on-raft
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 3, keys: 2, mix: {get: 50, put: 25, append: 25}, timeout: 1s, final_reads: true}
nemesis: {generate: {faults: [partition, crash], interval: 500ms..1s, duration: 300ms..800ms}}
run: {duration: 4s, heal: 3s}
check: `+weakChecks+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		if o.Failed() {
			t.Fatalf("seed %d: %s: %s", seed, o.Status, o.Reason)
		}
		lw, st := check(o, "lost-writes"), check(o, "staleness")
		if lw.Verdict != checker.Valid || metric(lw, "acknowledged writes") < 10 || metric(lw, "lost writes") != 0 {
			t.Errorf("seed %d: lost-writes %+v", seed, lw)
		}
		if !st.Measured || metric(st, "reads") < 10 || metric(st, "stale reads") != 0 {
			t.Errorf("seed %d: staleness %+v", seed, st)
		}
	}
}

// Under a promise weaker than a failing check, the failure is measured and
// reported, not a failed run; staleness says how stale the reads were.
func TestPromiseMeasuresWhatItDoesNotPromise(t *testing.T) {
	src := `name: stale-followers
cluster: {node: raftkv, size: 3, params: {bugs: follower-reads}}
workload: {kind: kv, clients: 4, keys: 2, mix: {get: 50, put: 40, cas: 10}, timeout: 1s, final_reads: true}
nemesis: {generate: {faults: [partition, isolate], interval: 300ms..800ms, duration: 500ms..1s}}
run: {duration: 5s, heal: 3s}
check: [linearizable, staleness, convergence]
`
	strict, err := scenarios.Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eventual, err := scenarios.Parse("e.yaml", []byte(src+"promise: eventual\n"))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 30; seed++ {
		if o := scenarios.RunSeed(strict, seed, scenarios.RunOptions{}); o.Status != scenarios.StatusInvalid {
			continue
		}
		o := scenarios.RunSeed(eventual, seed, scenarios.RunOptions{})
		lin, st := check(o, "linearizable(kv)"), check(o, "staleness")
		if o.Status != scenarios.StatusValid || lin.Verdict != checker.Invalid || !lin.Measured {
			t.Fatalf("seed %d under promise eventual: %s, linearizable %+v", seed, o.Status, lin)
		}
		if metric(st, "stale reads") < 1 || metric(st, "k max") < 1 || metric(st, "Δ max ms") <= 0 {
			t.Errorf("seed %d: follower reads are stale, staleness says %+v", seed, st)
		}
		return
	}
	t.Fatal("follower-reads not caught in 30 seeds")
}
