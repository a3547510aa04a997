// Package kvkind plugs nodes/kv's clients into the scenario runner as two
// workload kinds: "kv" (get, put, append and cas over keys k1..kN, judged
// by the checker's kv model) and "register" (read, write and cas on one
// register). Every knob of kv.Workload is a typed workload parameter, so a
// scenario reaches all of them:
//
//	workload: {kind: kv, clients: 5, keys: 10, timeout: 1s,
//	           attempt_timeout: 50ms, route: any, think_max: 5ms}
//
// A binary (or a test) makes them available with
//
//	for _, w := range kvkind.Workloads() {
//		scenarios.RegisterWorkload(w)
//	}
package kvkind

import (
	"fmt"
	"strconv"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/scenarios"
)

// Workloads returns the kv and register workload kinds.
func Workloads() []scenarios.WorkloadKind { return []scenarios.WorkloadKind{KV(), Register()} }

// KV is the multi-key workload.
func KV() scenarios.WorkloadKind {
	return scenarios.WorkloadKind{
		Name:       kv.KindKV,
		Help:       "get, put, append and cas over keys k1..kN (nodes/kv clients; checker model kv)",
		Ops:        names(nodes.OpGet, nodes.OpPut, nodes.OpAppend, nodes.OpCAS),
		DefaultMix: []scenarios.MixEntry{mix(nodes.OpGet, 50), mix(nodes.OpPut, 30), mix(nodes.OpAppend, 10), mix(nodes.OpCAS, 10)},
		Keyed:      true,
		Params:     params(),
		Model:      checker.KVModel,
		Liveness:   true,
		Build:      func(s scenarios.WorkloadSpec) (*scenarios.Clients, error) { return build(kv.KindKV, s) },
	}
}

// Register is the single-register workload.
func Register() scenarios.WorkloadKind {
	return scenarios.WorkloadKind{
		Name:       kv.KindRegister,
		Help:       "read, write and cas on one register (nodes/kv clients; checker model register)",
		Ops:        names(nodes.OpRead, nodes.OpWrite, nodes.OpCAS),
		DefaultMix: []scenarios.MixEntry{mix(nodes.OpRead, 50), mix(nodes.OpWrite, 40), mix(nodes.OpCAS, 10)},
		Params:     params(),
		Model:      checker.RegisterModel,
		Liveness:   true,
		Build:      func(s scenarios.WorkloadSpec) (*scenarios.Clients, error) { return build(kv.KindRegister, s) },
	}
}

// params declares kv.Workload's knobs; defaults are nodes/kv's own.
func params() []scenarios.ParamSpec {
	d := func(v time.Duration) string { return v.String() }
	return []scenarios.ParamSpec{
		{Key: "route", Type: scenarios.ParamEnum, Enum: []string{kv.RouteLeader, kv.RouteFixed, kv.RouteAny}, Default: kv.RouteLeader,
			Help: "where requests go and are retried: follow leader hints, a fixed home server, or any server at random"},
		{Key: "attempt_timeout", Type: scenarios.ParamDuration, Positive: true, Default: d(kv.DefaultAttemptTimeout),
			Help: "how long a client waits for one server before trying another"},
		{Key: "backoff_min", Type: scenarios.ParamDuration, Default: d(kv.DefaultBackoffMin), Help: "first retry backoff (doubling, jittered)"},
		{Key: "backoff_max", Type: scenarios.ParamDuration, Default: d(kv.DefaultBackoffMax), Help: "retry backoff cap"},
		{Key: "think_min", Type: scenarios.ParamDuration, Help: "closed loop: pause between operations, lower bound"},
		{Key: "think_max", Type: scenarios.ParamDuration, Help: "closed loop: pause between operations, upper bound"},
		{Key: "pending_max", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(kv.DefaultPendingMax),
			Help: "open loop (rate): most operations one client has outstanding"},
		{Key: "values", Type: scenarios.ParamEnum, Enum: []string{kv.ValuesUnique, kv.ValuesSmall}, Default: kv.ValuesUnique,
			Help: "written values: unique per write, or drawn from a small range"},
		{Key: "value_range", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(kv.DefaultValueRange), Help: "values: small draws from 0..value_range-1"},
		{Key: "cas_mismatch_ok", Type: scenarios.ParamBool, Help: "record a rejected cas as OK with output false instead of Fail"},
		{Key: "info_max_per_key", Type: scenarios.ParamInt, Help: "cap on a client's indeterminate writes per key (0: none)"},
		{Key: "max_ops", Type: scenarios.ParamInt, Help: "most operations a client invokes (0: no limit)"},
		{Key: "probe_clients", Type: scenarios.ParamInt, Help: "clients that probe liveness after the heal (0: all)"},
		{Key: "final_reads", Type: scenarios.ParamBool,
			Help: "three quarters into the heal window, every client reads every key once (for the lost-writes and staleness checks)"},
	}
}

func build(kind string, s scenarios.WorkloadSpec) (*scenarios.Clients, error) {
	p := s.Params
	w := kv.Workload{
		Kind:           kind,
		Keys:           s.Keys,
		Timeout:        s.Timeout,
		Route:          p.String("route"),
		AttemptTimeout: p.Duration("attempt_timeout"),
		BackoffMin:     p.Duration("backoff_min"),
		BackoffMax:     p.Duration("backoff_max"),
		ThinkMin:       p.Duration("think_min"),
		ThinkMax:       p.Duration("think_max"),
		PendingMax:     p.Int("pending_max"),
		Values:         p.String("values"),
		ValueRange:     p.Int("value_range"),
		CASMismatchOK:  p.Bool("cas_mismatch_ok"),
		InfoMaxPerKey:  p.Int("info_max_per_key"),
		MaxOps:         s.OpCap(p.Int("max_ops")),
		ProbeClients:   p.Int("probe_clients"),
		// Clients stop their ordinary operations at the heal and probe with
		// writes until one succeeds: that is the liveness check.
		ProbeAt:  s.Duration,
		ProbeFor: s.Heal,
	}
	if p.Bool("final_reads") {
		w.FinalReadAt = s.Duration + s.Heal*3/4
	}
	if kind == kv.KindRegister {
		w.Keys = 0
		w.Mix = kv.Mix{Get: weight(s, nodes.OpRead), Put: weight(s, nodes.OpWrite), CAS: weight(s, nodes.OpCAS)}
	} else {
		w.Mix = kv.Mix{Get: weight(s, nodes.OpGet), Put: weight(s, nodes.OpPut), Append: weight(s, nodes.OpAppend), CAS: weight(s, nodes.OpCAS)}
	}
	if s.Rate > 0 {
		w.Mode = kv.ModeOpen
		w.Interval = time.Duration(float64(time.Second) / s.Rate)
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if w.BackoffMax < w.BackoffMin {
		return nil, fmt.Errorf("backoff_max %v is below backoff_min %v", w.BackoffMax, w.BackoffMin)
	}
	keys := []string{""}
	for i := 1; i <= w.WithDefaults().Keys && kind == kv.KindKV; i++ {
		keys = append(keys, kv.KeyName(i))
	}
	return &scenarios.Clients{
		Factory: w.Factory(),
		Keys:    keys,
		// A client that does not probe (probe_clients) has nothing to
		// report; one that probes must have got a write through.
		Probe: func(n nodes.Node) bool {
			c, ok := n.(*kv.Client)
			if !ok {
				return true
			}
			p := c.Probe()
			return !p.Started || p.OK
		},
	}, nil
}

// names, mix and weight speak the scenario file's mix vocabulary, which
// is the operation kinds' text.
func names(kinds ...nodes.OpKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.String()
	}
	return out
}

func mix(k nodes.OpKind, w int) scenarios.MixEntry {
	return scenarios.MixEntry{Op: k.String(), Weight: w}
}

func weight(s scenarios.WorkloadSpec, k nodes.OpKind) int { return s.Weight(k.String()) }
