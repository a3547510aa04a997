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
// invalid, liveness, panic or nondeterministic. Unknown is no finding,
// and valid none.
func (s Status) Definite() bool {
	return s == StatusInvalid || s == StatusLiveness || s == StatusPanic || s == StatusNondeterministic
}

// nondeterministic turns o into the report of a seed that took two paths:
// the sweep's run (o) and another whose hash is other. A double run from
// scratch says where they part when it catches the divergence again.
func nondeterministic(sc *Scenario, o Outcome, other string, opts RunOptions) Outcome {
	o.Status = StatusNondeterministic
	o.Reason = fmt.Sprintf("seed %d is not deterministic: the sweep's run hashed %s, a re-run of the same seed %s", o.Seed, o.Hash, other)
	if err := CheckDeterminism(sc, o.Seed, opts); err != nil {
		o.Reason += "\n" + err.Error()
	} else {
		o.Reason += " (a double run from scratch then agreed: the nondeterminism is intermittent)"
	}
	o.Reason += "\nnode code must take time, randomness, the network and the disk only from its Env: no wall clock, global rand, goroutines or state shared between runs (see docs/DETERMINISM.md; faultline vet checks the source)"
	return o
}

// verifySample reports whether seed is in the ratio of seeds a sweep
// re-runs to verify determinism (a fixed choice per seed, so a resumed
// sweep samples the same seeds).
func verifySample(seed uint64, ratio float64) bool {
	if ratio <= 0 {
		return false
	}
	if ratio >= 1 {
		return true
	}
	h := seed*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	h ^= h >> 31
	return float64(h>>11)/float64(1<<53) < ratio
}
