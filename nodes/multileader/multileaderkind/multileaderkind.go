// Package multileaderkind plugs nodes/multileader into the scenario
// runner: the "multileader" node kind, its typed parameters and planted
// bugs, its online invariants and its state digest. It is written against
// the runner's public API only, as a protocol outside this module would
// be, so that nodes/multileader itself imports nothing but nodes and
// nodes/kv.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(multileaderkind.Kind())
//
// after which scenarios may say cluster: {node: multileader, params:
// {conflicts: vectors}}. Clients should use the kv workload with route:
// fixed (each client writes at its home replica).
package multileaderkind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/multileader"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugMergeNotCommutative = "merge-not-commutative"
	BugVectorCompareWrong  = "vector-compare-wrong"
	BugApplyBeforeSync     = "apply-before-sync"
)

// BugNames lists the planted bugs.
var BugNames = []string{BugMergeNotCommutative, BugVectorCompareWrong, BugApplyBeforeSync}

// Kind is the "multileader" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "multileader",
		Help: "active-active KV (nodes/multileader): every replica accepts writes, async push + anti-entropy, lww or version vectors with siblings",
		Params: []scenarios.ParamSpec{
			{Key: "conflicts", Type: scenarios.ParamEnum, Enum: []string{string(multileader.LWW), string(multileader.Vectors)},
				Default: string(multileader.LWW), Help: "conflict policy: last-writer-wins by wall clock, or version vectors with siblings"},
			{Key: "anti_entropy", Type: scenarios.ParamDuration, Positive: true,
				Default: multileader.DefaultAntiEntropy.String(), Help: "interval between a replica's anti-entropy rounds (one peer each, round robin)"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		// Replication needs a peer; one replica up is enough to serve.
		MinSize:    2,
		Workloads:  []string{"kv", "register"},
		Digest:     true,
		Invariants: true,
		// The vector comparison runs only with version vectors.
		BugNeeds: map[string]scenarios.BugNeed{BugVectorCompareWrong: {Params: "conflicts=vectors"}},
		Validate: func(p scenarios.Params) error { _, err := config(p); return err },

		// How a scenario that lists no checks (a hunt) judges it: replicas
		// converge, reads may be stale.
		Promise:       scenarios.PromiseEventual,
		DefaultChecks: []string{scenarios.CheckConvergence},
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: multileader.New(cfg), Digest: digest, Invariants: invariants}, nil
		},
	}
}

func config(p scenarios.Params) (multileader.Config, error) {
	c := multileader.Config{
		Conflicts:   multileader.Policy(p.String("conflicts")),
		AntiEntropy: p.Duration("anti_entropy"),
		Bugs: multileader.Bugs{
			MergeNotCommutative: p.Has("bugs", BugMergeNotCommutative),
			VectorCompareWrong:  p.Has("bugs", BugVectorCompareWrong),
			ApplyBeforeSync:     p.Has("bugs", BugApplyBeforeSync),
		},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("bugs", "%s", strings.TrimPrefix(err.Error(), "multileader: "))
	}
	return c, nil
}

// digest is the replica's whole state over the workload's keys: per key
// the lww winner with its stamp, or the siblings with their vectors, in
// canonical order. Equal digests mean converged replicas.
func digest(n nodes.Node, keys []string) (string, bool) {
	s, ok := n.(*multileader.Node)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, k := range keys {
		if vs := s.Versions(k); len(vs) > 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s=%s", k, multileader.Render(vs))
		}
	}
	return b.String(), true
}
