package multileader

import "testing"

func TestVectorOrder(t *testing.T) {
	a := Vector{1: 2, 3: 1}
	b := Vector{1: 1}
	c := Vector{2: 1}
	switch {
	case !a.Descends(b) || !a.Dominates(b) || b.Descends(a):
		t.Errorf("%v should dominate %v", a, b)
	case !a.Concurrent(c) || a.Descends(c) || c.Descends(a):
		t.Errorf("%v and %v should be concurrent", a, c)
	case !a.Equal(Vector{1: 2, 3: 1, 2: 0}):
		t.Errorf("a zero entry should not matter")
	}
	if got := a.Join(c).String(); got != "[n1:2 n2:1 n3:1]" {
		t.Errorf("join: got %s", got)
	}
	// The planted bug's comparison looks only at its left side's entries:
	// it takes b ≥ c for concurrent b and c.
	buggy := &Node{cfg: Config{Conflicts: Vectors, Bugs: Bugs{VectorCompareWrong: true}}}
	if !buggy.descends(b, c) || (&Node{}).descends(b, c) {
		t.Error("vector-compare-wrong should take concurrent vectors as descending; the correct compare should not")
	}
}

func TestStampOrder(t *testing.T) {
	x := Stamp{Millis: 5, Origin: 1, Seq: 9}
	y := Stamp{Millis: 5, Origin: 2, Seq: 1}
	if !x.Less(y) || y.Less(x) {
		t.Errorf("a tie in the clock goes to the larger replica id: %v < %v", x, y)
	}
	if !(Stamp{Millis: 5, Origin: 2, Seq: 1}).Less(Stamp{Millis: 5, Origin: 2, Seq: 2}) {
		t.Error("one replica's writes in one millisecond keep their order")
	}
}

func TestStateRoundTrip(t *testing.T) {
	st := newState()
	st.Data["k1"] = []Version{{Value: "a", Vector: Vector{1: 1}}, {Value: "b", Vector: Vector{2: 1}}}
	st.Context["k1"] = Vector{1: 1, 2: 1}
	st.Sessions[7] = Session{Seq: 3}
	got, err := decodeState(st.encode())
	if err != nil {
		t.Fatal(err)
	}
	if Render(got.Data["k1"]) != Render(st.Data["k1"]) || !got.Context["k1"].Equal(st.Context["k1"]) || !got.Sessions[7].Done {
		t.Errorf("round trip: got %+v", got)
	}
	b := st.encode()
	b[len(b)-2] ^= 1
	if _, err := decodeState(b); err == nil {
		t.Error("a flipped bit passed the checksum")
	}
}
