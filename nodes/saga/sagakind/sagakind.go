// Package sagakind plugs nodes/saga into the scenario runner: the "saga"
// node kind, its typed parameters and planted bug, and the bank checks
// (nodes/bank/bankkind). Saga scenarios use the bank workload with
// route: home (every server orchestrates its clients' sagas) and promise
// eventual: a Saga does not promise atomic reads, so conservation is
// measured (the share of reads that saw a transfer half-done) while
// atomicity at the end, no money created and decisions after the heal are
// required.
//
//	scenarios.RegisterNode(sagakind.Kind())
package sagakind

import (
	"strings"

	"github.com/faultline/faultline/nodes/bank/bankkind"
	"github.com/faultline/faultline/nodes/saga"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const BugCompensationNotIdempotent = "compensation-not-idempotent"

// BugNames lists the planted bugs.
var BugNames = []string{BugCompensationNotIdempotent}

// Kind is the "saga" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "saga",
		Help: "Saga over a sharded bank (nodes/saga): every server orchestrates its clients' transfers (debit, then credit; cancel and compensate on a timed-out credit) from a durable saga log, idempotent steps, no locks",
		Params: []scenarios.ParamSpec{
			{Key: "retransmit", Type: scenarios.ParamDuration, Positive: true, Default: saga.DefaultRetransmit.String(),
				Help: "tick: the orchestrator resends every running saga's current step"},
			{Key: "step_timeout", Type: scenarios.ParamDuration, Positive: true, Default: saga.DefaultStepTimeout.String(),
				Help: "how long a credit is retried before the orchestrator asks to cancel it and compensates the debit"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		MinSize:   2,
		Workloads: []string{"bank"},
		Checks:    bankkind.Checks(),
		Validate:  func(p scenarios.Params) error { _, err := config(p); return err },

		// No isolation: reads see transfers half done (how a scenario that
		// lists no checks, a hunt, judges it).
		Promise: scenarios.PromiseEventual,
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: saga.New(cfg)}, nil
		},
	}
}

func config(p scenarios.Params) (saga.Config, error) {
	c := saga.Config{
		Retransmit:  p.Duration("retransmit"),
		StepTimeout: p.Duration("step_timeout"),
		Bugs:        saga.Bugs{CompensationNotIdempotent: p.Has("bugs", BugCompensationNotIdempotent)},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("step_timeout", "%s", strings.TrimPrefix(err.Error(), "saga: "))
	}
	return c, nil
}
