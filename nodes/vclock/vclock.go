package vclock

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// Lamport is a Lamport clock: the highest logical time this process has
// produced or seen. The zero value is a clock at time 0.
type Lamport uint64

// Tick advances the clock for a local event and returns the event's time.
func (l *Lamport) Tick() uint64 {
	*l++
	return uint64(*l)
}

// Observe advances the clock past a time received from elsewhere (a
// message's stamp) and returns the clock's new time. Observing an older
// time leaves the clock as it is.
func (l *Lamport) Observe(t uint64) uint64 {
	*l = max(*l, Lamport(t))
	return uint64(*l)
}

// Time returns the clock's current time.
func (l Lamport) Time() uint64 { return uint64(l) }

// Stamp is a Lamport time made unique and totally ordered by the process
// that made it: (Time, Process).
type Stamp struct {
	Time    uint64
	Process nodes.ID
}

// Less orders stamps by Time, then Process.
func (a Stamp) Less(b Stamp) bool {
	if a.Time != b.Time {
		return a.Time < b.Time
	}
	return a.Process < b.Process
}

func (a Stamp) String() string { return fmt.Sprintf("%d@%v", a.Time, a.Process) }

// Order is how two vector clocks relate.
type Order uint8

// The four outcomes of Vector.Compare.
const (
	// Equal: both include the same events.
	Equal Order = iota + 1
	// Before: the receiver's events are a strict subset of the argument's
	// (it happened before).
	Before
	// After: the receiver includes every event of the argument, and more.
	After
	// Concurrent: each includes an event the other lacks.
	Concurrent
)

func (o Order) String() string {
	switch o {
	case Equal:
		return "equal"
	case Before:
		return "before"
	case After:
		return "after"
	case Concurrent:
		return "concurrent"
	}
	return "order?"
}

// Vector is a vector clock: per process, how many of its events are
// included. A missing entry is zero, so a nil Vector is the empty clock
// for reading; use Tick or Merge (which return the updated vector) to
// build one.
type Vector map[nodes.ID]uint64

// Tick counts one more event of process p and returns v (a new vector if
// v was nil).
func (v Vector) Tick(p nodes.ID) Vector {
	if v == nil {
		v = Vector{}
	}
	v[p]++
	return v
}

// Merge raises every entry of v to at least w's and returns v (a new
// vector if v was nil): v becomes the join of the two.
func (v Vector) Merge(w Vector) Vector {
	if v == nil {
		v = Vector{}
	}
	//faultline:orderless building a map of maxima; max commutes
	for p, c := range w {
		v[p] = max(v[p], c)
	}
	return v
}

// Compare tells how v relates to w.
func (v Vector) Compare(w Vector) Order {
	ge, le := v.Descends(w), w.Descends(v)
	switch {
	case ge && le:
		return Equal
	case ge:
		return After
	case le:
		return Before
	}
	return Concurrent
}

// Descends reports whether v includes every event w includes (v ≥ w).
func (v Vector) Descends(w Vector) bool {
	//faultline:orderless a for-all test: which entry fails first does not change the answer
	for p, c := range w {
		if v[p] < c {
			return false
		}
	}
	return true
}

// Equal reports whether v and w include the same events.
func (v Vector) Equal(w Vector) bool { return v.Descends(w) && w.Descends(v) }

// Dominates reports v > w: v descends from w and differs from it.
func (v Vector) Dominates(w Vector) bool { return v.Descends(w) && !w.Descends(v) }

// Concurrent reports that neither vector descends from the other.
func (v Vector) Concurrent(w Vector) bool { return !v.Descends(w) && !w.Descends(v) }

// Join returns the entry-wise maximum of v and w as a new vector (never
// nil), leaving both unchanged.
func (v Vector) Join(w Vector) Vector {
	j := maps.Clone(v)
	if j == nil {
		j = Vector{}
	}
	return j.Merge(w)
}

// Clone returns a copy of v (never nil).
func (v Vector) Clone() Vector { return v.Join(nil) }

// String renders v as "[n1:2 n3:1]", in process order, zero entries left
// out.
func (v Vector) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for _, p := range slices.Sorted(maps.Keys(v)) {
		if v[p] == 0 {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%v:%d", p, v[p])
	}
	b.WriteByte(']')
	return b.String()
}
