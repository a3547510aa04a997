// Package paxoskind plugs nodes/paxos into the scenario runner: the
// "paxos" node kind, its typed parameters and planted bugs, its online
// invariants and its state digest. It is written against the runner's
// public API only, as a protocol outside this module would be, so that
// nodes/paxos imports nothing but nodes, nodes/durable and nodes/kv.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(paxoskind.Kind())
//
// after which scenarios may say cluster: {node: paxos, params: {read_mode: lease}}.
package paxoskind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/paxos"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugPromiseNotPersisted = "promise-not-persisted"
	BugSkipPhase1Unlearned = "skip-phase1-unlearned"
	BugOwnValue            = "own-value"
)

// BugNames lists the planted bugs, in the order the package doc of
// nodes/paxos presents them.
var BugNames = []string{BugPromiseNotPersisted, BugSkipPhase1Unlearned, BugOwnValue}

// Kind is the "paxos" node kind. Its servers speak the kv and register
// workloads (nodes/kv's client protocol).
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "paxos",
		Help: "Multi-Paxos KV (nodes/paxos): ballots, one Prepare per window, no-op gap filling, durable acceptors, snapshots, log or lease reads",
		Params: []scenarios.ParamSpec{
			{Key: "heartbeat", Type: scenarios.ParamDuration, Positive: true,
				Default: paxos.DefaultHeartbeat.String(), Help: "leader heartbeat interval; the period of every resend"},
			{Key: "election_timeout", Type: scenarios.ParamRange, Positive: true,
				Default: paxos.DefaultElectionTimeoutMin.String() + ".." + paxos.DefaultElectionTimeoutMax.String(),
				Help:    "randomized silence from a leader before a server starts phase 1; a leader unheard by a majority for the minimum steps down",
				// Narrow ranges make candidates duel, wide ones leave a
				// deposed leader proposing long after its successor;
				// none below two default heartbeats.
				Swarm: []string{"100ms..200ms", paxos.DefaultElectionTimeoutMin.String() + ".." + paxos.DefaultElectionTimeoutMax.String(), "150ms..600ms", "300ms..1s"}},
			{Key: "snapshot_every", Type: scenarios.ParamInt, Positive: true,
				Default: fmt.Sprint(paxos.DefaultSnapshotEvery), Help: "applied slots between snapshots of the state machine (log compaction)"},
			{Key: "read_mode", Type: scenarios.ParamEnum, Enum: paxos.ReadModes, Default: paxos.ReadLog.String(),
				Help: "log: reads are chosen in a slot like writes; lease: the leader answers reads alone while it holds a lease"},
			{Key: "lease_drift_bound", Type: scenarios.ParamPPM,
				Default: fmt.Sprintf("%dppm", paxos.DefaultLeaseDriftBoundPPM), Help: "clock drift the lease assumes (read_mode: lease)"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		// A majority must survive one crash.
		MinSize:    3,
		Workloads:  []string{"kv", "register"},
		Leader:     true,
		Digest:     true,
		Invariants: true,
		Validate:   func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{
				Factory: paxos.New(cfg),
				Digest:  digest,
				Invariants: func(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
					return NewInvariants(func(id nodes.ID) EventSource {
						if s, ok := node(id).(*paxos.Node); ok {
							return s
						}
						return nil
					}).Check
				},
			}, nil
		},
	}
}

func config(p scenarios.Params) (paxos.Config, error) {
	et := p.Range("election_timeout")
	c := paxos.Config{
		Heartbeat:          p.Duration("heartbeat"),
		ElectionTimeoutMin: et.Min,
		ElectionTimeoutMax: et.Max,
		SnapshotEvery:      p.Int("snapshot_every"),
		LeaseDriftBoundPPM: p.PPM("lease_drift_bound"),
		Bugs: paxos.Bugs{
			PromiseNotPersisted: p.Has("bugs", BugPromiseNotPersisted),
			SkipPhase1Unlearned: p.Has("bugs", BugSkipPhase1Unlearned),
			OwnValue:            p.Has("bugs", BugOwnValue),
		},
	}
	m, err := paxos.ParseReadMode(p.String("read_mode"))
	if err != nil {
		return c, p.Errorf("read_mode", "%v", err)
	}
	c.ReadMode = m
	if c.LeaseDriftBoundPPM >= 1_000_000 {
		return c, p.Errorf("lease_drift_bound", "want a drift bound below 1000000ppm, got %dppm", c.LeaseDriftBoundPPM)
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("election_timeout", "%s", strings.TrimPrefix(err.Error(), "paxos: "))
	}
	return c, nil
}

// digest summarises a server's applied values over keys.
func digest(n nodes.Node, keys []string) (string, bool) {
	s, ok := n.(*paxos.Node)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, k := range keys {
		if v, ok := s.Value(k); ok {
			fmt.Fprintf(&b, "%s=%q ", k, v)
		}
	}
	return strings.TrimSpace(b.String()), true
}
