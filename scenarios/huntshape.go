package scenarios

import (
	"fmt"
	"slices"
	"time"
)

// HuntShape is what a node kind declares about the generic hunt's scenario
// (HuntScenario) when the hunt's defaults leave its checks nothing to
// judge: a quiet time too short for its recovery, too few clients for its
// workload's roles. Like BugNeed it never names the faults that expose a
// bug. The zero value is the hunt's default shape.
type HuntShape struct {
	// Heal is the quiet time after the faults, in which liveness and
	// delivery are judged (0: the hunt's 3s). A queue's consumers drain
	// the backlog a partition built in this time; shorter, most seeds end
	// undecided ("a drain too slow for the heal window?").
	Heal time.Duration
	// MinClients is the fewest clients a seed draws (0: 1), for workloads
	// whose clients have roles: a queue needs its producers and a consumer
	// in every group.
	MinClients int
	// Params are cluster parameters, in --params form, the hunt sets
	// unless the hunt's own parameters give them: the configuration in
	// which the kind's checks hold it to its promise (the service with
	// admission control, max_queue=20: without any, an overload melts
	// it by design, as metastable-patterns shows).
	Params string
	// WorkloadParams are fields of the workload mapping (its parameters,
	// or a common field such as rate) of the kind's first workload, in
	// --params form, that the hunt sets when it hunts that workload (or
	// another of the kind's workloads that takes every one of them as a
	// parameter: dynamo's attempt_timeout, kv and register alike): the
	// service's requests keep coming through the heal, so its recovery is
	// judged after every fault has ended (through_heal=true).
	WorkloadParams string
	// Replication, if set, is the message type a leader replicates its
	// log with, as the trace names it (raftkv: "AppendEntries"). The hunt
	// then gives a share of its seeds (HuntReplicationStorm) a
	// replication storm (swarmreplstorm.go): crashes timed on each
	// server's k-th message of that type and bursts of its loss, the
	// moment a leader has counted an older term's entry committed and not
	// yet replicated its own (the Raft paper's Figure 8).
	Replication string
	// ReplicationParams are cluster parameters, in --params form, that a
	// replication storm's seeds set unless the hunt's own parameters give
	// them: a replication that takes several messages to catch a follower
	// up (raftkv: max_entries_per_append=4).
	ReplicationParams string
	_                 struct{}
}

// check reports a shape whose parameters do not parse (RegisterNode
// panics on it: a kind's declaration, not user input).
func (h HuntShape) check() error {
	if h.Heal < 0 || h.MinClients < 0 {
		return fmt.Errorf("negative Heal or MinClients")
	}
	if _, err := ParseParams(h.Params); err != nil {
		return err
	}
	if _, err := ParseParams(h.ReplicationParams); err != nil {
		return err
	}
	if h.ReplicationParams != "" && h.Replication == "" {
		return fmt.Errorf("ReplicationParams without a Replication message")
	}
	_, err := ParseParams(h.WorkloadParams)
	return err
}

// huntClients is the hunt's client range (swarm.clients) and the fixed
// count of its scenario, raised to the kind's MinClients.
func (h HuntShape) huntClients() (fixed, lo, hi int) {
	m := max(h.MinClients, 1)
	return max(4, m), m, max(6, m)
}

// huntHeal is the hunt's heal, the kind's when it declares one.
func (h HuntShape) huntHeal() time.Duration {
	if h.Heal > 0 {
		return h.Heal
	}
	return huntHeal
}

// huntFaults are the fault kinds the hunt of a workload draws: HuntFaults,
// and overload for a workload that reads the offered load.
func huntFaults(wk *WorkloadKind) []string {
	if !wk.OfferedLoad {
		return HuntFaults
	}
	return append(slices.Clone(HuntFaults), "overload")
}

// params are the hunt's cluster parameters: given, then the shape's that
// given leaves out.
func (h HuntShape) params(given []Param) ([]Param, error) {
	shape, err := ParseParams(h.Params)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(given)
	for _, p := range shape {
		if !slices.ContainsFunc(given, func(g Param) bool { return g.Key == p.Key }) {
			out = append(out, p)
		}
	}
	return out, nil
}
