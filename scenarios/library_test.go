package scenarios_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// Every shipped scenario runs green with the correct protocol.
func TestLibraryScenariosAreGreen(t *testing.T) {
	seeds := uint64(3)
	if testing.Short() {
		seeds = 1
	}
	for _, name := range scenarios.Library() {
		if strings.HasPrefix(name, "bugs/") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadLibrary(name)
			if err != nil {
				t.Fatal(err)
			}
			for seed := uint64(1); seed <= seeds; seed++ {
				if o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{}); o.Failed() {
					t.Fatalf("%s", scenarios.Explain(sc, &o, scenarios.ReplayLine(sc, seed)))
				}
			}
		})
	}
}

// Every bug scenario goes red within a bounded number of seeds — and the
// same scenario with the bug switched off stays green, so the failure is
// the bug's and not the environment's.
func TestBugScenariosGoRed(t *testing.T) {
	for _, name := range scenarios.Library() {
		if !strings.HasPrefix(name, "bugs/") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadLibrary(name)
			if err != nil {
				t.Fatal(err)
			}
			caught := uint64(0)
			for seed := uint64(1); seed <= 100 && caught == 0; seed++ {
				// Caught: a safety violation, or a liveness failure (a bug
				// that only convergence can see, such as hints never replayed).
				if o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{}); o.Status == scenarios.StatusInvalid || o.Status == scenarios.StatusLiveness {
					caught = seed
				} else if o.Failed() {
					t.Fatalf("seed %d failed the wrong way (%s): %s", seed, o.Status, o.Reason)
				}
			}
			if caught == 0 {
				t.Fatal("the planted bug was not caught in 100 seeds")
			}
			t.Logf("caught at seed %d", caught)
			fixed := *sc
			fixed.Cluster.Params = nil
			for _, p := range sc.Cluster.Params {
				if p.Key != "bugs" {
					fixed.Cluster.Params = append(fixed.Cluster.Params, p)
				}
			}
			// A workload may plant bugs too (the queue's consumers).
			fixed.Workload.Params = nil
			for _, p := range sc.Workload.Params {
				if p.Key != "bugs" {
					fixed.Workload.Params = append(fixed.Workload.Params, p)
				}
			}
			for seed := uint64(1); seed <= caught; seed++ {
				if o := scenarios.RunSeed(&fixed, seed, scenarios.RunOptions{}); o.Failed() {
					t.Fatalf("without the bug, seed %d fails: %s", seed, o.Reason)
				}
			}
		})
	}
}
