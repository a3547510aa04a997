package swimkind_test

import (
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
)

// TestReorderIsANetworkFault: the generic hunt's seed 200123, shrunk —
// n3's links hold 9 messages in 10 back for up to 500ms (reorder), and a
// peer declares n3 dead. SWIM cannot tell a member that late from a
// crashed one, so the detection check measures that false positive as one
// during a network fault, as it does for delay, instead of failing the
// correct protocol on it (a false alarm of the hunt).
func TestReorderIsANetworkFault(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "testdata/reorder-false-positive.yaml"), 200207, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("the correct SWIM fails: %s: %s", o.Status, o.Reason)
	}
	seen := false
	for _, c := range o.Checks {
		for _, m := range c.Metrics {
			if m.Name == "false positives during network faults" {
				seen = m.Value > 0
			}
		}
	}
	if !seen {
		t.Errorf("no false positive during a network fault: the scenario no longer shows the case (%+v)", o.Checks)
	}
}

// TestHeavyLossIsMeasured: the generic hunt's seed 8099, shrunk — drop
// 1/3 on every link of 3 members for 1.566s, a member's refutation lost
// on its way to a suspecter, which declares it dead. The correct SWIM is
// expected to lose one now and then at that loss (Probing.Judged: at most
// 0.6 false positives expected over the stretch), so the detection check
// measures the declaration, not judges it, instead of failing the correct
// protocol (a false alarm of the hunt). The bug scenarios' drop 1/10 stays
// judged (TestLossRule).
func TestHeavyLossIsMeasured(t *testing.T) {
	o := scenarios.RunSeed(faultlinetest.Load(t, "testdata/loss-false-positive.yaml"), 8119, scenarios.RunOptions{})
	if o.Failed() {
		t.Fatalf("the correct SWIM fails: %s: %s", o.Status, o.Reason)
	}
	seen := false
	for _, c := range o.Checks {
		for _, m := range c.Metrics {
			if m.Name == "false positives under heavy loss" {
				seen = m.Value > 0
			}
		}
	}
	if !seen {
		t.Errorf("no false positive under heavy loss: the scenario no longer shows the case (%+v)", o.Checks)
	}
}
