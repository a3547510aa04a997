// Package bankkind plugs nodes/bank into the scenario runner: the "bank"
// workload kind and the transaction checks (conservation, atomicity,
// no-money-created, decided, in-doubt) as CheckKinds. A transaction
// protocol's kind lists Checks() in its NodeKind.Checks and "bank" in its
// Workloads:
//
//	workload: {kind: bank, clients: 4, accounts: 8, initial: 100, mix: {transfer: 3, read: 1}}
//	check: [conservation, atomicity, no-money-created, decided, liveness, in-doubt]
package bankkind

import (
	"fmt"
	"strconv"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/bank"
	"github.com/faultline/faultline/scenarios"
)

// Check names.
const (
	CheckConservation   = "conservation"
	CheckAtomicity      = "atomicity"
	CheckNoMoneyCreated = "no-money-created"
	CheckDecided        = "decided"
	CheckInDoubt        = "in-doubt"
)

// Workload is the bank workload kind.
func Workload() scenarios.WorkloadKind {
	d := func(v int64) string { return strconv.FormatInt(v, 10) }
	return scenarios.WorkloadKind{
		Name:       bank.KindBank,
		Help:       "transfers between accounts spread over the servers (account i on n(1+i mod N)) and whole-bank reads, sent to n1 or the home server (nodes/bank clients)",
		Ops:        []string{checker.OpTransfer.String(), nodes.OpRead.String()},
		DefaultMix: []scenarios.MixEntry{{Op: checker.OpTransfer.String(), Weight: 3}, {Op: nodes.OpRead.String(), Weight: 1}},
		Params: []scenarios.ParamSpec{
			{Key: "accounts", Type: scenarios.ParamInt, Positive: true, Default: d(bank.DefaultAccounts), Help: "accounts a0..a(N-1), at least 2"},
			{Key: "initial", Type: scenarios.ParamInt, Default: d(bank.DefaultInitial), Help: "every account's opening balance"},
			{Key: "max_amount", Type: scenarios.ParamInt, Positive: true, Default: d(bank.DefaultMaxAmount), Help: "transfers move 1..max_amount"},
			{Key: "attempt_timeout", Type: scenarios.ParamDuration, Positive: true, Default: bank.DefaultAttemptTimeout.String(),
				Help: "how long a client waits before resending a transaction (same id)"},
			{Key: "think_max", Type: scenarios.ParamDuration, Help: "a uniform pause of up to think_max between transactions"},
			{Key: "route", Type: scenarios.ParamEnum, Enum: []string{bank.RouteCoordinator, bank.RouteHome}, Default: bank.RouteCoordinator,
				Help: "where transactions go: n1 (the coordinator), or each client's home server n((i-1) mod N)+1"},
			{Key: "max_ops", Type: scenarios.ParamInt, Help: "most operations per client (0: no limit)"},
		},
		Liveness: true,
		Build:    build,
	}
}

func build(s scenarios.WorkloadSpec) (*scenarios.Clients, error) {
	p := s.Params
	w := bank.Workload{
		Bank:           bank.Bank{Accounts: p.Int("accounts"), Initial: int64(p.Int("initial"))},
		TransferWeight: s.Weight(checker.OpTransfer.String()),
		ReadWeight:     s.Weight(nodes.OpRead.String()),
		MaxAmount:      int64(p.Int("max_amount")),
		Timeout:        s.Timeout,
		AttemptTimeout: p.Duration("attempt_timeout"),
		ThinkMax:       p.Duration("think_max"),
		MaxOps:         s.OpCap(p.Int("max_ops")),
		Route:          p.String("route"),
		ProbeAt:        s.Duration,
		ProbeFor:       s.Heal,
	}
	if s.Rate > 0 {
		return nil, fmt.Errorf("bank: clients are closed-loop; rate is not supported")
	}
	if w.Bank.Initial == 0 {
		return nil, fmt.Errorf("bank: initial must be positive")
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return &scenarios.Clients{
		Factory: w.Factory(),
		Probe: func(n nodes.Node) bool {
			c, ok := n.(*bank.Client)
			if !ok {
				return true
			}
			started, ok := c.Probe()
			return !started || ok
		},
	}, nil
}

// Finals collects the servers' final states for the checks.
func Finals(f *scenarios.Finished) []bank.Final {
	out := make([]bank.Final, len(f.Servers))
	for i, id := range f.Servers {
		out[i].Server = id
		n := f.Node(id)
		if n == nil {
			out[i].Down = true
			continue
		}
		out[i].Shard, _ = n.(bank.Shard)
		out[i].Decider, _ = n.(bank.Decider)
		out[i].InDoubt, _ = n.(bank.InDoubtReporter)
	}
	return out
}

// BankOf reads the bank's definition from a live client (every client runs
// the same workload).
func BankOf(f *scenarios.Finished) (bank.Bank, bool) {
	for _, id := range f.ClientIDs {
		if c, ok := f.Node(id).(*bank.Client); ok {
			return c.Workload().Bank, true
		}
	}
	return bank.Bank{}, false
}

func bankWorkload(_ *scenarios.NodeKind, w *scenarios.WorkloadKind) string {
	if w.Name != bank.KindBank {
		return fmt.Sprintf("workload %q is not the bank workload", w.Name)
	}
	return ""
}

func withBank(name string, check func(f *scenarios.Finished, b bank.Bank) checker.Result) func(*scenarios.Finished, checker.Options) checker.Result {
	return func(f *scenarios.Finished, _ checker.Options) checker.Result {
		b, ok := BankOf(f)
		if !ok {
			return checker.Result{Name: name, Explanation: "no live bank client to read the bank's definition from"}
		}
		return check(f, b)
	}
}

// Checks are the transaction checks. conservation is included by the
// promise sequential and above: under a weaker promise (a Saga's) it
// measures the share of reads that saw a transfer half-done.
func Checks() []scenarios.CheckKind {
	return []scenarios.CheckKind{
		{Name: CheckConservation, Class: scenarios.Safety, Level: scenarios.PromiseSequential, Supported: bankWorkload,
			Help: "every whole-bank read sums to the initial total (its anomaly share measures a Saga's isolation)",
			Check: withBank(CheckConservation, func(f *scenarios.Finished, b bank.Bank) checker.Result {
				return checker.Run(checker.Func(CheckConservation, func(h *checker.History, _ checker.Options) checker.Result { return bank.Conservation(h, b) }), f.History, checker.Options{})
			})},
		{Name: CheckAtomicity, Class: scenarios.Safety, Supported: bankWorkload,
			Help: "at the end every transfer took effect whole or not at all, committed ones did and aborted ones did not (history + final states)",
			Check: withBank(CheckAtomicity, func(f *scenarios.Finished, b bank.Bank) checker.Result {
				finals := Finals(f)
				return checker.Run(checker.Func(CheckAtomicity, func(h *checker.History, _ checker.Options) checker.Result { return bank.Atomicity(h, b, finals) }), f.History, checker.Options{})
			})},
		{Name: CheckNoMoneyCreated, Class: scenarios.Safety, Supported: bankWorkload,
			Help: "the final balances (and, when the scenario promises atomic reads, every whole-bank read) never exceed the initial total: retries move money once",
			Check: withBank(CheckNoMoneyCreated, func(f *scenarios.Finished, b bank.Bank) checker.Result {
				finals := Finals(f)
				snapshots := f.Scenario.Promise == scenarios.PromiseAll || f.Scenario.Promise >= scenarios.PromiseSequential
				return checker.Run(checker.Func(CheckNoMoneyCreated, func(h *checker.History, _ checker.Options) checker.Result {
					return bank.NoMoneyCreated(h, b, finals, snapshots)
				}), f.History, checker.Options{})
			})},
		{Name: CheckDecided, Class: scenarios.Liveness, Supported: bankWorkload,
			Help: "at the end of the heal window no server holds a transaction undecided (in doubt, or a saga unfinished)",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				finals := Finals(f)
				return checker.Run(checker.Func(CheckDecided, func(*checker.History, checker.Options) checker.Result { return bank.Decided(finals) }), f.History, checker.Options{})
			}},
		{Name: CheckInDoubt, Class: scenarios.Safety, Measure: true, Supported: bankWorkload,
			Help: "measures how long 2PC participants were blocked in doubt: p50/p99/max per run; never fails",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				finals := Finals(f)
				return checker.Run(checker.Func(CheckInDoubt, func(*checker.History, checker.Options) checker.Result { return bank.InDoubt(finals) }), f.History, checker.Options{})
			}},
	}
}
