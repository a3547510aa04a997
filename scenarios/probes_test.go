package scenarios_test

import (
	"context"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

func TestProbeReportGolden(t *testing.T) {
	sc, err := scenarios.Parse("cov.yaml", []byte(`name: cov
cluster: {node: raftkv}
nemesis:
  generate: {faults: [partition, crash, clock-jump]}
  script:
    - {at: 1s, fault: "disk-lose n1", for: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	sum := &scenarios.Summary{
		Seeds:  200,
		Faults: map[string]int{"partition": 180, "crash": 150, "disk-lose": 200},
		Probes: map[string]int{"raft/leader-stepped-down": 120, "raft/snapshot-installed": 0, "raft/read-rejected": 3},
	}
	got := scenarios.ProbeReport(sum, sc)
	golden(t, "probes.golden", got)
	cov := scenarios.CoverageOf(sum, sc)
	if never := strings.Join(cov.Never(), ", "); never != "fault clock-jump, probe raft/snapshot-installed" {
		t.Errorf("Never() = %q", never)
	}
	empty := scenarios.ProbeReport(&scenarios.Summary{Seeds: 3}, nil)
	if !strings.Contains(empty, "faults: none enabled") || !strings.Contains(empty, "probes: none declared") {
		t.Errorf("empty report:\n%s", empty)
	}
}

// A real sweep: the report counts what the runs did, and lists an enabled
// kind that no seed started as never fired.
func TestProbeReportFromSweep(t *testing.T) {
	sc, err := scenarios.Parse("cov.yaml", []byte(`name: cov-sweep
cluster: {node: raftkv, size: 3}
workload: {clients: 2}
nemesis:
  generate: {faults: [partition, crash], interval: 300ms..500ms, duration: 200ms..400ms}
  script:
    - {at: 100ms, fault: "crash n1", for: 800ms}
    - {at: 200ms, fault: "pause n2", for: 100ms}
run: {duration: 1s, heal: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 4, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rep := scenarios.ProbeReport(sum, sc)
	t.Log("\n" + rep)
	cov := scenarios.CoverageOf(sum, sc)
	byName := map[string]int{}
	for _, l := range cov.Faults {
		byName[l.Name] = l.Seeds
	}
	if byName["partition"]+byName["crash"] == 0 {
		t.Errorf("no generated fault counted:\n%s", rep)
	}
	// The scripted pause would take a second node of three down while n1
	// is crashed: the recoverability budget skips it in every seed.
	if n, ok := byName["pause"]; !ok || n != 0 || !strings.Contains(rep, "fault pause") {
		t.Errorf("pause (always over budget) not reported as never fired:\n%s", rep)
	}
}
