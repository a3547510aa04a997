package abd

import (
	"testing"

	"github.com/faultline/faultline/nodes"
)

func TestTagOrder(t *testing.T) {
	tags := []Tag{{}, {TS: 1, Node: 3, N: 9}, {TS: 2, Node: 1, N: 1}, {TS: 2, Node: 1, N: 2}, {TS: 2, Node: 2, N: 1}}
	for i := range tags {
		for j := range tags {
			if got, want := tags[i].Less(tags[j]), i < j; got != want {
				t.Errorf("%v.Less(%v) = %v, want %v", tags[i], tags[j], got, want)
			}
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	st := newState()
	st.Counter = 7
	st.Data["k1"] = Version{Tag: Tag{TS: 3, Node: 2, N: 7}, Value: "c1-4", Exists: true, Client: nodes.ClientID(1), Seq: 4}
	st.Sessions[nodes.ClientID(1)] = Record{Seq: 4, Tag: Tag{TS: 3, Node: 2, N: 7}}
	b := st.encode()
	got, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Counter != 7 || got.Data["k1"] != st.Data["k1"] || got.Sessions[nodes.ClientID(1)] != st.Sessions[nodes.ClientID(1)] {
		t.Errorf("round trip: got %+v, want %+v", got, st)
	}
	b[len(b)-2] ^= 1
	if _, err := decodeState(b); err == nil {
		t.Error("a flipped bit decoded without error")
	}
}

func TestMostCommon(t *testing.T) {
	a, b := Tag{TS: 1, Node: 1, N: 1}, Tag{TS: 1, Node: 2, N: 1}
	for _, c := range []struct {
		in   []Tag
		want Tag
	}{
		{[]Tag{a}, a},
		{[]Tag{a, b, a}, a},
		{[]Tag{b, a}, b}, // a tie goes to the highest
	} {
		if got := mostCommon(c.in); got != c.want {
			t.Errorf("mostCommon(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
