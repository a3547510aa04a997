package scenarios

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// Defaults, applied by Validate to fields left zero.
var (
	DefaultNode     = "raftkv"
	DefaultSize     = 5
	DefaultLatency  = sim.UniformDist(time.Millisecond, 5*time.Millisecond)
	DefaultSync     = sim.UniformDist(100*time.Microsecond, time.Millisecond)
	DefaultClients  = 5
	DefaultKeys     = 10
	DefaultMix      = []MixEntry{{"get", 50}, {"put", 30}, {"append", 10}, {"cas", 10}}
	DefaultRegMix   = []MixEntry{{"read", 50}, {"write", 40}, {"cas", 10}}
	DefaultTimeout  = time.Second
	DefaultDuration = 30 * time.Second
	DefaultHeal     = 10 * time.Second
	DefaultChecks   = []string{"linearizable", "invariants", "liveness"}
	DefaultInterval = nemesis.Span(2*time.Second, 5*time.Second)
	DefaultFaultFor = nemesis.Span(time.Second, 4*time.Second)
)

// Validate fills defaults and checks cross-field rules. Errors name the
// field (and, for scenarios read from a file, the file).
func (sc *Scenario) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &Error{Pos: Pos{File: sc.Source}, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if sc.Version == 0 {
		sc.Version = SchemaVersion
	}
	if sc.Name == "" {
		sc.Name = "unnamed"
	}
	c := &sc.Cluster
	if c.Node == "" {
		c.Node = DefaultNode
	}
	if _, ok := nodeKinds[c.Node]; !ok {
		return bad("cluster.node", "unknown node kind %q (want one of: %v)", c.Node, NodeKindNames())
	}
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	if c.Size < 1 || c.Size > 1000 {
		return bad("cluster.size", "want between 1 and 1000 nodes, got %d", c.Size)
	}
	if sc.Network.Latency == (sim.Dist{}) {
		sc.Network.Latency = DefaultLatency
	}
	if sc.Disk.SyncLatency == (sim.Dist{}) {
		sc.Disk.SyncLatency = DefaultSync
	}
	w := &sc.Workload
	if w.Kind == "" {
		w.Kind = "kv"
	}
	if _, ok := workloadOps[w.Kind]; !ok {
		return bad("workload.kind", "unknown workload %q (want kv or register)", w.Kind)
	}
	if w.Clients == 0 {
		w.Clients = DefaultClients
	}
	if w.Clients > 1000 {
		return bad("workload.clients", "want at most 1000 clients, got %d", w.Clients)
	}
	if w.Keys == 0 {
		w.Keys = DefaultKeys
	}
	if w.Kind == "register" {
		w.Keys = 1
	}
	if len(w.Mix) == 0 {
		w.Mix = append([]MixEntry(nil), DefaultMix...)
		if w.Kind == "register" {
			w.Mix = append([]MixEntry(nil), DefaultRegMix...)
		}
	}
	total := 0
	for _, m := range w.Mix {
		if !contains(workloadOps[w.Kind], m.Op) {
			return bad("workload.mix."+m.Op, "unknown operation for a %s workload (want: %v)", w.Kind, workloadOps[w.Kind])
		}
		total += m.Weight
	}
	if total == 0 {
		return bad("workload.mix", "all weights are zero")
	}
	if w.Timeout == 0 {
		w.Timeout = DefaultTimeout
	}
	r := &sc.Run
	if r.Duration == 0 {
		r.Duration = DefaultDuration
	}
	if r.Heal == 0 {
		r.Heal = DefaultHeal
	}
	if r.Duration > 24*time.Hour || r.Heal > 24*time.Hour {
		return bad("run", "duration and heal are limited to 24h of virtual time")
	}
	if sc.Check == nil {
		sc.Check = append([]string(nil), DefaultChecks...)
	}
	for i, ch := range sc.Check {
		if _, ok := checks[ch]; !ok {
			return bad(fmt.Sprintf("check[%d]", i), "unknown check %q (want one of: %v)", ch, CheckNames())
		}
	}
	if g := sc.Nemesis.Generate; g != nil {
		if g.Interval == (Range{}) {
			g.Interval = DefaultInterval
		}
		if g.Duration == (Range{}) {
			g.Duration = DefaultFaultFor
		}
		if g.Interval.Min <= 0 {
			return bad("nemesis.generate.interval", "the interval between faults must be positive, got %v", g.Interval)
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
	if err := sc.validateSwarm(); err != nil {
		return err
	}
	for i, st := range sc.Nemesis.Script {
		field := fmt.Sprintf("nemesis.script[%d]", i)
		if st.At > r.Duration {
			e := bad(field+".at", "step starts at %v, after the run's duration %v", st.At, r.Duration).(*Error)
			if st.Pos.Line > 0 {
				e.Pos = st.Pos
			}
			return e
		}
		if err := CheckFault(st.Fault, c.Size); err != nil {
			e := bad(field+".fault", "%v", err).(*Error)
			if st.Pos.Line > 0 {
				e.Pos = st.Pos
			}
			return e
		}
	}
	return nil
}

// HasCheck reports whether the scenario asks for check name.
func (sc *Scenario) HasCheck(name string) bool { return contains(sc.Check, name) }
