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
	"strings"

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
		MinSize:   2,
		Workloads: []string{"bank"},
		Checks:    bankkind.Checks(),
		Validate:  func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: twopc.New(cfg)}, nil
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
