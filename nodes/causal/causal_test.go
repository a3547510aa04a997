package causal

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
)

func TestStampOrder(t *testing.T) {
	c := func(i int) nodes.ID { return nodes.ClientID(i) }
	for _, tc := range []struct {
		a, b Stamp
		less bool
	}{
		{Stamp{1, c(9), 9}, Stamp{2, c(1), 1}, true},  // Lamport time first
		{Stamp{2, c(1), 9}, Stamp{2, c(2), 1}, true},  // then the client
		{Stamp{2, c(1), 1}, Stamp{2, c(1), 2}, true},  // then its seq (an info write and the next)
		{Stamp{2, c(1), 2}, Stamp{2, c(1), 2}, false}, // a copy of one write is not newer
		{Stamp{}, Stamp{1, c(1), 1}, true},            // never written is oldest
	} {
		if got := tc.a.Less(tc.b); got != tc.less {
			t.Errorf("%v < %v = %v, want %v", tc.a, tc.b, got, tc.less)
		}
	}
}

func TestContextRoundTrip(t *testing.T) {
	for _, c := range []Context{
		{Deps: Deps{}},
		{Time: 12, Deps: Deps{}, Replica: nodes.NodeID(2)},
		{Time: 40, Replica: nodes.NodeID(1), Deps: Deps{
			"k1":  {Time: 12, Client: nodes.ClientID(3), Seq: 4<<32 | 7},
			"":    {Time: 3, Client: nodes.ClientID(1), Seq: 1},
			"a b": {Time: 5, Client: nodes.ClientID(2), Seq: 2}, // a key with a space
		}},
	} {
		s := c.Encode()
		back, err := DecodeContext(s)
		if err != nil || back.Encode() != s || back.Time != c.Time || back.Replica != c.Replica || len(back.Deps) != len(c.Deps) {
			t.Errorf("%+v encodes as %q, reads back as %+v, %v", c, s, back, err)
		}
	}
	if got := (Context{Time: 7, Replica: nodes.NodeID(3), Deps: Deps{"k1": {Time: 6, Client: nodes.ClientID(2), Seq: 5}}}).Encode(); got != `L7@n3 "k1"=6/c2/5` {
		t.Errorf("Encode = %q", got)
	}
	if c, err := DecodeContext(""); err != nil || c.Time != 0 || c.Deps == nil {
		t.Errorf("the empty context: %+v, %v", c, err)
	}
	for _, bad := range []string{"12", "Lx", `L1 k1=1/c1/1`, `L1 "k1"1/c1/1`, `L1 "k1"=1/n1/1`, `L1 "k1"=1/c1`, "L1@c2"} {
		if _, err := DecodeContext(bad); err == nil || !strings.Contains(err.Error(), "causal: context") {
			t.Errorf("DecodeContext(%q) = %v, want an error naming the context", bad, err)
		}
	}
}

func TestDeps(t *testing.T) {
	d := Deps{}
	s1 := Stamp{Time: 3, Client: nodes.ClientID(1), Seq: 1}
	s2 := Stamp{Time: 5, Client: nodes.ClientID(2), Seq: 1}
	d.Observe("k1", s2)
	d.Observe("k1", s1) // older: ignored
	if d["k1"] != s2 {
		t.Errorf("Observe kept %v, want the newer %v", d["k1"], s2)
	}
	c := d.Clone()
	c.Observe("k2", s1)
	if len(d) != 1 {
		t.Error("a clone shares its entries")
	}
	n := &Node{st: state{Data: map[string]Version{"k1": {Key: "k1", Stamp: s2}}}}
	if !n.visible(Deps{"k1": s1}) || !n.visible(Deps{"k1": s2}) || n.visible(Deps{"k1": s2, "k2": s1}) {
		t.Error("visible: a later version covers an earlier dependency; a missing key does not")
	}
}
