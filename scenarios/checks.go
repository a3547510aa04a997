package scenarios

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
)

// The built-in checks. They know no protocol: each asks the node kind or
// the workload kind for what it needs, and a scenario naming one that its
// protocol cannot feed fails to load (CheckKind.Supported).
const (
	CheckLinearizable = "linearizable"
	CheckInvariants   = "invariants"
	CheckLiveness     = "liveness"
	CheckConvergence  = "convergence"
	CheckLostWrites   = "lost-writes"
	CheckStaleness    = "staleness"
	CheckCausal       = checker.CausalName
	// CheckRun is not a check a scenario names: it is the verdict on the
	// run itself (a node panicked, the event budget ran out).
	CheckRun = "run"
)

func init() {
	RegisterCheck(CheckKind{
		Name:  CheckLinearizable,
		Help:  "Porcupine linearizability of the client history against the workload's model, per key (time-budgeted; out of budget is Unknown)",
		Class: Safety,
		Level: PromiseLinearizable,
		Supported: func(_ *NodeKind, w *WorkloadKind) string {
			if w.Model == nil {
				return fmt.Sprintf("workload %q has no sequential model to check against", w.Name)
			}
			return ""
		},
		Check: func(f *Finished, opts checker.Options) checker.Result {
			wk := reg.workloads[f.Scenario.Workload.Kind]
			return checker.Run(checker.Linearizable(wk.Model()), f.History, opts)
		},
	})
	RegisterCheck(CheckKind{
		Name:  CheckInvariants,
		Help:  "the protocol's online invariants, checked after every handler; a violation stops the run at that step",
		Class: Safety,
		Supported: func(n *NodeKind, _ *WorkloadKind) string {
			if !n.Invariants {
				return fmt.Sprintf("node kind %q declares no invariants", n.Name)
			}
			return ""
		},
		Online: func(f *Finished) func(nodes.ID) error {
			if f.Protocol.Invariants == nil {
				panic(fmt.Sprintf("scenarios: node kind %q declares Invariants but its Build set no Protocol.Invariants", f.Scenario.Cluster.Node))
			}
			return f.Protocol.Invariants(f.Node)
		},
	})
	RegisterCheck(CheckKind{
		Name:  CheckLiveness,
		Help:  "after the heal, every client's probe operation must succeed within the heal window",
		Class: Liveness,
		Supported: func(_ *NodeKind, w *WorkloadKind) string {
			if !w.Liveness {
				return fmt.Sprintf("workload %q reports no liveness probe", w.Name)
			}
			return ""
		},
		Check: checkLiveness,
	})
	RegisterCheck(CheckKind{
		Name:  CheckConvergence,
		Help:  "at the end of the heal window, every live replica reports the same state digest",
		Class: Liveness,
		Level: PromiseEventual,
		Supported: func(n *NodeKind, _ *WorkloadKind) string {
			if !n.Digest {
				return fmt.Sprintf("node kind %q reports no state digest", n.Name)
			}
			return ""
		},
		Check: checkConvergence,
	})
	RegisterCheck(CheckKind{
		Name:      CheckLostWrites,
		Help:      "every write acknowledged before the final read of its key after the heal is reflected in it, or overwritten by a put that may follow it (needs final reads)",
		Class:     Safety,
		Level:     PromiseSession,
		Supported: needsUniqueValues,
		Check: func(f *Finished, opts checker.Options) checker.Result {
			return checker.Run(checker.LostWrites(f.Scenario.Run.Duration), f.History, opts)
		},
	})
	for _, g := range []struct{ name, help string }{
		{checker.ReadYourWrites, "each client's reads reflect its own acknowledged writes"},
		{checker.MonotonicReads, "no client's read misses a write its earlier read reflected"},
		{checker.MonotonicWrites, "a read that reflects a client's write reflects that client's earlier writes"},
		{checker.WritesFollowReads, "a read that reflects a client's write reflects what that client had read before writing"},
	} {
		RegisterCheck(CheckKind{
			Name: g.name, Help: "session guarantee: " + g.help, Class: Safety, Level: PromiseSession,
			Supported: needsUniqueValues,
			Check: func(f *Finished, opts checker.Options) checker.Result {
				return checker.Run(checker.SessionGuarantee(g.name), f.History, opts)
			},
		})
	}
	RegisterCheck(CheckKind{
		Name:      CheckCausal,
		Help:      "causal consistency across keys: no read misses a write in its causal past (program order and reads-from); names the shortest cycle",
		Class:     Safety,
		Level:     PromiseCausal,
		Supported: needsUniqueValues,
		Check: func(f *Finished, opts checker.Options) checker.Result {
			return checker.Run(checker.Causal(), f.History, opts)
		},
	})
	RegisterCheck(CheckKind{
		Name:      CheckStaleness,
		Help:      "measures how many acknowledged writes (k) and how much virtual time (Δ) each read is behind; never fails a run",
		Class:     Safety,
		Measure:   true,
		Supported: needsUniqueValues,
		Check: func(f *Finished, opts checker.Options) checker.Result {
			return checker.Run(checker.Staleness(), f.History, opts)
		},
	})
}

// needsUniqueValues: the weak-consistency checks read the kv workloads'
// values, which name their writers.
func needsUniqueValues(_ *NodeKind, w *WorkloadKind) string {
	if w.Model == nil {
		return fmt.Sprintf("workload %q has no KV model", w.Name)
	}
	if m := w.Model().Name(); m != "kv" && m != "register" {
		return fmt.Sprintf("workload %q is judged by the %s model, not kv or register", w.Name, m)
	}
	return ""
}

func checkLiveness(f *Finished, _ checker.Options) checker.Result {
	res := checker.Result{Name: CheckLiveness, Verdict: checker.Valid}
	var stuck []string
	for _, id := range f.ClientIDs {
		c := f.Node(id)
		if c == nil || f.Clients.Probe == nil {
			continue
		}
		if !f.Clients.Probe(c) {
			stuck = append(stuck, id.String())
		}
	}
	if len(stuck) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("no write by %s succeeded within %v after the heal at %v", strings.Join(stuck, ", "), f.Scenario.Run.Heal, f.Scenario.Run.Duration) + livenessContext(f)
	}
	return res
}

// livenessContext says what the cluster looked like when a liveness check
// failed: who was down and who led at the end, the last operation that
// succeeded, and the faults still at work after the heal.
func livenessContext(f *Finished) string {
	var b strings.Builder
	var down, leaders []string
	reports := false
	for _, id := range f.Servers {
		n := f.Node(id)
		if n == nil {
			down = append(down, id.String())
			continue
		}
		if lr, ok := n.(nodes.LeaderReporter); ok {
			reports = true
			if lr.IsLeader() {
				leaders = append(leaders, id.String())
			}
		}
	}
	if len(down) > 0 {
		fmt.Fprintf(&b, "\n  down at the end: %s", strings.Join(down, ", "))
	} else {
		fmt.Fprintf(&b, "\n  every server is up at the end")
	}
	switch {
	case !reports:
	case len(leaders) == 0:
		fmt.Fprintf(&b, "\n  no server considers itself leader at the end")
	default:
		fmt.Fprintf(&b, "\n  leader at the end: %s", strings.Join(leaders, ", "))
	}
	if h := f.History; h != nil {
		last := -1
		for i := range h.Ops {
			if op := &h.Ops[i]; op.Outcome == nodes.OK && !op.Kind.IsRead() && (last < 0 || op.Return > h.Ops[last].Return) {
				last = i
			}
		}
		if last >= 0 {
			fmt.Fprintf(&b, "\n  last acknowledged write: %s", h.Ops[last].String())
		} else {
			fmt.Fprintf(&b, "\n  no write was ever acknowledged")
		}
		var late []string
		for _, a := range h.Annotations {
			if a.End > f.Scenario.Run.Duration {
				late = append(late, fmt.Sprintf("%s (%v..%v)", a.Text, a.Start, a.End))
			}
		}
		if len(late) > 0 {
			fmt.Fprintf(&b, "\n  faults at work after the heal: %s", strings.Join(late, "; "))
		}
	}
	return b.String()
}

// checkConvergence compares the digests of every live server through
// checker.Convergence, naming the first two states that differ.
func checkConvergence(f *Finished, _ checker.Options) checker.Result {
	if f.Protocol.Digest == nil {
		panic(fmt.Sprintf("scenarios: node kind %q declares Digest but its Build set no Protocol.Digest", f.Scenario.Cluster.Node))
	}
	states := map[string]string{}
	var order, silent []string
	for _, id := range f.Servers {
		n := f.Node(id)
		if n == nil {
			continue
		}
		if d, ok := f.Protocol.Digest(n, f.Clients.Keys); ok {
			states[id.String()] = d
			order = append(order, id.String())
		} else {
			silent = append(silent, id.String())
		}
	}
	if len(silent) > 0 {
		return checker.Result{Name: CheckConvergence, Verdict: checker.Invalid,
			Explanation: fmt.Sprintf("%s cannot report a state at the end of the heal window (still recovering?)", strings.Join(silent, ", "))}
	}
	res := checker.Convergence(states)
	if res.Verdict == checker.Invalid {
		for _, id := range order[1:] {
			if states[id] != states[order[0]] {
				res.Explanation = fmt.Sprintf("replicas differ at the end of the heal window: %s has %s; %s has %s (%s)", order[0], states[order[0]], id, states[id], res.Explanation)
				break
			}
		}
	}
	return res
}

// checkRun is the verdict on the run itself, from the simulator's outcome.
func runStatus(st Status, why string) (Status, CheckSummary) {
	return st, CheckSummary{Name: CheckRun, Verdict: checker.Invalid, Explanation: why}
}

// HistoryCheck makes a checker.Checker over the client history a check a
// scenario can name: RegisterCheck(HistoryCheck("no-lost-writes", Safety,
// "...", checker.Func(...))). It needs nothing from the protocol.
func HistoryCheck(name string, class CheckClass, help string, c checker.Checker) CheckKind {
	return CheckKind{Name: name, Help: help, Class: class,
		Check: func(f *Finished, opts checker.Options) checker.Result { return checker.Run(c, f.History, opts) }}
}
