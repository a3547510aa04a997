package nemesis

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/sim"
)

// Membership faults change who is in the cluster, gracefully: a server
// that joins late, and one that announces its leave and stops. They are
// the planned counterparts of crash: the protocol is told (join: it
// starts; leave: nodes.Leaver), so a membership protocol can be judged on
// how its views follow.

// Join keeps the target servers out of the run from its start — they
// never start with the others — and starts them, fresh, when the step
// runs: members joining the cluster at that time. It is instantaneous and
// names its servers (join n4,n5); the servers are held back when the
// schedule is installed. A held server is not counted by the
// recoverability budget.
type Join struct{ Target Target }

func (Join) Kind() string     { return "join" }
func (f Join) String() string { return "join " + f.Target.String() }

func (f Join) Check(n int) error {
	if f.Target.Abstract() {
		return fmt.Errorf("join names its servers (such as n4 or n4,n5), not %q: they are held back from the start", f.Target)
	}
	return f.Target.check(n)
}

func parseJoin(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	f := Join{t}
	if t.Abstract() {
		return nil, fmt.Errorf("join names its servers (such as n4 or n4,n5), not %q", t)
	}
	return f, a.done()
}

func (f Join) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, downServers)
	if err != nil {
		return nil, err
	}
	plan.start = func(x *ctx) func() {
		x.restart(ids)
		return nil
	}
	return plan, nil
}

// holdJoiners keeps every server a join step names from starting with the
// others.
func holdJoiners(w *sim.Sim, sched Schedule) error {
	for _, st := range sched.Steps {
		if j, ok := st.Fault.(Join); ok {
			for _, id := range j.Target.IDs {
				if err := w.Hold(id); err != nil {
					return fmt.Errorf("nemesis: %s: %v", j, err)
				}
			}
		}
	}
	return nil
}

// DefaultLeaveGrace is how long a leaving server has between being told
// and being stopped, unless its leave says otherwise.
const DefaultLeaveGrace = 500 * time.Millisecond

// Leave tells the target servers to leave gracefully (nodes.Leaver: they
// announce their departure), stops them Grace later as a crash would,
// and starts them again — rejoining from their durable state — when the
// fault stops. A leave that stops within its grace stops the servers at
// once and starts them again: they have announced their departure.
type Leave struct {
	Target Target
	Grace  time.Duration
}

func (Leave) Kind() string        { return "leave" }
func (f Leave) String() string    { return join("leave", f.Target.String(), f.Grace.String()) }
func (f Leave) Check(n int) error { return f.Target.check(n) }

func parseLeave(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	f := Leave{t, DefaultLeaveGrace}
	if a.more() {
		s, _ := a.next("")
		if f.Grace, err = parseDur(s); err != nil {
			return nil, err
		}
		if f.Grace < 0 {
			return nil, fmt.Errorf("leave grace %q must not be negative", s)
		}
	}
	return f, a.done()
}

func (f Leave) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	plan.start = func(x *ctx) func() {
		stopped := false
		for _, id := range ids {
			x.must(x.w.Leave(id))
		}
		x.w.After(f.Grace, func() {
			if !stopped {
				stopped = true
				for _, id := range ids {
					x.must(x.w.Crash(id))
				}
			}
		})
		return func() {
			if !stopped {
				// Stopped within the grace: the servers have announced
				// their leave, so they leave now, and rejoin.
				stopped = true
				for _, id := range ids {
					x.must(x.w.Crash(id))
				}
			}
			x.restart(ids)
		}
	}
	return plan, nil
}

func genLeave(g *genCtx) Fault { return Leave{g.pick(One, Minority), DefaultLeaveGrace} }
