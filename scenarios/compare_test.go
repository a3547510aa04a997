package scenarios_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

const compareYAML = `name: cap-mini
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 4, keys: 2, mix: {get: 50, put: 50}, timeout: 500ms, final_reads: true}
nemesis: {generate: {faults: [partition, isolate], interval: 300ms..800ms, duration: 500ms..1s}}
run: {duration: 4s, heal: 3s}
check: [linearizable, lost-writes, staleness, convergence]
compare:
  - {node: raftkv, name: raft}
  - {node: raftkv, name: raft-follower-reads, params: {bugs: follower-reads}, promise: eventual}
`

// A comparison runs the same seeds against each variant and gives one row
// each; the figures depend on the seeds only (two runs, different worker
// counts, the same rows).
func TestCompare(t *testing.T) {
	sc, err := scenarios.Parse("cap.yaml", []byte(compareYAML))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Variants()
	if err != nil || len(vs) != 2 || vs[1].Name != "cap-mini/raft-follower-reads" || vs[1].Promise != scenarios.PromiseEventual {
		t.Fatalf("variants: %v %v", vs, err)
	}
	rows, err := scenarios.Compare(context.Background(), vs, 1, 6, 2)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := scenarios.Compare(context.Background(), vs, 1, 6, 1)
	if fmt.Sprint(rows) != fmt.Sprint(again) {
		t.Errorf("figures depend on the workers:\n%v\n%v", rows, again)
	}
	raft, stale := rows[0], rows[1]
	if raft.Counts[scenarios.StatusValid] != 6 || stale.Counts[scenarios.StatusValid] != 6 {
		t.Errorf("statuses: raft %v, follower reads under promise eventual %v", raft.Counts, stale.Counts)
	}
	if raft.Ops < 100 || raft.Availability <= 0 || raft.Availability > 1 || raft.FaultAvailability > raft.Availability || raft.LatencyP99 < raft.LatencyP50 {
		t.Errorf("raft row: %+v", raft)
	}
	staleShare := func(r scenarios.CompareRow) float64 {
		for _, c := range r.Checks {
			if c.Name == "staleness" {
				for _, m := range c.Metrics {
					if m.Name == "stale share" {
						return m.Value
					}
				}
			}
		}
		return -1
	}
	if s := staleShare(raft); s != 0 {
		t.Errorf("raft's stale share is %v", s)
	}
	if s := staleShare(stale); s <= 0 {
		t.Errorf("follower reads' stale share is %v", s)
	}
	lin := stale.Checks[len(stale.Checks)-1]
	if lin.Name != "linearizable(kv)" || lin.Invalid == 0 || !lin.Measured {
		t.Errorf("follower reads' linearizability: %+v", lin)
	}
}

// The library's CAP comparison shows what the CAP chapter predicts: under
// the same partitions, the CP designs refuse some operations on the
// minority side and never lose or stale a write; the AP designs answer
// everything and lose and stale some.
func TestCAPScenario(t *testing.T) {
	sc, err := scenarios.LoadLibrary("cap-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Variants()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := scenarios.Compare(context.Background(), vs, 1, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	measure := func(r scenarios.CompareRow, check, name string) float64 {
		for _, c := range r.Checks {
			if c.Name == check {
				for _, m := range c.Metrics {
					if m.Name == name {
						return m.Value
					}
				}
			}
		}
		return -1
	}
	for _, r := range rows {
		lost, stale := measure(r, "lost-writes", "lost writes"), measure(r, "staleness", "stale reads")
		ap := r.Promise == scenarios.PromiseEventual
		switch {
		case r.Counts[scenarios.StatusValid] != r.Seeds:
			t.Errorf("%s: %v", r.Name, r.Counts)
		case !ap && (lost != 0 || stale != 0 || r.FaultAvailability >= 0.99):
			t.Errorf("%s (CP): lost %v, stale %v, available during faults %.3f", r.Name, lost, stale, r.FaultAvailability)
		case ap && (lost+stale <= 0 || r.FaultAvailability < 0.999):
			t.Errorf("%s (AP): lost %v, stale %v, available during faults %.3f", r.Name, lost, stale, r.FaultAvailability)
		}
	}
}
