package dynamo

import (
	"fmt"
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// Invariants are the online checks of a run, judged after every server
// handler from the servers' Events:
//
//   - acknowledged replica writes are durable: a server never holds an
//     older record of a key than one it acknowledged as a replica, across
//     restarts (a crash loses only what was not yet synced, and an ack
//     waits for the sync);
//   - no stale answers (strict quorums with R+W > N only): an operation
//     answers a record at least as new as every record any coordinator
//     answered before the operation arrived — a read sees every write
//     acknowledged before it (and every read answered before it), and a
//     write is versioned above all of them, so last-writer-wins can never
//     discard an acknowledged write in favour of an older one.
type Invariants struct {
	strict bool
	node   func(nodes.ID) *Node
	newest map[string]Record              // key → newest record answered
	need   map[nodes.ID]map[uint64]Record // coordinator → op → newest at arrival
	acked  map[nodes.ID]map[string]Record // server → key → newest acked as replica
}

// NewInvariants returns the invariants of a cluster configured with cfg;
// node returns the live server with an id (nil when it is down).
func NewInvariants(cfg Config, node func(nodes.ID) *Node) *Invariants {
	return &Invariants{
		strict: !cfg.Sloppy && cfg.Overlapping(),
		node:   node,
		newest: map[string]Record{},
		need:   map[nodes.ID]map[uint64]Record{},
		acked:  map[nodes.ID]map[string]Record{},
	}
}

// Check judges what server id's last handler did.
func (inv *Invariants) Check(id nodes.ID) error {
	n := inv.node(id)
	if n == nil {
		return nil
	}
	for _, e := range n.Events() {
		switch e.Kind {
		case EvStarted:
			delete(inv.need, id)
		case EvArrived:
			if inv.strict {
				if inv.need[id] == nil {
					inv.need[id] = map[uint64]Record{}
				}
				inv.need[id][e.Op] = inv.newest[e.Key]
			}
		case EvAnswered:
			want, ok := inv.need[id][e.Op]
			delete(inv.need[id], e.Op)
			if ok && e.Rec.Less(want) {
				if e.Read {
					return fmt.Errorf("dynamo: stale read: %v answered a read of key %q with %v, older than %v, answered before the read arrived", id, e.Key, e.Rec, want)
				}
				return fmt.Errorf("dynamo: write versioned below an acknowledged one: %v wrote key %q as %v, older than %v, answered before the write arrived (last writer wins will discard it)", id, e.Key, e.Rec, want)
			}
			if inv.newest[e.Key].Less(e.Rec) {
				inv.newest[e.Key] = e.Rec
			}
		case EvReplicaAcked:
			if inv.acked[id] == nil {
				inv.acked[id] = map[string]Record{}
			}
			if inv.acked[id][e.Key].Less(e.Rec) {
				inv.acked[id][e.Key] = e.Rec
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(inv.acked[id])) {
		if got, want := n.Record(k), inv.acked[id][k]; got.Less(want) {
			return fmt.Errorf("dynamo: acknowledged write lost: %v acknowledged %v for key %q as a replica, and now holds %v", id, want, k, got)
		}
	}
	return nil
}
