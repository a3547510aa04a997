package swimkind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/swim/swimkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(swimkind.Kind())
	scenarios.RegisterWorkload(swimkind.Workload())
	os.Exit(m.Run())
}

// TestLibrary: each detector's library scenario (crashes, pauses, lossy
// links), and SWIM under churn (late joins, graceful leaves), detects
// every crash in time and declares no live member dead.
func TestLibrary(t *testing.T) {
	for _, name := range []string{"swim-crashes", "swim-heartbeat-crashes", "swim-phi-crashes", "swim-churn"} {
		t.Run(name, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/"+name+".yaml"), faultlinetest.Seeds(3), faultlinetest.Parallel())
		})
	}
}

// TestDetectionMeasured: a green run still carries its figures, and they
// are plausible: crashes were detected, SWIM sends a bounded number of
// messages per member per second.
func TestDetectionMeasured(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "../../../scenarios/swim-crashes.yaml"), 1, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("seed 1: %s: %s", o.Status, o.Reason)
	}
	m := map[string]float64{}
	for _, c := range o.Checks {
		if c.Name == swimkind.CheckDetection {
			for _, x := range c.Metrics {
				m[x.Name] = x.Value
			}
		}
	}
	if m["detected"] < 1 || m["first p50 s"] <= 0 || m["first p50 s"] > 3 {
		t.Errorf("detection figures %v: want a crash detected within 3s", m)
	}
	if l := m["msgs per member-second"]; l <= 1 || l > 30 {
		t.Errorf("SWIM load %.1f msgs/member/s, want a handful", l)
	}
}

// TestBugsCaught: each planted bug's scenario goes red, and green with
// the bug removed over the same seeds.
func TestBugsCaught(t *testing.T) {
	for _, bug := range swimkind.BugNames {
		t.Run(bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, "../../../scenarios/bugs/swim-"+bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.Seeds(10), faultlinetest.NoDeterminismCheck(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(swimkind.CheckDetection)))
			fixed := *sc
			fixed.Cluster.Params = nil
			for _, p := range sc.Cluster.Params {
				if p.Key != "bugs" {
					fixed.Cluster.Params = append(fixed.Cluster.Params, p)
				}
			}
			fixed.Name += "-fixed"
			faultlinetest.Run(t, &fixed, faultlinetest.Seeds(5), faultlinetest.NoDeterminismCheck())
		})
	}
}

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{probe_interval: 100ms, probe_timeout: 100ms}", "probe_timeout 100ms must be shorter than probe_interval 100ms"},
		{"{heartbeat_interval: 1s, heartbeat_timeout: 1s}", "heartbeat_timeout 1s must be longer than heartbeat_interval 1s"},
		{"{indirect_k: -1}", "indirect_k"},
		{"{max_false_positives: -2}", "max_false_positives"},
		{"{detector: gossip}", "gossip"},
		{"{bugs: no-refutation}", "no-refutation"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: swim, size: 3, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	if _, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: swim, size: 2}\n")); err == nil {
		t.Error("a 2-member cluster loaded; want an error (MinSize 3)")
	}
}

// TestContract runs Faultline's conformance suite over the kind with each
// detector.
func TestContract(t *testing.T) {
	for _, d := range []string{"swim", "heartbeat", "phi"} {
		t.Run(d, func(t *testing.T) {
			nodetest.Run(t, swimkind.Kind(), nodetest.Options{Params: []scenarios.Param{{Key: "detector", Value: d}}})
		})
	}
}
