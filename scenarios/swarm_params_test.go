package scenarios_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// swarm.params draws the node kind's declared timings (ParamSpec.Swarm)
// that cluster.params leaves out, and never one it sets; swarm.timeout
// draws the client timeout. The plain hunt would run every seed with
// raftkv's default 150ms..300ms election timeout and the workload's
// default timeout.
func TestSwarmParamsAndTimeout(t *testing.T) {
	nk, _ := scenarios.LookupNode("raftkv")
	var menu []string
	for _, ps := range nk.Params {
		if ps.Key == "election_timeout" {
			menu = ps.Swarm
		}
	}
	if len(menu) < 2 {
		t.Fatalf("raftkv declares swarm values %q for election_timeout, want several", menu)
	}
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv", Params: []scenarios.Param{{Key: "bugs", Value: "no-sessions"}}})
	if err != nil {
		t.Fatal(err)
	}
	drawn, timeouts := map[string]int{}, map[time.Duration]bool{}
	for seed := uint64(1); seed <= 60; seed++ {
		x := scenarios.ApplySwarm(sc, seed)
		var et []string
		for _, p := range x.Cluster.Params {
			if p.Key == "election_timeout" {
				et = append(et, p.Value)
			}
		}
		if len(et) != 1 || !slices.Contains(menu, et[0]) {
			t.Fatalf("seed %d drew election_timeout %q, want one of %q", seed, et, menu)
		}
		drawn[et[0]]++
		if to := x.Workload.Timeout; to < 150*time.Millisecond || to > 500*time.Millisecond {
			t.Fatalf("seed %d drew timeout %v, want 150ms..500ms", seed, to)
		}
		timeouts[x.Workload.Timeout] = true
		if k := scenarios.SwarmKnobs(sc, seed); !strings.Contains(k, "election_timeout "+et[0]) {
			t.Errorf("seed %d: the knobs do not name the drawn parameter: %s", seed, k)
		}
		if _, err := scenarios.Parse("x.yaml", scenarios.Format(x)); err != nil {
			t.Fatalf("seed %d: the drawn scenario does not read back: %v", seed, err)
		}
	}
	if len(drawn) < len(menu) || len(timeouts) < 30 {
		t.Errorf("60 seeds drew election timeouts %v and %d distinct client timeouts", drawn, len(timeouts))
	}
	set, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv", Params: []scenarios.Param{{Key: "election_timeout", Value: "200ms..250ms"}}})
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		ps := scenarios.ApplySwarm(set, seed).Cluster.Params
		if i := slices.IndexFunc(ps, func(p scenarios.Param) bool { return p.Key == "election_timeout" }); i != 0 || ps[i].Value != "200ms..250ms" || slices.ContainsFunc(ps[1:], func(p scenarios.Param) bool { return p.Key == "election_timeout" }) {
			t.Fatalf("seed %d overrode the scenario's own election_timeout: %v", seed, ps)
		}
	}
}
