package crdt

import (
	"fmt"
	"testing"

	fuzz "github.com/google/gofuzz"

	"github.com/faultline/faultline/nodes"
)

// step is one generated action: replica Replica applies an operation of
// kind Kind, or merges the state of replica From.
type step struct {
	Replica, From, Kind, Elem uint8
	Delta                     int8
	Wall                      uint8
}

// replicated is what the property tests need of a type.
type replicated[T any] struct {
	name  string
	zero  func() T
	apply func(t *T, id nodes.ID, s step)
	merge func(t *T, o T) bool
	clone func(t T) T
	equal func(a, b T) bool
	show  func(t T) string
}

// reachable runs a generated script over three replicas and returns
// their states: states any real execution could produce (generating
// the types' raw fields instead would give states no replica reaches,
// such as a dot outside its set's context).
func reachable[T any](r replicated[T], script []step) [3]T {
	var st [3]T
	for i := range st {
		st[i] = r.zero()
	}
	for _, s := range script {
		i := int(s.Replica) % 3
		if s.Kind%4 == 0 {
			r.merge(&st[i], r.clone(st[int(s.From)%3]))
			continue
		}
		r.apply(&st[i], nodes.NodeID(i+1), s)
	}
	return st
}

func elem(s step) string { return string(rune('a' + s.Elem%4)) }

var types = []any{
	replicated[GCounter]{name: "GCounter", zero: func() GCounter { return GCounter{} },
		apply: func(t *GCounter, id nodes.ID, s step) { t.Inc(id, uint64(s.Delta&7)) },
		merge: func(t *GCounter, o GCounter) bool { return t.Merge(o) }, clone: GCounter.Clone,
		equal: GCounter.Equal, show: GCounter.String},
	replicated[PNCounter]{name: "PNCounter", zero: func() PNCounter { return PNCounter{} },
		apply: func(t *PNCounter, id nodes.ID, s step) { t.Add(id, int64(s.Delta)) },
		merge: func(t *PNCounter, o PNCounter) bool { return t.Merge(o) }, clone: PNCounter.Clone,
		equal: PNCounter.Equal, show: PNCounter.String},
	replicated[LWWRegister]{name: "LWWRegister", zero: func() LWWRegister { return LWWRegister{} },
		apply: func(t *LWWRegister, id nodes.ID, s step) {
			st := Stamp{Wall: int64(s.Wall), Node: id, N: t.Stamp.N + 1}
			if st.Wall < t.Stamp.Wall {
				st.Wall = t.Stamp.Wall
			}
			t.Write(elem(s), st)
		},
		merge: func(t *LWWRegister, o LWWRegister) bool { return t.Merge(o) }, clone: func(t LWWRegister) LWWRegister { return t },
		equal: func(a, b LWWRegister) bool { return a == b }, show: LWWRegister.String},
	replicated[ORSet]{name: "ORSet", zero: func() ORSet { return ORSet{} },
		apply: func(t *ORSet, id nodes.ID, s step) {
			if s.Kind%2 == 0 {
				t.Remove(elem(s))
			} else {
				t.Add(id, elem(s))
			}
		},
		merge: func(t *ORSet, o ORSet) bool { return t.Merge(o) }, clone: ORSet.Clone,
		equal: ORSet.Equal, show: ORSet.String},
	replicated[MVRegister]{name: "MVRegister", zero: func() MVRegister { return MVRegister{} },
		apply: func(t *MVRegister, id nodes.ID, s step) { t.Write(id, elem(s)) },
		merge: func(t *MVRegister, o MVRegister) bool { return t.Merge(o) },
		clone: func(t MVRegister) MVRegister { var c MVRegister; c.Merge(t); return c },
		equal: func(a, b MVRegister) bool { return a.String() == b.String() }, show: MVRegister.String},
}

// laws checks that merge is commutative, associative and idempotent over
// the states of generated scripts, and that merging converges replicas.
func laws[T any](t *testing.T, r replicated[T], seeds int) {
	t.Helper()
	m := func(a, b T) T { a = r.clone(a); r.merge(&a, r.clone(b)); return a }
	for seed := range int64(seeds) {
		var script []step
		fuzz.NewWithSeed(seed).NilChance(0).NumElements(1, 40).Fuzz(&script)
		st := reachable(r, script)
		a, b, c := st[0], st[1], st[2]
		fail := func(law string, x, y T) {
			t.Fatalf("%s: seed %d: %s fails:\n  a=%s\n  b=%s\n  c=%s\n  %s\n  ≠ %s", r.name, seed, law, r.show(a), r.show(b), r.show(c), r.show(x), r.show(y))
		}
		if x, y := m(a, b), m(b, a); !r.equal(x, y) {
			fail("commutativity a⊔b = b⊔a", x, y)
		}
		if x, y := m(m(a, b), c), m(a, m(b, c)); !r.equal(x, y) {
			fail("associativity (a⊔b)⊔c = a⊔(b⊔c)", x, y)
		}
		if x := m(a, a); !r.equal(x, a) {
			fail("idempotence a⊔a = a", x, a)
		}
		if x := m(m(a, b), b); !r.equal(x, m(a, b)) {
			fail("idempotence (a⊔b)⊔b = a⊔b", x, m(a, b))
		}
		x := r.clone(a)
		if changed := r.merge(&x, r.clone(b)); changed == r.equal(x, a) {
			fail(fmt.Sprintf("Merge reports changed=%v", changed), x, a)
		}
	}
}

func TestMergeLaws(t *testing.T) {
	for _, ty := range types {
		switch r := ty.(type) {
		case replicated[GCounter]:
			t.Run(r.name, func(t *testing.T) { laws(t, r, 2000) })
		case replicated[PNCounter]:
			t.Run(r.name, func(t *testing.T) { laws(t, r, 2000) })
		case replicated[LWWRegister]:
			t.Run(r.name, func(t *testing.T) { laws(t, r, 2000) })
		case replicated[ORSet]:
			t.Run(r.name, func(t *testing.T) { laws(t, r, 2000) })
		case replicated[MVRegister]:
			t.Run(r.name, func(t *testing.T) { laws(t, r, 2000) })
		}
	}
}
