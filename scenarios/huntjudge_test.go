package scenarios_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// TestHuntLeaderFallback: the generic hunt writes nemesis.generate.
// leader_fallback, so a generated leader fault that starts while no server
// reports leadership (an election, a failover) hits a random server; with
// it off the same seeds skip those faults ("no node is leader now").
func TestHuntLeaderFallback(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Nemesis.Generate.LeaderFallback {
		t.Fatal("the hunt scenario has no nemesis.generate.leader_fallback")
	}
	off := sc.Clone()
	off.Nemesis.Generate.LeaderFallback = false
	skips := func(sc *scenarios.Scenario) (noLeader, fallback int) {
		for seed := uint64(1); seed <= 12; seed++ {
			hook := func(w *sim.Sim) {
				w.ObserveKinds(func(e *trace.Event) error {
					switch {
					case e.Kind == trace.Mark && e.Type == string(trace.MarkNemesisSkip) && strings.Contains(e.Text, "no node is leader now"):
						noLeader++
					case e.Kind == trace.FaultStart && strings.Contains(e.Text, "leader-or-one"):
						fallback++
					}
					return nil
				}, trace.Mark, trace.FaultStart)
			}
			scenarios.RunSeed(sc, seed, scenarios.RunOptions{Hook: hook})
		}
		return noLeader, fallback
	}
	skipped, _ := skips(off)
	if skipped == 0 {
		t.Fatal("no leader fault was skipped in seeds 1..12 without the fallback: the test shows nothing")
	}
	if s, hit := skips(sc); s != 0 || hit == 0 {
		t.Errorf("with leader_fallback: %d leader faults skipped for want of a leader, %d leader-or-one faults started; want none skipped (without it: %d)", s, hit, skipped)
	}
}
