// Package pbkvkind plugs pbkv into Faultline's scenario runner: the "pbkv"
// node kind, its typed parameters and planted bug, its online invariants,
// its state digest and the message its primary replicates with (Prepare),
// on which the generic hunt times its replication storms. It is a package of its own, as
// nodes/raftkv/raftkvkind is, so that pbkv itself imports nothing but
// nodes and nodes/kv (and could be driven by any host), and so that the
// determinism lint over pbkv does not pull in the runner.
//
// A binary registers it with cli.Config{Nodes: []scenarios.NodeKind{pbkvkind.Kind()}},
// a test with scenarios.RegisterNode(pbkvkind.Kind()); scenarios then say
// cluster: {node: pbkv}.
package pbkvkind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/examples/pbkv"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
)

// BugStaleReads is the planted bug's name in cluster.params.bugs.
const BugStaleReads = "stale-reads"

// Kind is the "pbkv" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "pbkv",
		Help: "primary-backup KV with majority replication and failover by view change (examples/pbkv)",
		Params: []scenarios.ParamSpec{
			{Key: "heartbeat", Type: scenarios.ParamDuration, Positive: true,
				Default: pbkv.DefaultHeartbeat.String(), Help: "ping interval between all servers"},
			{Key: "view_timeout", Type: scenarios.ParamDuration, Positive: true,
				Default: pbkv.DefaultViewTimeout.String(), Help: "silence from the primary before a backup suspects it"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: []string{BugStaleReads}, Help: "planted bugs, comma-separated"},
		},
		// A majority must survive one crash.
		MinSize:   3,
		Workloads: []string{"kv", "register"},
		Leader:    true,
		// The primary replicates each operation to the backups with a
		// Prepare: the hunt gives a share of its seeds a replication
		// storm timed on it (docs/HUNT.md, "Replication storms").
		Hunt:       scenarios.HuntShape{Replication: "Prepare"},
		Digest:     true,
		Invariants: true,
		Validate:   func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: pbkv.New(cfg), Digest: digest, Invariants: invariants}, nil
		},
	}
}

func config(p scenarios.Params) (pbkv.Config, error) {
	c := pbkv.Config{
		Heartbeat:   p.Duration("heartbeat"),
		ViewTimeout: p.Duration("view_timeout"),
		Bugs:        pbkv.Bugs{StaleReads: p.Has("bugs", BugStaleReads)},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("view_timeout", "%s", strings.TrimPrefix(err.Error(), "pbkv: "))
	}
	return c, nil
}

// digest summarises a server that holds its view's state: op number and
// values. A server mid view change cannot say.
func digest(n nodes.Node, keys []string) (string, bool) {
	s, ok := n.(*pbkv.Node)
	if !ok || !s.Status().Normal {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "view=%d op=%d", s.Status().View, s.Status().OpNum)
	for _, k := range keys {
		if v, ok := s.Value(k); ok {
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
	}
	return b.String(), true
}

// invariants returns the online check run after every server handler:
//
//   - one primary per view: no two servers are ever active primaries of
//     the same view (over the whole run, not only at one instant);
//   - committed operations survive: every commit of an active primary is
//     at or above the highest op committed before, in an equal or later
//     view; its hash chain agrees with the commit recorded at the same op
//     number; and when a new view's primary first commits, its chain at
//     the previous view's last commit matches that commit (when the op is
//     within the chain's recent window, 16 ops).
func invariants(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
	primaries := map[uint64]nodes.ID{} // view → its active primary
	committed := map[uint64]uint64{}   // op number → chain hash
	var maxCommit, maxView uint64
	return func(id nodes.ID) error {
		s, ok := node(id).(*pbkv.Node)
		if !ok {
			return nil
		}
		st := s.Status()
		if !st.Active {
			return nil
		}
		if p, ok := primaries[st.View]; ok && p != id {
			return fmt.Errorf("pbkv: two primaries in view %d: %v and %v", st.View, p, id)
		}
		primaries[st.View] = id
		h, _ := s.HashAt(st.Commit)
		switch {
		case st.View < maxView:
			if st.Commit > maxCommit || committed[st.Commit] != h {
				return fmt.Errorf("pbkv: %v, primary of old view %d, committed op %d after view %d committed", id, st.View, st.Commit, maxView)
			}
			return nil
		case st.Commit < maxCommit:
			return fmt.Errorf("pbkv: committed op lost: %v, primary of view %d, commits op %d; op %d was committed in view %d", id, st.View, st.Commit, maxCommit, maxView)
		}
		if want, ok := committed[st.Commit]; ok && want != h {
			return fmt.Errorf("pbkv: %v, primary of view %d, holds a different op %d than was committed", id, st.View, st.Commit)
		}
		if st.View > maxView && maxCommit > 0 {
			if got, ok := s.HashAt(maxCommit); ok && got != committed[maxCommit] {
				return fmt.Errorf("pbkv: committed op lost: %v, primary of view %d, holds a different op %d than view %d committed", id, st.View, maxCommit, maxView)
			}
		}
		committed[st.Commit] = h
		maxCommit, maxView = st.Commit, st.View
		return nil
	}
}
