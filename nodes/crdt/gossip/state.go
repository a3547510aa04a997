package gossip

import (
	"fmt"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// StateFile is the one file a replica keeps in its store.
const StateFile = "crdt-state"

// Value is a replica's replicated object: the field of its Type is used,
// the others stay zero. It is what gossip carries.
type Value struct {
	Type Type             `json:"type"`
	G    crdt.GCounter    `json:"g"`
	PN   crdt.PNCounter   `json:"pn"`
	Set  crdt.ORSet       `json:"set"`
	LWW  crdt.LWWRegister `json:"lww"`
	MV   crdt.MVRegister  `json:"mv"`
}

// Clone returns a deep copy.
func (v Value) Clone() Value {
	out := Value{Type: v.Type, G: v.G.Clone(), PN: v.PN.Clone(), Set: v.Set.Clone(), LWW: v.LWW}
	out.MV.Merge(v.MV)
	return out
}

// Equal reports equal objects.
func (v Value) Equal(o Value) bool {
	return v.Type == o.Type && v.G.Equal(o.G) && v.PN.Equal(o.PN) && v.Set.Equal(o.Set) &&
		v.LWW == o.LWW && v.MV.Equal(o.MV)
}

// String renders the object canonically: equal objects render equally
// (the convergence digest).
func (v Value) String() string {
	switch v.Type {
	case GCounter:
		return "gcounter " + v.G.String()
	case PNCounter:
		return "pncounter " + v.PN.String()
	case ORSet:
		return "orset " + v.Set.String()
	case LWW:
		return "lww " + v.LWW.String()
	case MVReg:
		return "mvreg " + v.MV.String()
	}
	panic(fmt.Sprintf("gossip: value of unknown type %q", v.Type))
}

// Read renders what a client read returns: the counter's value in
// decimal, the set's elements sorted and comma-separated (the checker's
// set form), the register's value or its siblings (nodes.JoinSiblings).
func (v Value) Read() (out string, exists bool) {
	switch v.Type {
	case GCounter:
		return fmt.Sprint(v.G.Value()), true
	case PNCounter:
		return fmt.Sprint(v.PN.Value()), true
	case ORSet:
		return joinSet(v.Set.Elements()), true
	case LWW:
		return v.LWW.Value, v.LWW.Set
	case MVReg:
		vs := v.MV.Values()
		return nodes.JoinSiblings(vs), len(vs) > 0
	}
	panic(fmt.Sprintf("gossip: value of unknown type %q", v.Type))
}

func joinSet(elems []string) string {
	out := ""
	for i, e := range slices.Sorted(slices.Values(elems)) {
		if i > 0 {
			out += ","
		}
		out += e
	}
	return out
}

// Session is a replica's record of one client's latest update: its Seq
// and the reply it got, resent to a retry of the same Seq.
type Session struct {
	Seq   uint64   `json:"seq"`
	Reply kv.Reply `json:"reply"`
}

// state is what a replica persists.
type state struct {
	Value    Value                `json:"value"`
	Sessions map[nodes.ID]Session `json:"sessions,omitempty"`
}

func (st *state) encode() []byte { return durable.SealJSON(st) }

func decodeState(b []byte) (state, error) {
	var st state
	if err := durable.OpenJSON(b, &st); err != nil {
		return st, fmt.Errorf("gossip: %s: %v", StateFile, err)
	}
	if st.Sessions == nil {
		st.Sessions = map[nodes.ID]Session{}
	}
	return st, nil
}
