package nemesis

import (
	"math/rand/v2"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Disk faults. Lost and torn writes happen at a crash, so disk-lose and
// disk-tear are power failures: they arm the disk fault and crash the
// target servers at once; the servers restart when the fault stops, from
// whatever survived. disk-flip arms bit flips on reads for as long as it
// lasts. Every disk fault counts its servers as down for the budget.

// DiskLose crashes the target servers losing every unsynced write, even in
// a world whose crashes keep them (sim.Disk.KeepUnsyncedOnCrash).
type DiskLose struct{ Target Target }

func (DiskLose) Kind() string        { return "disk-lose" }
func (f DiskLose) String() string    { return "disk-lose " + f.Target.String() }
func (f DiskLose) Check(n int) error { return f.Target.check(n) }

var parseDiskLose = parseTargetOnly(func(t Target) Fault { return DiskLose{t} })

func (f DiskLose) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planPowerLoss(f, w, r, f.Target, func(d *sim.DiskFaults) { d.LoseUnsynced = true })
}

// planPowerLoss arms a disk fault, crashes, and restarts (disarming) when
// the fault stops.
func planPowerLoss(f Fault, w *sim.Sim, r *rand.Rand, t Target, arm func(*sim.DiskFaults)) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, t, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	plan.start = func(x *ctx) func() {
		old := make([]sim.DiskFaults, len(ids))
		for i, id := range ids {
			old[i] = x.w.DiskFaultsOf(id)
			d := old[i]
			arm(&d)
			x.must(x.w.SetDiskFaults(id, d))
			x.must(x.w.Crash(id))
		}
		return func() {
			for i, id := range ids {
				x.must(x.w.SetDiskFaults(id, old[i]))
			}
			x.restart(ids)
		}
	}
	return plan, nil
}

// DiskTear crashes the target servers losing unsynced writes, except that
// with probability Ratio the first of them survives torn (a strict prefix
// of its bytes reaches the disk).
type DiskTear struct {
	Target Target
	Ratio  sim.Ratio
}

func (DiskTear) Kind() string        { return "disk-tear" }
func (f DiskTear) String() string    { return join("disk-tear", f.Target.String(), f.Ratio.String()) }
func (f DiskTear) Check(n int) error { return f.Target.check(n) }

func parseDiskTear(in []string) (Fault, error) {
	t, r, err := parseTargetRatio(in, "tear ratio")
	if err != nil {
		return nil, err
	}
	return DiskTear{t, r}, nil
}

func (f DiskTear) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	return planPowerLoss(f, w, r, f.Target, func(d *sim.DiskFaults) {
		d.LoseUnsynced = true
		d.Tear = f.Ratio
	})
}

// DiskFlip makes each read on the target servers return the file with one
// bit flipped, with probability Ratio, while the fault lasts.
type DiskFlip struct {
	Target Target
	Ratio  sim.Ratio
}

func (DiskFlip) Kind() string        { return "disk-flip" }
func (f DiskFlip) String() string    { return join("disk-flip", f.Target.String(), f.Ratio.String()) }
func (f DiskFlip) Check(n int) error { return f.Target.check(n) }

func parseDiskFlip(in []string) (Fault, error) {
	t, r, err := parseTargetRatio(in, "flip ratio")
	if err != nil {
		return nil, err
	}
	return DiskFlip{t, r}, nil
}

func (f DiskFlip) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	plan, ids, err := planNodes(f, w, r, f.Target, upServers)
	if err != nil {
		return nil, err
	}
	plan.Down = ids
	plan.start = func(x *ctx) func() {
		old := make([]sim.Ratio, len(ids))
		for i, id := range ids {
			d := x.w.DiskFaultsOf(id)
			old[i] = d.Flip
			d.Flip = f.Ratio
			x.must(x.w.SetDiskFaults(id, d))
		}
		return func() {
			for i, id := range ids {
				d := x.w.DiskFaultsOf(id)
				d.Flip = old[i]
				x.must(x.w.SetDiskFaults(id, d))
			}
		}
	}
	return plan, nil
}

func parseTargetRatio(in []string, what string) (Target, sim.Ratio, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return Target{}, sim.Ratio{}, err
	}
	s, err := a.next(what + " (such as 1/2)")
	if err != nil {
		return Target{}, sim.Ratio{}, err
	}
	r, err := parseRatio(what, s)
	if err != nil {
		return Target{}, sim.Ratio{}, err
	}
	return t, r, a.done()
}

// disarmDisk clears every disk fault on a server (the heal phase).
func (x *ctx) disarmDisk(id nodes.ID) {
	if x.w.DiskFaultsOf(id) != (sim.DiskFaults{}) {
		x.must(x.w.SetDiskFaults(id, sim.DiskFaults{}))
	}
}

func genDiskLose(g *genCtx) Fault { return DiskLose{g.pick(One, Minority)} }
func genDiskTear(g *genCtx) Fault { return DiskTear{One, g.in.Tear} }
func genDiskFlip(g *genCtx) Fault { return DiskFlip{g.pick(One, Leader), g.in.Flip} }
