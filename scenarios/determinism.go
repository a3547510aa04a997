package scenarios

import (
	"fmt"

	"github.com/faultline/faultline/sim"
)

// CheckDeterminism runs one seed of the scenario twice with full recording
// and compares every event: nil if the runs are identical, or a
// *sim.Divergence naming the first event that differs, with both records.
// A seed whose world cannot be built is an error saying why.
func CheckDeterminism(sc *Scenario, seed uint64, opts RunOptions) error {
	user := opts.Hook
	opts.VisualizationPath = ""
	return sim.CheckDeterminism(seed, func(seed uint64, hook func(*sim.Sim)) error {
		o := opts
		built := false
		o.Hook = func(w *sim.Sim) {
			built = true
			if user != nil {
				user(w)
			}
			hook(w)
		}
		out := RunSeed(sc, seed, o)
		if !built {
			return fmt.Errorf("scenarios: %s: seed %d did not build: %s", sc.Name, seed, out.Reason)
		}
		return nil
	})
}

// Definite reports whether a status is a definite failure (a finding):
// invalid, liveness or panic. Unknown is no finding, and valid none.
func (s Status) Definite() bool {
	return s == StatusInvalid || s == StatusLiveness || s == StatusPanic
}
