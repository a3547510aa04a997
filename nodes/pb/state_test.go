package pb

import (
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
)

// The state file round-trips, and a flipped bit is an error, not a
// silently different state.
func TestStateFile(t *testing.T) {
	st := state{View: 7, Primary: nodes.NodeID(2), Snap: newSnapshot()}
	st.Snap.LastNormal = 6
	for i := range 3 {
		st.Snap.apply(nodes.ClientID(1), uint64(i+1), &nodes.Op{Kind: nodes.OpAppend, Key: "k1", Value: "x;"})
	}
	b := st.encode()
	got, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Errorf("decoded %+v, want %+v", got, st)
	}
	b[len(b)/2] ^= 1
	if _, err := decodeState(b); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("a flipped bit decoded with error %v, want corrupt", err)
	}
}

// The hash chain answers for the last RecentHashes ops, and two states
// that applied different ops disagree from the first difference on.
func TestHashChain(t *testing.T) {
	a, b := newSnapshot(), newSnapshot()
	put := func(s *Snapshot, v string) {
		s.apply(nodes.ClientID(1), s.OpNum+1, &nodes.Op{Kind: nodes.OpPut, Key: "k", Value: v})
	}
	for i := range RecentHashes + 10 {
		put(&a, "v")
		if i == 5 {
			put(&b, "other")
		} else {
			put(&b, "v")
		}
	}
	if _, ok := a.HashAt(5); ok {
		t.Error("HashAt answers for an op older than the window")
	}
	if _, ok := a.HashAt(a.OpNum + 1); ok {
		t.Error("HashAt answers for an op not applied")
	}
	ha, _ := a.HashAt(a.OpNum)
	hb, _ := b.HashAt(b.OpNum)
	if ha == hb || ha != a.Hash() {
		t.Errorf("chains: %x and %x (Hash %x); want different, HashAt(OpNum) == Hash", ha, hb, a.Hash())
	}
	if a.Data["k"] != "v" || a.Sessions[nodes.ClientID(1)].Seq != a.OpNum {
		t.Errorf("state after the puts: %v, sessions %v", a.Data, a.Sessions)
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range Modes {
		m, err := ParseMode(s)
		if err != nil || m.String() != s {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseMode("semi"); err == nil {
		t.Error("ParseMode(semi) succeeded")
	}
}
