package scenarios

import (
	"cmp"
	"slices"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// StrategyReplicationStorm: a seed given a replication storm
// (swarm.replication_storm): every server crashed for 1..50ms right after
// the handler that sends its k-th replication message since it started
// (k drawn from 1..3(n-1) at each start: one to three broadcasts), and
// the replication message lost on every link in bursts. It is the Raft
// paper's Figure 8 on demand: a leader elected while its replication is
// lost accumulates entries no one else holds (the bursts); the next
// leader counts an older term's entry onto a majority with its first
// acknowledged batch and crashes before its own no-op follows (the crash
// after its k-th message), and the server holding the later term's entry
// at that index wins the election (raftkv figure8-commit: a committed
// entry overwritten). The crash-on-send storm (huntsendstorm.go) crashes
// one server after each message it sends, of any type: a leader it hits
// dies at its first broadcast, before it has counted anything. The
// storm's seeds are labelled beyond the budget: safety is judged, a
// liveness failure excused.
const StrategyReplicationStorm Strategy = "replication-storm"

// HuntReplicationStorm is the share of a generated hunt's seeds given a
// replication storm (swarm.replication_storm), for a node kind that
// declares its replication message (HuntShape.Replication), drawn from
// its own stream, so the other seeds are as they were without it. Half:
// about one storm seed in 100 reaches figure8-commit, and the share is
// what sets the hunt's rate (docs/BENCHMARKS.md, fig8c).
var HuntReplicationStorm = sim.Ratio{Num: 1, Den: 2}

// The replication storm's shape (docs/BENCHMARKS.md, issue 16, fig8b and
// fig8c): crashed servers come back within 1..50ms; the replication
// message is lost on every link for replicationBurst of every
// replicationBurstEvery, from replicationBurstStart.
var (
	replicationStormDown  = nemesis.Span(time.Millisecond, 50*time.Millisecond)
	replicationBurst      = 500 * time.Millisecond
	replicationBurstEvery = time.Second
	replicationBurstStart = 200 * time.Millisecond
)

func init() {
	AddStrategy(StrategyReplicationStorm, func(sc *Scenario, o *Outcome) bool { return replicationStormRun(sc, o.Seed) })
}

// replicationStormRun reports whether a run of sc at seed is a
// replication storm's: the seed draws one, or sc has no swarm section (a
// corpus mutant, a shrunk scenario) and scripts the storm's crash-on-send
// (the kind's replication message, with after).
func replicationStormRun(sc *Scenario, seed uint64) bool {
	if sc.Swarm != nil {
		return replicationStormFires(sc, seed)
	}
	nk := reg.nodes[sc.Cluster.Node]
	if nk == nil || nk.Hunt.Replication == "" {
		return false
	}
	return slices.ContainsFunc(sc.Nemesis.Script, func(st Step) bool {
		f, err := nemesis.Parse(st.Fault)
		c, ok := f.(nemesis.CrashOnSend)
		return err == nil && ok && c.Type == nk.Hunt.Replication && c.After.Max > 0
	})
}

// replicationStormFires reports whether the seed draws a replication
// storm: the scenario swarms a node kind that declares its replication
// message, with a replication_storm share that fires on the seed's own
// stream.
func replicationStormFires(sc *Scenario, seed uint64) bool {
	sw := sc.Swarm
	if sw == nil || sw.ReplicationStorm.IsZero() {
		return false
	}
	if nk := reg.nodes[sc.Cluster.Node]; nk == nil || nk.Hunt.Replication == "" {
		return false
	}
	return sw.ReplicationStorm.Fires(sim.NewStream(seed, "swarm/replication-storm"))
}

// applyReplicationStorm gives out (sc's seed, already swarmed) a
// replication storm: the swarm's smallest cluster and most clients, the kind's
// HuntShape.ReplicationParams (unless sc's own parameters give them), and
// the storm's script steps; labelled beyond the budget. Its only draws are
// the nemesis's own at run time (each server's k), so out's other knobs
// are as the seed drew them.
func applyReplicationStorm(sc, out *Scenario) {
	nk := reg.nodes[sc.Cluster.Node]
	out.Nemesis.BeyondBudget = true
	if !sc.Swarm.Size.IsZero() {
		out.Cluster.Size = sc.Swarm.Size.Min
	}
	out.Workload.Clients = max(out.Workload.Clients, sc.Swarm.Clients.Max)
	ps, _ := ParseParams(nk.Hunt.ReplicationParams) // checked at RegisterNode
	for _, p := range ps {
		if slices.ContainsFunc(sc.Cluster.Params, func(g Param) bool { return g.Key == p.Key }) {
			continue
		}
		if i := slices.IndexFunc(out.Cluster.Params, func(g Param) bool { return g.Key == p.Key }); i >= 0 {
			out.Cluster.Params[i].Value = p.Value
		} else {
			out.Cluster.Params = append(out.Cluster.Params, p)
		}
	}
	out.Nemesis.Script = append(out.Nemesis.Script, replicationStormSteps(nk.Hunt.Replication, out.Cluster.Size, out.Run.Duration)...)
	slices.SortStableFunc(out.Nemesis.Script, func(a, b Step) int { return cmp.Compare(a.At, b.At) })
}

// replicationStormSteps are a replication storm's script steps for a
// cluster of n servers and a safety phase of end: the crash-on-send of
// typ from 1ms to the heal, and the bursts of drop-type typ on every
// link.
func replicationStormSteps(typ string, n int, end time.Duration) []Step {
	crash := nemesis.CrashOnSend{Target: nemesis.All, Down: replicationStormDown, Type: typ,
		After: nemesis.Count{Min: 1, Max: 3 * max(n-1, 1)}}
	steps := []Step{{At: time.Millisecond, Fault: crash.String()}}
	drop := nemesis.DropType{Type: typ, Ratio: sim.Always, Links: nemesis.AllLinks}
	for t := replicationBurstStart; t < end; t += replicationBurstEvery {
		steps = append(steps, Step{At: t, Fault: drop.String(), For: min(replicationBurst, end-t)})
	}
	return steps
}

// ReplicationStorms is what a hunt's replication storms did: the runs
// labelled StrategyReplicationStorm, and in how many of them a server sent
// the kind's replication message (HuntShape.Replication) to another. A
// storm whose message is never sent crashes nothing and loses nothing: a
// declaration that names a message the kind does not send (misspelt, or
// renamed since) gives storms that do nothing, and the hunt says so
// instead of spending half its seeds on them in silence.
type ReplicationStorms struct {
	// Message is the declared replication message.
	Message string `json:"message"`
	// Runs counts the storm runs, Sent those in which a server sent
	// Message to another server.
	Runs int `json:"runs"`
	Sent int `json:"sent"`
	// Others are, when no storm run sent Message, the types the servers
	// did send each other in them (what the declaration may have meant),
	// sorted.
	Others []string `json:"others,omitempty"`
}

// Idle reports storm runs of which none sent the replication message.
func (r *ReplicationStorms) Idle() bool { return r != nil && r.Runs > 0 && r.Sent == 0 }

// replicationTally accumulates ReplicationStorms over a hunt's runs, in
// the order the hunt takes them.
type replicationTally struct {
	ReplicationStorms
	others map[string]bool
}

// newReplicationTally is the tally of a hunt of sc (nil when sc's kind
// declares no replication message).
func newReplicationTally(sc *Scenario) *replicationTally {
	nk := reg.nodes[sc.Cluster.Node]
	if nk == nil || nk.Hunt.Replication == "" {
		return nil
	}
	return &replicationTally{ReplicationStorms: ReplicationStorms{Message: nk.Hunt.Replication}, others: map[string]bool{}}
}

// add counts a run (rc its coverage, nil if its world never built).
func (t *replicationTally) add(rc *runCoverage, ss []Strategy) {
	if t == nil || rc == nil || !slices.Contains(ss, StrategyReplicationStorm) {
		return
	}
	t.Runs++
	types := rc.w.PeerMessageTypes()
	if slices.Contains(types, t.Message) {
		t.Sent++
		return
	}
	for _, ty := range types {
		t.others[ty] = true
	}
}

// result is the tally's ReplicationStorms (nil without storm runs).
func (t *replicationTally) result() *ReplicationStorms {
	if t == nil || t.Runs == 0 {
		return nil
	}
	out := t.ReplicationStorms
	if out.Sent == 0 {
		for ty := range t.others { //faultline:orderless sorted below
			out.Others = append(out.Others, ty)
		}
		slices.Sort(out.Others)
	}
	return &out
}
