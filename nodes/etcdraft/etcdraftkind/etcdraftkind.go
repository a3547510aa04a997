// Package etcdraftkind plugs nodes/etcdraft into the scenario runner: the
// "etcdraft" node kind, its typed parameters and planted bugs, its online
// invariants and its state digest. It is written against the runner's
// public API only, as a protocol outside this module would be.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(etcdraftkind.Kind())
//
// after which scenarios may say cluster: {node: etcdraft}.
package etcdraftkind

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/etcdraft"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugHardStateNotSynced      = "hardstate-not-synced"
	BugReadWithoutReadIndex    = "read-without-readindex"
	BugSnapshotWithoutSessions = "snapshot-without-sessions"
)

// BugNames lists the planted bugs, in the order the docs present them.
var BugNames = []string{BugHardStateNotSynced, BugReadWithoutReadIndex, BugSnapshotWithoutSessions}

// Kind is the "etcdraft" node kind. Its servers speak the kv and register
// workloads (nodes/kv's client protocol).
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "etcdraft",
		Help: "go.etcd.io/raft/v3 (unmodified, through RawNode) replicating a KV store (nodes/etcdraft): sessions, snapshots, ReadIndex reads",
		Params: []scenarios.ParamSpec{
			{Key: "tick", Type: scenarios.ParamDuration, Positive: true,
				Default: etcdraft.DefaultTickInterval.String(), Help: "virtual time between two RawNode.Tick calls"},
			{Key: "election_ticks", Type: scenarios.ParamInt, Positive: true,
				Default: fmt.Sprint(etcdraft.DefaultElectionTicks), Help: "etcd raft's ElectionTick (the timeout is randomized over [n, 2n) ticks)",
				// 100ms..200ms to 300ms..600ms at the default 10ms tick.
				Swarm: []string{"10", fmt.Sprint(etcdraft.DefaultElectionTicks), "30"}},
			{Key: "heartbeat_ticks", Type: scenarios.ParamInt, Positive: true,
				Default: fmt.Sprint(etcdraft.DefaultHeartbeatTicks), Help: "etcd raft's HeartbeatTick"},
			{Key: "snapshot_threshold", Type: scenarios.ParamInt, Positive: true,
				Default: fmt.Sprint(etcdraft.DefaultSnapshotThreshold), Help: "applied entries kept in the log before a snapshot",
				// A hunt's seconds never fill the default: 50 and 10 let
				// two seeds in three restart from, send and install
				// snapshots (10: in most of them, several times).
				Swarm: []string{fmt.Sprint(etcdraft.DefaultSnapshotThreshold), "50", "10"}},
			{Key: "pre_vote", Type: scenarios.ParamBool, Default: "true", Help: "etcd raft's PreVote"},
			{Key: "check_quorum", Type: scenarios.ParamBool, Default: "true", Help: "etcd raft's CheckQuorum",
				// Off (etcd's own default before v3.4), a leader cut off
				// from the majority stays leader until it hears a higher
				// term.
				Swarm: []string{"true", "false"}},
			{Key: "initial_voters", Type: scenarios.ParamInt, Default: "0",
				Help: "servers (n1..nK) the cluster starts with as voters, 0 for all; the others join as learners when started (nemesis join), then are promoted"},
			{Key: "joint_consensus", Type: scenarios.ParamBool, Default: "false",
				Help: "make every membership change a joint configuration (C_old,new, then C_new) instead of a single step"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs"},
		},
		// A quorum must survive one crash.
		MinSize:    3,
		Workloads:  []string{"kv", "register"},
		Leader:     true,
		Digest:     true,
		Invariants: true,
		// A leader replicates its log with MsgApp (RaftMessage names each
		// message by its raft type): the hunt's replication storms time
		// their crashes on it.
		Hunt:     scenarios.HuntShape{Replication: "MsgApp"},
		Validate: func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: etcdraft.New(cfg), Digest: digest, Invariants: invariants}, nil
		},
	}
}

func config(p scenarios.Params) (etcdraft.Config, error) {
	c := etcdraft.Config{
		TickInterval:      p.Duration("tick"),
		ElectionTicks:     p.Int("election_ticks"),
		HeartbeatTicks:    p.Int("heartbeat_ticks"),
		SnapshotThreshold: p.Int("snapshot_threshold"),
		PreVote:           p.Bool("pre_vote"),
		CheckQuorum:       p.Bool("check_quorum"),
		InitialVoters:     p.Int("initial_voters"),
		JointConsensus:    p.Bool("joint_consensus"),
		Bugs: etcdraft.Bugs{
			HardStateNotSynced:      p.Has("bugs", BugHardStateNotSynced),
			ReadWithoutReadIndex:    p.Has("bugs", BugReadWithoutReadIndex),
			SnapshotWithoutSessions: p.Has("bugs", BugSnapshotWithoutSessions),
		},
	}
	if c.InitialVoters < 0 {
		return c, p.Errorf("initial_voters", "%d must not be negative", c.InitialVoters)
	}
	if err := c.WithDefaults().Validate(); err != nil {
		return c, p.Errorf("election_ticks", "%s", strings.TrimPrefix(err.Error(), "etcdraft: "))
	}
	return c, nil
}

func digest(n nodes.Node, keys []string) (string, bool) {
	r, ok := n.(*etcdraft.Node)
	if !ok {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "applied=%d", r.Status().Applied)
	for _, k := range keys {
		if v, ok := r.Value(k); ok {
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
	}
	return b.String(), true
}

// invariants returns the online checks run after every server handler:
// election safety (at most one leader per term, over the whole run) and
// state-machine safety (no two servers apply different entries at one
// index, nor give one entry different effects: applied on one server,
// answered from the session table on another). etcd raft keeps both; a
// broken integration (a vote or an entry acknowledged before it was
// durable, a snapshot that loses the session table) breaks them.
func invariants(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
	leaderOf := map[uint64]nodes.ID{}
	applied := map[uint64]appliedAt{}
	checked := map[nodes.ID]uint64{}
	return func(id nodes.ID) error {
		r, ok := node(id).(*etcdraft.Node)
		if !ok {
			return nil
		}
		st := r.Status()
		if st.Leader {
			if l, ok := leaderOf[st.Term]; ok && l != id {
				return fmt.Errorf("etcdraft: election safety: %v and %v both lead term %d", l, id, st.Term)
			}
			leaderOf[st.Term] = id
		}
		from := checked[id]
		if from > st.Applied { // restarted: check what it applies again
			from = 0
		}
		recent := r.Recent() // increasing indexes
		i, _ := slices.BinarySearchFunc(recent, from+1, func(e etcdraft.AppliedEntry, idx uint64) int { return cmp.Compare(e.Index, idx) })
		for _, e := range recent[i:] {
			a, ok := applied[e.Index]
			switch {
			case !ok:
				applied[e.Index] = appliedAt{term: e.Term, data: e.Data, effect: e.Effect, by: id}
			case a.term != e.Term || a.data != e.Data:
				return fmt.Errorf("etcdraft: state-machine safety: %v applied entry %d of term %d, %v applied entry %d of term %d there (different entries)", id, e.Index, e.Term, a.by, e.Index, a.term)
			case a.effect != e.Effect:
				return fmt.Errorf("etcdraft: state-machine safety: entry %d of term %d was %v at %v, %v at %v (the same entry changed the two states differently: they differed before it)", e.Index, e.Term, e.Effect, id, a.effect, a.by)
			}
		}
		checked[id] = st.Applied
		return nil
	}
}

type appliedAt struct {
	term   uint64
	data   string
	effect etcdraft.Effect
	by     nodes.ID
}
