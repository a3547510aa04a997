// Package crdtkind plugs the CRDT replicas of nodes/crdt/gossip (state
// based) and nodes/crdt/causal (the op-based set) and the clients of
// nodes/crdt/crdtclient into the scenario runner: the "crdt" node kind
// (param type: gcounter, pncounter, orset, orset-op, lww or mvreg), the
// "counter" and "set" workload kinds, and the checks counter-bounds,
// set-add-wins and register-reads. It is written against the runner's
// public API only. docs/CRDT.md is the overview.
//
// A binary (or a test) makes them available with
//
//	scenarios.RegisterNode(crdtkind.Kind())
//	for _, w := range crdtkind.Workloads() {
//		scenarios.RegisterWorkload(w)
//	}
//
// (the checks come with the node kind). Counters run the counter
// workload, orset and orset-op the set workload, lww and mvreg the kv register
// workload; a replica answers an operation its type does not perform
// with kv.StatusUnsupported, which the clients record as a failure.
//
// The kind declares a Digest: the replica's whole object, canonically
// rendered, so the stock convergence check compares the live replicas at
// the end of the heal window. It declares no Leader (there is none).
package crdtkind

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/crdt/causal"
	"github.com/faultline/faultline/nodes/crdt/crdtclient"
	"github.com/faultline/faultline/nodes/crdt/gossip"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugMergeNotIdempotent = "merge-not-idempotent"
	BugKeyedByClient      = "keyed-by-client"
	BugCountResets        = "count-resets"
	BugRemoveUnseen       = "remove-unseen"
	BugFIFODelivery       = "fifo-delivery"
)

// BugNames lists the planted bugs, in the order the docs present them.
var BugNames = []string{BugMergeNotIdempotent, BugKeyedByClient, BugCountResets, BugRemoveUnseen, BugFIFODelivery}

// TypeORSetOp is the op-based add-wins set with causal delivery
// (nodes/crdt/causal); the other types are nodes/crdt/gossip's.
const TypeORSetOp = "orset-op"

// Kind is the "crdt" node kind.
func Kind() scenarios.NodeKind {
	var types []string
	for _, t := range gossip.Types() {
		types = append(types, string(t))
	}
	types = append(types, TypeORSetOp)
	return scenarios.NodeKind{
		Name: "crdt",
		Help: "state-based CRDT replicas (nodes/crdt/gossip): counters, an add-wins set, lww and multi-value registers, gossip to fanout random peers",
		Params: []scenarios.ParamSpec{
			{Key: "type", Type: scenarios.ParamEnum, Enum: types, Default: string(gossip.PNCounter),
				Help: "the replicated type: gcounter, pncounter (counter workload), orset, orset-op (set; op-based with causal delivery), lww, mvreg (register)"},
			{Key: "fanout", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(gossip.DefaultFanout),
				Help: "peers each gossip round and each push go to, drawn at random"},
			{Key: "gossip_interval", Type: scenarios.ParamDuration, Positive: true, Default: gossip.DefaultGossipInterval.String(),
				Help: "time between a replica's anti-entropy rounds"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		Workloads: []string{crdtclient.KindCounter, crdtclient.KindSet, "register"},
		// What every type performs together; a type refuses the others
		// (kv.StatusUnsupported). The register workload's cas is not among
		// them: a CRDT register has no atomic read-modify-write.
		Ops:    []string{crdt.OpAdd.String(), crdt.OpRemove.String(), nodes.OpRead.String(), nodes.OpWrite.String()},
		Digest: true,
		Checks: Checks(),
		// The set bugs live in the set types (the default is a counter).
		BugNeeds: map[string]scenarios.BugNeed{
			BugRemoveUnseen: {Params: "type=orset", Workload: crdtclient.KindSet},
			BugFIFODelivery: {Params: "type=" + TypeORSetOp, Workload: crdtclient.KindSet},
		},
		Validate:         func(p scenarios.Params) error { _, err := config(p); return err },
		ValidateWorkload: validateWorkload,

		// How a scenario that lists no checks (a hunt) judges it.
		Promise:       scenarios.PromiseEventual,
		DefaultChecks: []string{scenarios.CheckConvergence},
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			if p.String("type") == TypeORSetOp {
				return &scenarios.Protocol{Factory: causal.New(causalConfig(p)), Digest: digest}, nil
			}
			return &scenarios.Protocol{Factory: gossip.New(cfg), Digest: digest}, nil
		},
	}
}

// validateWorkload refuses a workload the configured type cannot serve
// (a counter type needs the counter workload, a set type the set, a
// register type the register).
func validateWorkload(p scenarios.Params, workload string, _ scenarios.Params) error {
	t := p.String("type")
	want := "register"
	switch {
	case t == TypeORSetOp || gossip.Type(t) == gossip.ORSet:
		want = crdtclient.KindSet
	case gossip.Type(t).IsCounter():
		want = crdtclient.KindCounter
	}
	if workload != want {
		return p.Errorf("type", "type %s serves the %s workload, not %s", t, want, workload)
	}
	return nil
}

func causalConfig(p scenarios.Params) causal.Config {
	return causal.Config{Fanout: p.Int("fanout"), GossipInterval: p.Duration("gossip_interval"),
		Bugs: causal.Bugs{FIFOOnly: p.Has("bugs", BugFIFODelivery)}}
}

func config(p scenarios.Params) (gossip.Config, error) {
	if p.String("type") == TypeORSetOp {
		for _, b := range p.List("bugs") {
			if b != BugFIFODelivery {
				return gossip.Config{}, p.Errorf("bugs", "%s needs a state-based type, not %s", b, TypeORSetOp)
			}
		}
		return gossip.Config{}, causalConfig(p).Validate()
	}
	if p.Has("bugs", BugFIFODelivery) {
		return gossip.Config{}, p.Errorf("bugs", "%s needs type %s", BugFIFODelivery, TypeORSetOp)
	}
	c := gossip.Config{
		Type:           gossip.Type(p.String("type")),
		Fanout:         p.Int("fanout"),
		GossipInterval: p.Duration("gossip_interval"),
		Bugs: gossip.Bugs{
			PushAddsDelta: p.Has("bugs", BugMergeNotIdempotent),
			KeyedByClient: p.Has("bugs", BugKeyedByClient),
			CountResets:   p.Has("bugs", BugCountResets),
			RemoveUnseen:  p.Has("bugs", BugRemoveUnseen),
		},
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("bugs", "%s", strings.TrimPrefix(err.Error(), "gossip: "))
	}
	return c, nil
}

// digest is the replica's object, canonically rendered (keys are not
// used: a replica holds one object).
func digest(n nodes.Node, _ []string) (string, bool) {
	switch s := n.(type) {
	case *gossip.Node:
		return s.Value().String(), true
	case *causal.Node:
		return TypeORSetOp + " " + s.Set().String() + " delivered " + s.Delivered().String(), true
	}
	return "", false
}

// Workloads returns the counter and set workload kinds.
func Workloads() []scenarios.WorkloadKind {
	return []scenarios.WorkloadKind{workload(crdtclient.KindCounter), workload(crdtclient.KindSet)}
}

func workload(kind string) scenarios.WorkloadKind {
	d := func(v time.Duration) string { return v.String() }
	common := []scenarios.ParamSpec{
		{Key: "attempt_timeout", Type: scenarios.ParamDuration, Positive: true, Default: d(crdtclient.DefaultAttemptTimeout),
			Help: "how long a client waits for one server before resending (reads and set adds: to another server)"},
		{Key: "think_max", Type: scenarios.ParamDuration, Help: "upper bound of a uniform pause between operations"},
	}
	k := scenarios.WorkloadKind{Name: kind, Liveness: true, Build: func(s scenarios.WorkloadSpec) (*scenarios.Clients, error) { return build(kind, s) }}
	switch kind {
	case crdtclient.KindCounter:
		k.Help = "add (a delta, negative for a decrement) and read on one counter, as Maelstrom's g-counter/pn-counter (nodes/crdt/crdtclient; check counter-bounds)"
		k.Ops = []string{crdt.OpAdd.String(), nodes.OpRead.String()}
		k.DefaultMix = []scenarios.MixEntry{{Op: crdt.OpAdd.String(), Weight: 50}, {Op: nodes.OpRead.String(), Weight: 50}}
		k.Params = append(common,
			scenarios.ParamSpec{Key: "delta_max", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(crdtclient.DefaultDeltaMax),
				Help: "an add's magnitude is uniform on 1..delta_max"},
			scenarios.ParamSpec{Key: "decrement_percent", Type: scenarios.ParamInt, Help: "share of adds that are decrements, 0..100 (pncounter only)"})
	case crdtclient.KindSet:
		k.Help = "add, remove and read on one set of elements e1..eN (nodes/crdt/crdtclient; check set-add-wins)"
		k.Ops = []string{crdt.OpAdd.String(), crdt.OpRemove.String(), nodes.OpRead.String()}
		k.DefaultMix = []scenarios.MixEntry{{Op: crdt.OpAdd.String(), Weight: 40}, {Op: crdt.OpRemove.String(), Weight: 20}, {Op: nodes.OpRead.String(), Weight: 40}}
		k.Params = append(common,
			scenarios.ParamSpec{Key: "elements", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(crdtclient.DefaultElements),
				Help: "the element space e1..eN"})
	}
	return k
}

// finalAt is when the clients take their final reads: three quarters
// into the heal window.
func finalAt(duration, heal time.Duration) time.Duration { return duration + heal*3/4 }

func build(kind string, s scenarios.WorkloadSpec) (*scenarios.Clients, error) {
	p := s.Params
	w := crdtclient.Workload{
		Kind:           kind,
		Add:            s.Weight(crdt.OpAdd.String()),
		Remove:         s.Weight(crdt.OpRemove.String()),
		Read:           s.Weight(nodes.OpRead.String()),
		Timeout:        s.Timeout,
		AttemptTimeout: p.Duration("attempt_timeout"),
		ThinkMax:       p.Duration("think_max"),
		MaxOps:         s.OpsPerClient,
		ProbeAt:        s.Duration,
		ProbeFor:       s.Heal,
		FinalReadAt:    finalAt(s.Duration, s.Heal),
	}
	if kind == crdtclient.KindCounter {
		w.DeltaMax, w.DecrementPercent = p.Int("delta_max"), p.Int("decrement_percent")
	} else {
		w.Elements = p.Int("elements")
	}
	if s.Rate > 0 {
		return nil, fmt.Errorf("the %s workload is closed-loop: rate is not supported", kind)
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "crdtclient: "))
	}
	return &scenarios.Clients{
		Factory: w.Factory(),
		Keys:    []string{""},
		Probe: func(n nodes.Node) bool {
			c, ok := n.(*crdtclient.Client)
			if !ok {
				return true
			}
			p := c.Probe()
			return !p.Started || p.OK
		},
	}, nil
}

// Checks returns the CRDT checks (registered with the node kind).
func Checks() []scenarios.CheckKind {
	only := func(kind string) func(*scenarios.NodeKind, *scenarios.WorkloadKind) string {
		return func(_ *scenarios.NodeKind, w *scenarios.WorkloadKind) string {
			if w.Name != kind {
				return fmt.Sprintf("it judges the %s workload's history, not %q's", kind, w.Name)
			}
			return ""
		}
	}
	return []scenarios.CheckKind{
		{
			Name:      CheckCounter,
			Help:      "every counter read lies within the bounds the history allows; final reads reflect every acknowledged add (see crdtkind.CounterBounds)",
			Class:     scenarios.Safety,
			Supported: only(crdtclient.KindCounter),
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				return CounterBounds(f.History, finalAt(f.Scenario.Run.Duration, f.Scenario.Run.Heal))
			},
		},
		{
			Name:      CheckRegister,
			Help:      "every value (every sibling) a register read returns was written by a write invoked before the read returned (see crdtkind.RegisterReads)",
			Class:     scenarios.Safety,
			Supported: only("register"),
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				return RegisterReads(f.History)
			},
		},
		{
			Name:      CheckSet,
			Help:      "every element a set read shows was added; final reads keep every acknowledged add no remove observed (see crdtkind.SetAddWins)",
			Class:     scenarios.Safety,
			Supported: only(crdtclient.KindSet),
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				return SetAddWins(f.History, finalAt(f.Scenario.Run.Duration, f.Scenario.Run.Heal))
			},
		},
	}
}
