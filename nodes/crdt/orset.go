package crdt

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// ORSet is an add-wins observed-remove set of strings without tombstones.
// Entries holds, per present element, the dots of the adds that are not
// removed yet; Context holds every dot the replica has seen (added here,
// merged from elsewhere, removed or not). A dot in Context but in no
// entry was removed.
type ORSet struct {
	Entries map[string][]Dot `json:"entries,omitempty"`
	Context VV               `json:"context,omitempty"`
}

// Add adds elem as replica id with a fresh dot, which it returns. The
// dots of earlier adds of elem stay (a later remove reports them all).
func (s *ORSet) Add(id nodes.ID, elem string) Dot {
	if s.Entries == nil {
		s.Entries = map[string][]Dot{}
	}
	if s.Context == nil {
		s.Context = VV{}
	}
	s.Context[id]++
	d := Dot{Node: id, N: s.Context[id]}
	s.Entries[elem] = append(s.Entries[elem], d)
	return d
}

// Remove removes elem: the dots of the adds observed here, which it
// returns sorted. Adds elsewhere that this replica has not seen yet keep
// their dots and survive the merge (add wins).
func (s *ORSet) Remove(elem string) []Dot {
	ds := s.Entries[elem]
	delete(s.Entries, elem)
	return slices.SortedFunc(slices.Values(ds), dotLess)
}

// Contains reports whether elem is present.
func (s ORSet) Contains(elem string) bool { return len(s.Entries[elem]) > 0 }

// Elements lists the present elements, sorted.
func (s ORSet) Elements() []string { return slices.Sorted(maps.Keys(s.Entries)) }

// Dots returns elem's dots, sorted.
func (s ORSet) Dots(elem string) []Dot {
	return slices.SortedFunc(slices.Values(s.Entries[elem]), dotLess)
}

// Merge joins o into s: a dot stays if both sides hold it, or if one
// side holds it and the other has never seen it; the contexts join. It
// reports whether that changed s.
func (s *ORSet) Merge(o ORSet) (changed bool) { return s.merge(o, false) }

// MergeDroppingUnseen is a wrong merge kept for the planted bug
// remove-unseen (nodes/crdt/gossip): it reads an element missing on one
// side as removed there, without asking that side's context whether it
// has seen the add, so it deletes adds the other replica never saw.
func (s *ORSet) MergeDroppingUnseen(o ORSet) (changed bool) { return s.merge(o, true) }

func (s *ORSet) merge(o ORSet, dropUnseen bool) (changed bool) {
	out := map[string][]Dot{}
	elems := slices.Sorted(maps.Keys(s.Entries))
	for _, e := range slices.Sorted(maps.Keys(o.Entries)) {
		if _, ok := s.Entries[e]; !ok {
			elems = append(elems, e)
		}
	}
	for _, e := range elems {
		mine, theirs := s.Entries[e], o.Entries[e]
		if dropUnseen && (len(mine) == 0 || len(theirs) == 0) {
			changed = changed || len(mine) > 0
			continue
		}
		var keep []Dot
		for _, d := range mine {
			if slices.Contains(theirs, d) || !o.Context.Covers(d) {
				keep = append(keep, d)
			} else {
				changed = true
			}
		}
		for _, d := range theirs {
			if !slices.Contains(mine, d) && !s.Context.Covers(d) {
				keep = append(keep, d)
				changed = true
			}
		}
		if len(keep) > 0 {
			out[e] = slices.SortedFunc(slices.Values(keep), dotLess)
		}
	}
	s.Entries = out
	if s.Context == nil {
		s.Context = VV{}
	}
	return s.Context.Merge(o.Context) || changed
}

// Clone returns a deep copy.
func (s ORSet) Clone() ORSet {
	out := ORSet{Context: s.Context.Clone()}
	if len(s.Entries) > 0 {
		out.Entries = make(map[string][]Dot, len(s.Entries))
		//faultline:orderless copying into another map
		for e, ds := range s.Entries {
			out.Entries[e] = slices.Clone(ds)
		}
	}
	return out
}

// Equal reports equal entries (as sets of dots) and contexts.
func (s ORSet) Equal(o ORSet) bool {
	if !s.Context.Equal(o.Context) || len(s.Entries) != len(o.Entries) {
		return false
	}
	//faultline:orderless an all-entries test; the answer does not depend on the order
	for e, ds := range s.Entries {
		od, ok := o.Entries[e]
		if !ok || len(od) != len(ds) {
			return false
		}
		for _, d := range ds {
			if !slices.Contains(od, d) {
				return false
			}
		}
	}
	return true
}

// String renders the elements with their dots, then the context:
// "{a:n1.1,n2.3 b:n1.2} {n1:2 n2:3}". Equal sets render equally.
func (s ORSet) String() string {
	var parts []string
	for _, e := range s.Elements() {
		if len(s.Entries[e]) > 0 {
			parts = append(parts, e+":"+FormatDots(s.Entries[e]))
		}
	}
	return fmt.Sprintf("{%s} %v", strings.Join(parts, " "), s.Context)
}

// ApplyAdd is the op-based set's add effector: elem gains dot d, made by
// the add's origin (Context records it). Delivered exactly once and in
// causal order (nodes/crdt/causal), ApplyAdd and ApplyRemove of
// concurrent operations commute: a remove names only dots its origin had
// observed, never a concurrent add's.
func (s *ORSet) ApplyAdd(elem string, d Dot) {
	if s.Entries == nil {
		s.Entries = map[string][]Dot{}
	}
	if s.Context == nil {
		s.Context = VV{}
	}
	if !slices.Contains(s.Entries[elem], d) {
		s.Entries[elem] = append(s.Entries[elem], d)
	}
	if d.N > s.Context[d.Node] {
		s.Context[d.Node] = d.N
	}
}

// ApplyRemove is the op-based set's remove effector: elem loses the dots
// the remove observed at its origin; dots added concurrently stay.
func (s *ORSet) ApplyRemove(elem string, ds []Dot) {
	keep := slices.DeleteFunc(slices.Clone(s.Entries[elem]), func(d Dot) bool { return slices.Contains(ds, d) })
	if len(keep) == 0 {
		delete(s.Entries, elem)
		return
	}
	s.Entries[elem] = keep
}
