package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// CheckFaultKind validates a fault kind for a generated nemesis.
func CheckFaultKind(kind string) error {
	for _, k := range nemesis.GeneratedKinds() {
		if k == kind {
			return nil
		}
	}
	return fmt.Errorf("unknown or instantaneous fault kind %q (generated faults: %s)", kind, strings.Join(nemesis.GeneratedKinds(), ", "))
}

// CheckFault validates a fault's text form ("partition majority") for a
// cluster of size servers (0: do not check targets).
func CheckFault(text string, size int) error {
	f, err := nemesis.Parse(text)
	if err == nil && size > 0 {
		err = f.Check(size)
		if err != nil {
			err = fmt.Errorf("fault %q: %v", text, err)
		}
	}
	if err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "nemesis: "))
	}
	return nil
}

// FaultHelp lists fault kinds with their syntax and help, for `faultline list`.
func FaultHelp() [][2]string {
	var out [][2]string
	for _, k := range nemesis.Kinds() {
		out = append(out, [2]string{nemesis.Syntax(k), nemesis.Help(k)})
	}
	return out
}

// Schedule builds the nemesis schedule of a seed: scripted steps plus the
// generated ones, ordered by start time.
func Schedule(sc *Scenario, seed uint64) (nemesis.Schedule, error) {
	var sched nemesis.Schedule
	if g := sc.Nemesis.Generate; g != nil {
		gen, err := nemesis.Generate(seed, nemesis.GenOptions{
			Kinds:      g.Faults,
			Interval:   g.Interval,
			Duration:   g.Duration,
			End:        sc.Run.Duration,
			Swarm:      g.Swarm,
			Concurrent: g.Concurrent,
			Intensity:  g.Intensity,
			NoLeader:   reg.nodes[sc.Cluster.Node] != nil && !reg.nodes[sc.Cluster.Node].Leader,
			Correlated: g.Correlated,
			Servers:    sc.Cluster.Size,
			Storm:      g.Storm,

			LeaderFallback: g.LeaderFallback,
			SendStorm:      g.SendStorm,
		})
		if err != nil {
			return sched, inContext(sc.Name+": nemesis.generate", err, "generate: ")
		}
		sched.Steps = append(sched.Steps, gen.Steps...)
	}
	for i, st := range sc.Nemesis.Script {
		f, err := nemesis.Parse(st.Fault)
		if err != nil {
			return sched, &Error{Pos: st.Pos, Field: fmt.Sprintf("nemesis.script[%d].fault", i), Msg: strings.TrimPrefix(err.Error(), "nemesis: ")}
		}
		sched.Steps = append(sched.Steps, nemesis.Step{At: st.At, For: st.For, Fault: f})
	}
	sort.SliceStable(sched.Steps, func(i, j int) bool { return sched.Steps[i].At < sched.Steps[j].At })
	return sched, nil
}

// installNemesis schedules the seed's faults and the heal at the end of
// the safety phase.
func installNemesis(w *sim.Sim, sc *Scenario, seed uint64) (*nemesis.Nemesis, error) {
	sched, err := Schedule(sc, seed)
	if err != nil {
		return nil, err
	}
	nm, err := nemesis.Install(w, sched, nemesis.Options{HealAt: sc.Run.Duration, Quiet: sc.Run.Heal, Unbounded: sc.Nemesis.Unbounded || sc.Nemesis.BeyondBudget,
		ClientsFollowPartitions: sc.Nemesis.ClientsFollowPartitions})
	if err != nil {
		return nil, inContext(sc.Name, err)
	}
	return nm, nil
}
