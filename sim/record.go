package sim

import (
	"github.com/faultline/faultline/sim/trace"
)

// Recorder keeps a copy of every event of a run. Install it before Run;
// for its events to carry message contents and log lines, build the world
// with Config.Record set.
type Recorder struct {
	Events []trace.Event
}

// Record installs a recorder on w and returns it.
func Record(w *Sim) *Recorder {
	r := &Recorder{}
	w.Observe(func(e *trace.Event) error {
		c := *e
		c.Msg = nil // the message may be mutated later by its receiver
		r.Events = append(r.Events, c)
		return nil
	})
	return r
}
