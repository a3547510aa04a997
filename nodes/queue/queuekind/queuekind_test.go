package queuekind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/queue/queuecheck"
	"github.com/faultline/faultline/nodes/queue/queuekind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(queuekind.Kind())
	scenarios.RegisterWorkload(queuekind.Workload())
	os.Exit(m.Run())
}

// TestLibrary: the library scenarios are green (no acknowledged message
// lost, effects unique, one ordered log per partition, recovery after the
// heal), and the first seed runs the same twice.
func TestLibrary(t *testing.T) {
	for _, name := range []string{"queue-partitions", "queue-consumer-partitions"} {
		t.Run(name, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/"+name+".yaml"), faultlinetest.Seeds(3), faultlinetest.Parallel())
		})
	}
}

// TestExercised: the library scenario does what it is for — consumers
// crash before committing, so their successors redeliver, the dedup table
// suppresses effects, sessions expire and partitions move; failovers
// happen.
func TestExercised(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "../../../scenarios/queue-partitions.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	for _, p := range []string{"queue: consumer crashed between processing and committing", "queue: new primary active", "queue: retried request answered from the session table"} {
		if o.Probes[p] == 0 {
			t.Errorf("probe %q never fired in seed 1", p)
		}
	}
	figures := map[string]float64{}
	for _, c := range o.Checks {
		for _, m := range c.Metrics {
			figures[c.Name+": "+m.Name] = m.Value
		}
	}
	for _, k := range []string{"unique-effects: duplicate deliveries", "unique-effects: duplicates suppressed", "partition-order: redelivering polls", "no-lost-acked: acknowledged sends"} {
		if figures[k] == 0 {
			t.Errorf("%s is 0 in seed 1 (figures: %v)", k, figures)
		}
	}
}

// TestBugsCaught: each planted bug's scenario goes red on the check made
// for it.
func TestBugsCaught(t *testing.T) {
	for _, c := range []struct{ bug, check string }{
		{queuekind.BugAckBeforeDurable, queuecheck.NameNoLostAcked},
		{queuekind.BugDedupNotPersisted, queuecheck.NameUniqueEffects},
		{queuekind.BugCommitBeforeProcess, queuecheck.NameNoLostAcked},
	} {
		t.Run(c.bug, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/bugs/queue-"+c.bug+".yaml"), faultlinetest.Seeds(20), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(c.check)))
		})
	}
}

// TestParamErrors: bad parameters are load errors naming the field.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"cluster: {node: queue, size: 3, params: {heartbeat: 100ms, view_timeout: 150ms}}\n", "view_timeout 150ms must be at least two heartbeats"},
		{"cluster: {node: queue, size: 3, params: {session_timeout: 10ms}}\n", "session_timeout"},
		{"cluster: {node: queue, size: 3, params: {bugs: ack-before-sync}}\n", "ack-before-sync"},
		{"cluster: {node: queue, size: 2}\n", "size"},
		{"cluster: {node: queue, size: 3}\nworkload: {kind: queue, bugs: dedup-not-persisted}\n", "dedup-not-persisted"},
		{"cluster: {node: queue, size: 3}\ncheck: [linearizable]\n", "linearizable"},
	} {
		if _, err := scenarios.Parse("bad.yaml", []byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got error %v, want one containing %q", c.yaml, err, c.want)
		}
	}
	sc, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: queue, size: 3}\nworkload: {kind: queue, clients: 2, producers: 2}\n"))
	if err == nil {
		o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
		if !strings.Contains(o.Reason, "no consumers") {
			t.Errorf("2 clients, 2 producers: got %s %s, want an error saying there are no consumers", o.Status, o.Reason)
		}
	} else if !strings.Contains(err.Error(), "no consumers") {
		t.Errorf("2 clients, 2 producers: %v", err)
	}
}

// TestContract runs Faultline's conformance suite over the kind.
func TestContract(t *testing.T) {
	nodetest.Run(t, queuekind.Kind())
}
