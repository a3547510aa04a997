package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// NodeKind is a protocol the runner can build by name.
type NodeKind struct {
	Name string
	Help string
	// Params documents the protocol's parameters (key, default, help).
	Params []ParamSpec
	// CheckParams validates parameters; errors should be *Error values
	// pointing at the parameter's Pos.
	CheckParams func(ps []Param) error
	// Build makes the protocol for one run.
	Build func(ps []Param, size int) (*Protocol, error)
}

// ParamSpec documents one protocol parameter.
type ParamSpec struct {
	Key, Default, Help string
}

// Protocol is a built protocol: how to make nodes, and the online
// invariants to install on a world.
type Protocol struct {
	Factory nodes.Factory
	// Invariants installs online invariants (may be nil).
	Invariants func(w *sim.Sim)
	// Digest summarises a live node's applied state over keys for the
	// convergence check (nil: the protocol does not support it).
	Digest func(n nodes.Node, keys []string) (string, bool)
}

var nodeKinds = map[string]NodeKind{}

// RegisterNode makes a protocol available to scenarios by name.
func RegisterNode(k NodeKind) {
	if _, dup := nodeKinds[k.Name]; dup {
		panic("scenarios: node kind registered twice: " + k.Name)
	}
	nodeKinds[k.Name] = k
}

// NodeKindNames lists registered node kinds, sorted.
func NodeKindNames() []string { return sortedKeys(nodeKinds) }

// LookupNode returns a registered node kind.
func LookupNode(name string) (NodeKind, bool) {
	k, ok := nodeKinds[name]
	return k, ok
}

// CheckSpec is a checker the scenario's check list can name.
type CheckSpec struct {
	Name, Help string
}

var checks = map[string]CheckSpec{
	"linearizable": {"linearizable", "Porcupine linearizability of the client history, per key (time-budgeted; out of budget is Unknown)"},
	"invariants":   {"invariants", "the protocol's online invariants, checked after every handler; a violation stops the run at that step"},
	"liveness":     {"liveness", "after the heal, every client's operation must eventually succeed within the heal window"},
	"convergence":  {"convergence", "at the end of the heal window, every live replica has applied the same log and holds the same values"},
}

// CheckNames lists the known checks, sorted.
func CheckNames() []string { return sortedKeys(checks) }

// Checks returns the known checks, sorted by name.
func Checks() []CheckSpec {
	out := make([]CheckSpec, 0, len(checks))
	for _, n := range CheckNames() {
		out = append(out, checks[n])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// ParamError builds an *Error pointing at a parameter.
func ParamError(p Param, format string, args ...any) error {
	return &Error{Pos: p.Pos, Field: "cluster.params." + p.Key, Msg: fmt.Sprintf(format, args...)}
}

// UnknownParam is the error for a parameter a protocol does not have.
func UnknownParam(p Param, specs []ParamSpec) error {
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.Key
	}
	return ParamError(p, "unknown parameter (want one of: %s)", strings.Join(keys, ", "))
}
