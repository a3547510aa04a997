package vclock_test

import (
	"encoding/json"
	"testing"

	"github.com/faultline/faultline/nodes/vclock"
)

func TestLamport(t *testing.T) {
	var a, b vclock.Lamport
	t1 := a.Tick() // a's write
	if t1 != 1 {
		t.Fatalf("first tick = %d, want 1", t1)
	}
	b.Tick()
	b.Tick()
	b.Tick() // b is at 3
	for _, c := range []struct {
		name     string
		observed uint64
		want     uint64
	}{
		{"a receives b's 3: jumps to it", b.Time(), 3},
		{"an older time leaves the clock alone", 2, 3},
		{"a newer one advances it", 7, 7},
	} {
		if got := a.Observe(c.observed); got != c.want {
			t.Errorf("%s: Observe(%d) = %d, want %d", c.name, c.observed, got, c.want)
		}
	}
	if got := a.Tick(); got != 8 {
		t.Errorf("a tick after observing 7 = %d, want 8 (above everything a has seen)", got)
	}
}

func TestStampOrder(t *testing.T) {
	for _, c := range []struct {
		a, b vclock.Stamp
		less bool
	}{
		{vclock.Stamp{Time: 1, Process: 9}, vclock.Stamp{Time: 2, Process: 1}, true},
		{vclock.Stamp{Time: 2, Process: 1}, vclock.Stamp{Time: 2, Process: 3}, true},
		{vclock.Stamp{Time: 2, Process: 3}, vclock.Stamp{Time: 2, Process: 3}, false},
		{vclock.Stamp{Time: 3, Process: 1}, vclock.Stamp{Time: 2, Process: 3}, false},
	} {
		if got := c.a.Less(c.b); got != c.less {
			t.Errorf("%v < %v = %v, want %v", c.a, c.b, got, c.less)
		}
	}
	if s := (vclock.Stamp{Time: 4, Process: 2}).String(); s != "4@n2" {
		t.Errorf("String = %q", s)
	}
}

func TestVectorCompare(t *testing.T) {
	for _, c := range []struct {
		name string
		v, w vclock.Vector
		want vclock.Order
	}{
		{"empty and nil", vclock.Vector{}, nil, vclock.Equal},
		{"zero entries do not count", vclock.Vector{1: 2, 2: 0}, vclock.Vector{1: 2}, vclock.Equal},
		{"strict subset", vclock.Vector{1: 1}, vclock.Vector{1: 2, 3: 1}, vclock.Before},
		{"strict superset", vclock.Vector{1: 2, 3: 1}, vclock.Vector{1: 1}, vclock.After},
		{"each has one the other lacks", vclock.Vector{1: 2}, vclock.Vector{2: 1}, vclock.Concurrent},
		{"crossed counts", vclock.Vector{1: 2, 2: 1}, vclock.Vector{1: 1, 2: 2}, vclock.Concurrent},
	} {
		got := c.v.Compare(c.w)
		if got != c.want {
			t.Errorf("%s: %v.Compare(%v) = %v, want %v", c.name, c.v, c.w, got, c.want)
		}
		if c.v.Descends(c.w) != (got == vclock.Equal || got == vclock.After) ||
			c.v.Dominates(c.w) != (got == vclock.After) ||
			c.v.Concurrent(c.w) != (got == vclock.Concurrent) ||
			c.v.Equal(c.w) != (got == vclock.Equal) {
			t.Errorf("%s: Descends/Dominates/Concurrent/Equal disagree with Compare %v", c.name, got)
		}
	}
}

func TestVectorTickMergeJoin(t *testing.T) {
	var v vclock.Vector
	v = v.Tick(1).Tick(1).Tick(3)
	if v.String() != "[n1:2 n3:1]" {
		t.Fatalf("ticks: %v", v)
	}
	w := vclock.Vector{2: 4, 3: 5}
	j := v.Join(w)
	if j.String() != "[n1:2 n2:4 n3:5]" || v.String() != "[n1:2 n3:1]" {
		t.Errorf("join %v, left %v (must stay unchanged)", j, v)
	}
	c := v.Clone()
	c.Tick(1)
	if v[1] != 2 {
		t.Error("a clone shares its entries")
	}
	var n vclock.Vector
	if m := n.Merge(w); !m.Equal(w) {
		t.Errorf("merge into nil = %v", m)
	}
	if (vclock.Vector{}).String() != "[]" {
		t.Error("empty vector renders as []")
	}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	var back vclock.Vector
	if err := json.Unmarshal(b, &back); err != nil || !back.Equal(j) {
		t.Errorf("JSON round trip: %s -> %v, %v", b, back, err)
	}
	if vclock.Concurrent.String() != "concurrent" || vclock.Before.String() != "before" {
		t.Error("Order names")
	}
}
