// Package raftkvkind plugs nodes/raftkv into the scenario runner: the
// "raftkv" node kind, its typed parameters and planted bugs, its online
// invariants and its state digest. It is written against the runner's
// public API only, as a protocol outside this module would be, and kept
// apart from nodes/raftkv so that the protocol itself knows nothing of the
// runner or the simulator.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(raftkvkind.Kind())
//
// after which scenarios may say cluster: {node: raftkv}.
package raftkvkind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugFollowerReads    = "follower-reads"
	BugLeaseUnbounded   = "lease-unbounded"
	BugVoteNotPersisted = "vote-not-persisted"
	BugFigure8Commit    = "figure8-commit"
	BugAckBeforeSync    = "ack-before-sync"
	BugNoSessions       = "no-sessions"
)

// BugNames lists the planted bugs, in the order the docs present them.
var BugNames = []string{BugFollowerReads, BugLeaseUnbounded, BugVoteNotPersisted, BugFigure8Commit, BugAckBeforeSync, BugNoSessions}

// Kind is the "raftkv" node kind. Its servers speak the kv and register
// workloads (nodes/kv's client protocol).
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "raftkv",
		Help: "Raft-replicated key-value store (nodes/raftkv): PreVote, CheckQuorum, snapshots, sessions, ReadIndex/lease reads",
		Params: []scenarios.ParamSpec{
			{Key: "election_timeout", Type: scenarios.ParamRange, Positive: true,
				Default: fmt.Sprintf("%v..%v", raftkv.DefaultElectionTimeoutMin, 2*raftkv.DefaultElectionTimeoutMin),
				Help:    "randomized election timeout range",
				// Short ranges make candidates collide (split votes, two
				// candidates in one term); wide ones leave a deposed
				// leader in office long after its successor. None is
				// narrower than 100ms: with the hunt's links of up to 20ms
				// an election takes up to ~110ms, and 100ms..110ms
				// livelocked the correct protocol (dueling candidates
				// until the end of the heal).
				Swarm: []string{"100ms..200ms", "150ms..300ms", "150ms..600ms", "300ms..1s"}},
			{Key: "heartbeat", Type: scenarios.ParamDuration, Positive: true,
				Help: "leader heartbeat interval; unset, a third of the election timeout's minimum"},
			{Key: "snapshot_threshold", Type: scenarios.ParamInt, Positive: true,
				Default: fmt.Sprint(raftkv.DefaultSnapshotThreshold), Help: "applied entries kept in the log before a snapshot"},
			{Key: "max_entries_per_append", Type: scenarios.ParamInt, Positive: true,
				Default: fmt.Sprint(raftkv.DefaultMaxEntriesPerAppend), Help: "most log entries in one AppendEntries",
				// Small batches let a new leader replicate an older
				// term's entries before its own no-op (the Raft paper's
				// Figure 8); with 64 the no-op goes in the same message
				// and the older entries commit with it. One or two
				// entries per message are left out: under the hunt's
				// reordering links the correct pipeline then falls back
				// to a batch per round trip, below what six clients
				// offer, and stops answering them (liveness false alarms
				// with no fault: hunt seed 135 with 1, seed 4709 with 2).
				Swarm: []string{"4", "64"}},
			{Key: "read_mode", Type: scenarios.ParamEnum, Enum: []string{"readindex", "log", "lease"},
				Default: raftkv.ReadIndex.String(), Help: "how reads are served"},
			{Key: "lease_drift_bound", Type: scenarios.ParamPPM,
				Default: fmt.Sprintf("%dppm", raftkv.DefaultLeaseDriftBoundPPM), Help: "clock drift lease reads assume (read_mode: lease)"},
			{Key: "check_quorum", Type: scenarios.ParamBool, Default: "true",
				Help: "a leader that has not heard from a quorum for the election timeout's maximum steps down",
				// Without it a deposed leader stays in office, serving
				// lease reads, until it hears of its successor.
				Swarm: []string{"true", "false"}},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs"},
		},
		// Three servers: one crash (the nemesis's minority budget) must leave
		// a quorum.
		MinSize:    3,
		Workloads:  []string{"kv", "register"},
		Leader:     true,
		Digest:     true,
		Invariants: true,
		// Lease reads are where lease-unbounded lives.
		BugNeeds: map[string]scenarios.BugNeed{BugLeaseUnbounded: {Params: "read_mode=lease"}},
		// A leader replicates its log with AppendEntries: the hunt's
		// replication storms time their crashes on it, with batches of 4
		// so that catching a follower up takes several messages.
		Hunt:     scenarios.HuntShape{Replication: "AppendEntries", ReplicationParams: "max_entries_per_append=4"},
		Validate: func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return protocol(cfg), nil
		},
	}
}

// config maps the parameters onto raftkv.Config; raftkv's own Validate
// judges the combination.
func config(p scenarios.Params) (raftkv.Config, error) {
	r := p.Range("election_timeout")
	c := raftkv.Config{
		ElectionTimeoutMin:  r.Min,
		ElectionTimeoutMax:  r.Max,
		HeartbeatInterval:   p.Duration("heartbeat"),
		SnapshotThreshold:   p.Int("snapshot_threshold"),
		MaxEntriesPerAppend: p.Int("max_entries_per_append"),
		NoCheckQuorum:       !p.Bool("check_quorum"),
		LeaseDriftBoundPPM:  p.PPM("lease_drift_bound"),
	}
	m, err := raftkv.ParseReadMode(p.String("read_mode"))
	if err != nil {
		return c, p.Errorf("read_mode", "%v", err)
	}
	c.ReadMode = m
	c.Bugs = raftkv.Bugs{
		FollowerReads:    p.Has("bugs", BugFollowerReads),
		LeaseUnbounded:   p.Has("bugs", BugLeaseUnbounded),
		VoteNotPersisted: p.Has("bugs", BugVoteNotPersisted),
		Figure8Commit:    p.Has("bugs", BugFigure8Commit),
		AckBeforeSync:    p.Has("bugs", BugAckBeforeSync),
		NoSessions:       p.Has("bugs", BugNoSessions),
	}
	if c.LeaseDriftBoundPPM >= 1_000_000 {
		return c, p.Errorf("lease_drift_bound", "want a drift bound below 1000000ppm, got %dppm", c.LeaseDriftBoundPPM)
	}
	if err := c.WithDefaults().Validate(); err != nil {
		return c, p.Errorf("", "%s", strings.TrimPrefix(err.Error(), "raftkv: "))
	}
	return c, nil
}

// protocol wires Raft KV: its factory, its digest and its online
// invariants (election safety, log matching, leader completeness,
// state-machine safety), checked after every handler.
func protocol(cfg raftkv.Config) *scenarios.Protocol {
	return &scenarios.Protocol{
		Factory: raftkv.New(cfg),
		Digest: func(n nodes.Node, keys []string) (string, bool) {
			r, ok := n.(*raftkv.Node)
			if !ok {
				return "", false
			}
			var b strings.Builder
			fmt.Fprintf(&b, "applied=%d", r.Status().LastApplied)
			for _, k := range keys {
				if v, ok := r.Value(k); ok {
					fmt.Fprintf(&b, " %s=%q", k, v)
				}
			}
			return b.String(), true
		},
		Invariants: func(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
			inv := raftkv.NewInvariants(func(id nodes.ID) *raftkv.Node {
				n, _ := node(id).(*raftkv.Node)
				return n
			})
			return inv.Check
		},
	}
}
