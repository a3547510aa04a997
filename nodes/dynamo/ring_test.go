package dynamo

import (
	"slices"
	"testing"

	"github.com/faultline/faultline/nodes"
)

func TestRing(t *testing.T) {
	ids := []nodes.ID{1, 2, 3, 4, 5}
	r := NewRing(ids, 8)
	counts := map[nodes.ID]int{}
	for i := range 200 {
		key := "k" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		w := r.Walk(key)
		if len(w) != len(ids) {
			t.Fatalf("walk of %q: %v, want every server once", key, w)
		}
		s := slices.Clone(w)
		slices.Sort(s)
		if !slices.Equal(s, ids) {
			t.Fatalf("walk of %q: %v is not a permutation of %v", key, w, ids)
		}
		if p := r.Preference(key, 3); !slices.Equal(p, w[:3]) {
			t.Fatalf("preference of %q: %v, want the walk's first 3 %v", key, p, w[:3])
		}
		if !slices.Equal(w, NewRing([]nodes.ID{5, 3, 1, 4, 2}, 8).Walk(key)) {
			t.Fatalf("walk of %q depends on the order servers are given", key)
		}
		counts[w[0]]++
	}
	for _, id := range ids {
		if counts[id] == 0 {
			t.Errorf("%v coordinates none of 200 keys: %v", id, counts)
		}
	}
	if p := r.Preference("k1", 9); len(p) != len(ids) {
		t.Errorf("preference longer than the cluster: %v", p)
	}
}

func TestRecordCodec(t *testing.T) {
	for _, c := range []struct {
		owner nodes.ID
		r     Record
	}{
		{0, Record{Key: "k1", Version: Version{7, 2}, Value: "c1-3", Exists: true, Client: nodes.ClientID(1), Seq: 3,
			Sessions: []Session{{nodes.ClientID(1), 3}, {nodes.ClientID(4), 9}}}},
		{3, Record{Key: "", Version: Version{1, 1}, Value: "", Exists: true}},
	} {
		b := encode(c.owner, c.r)
		owner, r, err := decode(b)
		if err != nil || owner != c.owner || !r.Same(c.r) || !slices.Equal(r.Sessions, c.r.Sessions) {
			t.Errorf("round trip of %v (owner %v): got %v owner %v err %v", c.r, c.owner, r, owner, err)
		}
		b[len(b)/2] ^= 1
		if _, _, err := decode(b); err == nil {
			t.Errorf("a flipped bit in %v decoded without error", c.r)
		}
	}
}

func TestRecordOrder(t *testing.T) {
	a := Record{Version: Version{2, 1}, Value: "x", Exists: true}
	b := Record{Version: Version{2, 2}, Value: "a", Exists: true}
	c := Record{Version: Version{2, 2}, Value: "b", Exists: true}
	if !(Record{}).Less(a) || !a.Less(b) || !b.Less(c) || c.Less(b) || !c.Same(c) {
		t.Error("records are not ordered by counter, then coordinator, then value")
	}
	s := a.sessionsWith(5, 3)
	s = Record{Sessions: s}.sessionsWith(2, 7)
	if r := (Record{Sessions: s}); !r.applied(5, 3) || !r.applied(2, 1) || r.applied(2, 8) || r.applied(9, 1) {
		t.Errorf("session table %v", s)
	}
}
