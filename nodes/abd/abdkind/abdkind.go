// Package abdkind plugs nodes/abd into the scenario runner: the "abd" node
// kind, its typed parameters and planted bugs, and its online invariant.
// It is written against the runner's public API only, as a protocol
// outside this module would be, so that nodes/abd imports nothing but
// nodes and nodes/kv.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(abdkind.Kind())
//
// after which scenarios may say cluster: {node: abd}. Its scenarios use
// the kv or register workload with route: any (every server coordinates)
// and a mix of reads and writes only: abd answers cas and append with
// kv.StatusUnsupported (see nodes/abd's package doc).
//
// The kind declares no Leader (there is none) and no Digest: ABD writes
// each version to a quorum only and has no anti-entropy, so servers
// outside the last quorums keep older versions forever and a convergence
// check would fail on a correct cluster. What ABD does promise after a
// heal — every read returns the latest write — the linearizability check
// and the workload's final reads already judge.
package abdkind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/abd"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugNoWriteBack    = "no-write-back"
	BugTagNotUnique   = "tag-not-unique"
	BugMinorityQuorum = "minority-quorum"
	BugNoReservation  = "no-reservation"
)

// BugNames lists the planted bugs, in the order the docs present them.
var BugNames = []string{BugNoWriteBack, BugTagNotUnique, BugMinorityQuorum, BugNoReservation}

// Kind is the "abd" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "abd",
		Help: "multi-writer ABD quorum register per key (nodes/abd): any server coordinates, reads write back, retried writes keep one tag",
		Params: []scenarios.ParamSpec{
			{Key: "retransmit", Type: scenarios.ParamDuration, Positive: true,
				Default: abd.DefaultRetransmit.String(), Help: "how often a coordinator resends an unanswered phase",
				// A slow retransmit leaves a lost store at one server for
				// a while: what a read that skips its write-back needs
				// to return a value the next read does not.
				Swarm: []string{abd.DefaultRetransmit.String(), "100ms", "300ms"}},
			{Key: "op_timeout", Type: scenarios.ParamDuration, Positive: true,
				Default: abd.DefaultOpTimeout.String(), Help: "how long a coordinator works on one request before forgetting it"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		// A quorum must survive one crash.
		MinSize:   3,
		Workloads: []string{"kv", "register"},
		Ops:       []string{"get", "put", "read", "write"},
		// A write is the client's request, then query, reserve and store.
		RoundTrips: 4,
		Invariants: true,
		Validate:   func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: abd.New(cfg), Invariants: invariants}, nil
		},
	}
}

func config(p scenarios.Params) (abd.Config, error) {
	c := abd.Config{
		Retransmit: p.Duration("retransmit"),
		OpTimeout:  p.Duration("op_timeout"),
		Bugs: abd.Bugs{
			NoWriteBack:    p.Has("bugs", BugNoWriteBack),
			TagNotUnique:   p.Has("bugs", BugTagNotUnique),
			MinorityQuorum: p.Has("bugs", BugMinorityQuorum),
			NoReservation:  p.Has("bugs", BugNoReservation),
		},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("op_timeout", "%s", strings.TrimPrefix(err.Error(), "abd: "))
	}
	return c, nil
}

// write names one client write.
type write struct {
	client nodes.ID
	seq    uint64
}

// invariants returns the online check run after every server handler,
// over the whole run and every server's versions: one tag per write (a
// write, even retried at several coordinators, is stored under a single
// tag) and one write per tag (no two writes share a tag). Either broken
// lets a read see a write "happen" twice or two servers disagree on what
// a tag holds.
func invariants(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
	tagOf := map[write]abd.Tag{}
	writeOf := map[abd.Tag]write{}
	return func(id nodes.ID) error {
		s, ok := node(id).(*abd.Node)
		if !ok {
			return nil
		}
		for _, k := range s.Keys() {
			v, _ := s.Value(k)
			if v.Tag.IsZero() {
				continue
			}
			w := write{v.Client, v.Seq}
			if t, ok := tagOf[w]; ok && t != v.Tag {
				return fmt.Errorf("abd: %v holds write %v seq %d of key %q under tag %v; it was stored under tag %v before", id, w.client, w.seq, k, v.Tag, t)
			}
			if o, ok := writeOf[v.Tag]; ok && o != w {
				return fmt.Errorf("abd: %v holds tag %v of key %q for write %v seq %d; the tag was stored for write %v seq %d before", id, v.Tag, k, w.client, w.seq, o.client, o.seq)
			}
			tagOf[w], writeOf[v.Tag] = v.Tag, w
		}
		return nil
	}
}
