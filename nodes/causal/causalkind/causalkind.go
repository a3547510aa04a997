// Package causalkind plugs nodes/causal into the scenario runner: the
// "causal" node kind, its typed parameters and planted bugs, its online
// invariants and its state digest. It is written against the runner's
// public API only, as a protocol outside this module would be.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(causalkind.Kind())
//
// after which scenarios may say cluster: {node: causal}. Its scenarios use
// the kv or register workload with the default route (leader: a client
// sticks to the replica that answered it and moves on after an attempt
// timeout, carrying its causal context) and a mix of gets and puts, and
// promise causal.
package causalkind

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/causal"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugDeliverBeforeDeps = "deliver-before-deps"
	BugLamportNoObserve  = "lamport-no-observe"
)

// BugNames lists the planted bugs.
var BugNames = []string{BugDeliverBeforeDeps, BugLamportNoObserve}

// Kind is the "causal" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "causal",
		Help: "causally consistent KV (nodes/causal): local reads and writes, async replication with dependencies, causal delivery, anti-entropy, last writer wins by Lamport stamp",
		Params: []scenarios.ParamSpec{
			{Key: "anti_entropy", Type: scenarios.ParamDuration, Positive: true,
				Default: causal.DefaultAntiEntropy.String(), Help: "interval between a replica's anti-entropy rounds (its whole state to one peer, round robin)"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		// Replication needs a peer; one replica up is enough to serve.
		MinSize:    2,
		Workloads:  []string{"kv", "register"},
		Ops:        []string{"get", "put", "read", "write"},
		Digest:     true,
		Invariants: true,
		Validate:   func(p scenarios.Params) error { _, err := config(p); return err },

		// How a scenario that lists no checks (a hunt) judges it.
		Promise:       scenarios.PromiseCausal,
		DefaultChecks: []string{scenarios.CheckCausal, scenarios.CheckConvergence},
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: causal.New(cfg), Digest: digest, Invariants: invariants}, nil
		},
	}
}

func config(p scenarios.Params) (causal.Config, error) {
	c := causal.Config{
		AntiEntropy: p.Duration("anti_entropy"),
		Bugs: causal.Bugs{
			DeliverBeforeDeps: p.Has("bugs", BugDeliverBeforeDeps),
			LamportNoObserve:  p.Has("bugs", BugLamportNoObserve),
		},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("anti_entropy", "%s", strings.TrimPrefix(err.Error(), "causal: "))
	}
	return c, nil
}

// digest is the replica's visible versions over the workload's keys, with
// their stamps. Equal digests mean converged replicas.
func digest(n nodes.Node, keys []string) (string, bool) {
	s, ok := n.(*causal.Node)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, k := range keys {
		if x, ok := s.Version(k); ok {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%q=%q@%v", k, x.Value, x.Stamp)
		}
	}
	return b.String(), true
}

// invariants returns the online check run after every replica handler:
// the replica's visible state is causally closed (every version's
// dependencies are visible beside it), and its Lamport clock is at least
// every stamp it holds.
func invariants(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
	return func(id nodes.ID) error {
		s, ok := node(id).(*causal.Node)
		if !ok {
			return nil
		}
		for _, k := range s.Keys() {
			x, _ := s.Version(k)
			if x.Stamp.Time > s.Clock() {
				return fmt.Errorf("causal: %v holds %q at %v but its Lamport clock is %d", id, k, x.Stamp, s.Clock())
			}
			for _, d := range sortedDeps(x.Deps) {
				if y, _ := s.Version(d); y.Stamp.Less(x.Deps[d]) {
					return fmt.Errorf("causal: %v shows %v before its dependency %q=%v (it holds %q@%v)", id, x, d, x.Deps[d], d, y.Stamp)
				}
			}
		}
		return nil
	}
}

func sortedDeps(d causal.Deps) []string {
	ks := make([]string, 0, len(d))
	for k := range d { //faultline:orderless collecting keys to sort
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
