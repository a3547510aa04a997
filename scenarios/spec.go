package scenarios

import (
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// SchemaVersion is the scenario format version this build reads and writes.
const SchemaVersion = 1

// Scenario is a whole experiment: cluster, network, clocks, disk, workload,
// nemesis, run phases and checks. It is what a YAML file decodes to, and
// what Go tests build directly; the same Scenario and seed give the same
// trace either way.
type Scenario struct {
	Version     int
	Name        string
	Description string
	Cluster     Cluster
	Network     Network
	Clocks      Clocks
	Disk        Disk
	// Service is the servers' service-time model (zero: instantaneous
	// handlers); the slow fault multiplies it.
	Service  Service
	Workload Workload
	Nemesis  Nemesis
	Run      RunSpec
	Check    []string
	// Promise is the consistency level the protocol promises (PromiseAll:
	// every listed check must pass).
	Promise Promise
	// Compare lists protocols to run the same workload, nemesis and seeds
	// against (faultline compare); run and replay use the scenario as
	// written.
	Compare []Variant

	// Swarm, if set, lets the seed draw some of the knobs above within
	// bounds (see ApplySwarm).
	Swarm *Swarm

	// Source is the file the scenario came from ("" for Go-built ones).
	Source string
	// fieldPos records where the decoder found fields that later checks
	// may blame ("cluster.size", "check[2]"), so that errors found after
	// decoding still point at the file's line and column.
	fieldPos map[string]Pos
}

// at returns where field was written (just the file when unknown).
func (sc *Scenario) at(field string) Pos {
	if p, ok := sc.fieldPos[field]; ok {
		return p
	}
	return Pos{File: sc.Source}
}

// Cluster names the protocol and its size. Params are the protocol's own
// knobs as written; the node kind's ParamSpecs parse them.
type Cluster struct {
	Node   string
	Size   int
	Params []Param
}

// Network is the base link behaviour (the simulator's own config).
type Network = sim.Network

// Clocks bound the initial skew and drift each node draws.
type Clocks = sim.Clocks

// Disk configures every node's store.
type Disk = sim.Disk

// Service is the servers' service-time model (the simulator's own config).
type Service = sim.Service

// Workload is what the simulated clients do: the fields every workload
// kind shares, and the kind's own parameters as written.
type Workload struct {
	// Kind names a registered workload ("" : the node kind's first).
	Kind    string
	Clients int
	// Keys is the keyspace size, for keyed workloads.
	Keys    int
	Mix     []MixEntry
	Timeout time.Duration
	// Rate > 0 makes clients open-loop: each issues Rate operations per
	// virtual second regardless of replies. 0 is closed-loop.
	Rate float64
	// OpsPerClient, if positive, caps the ordinary operations each client
	// issues (workload.ops_per_client): after that many it issues no more,
	// but still does what the run's liveness phase needs (its probes, its
	// final reads). 0 is no cap. Every stock workload kind honours it; the
	// shrinker bisects it down (see Shrink).
	OpsPerClient int
	// Params are the kind's own knobs (see WorkloadKind.Params).
	Params []Param
}

// commonWorkloadFields are the workload fields every kind shares; a kind's
// parameters sit beside them in the YAML mapping.
var commonWorkloadFields = []string{"kind", "clients", "keys", "mix", "timeout", "rate", "ops_per_client"}

// MixEntry weights one operation kind.
type MixEntry struct {
	Op     string
	Weight int
}

// Nemesis is the fault schedule: generated from the seed, scripted, or both.
type Nemesis struct {
	Generate *Generate
	Script   []Step
	// Unbounded lifts the recoverability budget (by default at most a
	// minority of nodes is faulty at once).
	Unbounded bool
	// ClientsFollowPartitions puts each client on its home server's side
	// of a partition (nemesis.Options.ClientsFollowPartitions).
	ClientsFollowPartitions bool
	// BeyondBudget labels the run as beyond the recoverability budget
	// (swarm.beyond_budget draws it, nemesis.beyond_budget writes it): the
	// nemesis is unbounded, a safety violation is judged as always, and a
	// liveness failure is excused (CheckSummary.Excused) — no promise of
	// recovery holds in a world that lost more than a minority.
	BeyondBudget bool
}

// Generate draws faults from the seed.
type Generate struct {
	Faults   []string
	Interval Range
	Duration Range
	// Swarm draws the enabled kinds and intensities from the seed too.
	Swarm bool
	// Concurrent lets generated faults overlap: the next starts an interval
	// after the previous one started, not after it ended.
	Concurrent bool
	// Intensity sets how hard generated faults hit (zero fields: the
	// nemesis's defaults; in swarm mode, drawn).
	Intensity nemesis.Intensity
	// Correlated replaces about a third of the generated faults by
	// correlated ones aimed at the leader (nemesis.GenOptions.Correlated).
	Correlated bool
	// Storm adds a crash storm beyond the recoverability budget
	// (nemesis.GenOptions.Storm); it needs nemesis.unbounded or
	// nemesis.beyond_budget to take effect.
	Storm bool
	// LeaderFallback aims generated leader faults at leader-or-one: the
	// leader, or a random server when none reports leadership as the
	// fault starts, instead of a skip (nemesis.GenOptions.LeaderFallback).
	LeaderFallback bool
	// SendStorm adds a crash-on-send storm (nemesis.GenOptions.SendStorm):
	// one server crashed right after each message it sends, every link
	// slowed, the leader crashed again and again; like Storm it needs
	// nemesis.unbounded or nemesis.beyond_budget to take full effect.
	SendStorm bool
}

// Range is a closed interval of durations, written 2s..5s.
type Range = nemesis.Range

// Step is one scripted fault: start at At, undo after For (0: until heal).
type Step struct {
	At    time.Duration
	Fault string
	For   time.Duration
	Pos   Pos
}

// Swarm bounds the knobs a seed draws in swarm mode: one sweep then covers
// many configurations and fault mixes instead of one. A zero bound is not
// drawn (the scenario's own value stays).
type Swarm struct {
	Size      IntRange   // cluster.size
	Clients   IntRange   // workload.clients
	Keys      IntRange   // workload.keys
	Latency   Range      // network.latency becomes uniform(lo, hi), lo ≤ hi drawn within
	Drop      RatioRange // network.drop
	Duplicate RatioRange // network.duplicate
	Skew      Range      // clocks.skew
	Sync      Range      // disk.sync_latency becomes uniform(lo, hi), lo ≤ hi drawn within
	// Mix switches each operation of the workload's mix on or off (at
	// least one stays on) and draws the weights of those on.
	Mix bool
	// Faults draws the enabled fault kinds and their intensities
	// (nemesis.generate.swarm); needs nemesis.generate.
	Faults bool
	// FaultInterval and FaultDuration bound the generated nemesis's
	// interval and duration ranges, drawn within.
	FaultInterval Range
	FaultDuration Range
	// Concurrent lets the seed decide (half of the seeds) whether
	// generated faults overlap (nemesis.generate.concurrent): a leader
	// isolated while its clock jumps, a crash during a partition.
	Concurrent bool
	// PCT is the share of seeds that run under a PCT delivery schedule
	// (network.schedule), of a depth drawn from PCTDepth (default 1..3).
	PCT      sim.Ratio
	PCTDepth IntRange
	// BeyondBudget is the fraction of seeds drawn beyond the
	// recoverability budget (nemesis.beyond_budget, with a crash storm
	// when there is a generated nemesis); zero: none.
	BeyondBudget sim.Ratio
	// SendStorm is the fraction of seeds given a crash-on-send storm
	// (nemesis.generate.send_storm), labelled beyond the budget like
	// BeyondBudget's; needs nemesis.generate. Zero: none.
	SendStorm sim.Ratio
	// HotKey is the fraction of seeds, for a keyed workload, given the
	// hot-key shape: workload.keys 1, the most clients (Clients.Max) and
	// a read-heavy mix (swarmhotkey.go); drawn last. Zero: none.
	HotKey sim.Ratio
	// ReplicationStorm is the fraction of seeds given a replication storm
	// (swarmreplstorm.go): the smallest cluster, crashes timed on each
	// server's replication messages and bursts of their loss, labelled
	// beyond the budget; needs a node kind that declares its replication
	// message (HuntShape.Replication). Zero: none.
	ReplicationStorm sim.Ratio
	// Correlated turns on correlated faults aimed at the leader
	// (nemesis.generate.correlated) for every seed.
	Correlated bool
	// Params draws each parameter of the node kind that declares swarm
	// values (ParamSpec.Swarm) and that cluster.params leaves out.
	Params bool
	// Timeout bounds workload.timeout, drawn within.
	Timeout Range
	Pos     Pos
}

// IntRange is a closed interval of positive integers, written 3..7 (or
// 5): the nemesis's Count under the name the swarm's fields use.
type IntRange = nemesis.Count

// RatioRange is a closed interval of probabilities, written 0..1/20.
type RatioRange struct{ Min, Max sim.Ratio }

// IsZero reports whether the range is unset.
func (r RatioRange) IsZero() bool { return r.Min.IsZero() && r.Max.IsZero() }

// RunSpec is the run's shape: Duration of faults and load (the safety
// phase), then Heal of quiet time in which liveness is judged.
type RunSpec struct {
	Duration  time.Duration
	Heal      time.Duration
	MaxEvents uint64
}

// Pos is a place in a scenario file.
type Pos struct {
	File      string
	Line, Col int
}
