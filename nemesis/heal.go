package nemesis

import (
	"math/rand/v2"

	"github.com/faultline/faultline/sim"
)

// Heal undoes every active fault at once and then sweeps the world back to
// health: crashed servers restart, paused ones resume, disk faults are
// disarmed and clocks are put back in sync. Every schedule ends with one
// (Options.HealAt); a script may also heal in the middle.
type Heal struct{}

func (Heal) Kind() string    { return "heal" }
func (Heal) String() string  { return "heal" }
func (Heal) Check(int) error { return nil }

var parseHeal = noArgs(Heal{})

func (f Heal) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan := &Plan{Fault: f}
	plan.start = func(x *ctx) func() {
		x.healAll()
		return nil
	}
	return plan, nil
}

// sweep brings every server back: network rules of active faults are gone
// by now (their stops ran); what remains is process, disk and clock state,
// whoever changed it.
func (x *ctx) sweep() {
	for _, id := range x.w.Servers() {
		x.disarmDisk(id)
		if !x.w.IsUp(id) {
			x.must(x.w.Restart(id))
		}
		if x.w.IsPaused(id) {
			x.must(x.w.Resume(id))
		}
		x.resetClock(id)
	}
	x.healGray()
}
