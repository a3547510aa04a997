package raftkv

import (
	"maps"
	"slices"
	"testing"

	"github.com/faultline/faultline/nodes"
)

// TestSessionTableIsAMap: the session table (clients by ordinal in a
// slice, anything else in a map) holds what a map would, and lists its IDs
// sorted.
func TestSessionTableIsAMap(t *testing.T) {
	var tab sessionTable
	model := map[nodes.ID]session{}
	ids := []nodes.ID{nodes.ClientID(3), 2, nodes.ClientID(1), nodes.ClientID(maxSessionSlot + 1), nodes.ClientID(maxSessionSlot),
		nodes.ClientID(3), 5, nodes.ClientID(40), 2, -1}
	for i, id := range ids {
		ss := session{Seq: uint64(i + 1), Result: result{Value: id.String()}}
		tab.put(id, ss)
		model[id] = ss
		for _, q := range append(ids, nodes.ClientID(2), 1, nodes.ClientID(41)) {
			got, ok := tab.get(q)
			w, wok := model[q]
			if ok != wok || got != w {
				t.Fatalf("after %d puts: get(%v) = %+v, %v; want %+v, %v", i+1, q, got, ok, w, wok)
			}
		}
		if got, want := tab.ids(), slices.Sorted(maps.Keys(model)); !slices.Equal(got, want) {
			t.Fatalf("after %d puts: ids %v, want %v", i+1, got, want)
		}
	}
}
