package sim

import (
	"fmt"

	"github.com/faultline/faultline/sim/trace"
)

// Divergence is the first point at which two runs of the same seed differ.
type Divergence struct {
	Seed  uint64
	Index int          // position in the event list (0-based)
	A, B  *trace.Event // nil when one run ended earlier
}

func (d *Divergence) Error() string {
	show := func(e *trace.Event) string {
		if e == nil {
			return "(run ended)"
		}
		return e.String()
	}
	return fmt.Sprintf("sim: seed %d is not deterministic: runs diverge at event %d\n  first:  %s\n  second: %s",
		d.Seed, d.Index+1, show(d.A), show(d.B))
}

// CheckDeterminism runs the same world twice and compares the full event
// records field by field (including rendered message contents and log
// lines). build must
// construct, configure and run the world for seed, returning it after the
// run; CheckDeterminism forces recording on through the Recorder it
// installs via the hook. It returns nil if the runs are identical, or a
// *Divergence naming the first differing event with both records.
//
// build is called with a hook that must be applied to the world right
// after sim.New (before Run): CheckDeterminism uses it to install its
// recorder.
func CheckDeterminism(seed uint64, build func(seed uint64, hook func(*Sim)) error) error {
	var recs [2]*Recorder
	for i := range recs {
		err := build(seed, func(w *Sim) {
			w.cfg.Record = true
			recs[i] = Record(w)
		})
		if err != nil {
			return err
		}
		if recs[i] == nil {
			return fmt.Errorf("sim: CheckDeterminism: build did not call the hook for seed %d", seed)
		}
	}
	a, b := recs[0].Events, recs[1].Events
	n := len(a)
	if len(b) > n {
		n = len(b)
	}
	for i := 0; i < n; i++ {
		var ea, eb *trace.Event
		if i < len(a) {
			ea = &a[i]
		}
		if i < len(b) {
			eb = &b[i]
		}
		if ea == nil || eb == nil || *ea != *eb {
			return &Divergence{Seed: seed, Index: i, A: ea, B: eb}
		}
	}
	return nil
}
