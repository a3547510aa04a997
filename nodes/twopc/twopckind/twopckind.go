// Package twopckind plugs nodes/twopc into the scenario runner: the
// "twopc" node kind, its typed parameters and planted bugs, and the bank
// checks (nodes/bank/bankkind) it is judged by. It is written against the
// runner's public API only, so nodes/twopc imports nothing but nodes,
// nodes/durable and nodes/bank.
//
//	scenarios.RegisterNode(twopckind.Kind())
//	scenarios.RegisterWorkload(bankkind.Workload())
package twopckind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/bank/bankkind"
	"github.com/faultline/faultline/nodes/twopc"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugForgetDecision    = "forget-decision"
	BugUnilateralAbort   = "unilateral-abort"
	BugVoteBeforeDurable = "vote-before-durable"
)

// BugNames lists the planted bugs, in the order the docs present them.
var BugNames = []string{BugForgetDecision, BugUnilateralAbort, BugVoteBeforeDurable}

// Kind is the "twopc" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "twopc",
		Help: "two-phase commit over a sharded bank (nodes/twopc): n1 coordinates, every server holds a shard; durable prepare and decision logs, presumed abort, participants block in doubt",
		Params: []scenarios.ParamSpec{
			{Key: "retransmit", Type: scenarios.ParamDuration, Positive: true, Default: twopc.DefaultRetransmit.String(),
				Help: "tick: the coordinator resends prepares, participants look for attempts to ask about"},
			{Key: "prepare_timeout", Type: scenarios.ParamDuration, Positive: true, Default: twopc.DefaultPrepareTimeout.String(),
				Help: "how long the coordinator waits for every vote before aborting"},
			{Key: "inquiry", Type: scenarios.ParamDuration, Positive: true, Default: twopc.DefaultInquiry.String(),
				Help: "how often a participant in doubt asks the coordinator for the decision"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		MinSize:    2,
		Workloads:  []string{"bank"},
		Leader:     true, // n1, the coordinator
		Checks:     bankkind.Checks(),
		Invariants: true,
		Validate:   func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: twopc.New(cfg), Invariants: invariants}, nil
		},
	}
}

func config(p scenarios.Params) (twopc.Config, error) {
	c := twopc.Config{
		Retransmit:     p.Duration("retransmit"),
		PrepareTimeout: p.Duration("prepare_timeout"),
		Inquiry:        p.Duration("inquiry"),
		Bugs: twopc.Bugs{
			ForgetDecision:    p.Has("bugs", BugForgetDecision),
			UnilateralAbort:   p.Has("bugs", BugUnilateralAbort),
			VoteBeforeDurable: p.Has("bugs", BugVoteBeforeDurable),
		},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("prepare_timeout", "%s", strings.TrimPrefix(err.Error(), "twopc: "))
	}
	return c, nil
}

type attempt struct {
	txn string
	id  uint64
}

type resolution struct {
	commit bool
	by     nodes.ID
}

// invariants returns the online check run after every server handler:
// no attempt is committed by one participant and aborted by another (or
// by the same one in another incarnation). It reads each participant's
// Resolved list incrementally, starting again with every new incarnation.
func invariants(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
	seen := map[attempt]resolution{}
	type cursor struct {
		n    *twopc.Node
		next int
	}
	at := map[nodes.ID]cursor{}
	return func(id nodes.ID) error {
		n, ok := node(id).(*twopc.Node)
		if !ok {
			return nil
		}
		c := at[id]
		if c.n != n {
			c = cursor{n: n}
		}
		rs := n.Resolved()
		for ; c.next < len(rs); c.next++ {
			r := rs[c.next]
			k := attempt{r.Txn, r.Attempt}
			if prev, ok := seen[k]; ok && prev.commit != r.Commit {
				return fmt.Errorf("twopc: %v %s %s attempt %x, which %v %s", id, verb(r.Commit), r.Txn, r.Attempt, prev.by, verb(prev.commit))
			}
			if _, ok := seen[k]; !ok {
				seen[k] = resolution{commit: r.Commit, by: id}
			}
		}
		at[id] = c
		return nil
	}
}

func verb(commit bool) string {
	if commit {
		return "committed"
	}
	return "aborted"
}
