package multileader

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/vclock"
)

// Policy is how concurrent writes to a key are reconciled.
type Policy string

// The conflict policies (scenario parameter conflicts).
const (
	// LWW keeps, per key, the version with the largest Stamp.
	LWW Policy = "lww"
	// Vectors keeps every version no other version dominates (siblings).
	Vectors Policy = "vectors"
)

// Stamp orders lww versions: the accepting replica's wall clock in
// milliseconds, then the replica's id, then the replica's own write
// counter (so two writes at one replica in one millisecond keep their
// order). Millisecond stamps make ties between replicas real; they are
// broken by the replica id, the same way everywhere.
type Stamp struct {
	Millis int64
	Origin nodes.ID
	Seq    uint64
}

// Less orders stamps: Millis, then Origin, then Seq.
func (a Stamp) Less(b Stamp) bool {
	if a.Millis != b.Millis {
		return a.Millis < b.Millis
	}
	if a.Origin != b.Origin {
		return a.Origin < b.Origin
	}
	return a.Seq < b.Seq
}

func (a Stamp) String() string { return fmt.Sprintf("%dms@%v#%d", a.Millis, a.Origin, a.Seq) }

// Vector is a version vector: per replica, how many of its writes to the
// key a version includes. It is the shared vector clock type
// (nodes/vclock): a missing entry is zero, and it is rendered and compared
// in replica order.
type Vector = vclock.Vector

// Version is one value of a key with what orders it: Stamp under LWW,
// Vector under Vectors (the other field is zero).
type Version struct {
	Value  string
	Stamp  Stamp  `json:",omitzero"`
	Vector Vector `json:",omitempty"`
}

// String renders a version as the digest and the trace show it:
// `"c1-3"@12ms@n2#4` or `"c1-3"@[n1:2 n3:1]`.
func (x Version) String() string {
	if x.Vector != nil {
		return fmt.Sprintf("%q@%v", x.Value, x.Vector)
	}
	return fmt.Sprintf("%q@%v", x.Value, x.Stamp)
}

func (x Version) clone() Version { x.Vector = maps.Clone(x.Vector); return x }

func cloneVersions(vs []Version) []Version {
	out := make([]Version, len(vs))
	for i, x := range vs {
		out[i] = x.clone()
	}
	return out
}

// sortSiblings puts siblings in their canonical order: by vector, then
// value.
func sortSiblings(vs []Version) {
	slices.SortFunc(vs, func(a, b Version) int {
		if c := strings.Compare(a.Vector.String(), b.Vector.String()); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// Render is the canonical text of a key's versions, the one the state
// digest and the anti-entropy hash are built from.
func Render(vs []Version) string {
	parts := make([]string, len(vs))
	for i, x := range vs {
		parts[i] = x.String()
	}
	return strings.Join(parts, " ")
}
