package crdt

import (
	"fmt"
	"maps"

	"github.com/faultline/faultline/nodes"
)

// GCounter is a grow-only counter: per replica, the sum of the increments
// that replica performed. Only the replica itself raises its own entry.
type GCounter struct {
	Counts map[nodes.ID]uint64 `json:"counts,omitempty"`
}

// Inc adds n to replica id's entry (as replica id).
func (g *GCounter) Inc(id nodes.ID, n uint64) {
	if g.Counts == nil {
		g.Counts = map[nodes.ID]uint64{}
	}
	g.Counts[id] += n
}

// Entry is replica id's entry.
func (g GCounter) Entry(id nodes.ID) uint64 { return g.Counts[id] }

// Value is the counter: the sum of the entries.
func (g GCounter) Value() uint64 {
	var sum uint64
	//faultline:orderless summing; addition commutes
	for _, n := range g.Counts {
		sum += n
	}
	return sum
}

// Merge raises every entry to the maximum of g's and o's, and reports
// whether that changed g.
func (g *GCounter) Merge(o GCounter) (changed bool) {
	if len(o.Counts) > 0 && g.Counts == nil {
		g.Counts = map[nodes.ID]uint64{}
	}
	return VV(g.Counts).Merge(VV(o.Counts))
}

// Clone returns a deep copy.
func (g GCounter) Clone() GCounter {
	if g.Counts == nil {
		return GCounter{}
	}
	return GCounter{Counts: maps.Clone(g.Counts)}
}

// Equal reports equal entries (a zero entry equals a missing one).
func (g GCounter) Equal(o GCounter) bool { return VV(g.Counts).Equal(VV(o.Counts)) }

// String renders the value and the entries: "5 {n1:3 n2:2}".
func (g GCounter) String() string { return fmt.Sprintf("%d %v", g.Value(), VV(g.Counts)) }

// PNCounter is a counter that goes up and down: the increments and the
// decrements are two GCounters.
type PNCounter struct {
	P GCounter `json:"p"`
	N GCounter `json:"n"`
}

// Add adds delta (which may be negative) as replica id.
func (c *PNCounter) Add(id nodes.ID, delta int64) {
	switch {
	case delta > 0:
		c.P.Inc(id, uint64(delta))
	case delta < 0:
		c.N.Inc(id, uint64(-delta))
	}
}

// Value is the increments minus the decrements.
func (c PNCounter) Value() int64 { return int64(c.P.Value() - c.N.Value()) }

// Merge merges both halves, and reports whether that changed c.
func (c *PNCounter) Merge(o PNCounter) (changed bool) {
	p := c.P.Merge(o.P)
	return c.N.Merge(o.N) || p
}

// Clone returns a deep copy.
func (c PNCounter) Clone() PNCounter { return PNCounter{P: c.P.Clone(), N: c.N.Clone()} }

// Equal reports equal halves.
func (c PNCounter) Equal(o PNCounter) bool { return c.P.Equal(o.P) && c.N.Equal(o.N) }

// String renders the value and both halves: "3 +{n1:5} -{n2:2}".
func (c PNCounter) String() string {
	return fmt.Sprintf("%d +%v -%v", c.Value(), VV(c.P.Counts), VV(c.N.Counts))
}

// LWWRegister is a last-writer-wins register. Stamp orders writes by the
// writer's wall clock (nanoseconds), then by replica id, then by the
// replica's own write counter (so one replica's writes in one clock tick
// stay ordered).
type LWWRegister struct {
	Value string `json:"value,omitempty"`
	Set   bool   `json:"set,omitempty"`
	Stamp Stamp  `json:"stamp"`
}

// Stamp orders LWW writes.
type Stamp struct {
	Wall int64    `json:"wall"`
	Node nodes.ID `json:"node"`
	N    uint64   `json:"n"`
}

// Less orders stamps lexicographically.
func (s Stamp) Less(o Stamp) bool {
	switch {
	case s.Wall != o.Wall:
		return s.Wall < o.Wall
	case s.Node != o.Node:
		return s.Node < o.Node
	}
	return s.N < o.N
}

// Write sets the value with stamp s if it is higher than the current one
// (a writer passes max(its clock, current wall + 1) to stay monotonic).
func (r *LWWRegister) Write(v string, s Stamp) {
	if r.Stamp.Less(s) {
		r.Value, r.Set, r.Stamp = v, true, s
	}
}

// Merge keeps the write with the higher stamp, and reports whether that
// changed r.
func (r *LWWRegister) Merge(o LWWRegister) (changed bool) {
	if r.Stamp.Less(o.Stamp) {
		*r = o
		return true
	}
	return false
}

// String renders the value and stamp.
func (r LWWRegister) String() string {
	if !r.Set {
		return "unset"
	}
	return fmt.Sprintf("%q@%d.%v.%d", r.Value, r.Stamp.Wall, r.Stamp.Node, r.Stamp.N)
}
