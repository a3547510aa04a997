package scenarios_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// Every registered protocol gets a hunting scenario from its name alone,
// with each of its workloads — except where its parameters decide the
// workload it speaks (ValidateWorkload), where the error names the
// parameter to set.
func TestHuntScenarioEveryKind(t *testing.T) {
	for _, name := range scenarios.NodeKindNames() {
		nk, _ := scenarios.LookupNode(name)
		for _, wl := range nk.Workloads {
			sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: name, Workload: wl})
			if err != nil && nk.ValidateWorkload != nil && strings.Contains(err.Error(), ": cluster.params.") {
				continue
			}
			if err != nil {
				t.Errorf("%s/%s: %v", name, wl, err)
				continue
			}
			if sc.Swarm == nil || sc.Nemesis.Generate == nil || !sc.Swarm.Faults {
				t.Errorf("%s/%s: the hunt scenario does not swarm over generated faults", name, wl)
			}
			if sc.Cluster.Size < nk.MinSize {
				t.Errorf("%s/%s: size %d below the kind's minimum %d", name, wl, sc.Cluster.Size, nk.MinSize)
			}
		}
	}
}

func TestHuntScenarioErrors(t *testing.T) {
	for _, tc := range []struct {
		spec scenarios.HuntSpec
		want string
	}{
		{scenarios.HuntSpec{Node: "raftk"}, `unknown node kind "raftk" (did you mean "raftkv"?) (want one of: `},
		{scenarios.HuntSpec{Node: "nosuch"}, `unknown node kind "nosuch" (want one of: abd, `},
		{scenarios.HuntSpec{Node: "raftkv", Workload: "kvv"}, `unknown workload kind "kvv" (did you mean "kv"?) (node kind "raftkv" speaks: kv, register)`},
		{scenarios.HuntSpec{Node: "raftkv", Params: []scenarios.Param{{Key: "bugs", Value: "no-such-bug"}}}, "cluster.params.bugs"},
		{scenarios.HuntSpec{Node: "raftkv", Params: []scenarios.Param{{Key: "bugz", Value: "x"}}}, "bugz"},
	} {
		_, err := scenarios.HuntScenario(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestParseParams(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"bugs=no-sessions", "bugs=no-sessions", ""},
		{"bugs=no-sessions,follower-reads,read_mode=lease", "bugs=no-sessions,follower-reads;read_mode=lease", ""},
		{" a = 1 , b=2", "a=1;b=2", ""},
		{"novalue", "", "want key=value"},
		{"=1", "", "want key=value"},
		{"a=1,a=2", "", "a given twice"},
	} {
		ps, err := scenarios.ParseParams(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %v, want an error containing %q", tc.in, err, tc.err)
			}
			continue
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Key+"="+p.Value)
		}
		if err != nil || strings.Join(got, ";") != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.in, strings.Join(got, ";"), err, tc.want)
		}
	}
}

// A hunt stops at the first failing seed, which does not depend on the
// number of workers, and shrinks it; with the bug off the same seeds pass
// and the seed budget stops the hunt.
func TestHuntFindsAndShrinks(t *testing.T) {
	spec := scenarios.HuntSpec{Node: "raftkv", Workload: "kv", Params: []scenarios.Param{{Key: "bugs", Value: "no-sessions"}}}
	sc, err := scenarios.HuntScenario(spec)
	if err != nil {
		t.Fatal(err)
	}
	var seeds []uint64
	for _, workers := range []int{1, 2} {
		newFaults := 0
		res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{
			First: 1000, Seeds: 60, Workers: workers, ShrinkBudget: -1,
			Progress: func(p scenarios.HuntProgress) { newFaults += len(p.NewFaults) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stop != scenarios.HuntFailed || res.Failure == nil {
			t.Fatalf("workers %d: hunt stopped with %v, no failure in 60 seeds", workers, res.Stop)
		}
		if newFaults == 0 {
			t.Errorf("workers %d: no new fault coverage reported", workers)
		}
		if res.SeedsToFailure != res.Failure.Seed-999 {
			t.Errorf("SeedsToFailure %d for seed %d from 1000", res.SeedsToFailure, res.Failure.Seed)
		}
		seeds = append(seeds, res.Failure.Seed)
	}
	if seeds[0] != seeds[1] {
		t.Errorf("first failing seed depends on workers: %d with 1, %d with 2", seeds[0], seeds[1])
	}

	// Shrink once, from the seed found (a short budget: no-sessions
	// shrinks in well under a second).
	res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: seeds[0], Seeds: 1, Workers: 1, ShrinkBudget: 5 * time.Second})
	if err != nil || res.Shrunk == nil {
		t.Fatalf("hunt with shrink: %v, %v", err, res.ShrinkErr)
	}
	if res.Shrunk.Scenario.Swarm != nil || res.Shrunk.Scenario.Nemesis.Generate != nil || res.Shrunk.After.Faults > 3 {
		t.Errorf("shrunk scenario not reduced to a short script: %s", res.Shrunk.After)
	}
	back, err := scenarios.Parse("shrunk.yaml", scenarios.Format(res.Shrunk.Scenario))
	if err != nil {
		t.Fatal(err)
	}
	if o := scenarios.RunSeed(back, res.Shrunk.Seed, scenarios.RunOptions{}); o.Status != res.Failure.Status {
		t.Errorf("shrunk scenario replays %s, want %s", o.Status, res.Failure.Status)
	}

	// The control: the same seeds without the bug pass, and the seed
	// budget ends the hunt.
	ok, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	res, err = scenarios.Hunt(context.Background(), ok, scenarios.HuntOptions{First: 1000, Seeds: seeds[0] - 999, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != scenarios.HuntSeedBudget || res.Failure != nil || res.Summary.Seeds != int(seeds[0]-999) {
		t.Errorf("control hunt: stop %v, failure %v, %d seeds", res.Stop, res.Failure, res.Summary.Seeds)
	}
}

func TestHuntTimeBudget(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{First: 1, For: 300 * time.Millisecond, Workers: 2,
		// Seeds in flight finish after the budget: keep each check short.
		Run: scenarios.RunOptions{CheckSteps: 20_000}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != scenarios.HuntTimeBudget || res.Failure != nil {
		t.Errorf("stop %v, failure %v; want the time budget and no failure", res.Stop, res.Failure)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("a 300ms hunt took %v", el)
	}
}

// Message-targeted faults reach what the plain generator cannot: every
// message of one protocol type lost on a link while all others pass. The
// hunt draws drop-type; its drops in the trace are all of the one type
// the fault picked when it started.
func TestHuntReachesMessageTypeFaults(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	sc.Swarm.ReplicationStorm = sim.Never // its drop-type is scripted with a type (replstorm_test.go)
	types := map[string]bool{}
	for seed := uint64(1); seed <= 40 && len(types) < 2; seed++ {
		o := scenarios.RunSeed(scenarios.ApplySwarm(sc, seed), seed, scenarios.RunOptions{CheckSteps: 1, KeepTrace: true})
		picked := map[string]string{} // a drop-type fault's text → the type it picked
		for _, e := range o.Trace {
			if e.Kind == trace.FaultStart && strings.HasPrefix(e.Text, "drop-type any") {
				text, resolved := nemesis.SplitText(e.Text)
				picked[text] = strings.Fields(resolved)[0]
			}
			if e.Kind == trace.Drop && strings.HasPrefix(e.Note, "drop-type ") {
				want, ok := picked[e.Note]
				if !ok {
					t.Fatalf("seed %d: a drop by %q before it started", seed, e.Note)
				}
				if e.Type != want {
					t.Fatalf("seed %d: %q picked %s but dropped a %s", seed, e.Note, want, e.Type)
				}
				types[e.Type] = true
			}
		}
	}
	if len(types) < 2 {
		t.Fatalf("40 hunt seeds dropped messages of %d type(s) by drop-type, want at least 2 different ones", len(types))
	}
	// delay-type and duplicate-type are drawn too, each picking a type the
	// servers send.
	started := map[string]int{}
	for seed := uint64(1); seed <= 60 && (started["delay-type"] == 0 || started["duplicate-type"] == 0); seed++ {
		o := scenarios.RunSeed(scenarios.ApplySwarm(sc, seed), seed, scenarios.RunOptions{CheckSteps: 1, KeepTrace: true})
		sent := map[string]bool{} // types servers sent each other so far
		for _, e := range o.Trace {
			if e.Kind == trace.Send && !e.Node.IsClient() && !e.Peer.IsClient() {
				sent[e.Type] = true
			}
			if e.Kind == trace.FaultStart && (e.Type == "delay-type" || e.Type == "duplicate-type") {
				if _, resolved := nemesis.SplitText(e.Text); resolved == "" || !sent[strings.Fields(resolved)[0]] {
					t.Fatalf("seed %d: %q did not pick a type the servers sent", seed, e.Text)
				}
				started[e.Type]++
			}
		}
	}
	if started["delay-type"] == 0 || started["duplicate-type"] == 0 {
		t.Fatalf("60 hunt seeds started %v, want delay-type and duplicate-type", started)
	}
	if slices.Contains(nemesis.DefaultKinds, "drop-type") {
		t.Fatal("the plain generator draws drop-type too: the comparison is moot")
	}
}

// The swarm's concurrent knob reaches overlapping faults, which the plain
// generator never schedules: in some seeds a fault starts while another
// is still active; the knob round-trips through Format.
func TestHuntReachesOverlappingFaults(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	if back, err := scenarios.Parse("back.yaml", scenarios.Format(sc)); err != nil || !back.Swarm.Concurrent {
		t.Fatalf("swarm.concurrent does not round-trip: %v", err)
	}
	overlaps := func(sc *scenarios.Scenario, seed uint64) bool {
		s, err := scenarios.Schedule(scenarios.ApplySwarm(sc, seed), seed)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(s.Steps); i++ {
			if prev := s.Steps[i-1]; prev.For > 0 && s.Steps[i].At < prev.At+prev.For {
				return true
			}
		}
		return false
	}
	plain := sc.Clone()
	plain.Swarm.Concurrent = false
	// Correlated pairs and beyond-budget storms overlap by design.
	plain.Swarm.Correlated, plain.Swarm.BeyondBudget, plain.Swarm.SendStorm, plain.Swarm.ReplicationStorm = false, sim.Never, sim.Never, sim.Never
	var with, without int
	for seed := uint64(1); seed <= 40; seed++ {
		if overlaps(sc, seed) {
			with++
		}
		if overlaps(plain, seed) {
			without++
		}
	}
	if with == 0 || with == 40 || without != 0 {
		t.Errorf("overlapping schedules in 40 seeds: %d with swarm.concurrent (want some, not all), %d without (want 0)", with, without)
	}
}

// The hunt's generated scenario is deterministic, drop-type picks and
// overlapping faults included: each seed run twice takes the same path.
func TestHuntScenarioDeterministic(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		if err := scenarios.CheckDeterminism(sc, seed, scenarios.RunOptions{CheckSteps: 1000}); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
}
