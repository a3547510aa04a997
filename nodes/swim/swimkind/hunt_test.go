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
