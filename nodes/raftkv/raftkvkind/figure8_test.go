package raftkvkind_test

import (
	"fmt"
	"testing"

	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// figure8Reached counts the seeds of sc, with max_entries_per_append set
// to batch, in which a leader counted the replicas of an earlier term's
// entry and committed it while a running server held an entry of a later
// term at that index: the state of the Raft paper's Figure 8 (c), from
// which that server can be elected and overwrite a committed entry. The
// figure8-commit bug's log line marks the commit (with the bug off the
// leader waits there for an entry of its own term).
func figure8Reached(t *testing.T, sc *scenarios.Scenario, batch string, seeds uint64) int {
	t.Helper()
	sc = sc.Clone()
	for i := range sc.Cluster.Params {
		if sc.Cluster.Params[i].Key == "max_entries_per_append" {
			sc.Cluster.Params[i].Value = batch
		}
	}
	reached := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		hit := false
		out := scenarios.RunSeed(sc, seed, scenarios.RunOptions{Record: true, Hook: func(w *sim.Sim) {
			w.ObserveKinds(func(e *trace.Event) error {
				var leader string
				var i, term uint64
				if n, _ := fmt.Sscanf(e.Text, "%s commits %d of earlier term %d", &leader, &i, &term); n < 3 || hit {
					return nil
				}
				for _, id := range w.Servers() {
					if r, ok := w.Node(id).(*raftkv.Node); ok {
						if other, _, ok := r.Entry(i); ok && other.Term > term {
							hit = true
						}
					}
				}
				return nil
			}, trace.Log)
		}})
		if out.Status == scenarios.StatusPanic || out.Events == 0 {
			t.Fatalf("seed %d did not run: %s %s", seed, out.Status, out.Failure)
		}
		if hit {
			reached++
		}
	}
	return reached
}

// A new leader sends the entries a follower lacks and its own no-op in one
// AppendEntries when they fit (max_entries_per_append, 64 by default), so
// the follower acknowledges them together and the quorum match never stops
// on an earlier term's entry: under the hunt's message-targeted faults the
// default batches do not reach Figure 8's state; batches of 4, which the
// hunt's swarm draws, do.
func TestSmallAppendBatchesReachFigure8(t *testing.T) {
	sc, err := scenarios.LoadFile("testdata/figure8-drop-type.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const seeds = 100
	masked, small := figure8Reached(t, sc, "64", seeds), figure8Reached(t, sc, "4", seeds)
	t.Logf("seeds of %d reaching Figure 8 (c): %d with batches of 64, %d with batches of 4", seeds, masked, small)
	if masked != 0 || small < 3 {
		t.Errorf("Figure 8 (c) reached in %d of %d seeds with batches of 4 and %d with batches of 64: want several with 4, none with 64", small, seeds, masked)
	}
}
