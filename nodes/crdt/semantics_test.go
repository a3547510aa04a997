package crdt

import (
	"slices"
	"testing"

	"github.com/faultline/faultline/nodes"
)

var n1, n2, n3 = nodes.NodeID(1), nodes.NodeID(2), nodes.NodeID(3)

func TestORSetSemantics(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func() ORSet
		want []string
	}{
		{"add then observed remove", func() ORSet {
			var a ORSet
			a.Add(n1, "x")
			a.Remove("x")
			return a
		}, nil},
		{"a remove elsewhere of an observed add", func() ORSet {
			var a, b ORSet
			a.Add(n1, "x")
			b.Merge(a.Clone())
			b.Remove("x")
			a.Merge(b.Clone())
			return a
		}, nil},
		{"concurrent add and remove: the add wins", func() ORSet {
			var a, b ORSet
			a.Add(n1, "x")
			b.Merge(a.Clone())
			a.Add(n1, "x") // unseen by b
			b.Remove("x")  // removes n1.1 only
			b.Merge(a.Clone())
			return b
		}, []string{"x"}},
		{"re-add after remove", func() ORSet {
			var a, b ORSet
			a.Add(n1, "x")
			a.Remove("x")
			b.Merge(a.Clone())
			b.Add(n2, "x")
			a.Merge(b.Clone())
			return a
		}, []string{"x"}},
	} {
		if got := c.run().Elements(); !slices.Equal(got, c.want) {
			t.Errorf("%s: elements %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMergeDroppingUnseen: the planted bug's merge deletes an add the
// other replica has not seen; the correct merge keeps it.
func TestMergeDroppingUnseen(t *testing.T) {
	var a, b ORSet
	a.Add(n1, "x")
	good, bad := a.Clone(), a.Clone()
	good.Merge(b)
	bad.MergeDroppingUnseen(b)
	if !good.Contains("x") {
		t.Errorf("correct merge lost an add the other side never saw: %v", good)
	}
	if bad.Contains("x") {
		t.Errorf("buggy merge kept the unseen add; the planted bug would not show: %v", bad)
	}
}

func TestCounters(t *testing.T) {
	var g GCounter
	g.Inc(n1, 2)
	g.Inc(n2, 3)
	o := g.Clone()
	o.Inc(n2, 1)
	g.Merge(o)
	g.Merge(o)
	if g.Value() != 6 || g.Entry(n2) != 4 {
		t.Errorf("gcounter %v, want 6 with n2 at 4", g)
	}
	var p PNCounter
	p.Add(n1, 5)
	p.Add(n2, -7)
	q := p.Clone()
	q.Add(n3, 1)
	p.Merge(q)
	if p.Value() != -1 {
		t.Errorf("pncounter %v, want -1", p)
	}
}

func TestRegisters(t *testing.T) {
	var a, b LWWRegister
	a.Write("old", Stamp{Wall: 10, Node: n1, N: 1})
	b.Write("new", Stamp{Wall: 10, Node: n2, N: 1})
	a.Merge(b)
	if a.Value != "new" {
		t.Errorf("lww tie broken by replica: got %v, want new", a)
	}
	var m, r MVRegister
	m.Write(n1, "x")
	r.Merge(m)
	m.Write(n1, "y") // supersedes x
	r.Write(n2, "z") // concurrent with y
	m.Merge(r)
	if got := m.Values(); !slices.Equal(got, []string{"y", "z"}) {
		t.Errorf("mv siblings %v, want [y z]", got)
	}
	m.Write(n1, "w")
	r.Merge(m)
	if got := r.Values(); !slices.Equal(got, []string{"w"}) {
		t.Errorf("mv after a write that saw both: %v, want [w]", got)
	}
}

func TestDotText(t *testing.T) {
	ds := []Dot{{n2, 7}, {n1, 12}}
	s := FormatDots(ds)
	if s != "n1.12,n2.7" {
		t.Fatalf("FormatDots = %q", s)
	}
	back, err := ParseDots(s)
	if err != nil || len(back) != 2 || back[0] != (Dot{n1, 12}) {
		t.Fatalf("ParseDots(%q) = %v, %v", s, back, err)
	}
	for _, bad := range []string{"n1", "n1.0", "x.3", "n1.03", "n1.-1"} {
		if _, err := ParseDot(bad); err == nil {
			t.Errorf("ParseDot(%q) accepted", bad)
		}
	}
}
