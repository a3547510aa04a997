package crdt

import (
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// MVRegister is a multi-value register: the writes no other write it has
// seen supersedes. Each write carries the version vector of what its
// replica had seen plus itself; merge keeps the writes that no other
// write's vector dominates. Concurrent writes stay side by side.
type MVRegister struct {
	Versions []MVVersion `json:"versions,omitempty"`
}

// MVVersion is one sibling.
type MVVersion struct {
	Value string `json:"value"`
	VV    VV     `json:"vv"`
}

// Write replaces every version seen here with v, as replica id.
func (r *MVRegister) Write(id nodes.ID, v string) {
	vv := VV{}
	for _, x := range r.Versions {
		vv.Merge(x.VV)
	}
	vv[id]++
	r.Versions = []MVVersion{{Value: v, VV: vv}}
}

// Values lists the siblings' values, sorted and deduplicated.
func (r MVRegister) Values() []string {
	var vs []string
	for _, x := range r.Versions {
		vs = append(vs, x.Value)
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}

// Merge keeps every version of either side not dominated by a version of
// the other (nor equal to one kept already), and reports whether that
// changed r.
func (r *MVRegister) Merge(o MVRegister) (changed bool) {
	before := r.Versions
	all := append(slices.Clone(r.Versions), o.Versions...)
	var keep []MVVersion
	for i, x := range all {
		dominated := false
		for j, y := range all {
			if i != j && x.VV.LessEq(y.VV) && !(y.VV.LessEq(x.VV) && j > i) {
				dominated = true
				break
			}
		}
		if !dominated {
			keep = append(keep, MVVersion{Value: x.Value, VV: x.VV.Clone()})
		}
	}
	slices.SortFunc(keep, func(a, b MVVersion) int {
		if c := strings.Compare(a.Value, b.Value); c != 0 {
			return c
		}
		return strings.Compare(a.VV.String(), b.VV.String())
	})
	r.Versions = keep
	return !r.Equal(MVRegister{Versions: before})
}

// Equal reports the same siblings (Merge keeps them in canonical order).
func (r MVRegister) Equal(o MVRegister) bool {
	if len(r.Versions) != len(o.Versions) {
		return false
	}
	for i, x := range r.Versions {
		y := o.Versions[i]
		if x.Value != y.Value || !x.VV.Equal(y.VV) {
			return false
		}
	}
	return true
}

// String renders one version: "v@{n1:2}".
func (x MVVersion) String() string { return x.Value + "@" + x.VV.String() }

// String renders the siblings in canonical order.
func (r MVRegister) String() string {
	parts := make([]string, len(r.Versions))
	for i, x := range r.Versions {
		parts[i] = x.String()
	}
	slices.Sort(parts)
	return "[" + strings.Join(parts, " ") + "]"
}
