package scenarios

import (
	"slices"
)

// BugNeed is what one planted bug needs beyond the generic hunt for its
// code path to run at all: a read mode the bug lives in, a data type, a
// cluster with shards to move. It never names the faults that expose the
// bug — finding those is the hunt's job. A kind declares it in
// NodeKind.BugNeeds; the hunt table (TestHuntTable) hunts each planted bug
// with its need.
type BugNeed struct {
	// Params are cluster parameters in --params form ("read_mode=lease").
	Params string
	// Workload is the workload kind, when not the node kind's first.
	Workload string
	// WorkloadParams are the workload's parameters, in --params form.
	WorkloadParams string
	// Size is the smallest cluster the bug needs, when above the hunt's
	// (the cluster then keeps that size in every seed).
	Size int
	_    struct{}
}

// PlantedBug is one planted bug of a registered kind: a member of the
// Enum of a node kind's (or a workload kind's) "bugs" list parameter.
type PlantedBug struct {
	// Node is the node kind hunted; Workload is set when the bug is the
	// workload's (a client-side bug, planted through workload.bugs).
	Node, Workload string
	Bug            string
	Need           BugNeed
}

// String is "node bug" or "node/workload bug".
func (b PlantedBug) String() string {
	if b.Workload != "" {
		return b.Node + "/" + b.Workload + " " + b.Bug
	}
	return b.Node + " " + b.Bug
}

// PlantedBugs lists every planted bug of the registered kinds, sorted by
// node kind and in each kind's order: a node kind's "bugs" parameter, then
// the "bugs" parameter of each workload kind it speaks that has one (a
// workload's bugs are listed under the first node kind, by name, that
// speaks it). New protocols are covered as soon as they register.
func PlantedBugs() []PlantedBug {
	var out []PlantedBug
	seenWorkload := map[string]bool{}
	for _, name := range sortedKeys(reg.nodes) {
		nk := reg.nodes[name]
		for _, bug := range bugEnum(nk.Params) {
			out = append(out, PlantedBug{Node: nk.Name, Bug: bug, Need: nk.BugNeeds[bug]})
		}
		for _, wl := range nk.Workloads {
			wk, ok := reg.workloads[wl]
			if !ok || seenWorkload[wl] {
				continue
			}
			bugs := bugEnum(wk.Params)
			if len(bugs) == 0 {
				continue
			}
			seenWorkload[wl] = true
			for _, bug := range bugs {
				need := nk.BugNeeds[wl+"/"+bug]
				need.Workload = wl
				out = append(out, PlantedBug{Node: nk.Name, Workload: wl, Bug: bug, Need: need})
			}
		}
	}
	return out
}

// bugEnum is the Enum of the "bugs" list parameter among specs.
func bugEnum(specs []ParamSpec) []string {
	i := slices.IndexFunc(specs, func(s ParamSpec) bool { return s.Key == "bugs" && s.Type == ParamList })
	if i < 0 {
		return nil
	}
	return specs[i].Enum
}

// HuntBugScenario is the generic hunt of one planted bug (HuntScenario of
// its node kind, with the bug planted and its need met); with planted
// false, the same scenario with the bug removed — the control a failure of
// the first is judged against.
func HuntBugScenario(b PlantedBug, planted bool) (*Scenario, error) {
	ps, err := ParseParams(b.Need.Params)
	if err != nil {
		return nil, inContext(b.String()+": BugNeed.Params", err)
	}
	wps, err := ParseParams(b.Need.WorkloadParams)
	if err != nil {
		return nil, inContext(b.String()+": BugNeed.WorkloadParams", err)
	}
	if planted {
		bugs := Param{Key: "bugs", Value: b.Bug}
		if b.Workload != "" {
			wps = append(wps, bugs)
		} else {
			ps = append(ps, bugs)
		}
	}
	sc, err := HuntScenario(HuntSpec{Node: b.Node, Workload: b.Need.Workload, Params: ps})
	if err != nil {
		return nil, inContext(b.String(), err)
	}
	if len(wps) == 0 && b.Need.Size == 0 {
		return sc, nil
	}
	sc = sc.Clone()
	sc.Workload.Params = append(sc.Workload.Params, wps...)
	if n := b.Need.Size; n > sc.Cluster.Size {
		sc.Cluster.Size = n
		if sc.Swarm != nil {
			sc.Swarm.Size = IntRange{}
		}
	}
	back, err := Parse(sc.Name+".yaml", Format(sc))
	if err != nil {
		return nil, generatedError(b.String(), sc.Name+".yaml", err)
	}
	back.Source = ""
	return back, nil
}
