package crdt

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// VV is a version vector: per replica, the highest counter seen. A
// missing entry is zero. The nil VV is the empty one (read-only: use
// Clone or make before writing).
type VV map[nodes.ID]uint64

// Clone returns a copy of v (never nil).
func (v VV) Clone() VV {
	out := make(VV, len(v))
	maps.Copy(out, v)
	return out
}

// Merge raises v to the pointwise maximum of v and o, and reports
// whether that changed v.
func (v VV) Merge(o VV) (changed bool) {
	//faultline:orderless a pointwise maximum is the same in any order
	for id, n := range o {
		if n > v[id] {
			v[id] = n
			changed = true
		}
	}
	return changed
}

// Covers reports whether v has seen dot d.
func (v VV) Covers(d Dot) bool { return d.N <= v[d.Node] }

// LessEq reports whether v ≤ o pointwise (o has seen all v has).
func (v VV) LessEq(o VV) bool {
	//faultline:orderless an all-entries test; the answer does not depend on the order
	for id, n := range v {
		if n > o[id] {
			return false
		}
	}
	return true
}

// Equal reports whether v and o have the same non-zero entries.
func (v VV) Equal(o VV) bool { return v.LessEq(o) && o.LessEq(v) }

// String renders the non-zero entries in replica order: "{n1:3 n2:1}".
func (v VV) String() string {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(v)) {
		if v[id] != 0 {
			parts = append(parts, fmt.Sprintf("%v:%d", id, v[id]))
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Dot names one event: the N-th counted by replica Node.
type Dot struct {
	Node nodes.ID
	N    uint64
}

// String renders the dot as "n2.7"; ParseDot reads it back.
func (d Dot) String() string { return fmt.Sprintf("%v.%d", d.Node, d.N) }

// ParseDot reads what Dot.String writes.
func ParseDot(s string) (Dot, error) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return Dot{}, fmt.Errorf("crdt: dot %q: want replica.counter such as n2.7", s)
	}
	id, ok := nodes.ParseID(s[:i])
	var n uint64
	_, err := fmt.Sscanf(s[i+1:], "%d", &n)
	if !ok || err != nil || n == 0 || fmt.Sprint(n) != s[i+1:] {
		return Dot{}, fmt.Errorf("crdt: dot %q: want replica.counter such as n2.7", s)
	}
	return Dot{Node: id, N: n}, nil
}

func dotLess(a, b Dot) int {
	if a.Node != b.Node {
		return int(a.Node) - int(b.Node)
	}
	switch {
	case a.N < b.N:
		return -1
	case a.N > b.N:
		return 1
	}
	return 0
}

// FormatDots renders dots sorted and comma-separated (the form removes
// report).
func FormatDots(ds []Dot) string {
	ds = slices.SortedFunc(slices.Values(ds), dotLess)
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// ParseDots reads what FormatDots writes ("" is no dots).
func ParseDots(s string) ([]Dot, error) {
	if s == "" {
		return nil, nil
	}
	var out []Dot
	for _, p := range strings.Split(s, ",") {
		d, err := ParseDot(p)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
