package scenarios_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
)

// The causal check on real stores: a linearizable one passes it under
// partitions (linearizable implies causal), and last-writer-wins by wall
// clock under skew fails it, with a cycle of named operations; promised
// only eventual consistency, that failure is measured, not a red run.
func TestCausalCheckOnRealStores(t *testing.T) {
	const base = `cluster: {node: %s, size: 3%s}
clocks: {skew: 100ms}
workload: {kind: kv, clients: 4, keys: 3, mix: {get: 50, put: 50}, timeout: 1s%s}
nemesis: {generate: {faults: [partition, isolate], interval: 300ms..800ms, duration: 500ms..1s}}
run: {duration: 3s, heal: 2s}
check: [causal]
`
	raft, err := scenarios.Parse("raft.yaml", []byte(fmt.Sprintf(base, "raftkv", "", "")))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 2; seed++ {
		if o := scenarios.RunSeed(raft, seed, scenarios.RunOptions{}); o.Failed() || check(o, scenarios.CheckCausal).Verdict != checker.Valid {
			t.Fatalf("raft seed %d: %s: %s", seed, o.Status, o.Reason)
		}
	}
	src := fmt.Sprintf(base, "multileader", ", params: {conflicts: lww}", ", route: fixed")
	lww, err := scenarios.Parse("lww.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eventual, err := scenarios.Parse("lww-eventual.yaml", []byte(src+"promise: eventual\n"))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 10; seed++ {
		o := scenarios.RunSeed(lww, seed, scenarios.RunOptions{})
		if o.Status != scenarios.StatusInvalid {
			continue
		}
		c := check(o, scenarios.CheckCausal)
		if c.Verdict != checker.Invalid || !strings.Contains(c.Explanation, "in its causal past") || !strings.Contains(c.Explanation, "program order") {
			t.Fatalf("lww seed %d: %+v", seed, c)
		}
		if m := scenarios.RunSeed(eventual, seed, scenarios.RunOptions{}); m.Failed() || !check(m, scenarios.CheckCausal).Measured {
			t.Fatalf("lww seed %d promising eventual: %s, causal %+v", seed, m.Status, check(m, scenarios.CheckCausal))
		}
		t.Logf("caught at seed %d: %s", seed, strings.SplitN(c.Explanation, "\n", 2)[0])
		return
	}
	t.Fatal("last-writer-wins by wall clock passed the causal check in 10 seeds of skew and partitions")
}
