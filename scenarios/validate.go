package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// Defaults of the scenario's own fields, applied by WithDefaults to fields
// left zero. The protocol's and workload's parameters take their defaults
// from their ParamSpecs, and a workload's zero Timeout means the workload
// kind's own default.
var (
	DefaultSize     = 5
	DefaultLatency  = sim.UniformDist(time.Millisecond, 5*time.Millisecond)
	DefaultSync     = sim.UniformDist(100*time.Microsecond, time.Millisecond)
	DefaultClients  = 5
	DefaultKeys     = 10
	DefaultDuration = 30 * time.Second
	DefaultHeal     = 10 * time.Second
	DefaultChecks   = []string{CheckLinearizable, CheckInvariants, CheckLiveness}
	DefaultInterval = nemesis.Span(2*time.Second, 5*time.Second)
	DefaultFaultFor = nemesis.Span(time.Second, 4*time.Second)
)

// WithDefaults returns a copy of sc with every field left zero set to its
// default: the node kind (when only one is registered), the workload kind
// (the node kind's first), sizes, latencies, the mix (the workload kind's
// DefaultMix), run phases and the checks (the default checks the protocol
// and workload can feed). It never fails: an unknown kind is left for
// Validate to report.
func (sc *Scenario) WithDefaults() *Scenario {
	c := sc.Clone()
	if c.Version == 0 {
		c.Version = SchemaVersion
	}
	if c.Name == "" {
		c.Name = "unnamed"
	}
	if c.Cluster.Node == "" && len(reg.nodes) == 1 {
		c.Cluster.Node = NodeKindNames()[0]
	}
	nk := reg.nodes[c.Cluster.Node]
	if c.Cluster.Size == 0 {
		c.Cluster.Size = DefaultSize
		if nk != nil && nk.MinSize > c.Cluster.Size {
			c.Cluster.Size = nk.MinSize
		}
	}
	if c.Network.Latency == (sim.Dist{}) {
		c.Network.Latency = DefaultLatency
	}
	if c.Disk.SyncLatency == (sim.Dist{}) {
		c.Disk.SyncLatency = DefaultSync
	}
	w := &c.Workload
	if w.Kind == "" && nk != nil {
		w.Kind = nk.Workloads[0]
	}
	wk := reg.workloads[w.Kind]
	if w.Clients == 0 {
		w.Clients = DefaultClients
	}
	if wk != nil {
		if wk.Keyed && w.Keys == 0 {
			w.Keys = DefaultKeys
		}
		if len(w.Mix) == 0 {
			for _, m := range wk.DefaultMix {
				if nk == nil || len(nk.Ops) == 0 || slices.Contains(nk.Ops, m.Op) {
					w.Mix = append(w.Mix, m)
				}
			}
		}
	}
	if c.Run.Duration == 0 {
		c.Run.Duration = DefaultDuration
	}
	if c.Run.Heal == 0 {
		c.Run.Heal = DefaultHeal
	}
	if c.Check == nil && nk != nil && wk != nil {
		c.Check = defaultChecks(nk, wk)
		if c.Promise == PromiseAll {
			c.Promise = nk.Promise
		}
	}
	if g := c.Nemesis.Generate; g != nil {
		if g.Interval == (Range{}) {
			g.Interval = DefaultInterval
		}
		if g.Duration == (Range{}) {
			g.Duration = DefaultFaultFor
		}
	}
	return c
}

// Resolve returns the scenario with defaults applied, or the first
// problem Validate finds in it.
func (sc *Scenario) Resolve() (*Scenario, error) {
	c := sc.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the scenario (with defaults applied; sc is not changed):
// cross-field rules, and that the protocol and workload can do what the
// scenario asks of them. Errors name the field and, for scenarios read
// from a file, where it was written.
func (sc *Scenario) Validate() error {
	s := sc.WithDefaults()
	bad := func(field, format string, args ...any) error {
		return &Error{Pos: s.at(field), Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if s.Version != SchemaVersion {
		return bad("version", "this build reads scenario version %d, not %d", SchemaVersion, s.Version)
	}
	c := &s.Cluster
	if c.Node == "" {
		return bad("cluster.node", "missing: name the protocol (want one of: %s)", oneOf(NodeKindNames()))
	}
	nk := reg.nodes[c.Node]
	if nk == nil {
		return bad("cluster.node", "unknown node kind %q%s (want one of: %s)", c.Node, didYouMean(c.Node, NodeKindNames()), oneOf(NodeKindNames()))
	}
	if c.Size < 1 || c.Size > 1000 {
		return bad("cluster.size", "want between 1 and 1000 nodes, got %d", c.Size)
	}
	if c.Size < max(nk.MinSize, 1) {
		return bad("cluster.size", "node kind %q needs at least %d nodes, got %d", nk.Name, nk.MinSize, c.Size)
	}
	params, err := parseParams("cluster.params", s.Source, nk.Params, c.Params)
	if err != nil {
		return err
	}
	if nk.Validate != nil {
		if err := nk.Validate(params); err != nil {
			return err
		}
	}
	w := &s.Workload
	wk := reg.workloads[w.Kind]
	if wk == nil {
		return bad("workload.kind", "unknown workload %q%s (want one of: %s)", w.Kind, didYouMean(w.Kind, WorkloadNames()), oneOf(WorkloadNames()))
	}
	if !slices.Contains(nk.Workloads, w.Kind) {
		return bad("workload.kind", "node kind %q does not speak workload %q (it speaks: %s)", nk.Name, w.Kind, strings.Join(nk.Workloads, ", "))
	}
	if w.Clients < 1 || w.Clients > 1000 {
		return bad("workload.clients", "want between 1 and 1000 clients, got %d", w.Clients)
	}
	if w.Keys != 0 && !wk.Keyed {
		return bad("workload.keys", "workload %q has no keyspace", wk.Name)
	}
	if w.Keys < 0 || w.Keys > 1<<20 {
		return bad("workload.keys", "want between 1 and %d keys, got %d", 1<<20, w.Keys)
	}
	if w.Clients*w.Keys > MaxClientKeys {
		return bad("workload.keys", "%d clients × %d keys: each client keeps state for every key, so at most %d clients × keys (fewer keys or clients)", w.Clients, w.Keys, MaxClientKeys)
	}
	total := 0
	for _, m := range w.Mix {
		if !slices.Contains(wk.Ops, m.Op) {
			return bad("workload.mix."+m.Op, "unknown operation for a %s workload%s (want: %s)", wk.Name, didYouMean(m.Op, wk.Ops), strings.Join(wk.Ops, ", "))
		}
		if m.Weight > 0 && len(nk.Ops) > 0 && !slices.Contains(nk.Ops, m.Op) {
			return bad("workload.mix."+m.Op, "node kind %q does not perform %s (it performs: %s)", nk.Name, m.Op, strings.Join(nk.Ops, ", "))
		}
		if m.Weight < 0 {
			return bad("workload.mix."+m.Op, "negative weight %d", m.Weight)
		}
		total += m.Weight
	}
	if total == 0 {
		return bad("workload.mix", "all weights are zero")
	}
	if w.Timeout < 0 {
		return bad("workload.timeout", "negative timeout %v", w.Timeout)
	}
	if w.OpsPerClient < 0 {
		return bad("workload.ops_per_client", "want a whole number of operations per client (0: no cap), got %d", w.OpsPerClient)
	}
	fields := slices.Clone(commonWorkloadFields)
	for _, ps := range wk.Params {
		fields = append(fields, ps.Key)
	}
	for _, p := range w.Params {
		if !slices.Contains(fields, p.Key) {
			return &Error{Pos: p.Pos, Field: "workload." + p.Key, Msg: fmt.Sprintf("unknown field%s (want one of: %s)", didYouMean(p.Key, fields), strings.Join(fields, ", "))}
		}
	}
	wparams, err := parseParams("workload", s.Source, wk.Params, w.Params)
	if err != nil {
		return err
	}
	if nk.ValidateWorkload != nil {
		if err := nk.ValidateWorkload(params, w.Kind, wparams); err != nil {
			// A default parameter was not written: blame the workload.
			var e *Error
			if errors.As(err, &e) && e.Pos.Line == 0 {
				e.Pos = s.at("workload.kind")
			}
			return err
		}
	}
	// A workload's Build is its validation too (it is cheap and has no
	// effects): what it refuses is a load error at the workload section,
	// not a failure of the first seed.
	if _, err := wk.Build(s.workloadSpec(wparams)); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return err
		}
		return bad("workload", "%v", err)
	}
	r := &s.Run
	if r.Duration > 24*time.Hour || r.Heal > 24*time.Hour {
		return bad("run", "duration and heal are limited to 24h of virtual time")
	}
	for i, ch := range s.Check {
		field := fmt.Sprintf("check[%d]", i)
		ck := reg.checks[ch]
		if ck == nil {
			return bad(field, "unknown check %q%s (want one of: %s)", ch, didYouMean(ch, CheckNames()), oneOf(CheckNames()))
		}
		if ck.Supported != nil {
			if why := ck.Supported(nk, wk); why != "" {
				return bad(field, "%s cannot be checked: %s", ch, why)
			}
		}
		if slices.Contains(s.Check[:i], ch) {
			return bad(field, "check %q listed twice", ch)
		}
	}
	if g := s.Nemesis.Generate; g != nil {
		if g.Interval.Min <= 0 {
			return bad("nemesis.generate.interval", "the interval between faults must be positive, got %v", g.Interval)
		}
		if n := s.Run.Duration / g.Interval.Min; n > maxGeneratedFaults {
			return bad("nemesis.generate.interval", "an interval of %v over a %v run would plan %d faults; at most %d are generated (widen the interval)", g.Interval.Min, s.Run.Duration, n, maxGeneratedFaults)
		}
		if len(g.Faults) == 0 && !g.Swarm {
			return bad("nemesis.generate.faults", "no fault kinds enabled (list some, or set swarm: true)")
		}
		for i, k := range g.Faults {
			if err := CheckFaultKind(k); err != nil {
				return bad(fmt.Sprintf("nemesis.generate.faults[%d]", i), "%v", err)
			}
		}
	}
	if err := s.validateSwarm(nk, wk); err != nil {
		return err
	}
	if len(s.Compare) > 0 {
		if _, err := s.Variants(); err != nil {
			return err
		}
	}
	for i, st := range s.Nemesis.Script {
		field := fmt.Sprintf("nemesis.script[%d]", i)
		blame := func(sub, format string, args ...any) error {
			e := bad(field+sub, format, args...).(*Error)
			if st.Pos.Line > 0 {
				e.Pos = st.Pos
			}
			return e
		}
		if st.At > r.Duration {
			return blame(".at", "step starts at %v, after the run's duration %v", st.At, r.Duration)
		}
		if err := CheckFault(st.Fault, c.Size); err != nil {
			return blame(".fault", "%v", err)
		}
		if !nk.Leader && targetsLeader(st.Fault) {
			return blame(".fault", "node kind %q has no leader to target (it does not report nodes.LeaderReporter)", nk.Name)
		}
	}
	return nil
}

// targetsLeader reports whether a fault's text names the "leader" target
// (a word of nemesis's closed target vocabulary).
func targetsLeader(fault string) bool {
	return slices.Contains(strings.Fields(fault), nemesis.Leader.String())
}

// HasCheck reports whether the scenario asks for check name.
func (sc *Scenario) HasCheck(name string) bool { return slices.Contains(sc.Check, name) }
