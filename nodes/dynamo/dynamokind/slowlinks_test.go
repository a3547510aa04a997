package dynamokind_test

import (
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// TestSlowLinksFirstAttempts: at hunt seed 7000531 (one client on four
// keys, 2.8–19ms links, 22–29ms syncs, no fault beyond the budget) a put
// takes longer than the 60ms op_timeout default and the clients' 100ms
// attempt timeout: the coordinator gave up on operations and writes
// succeeded as retries that found them already applied. With the hunt's
// 150ms and 250ms (dynamokind.Hunt) every first attempt completes.
func TestSlowLinksFirstAttempts(t *testing.T) {
	const seed = 7000531
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "dynamo"})
	if err != nil {
		t.Fatal(err)
	}
	const timedOut, applied = "dynamo: operation timed out at the coordinator", "dynamo: retried write found already applied"
	defaults := scenarios.ApplySwarm(sc, seed).Clone()
	defaults.Cluster.Params = set(defaults.Cluster.Params, "op_timeout", "60ms")
	defaults.Workload.Params = set(defaults.Workload.Params, "attempt_timeout", "100ms")
	for _, c := range []struct {
		name      string
		sc        *scenarios.Scenario
		retriesOK bool // whether operations time out and retries find writes applied
	}{
		{"the defaults (op_timeout 60ms, attempt_timeout 100ms)", defaults, true},
		{"the hunt's (op_timeout 150ms, attempt_timeout 250ms)", sc, false},
	} {
		o := scenarios.RunSeed(c.sc, seed, scenarios.RunOptions{})
		if o.Status != scenarios.StatusValid {
			t.Errorf("%s: %s: %s", c.name, o.Status, o.Reason)
		}
		n, a := o.Probes[timedOut], o.Probes[applied]
		t.Logf("%s: %d operations, %d timed out at the coordinator, %d retries found their write applied", c.name, o.Ops, n, a)
		if got := n > 0 && a > 0; got != c.retriesOK {
			t.Errorf("%s: %d operations timed out at the coordinator, %d retries found their write applied: want both %s", c.name, n, a, map[bool]string{true: "above zero", false: "zero"}[c.retriesOK])
		}
	}
}

func set(ps []scenarios.Param, key, value string) []scenarios.Param {
	var out []scenarios.Param
	for _, p := range ps {
		if p.Key != key {
			out = append(out, p)
		}
	}
	return append(out, scenarios.Param{Key: key, Value: value})
}
