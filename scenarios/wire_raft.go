package scenarios

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

// raftProtocol wires Raft KV: its factory and its online invariants
// (election safety, log matching, leader completeness, state-machine
// safety), checked after every handler.
func raftProtocol(cfg raftkv.Config) *Protocol {
	return &Protocol{
		Factory: raftkv.New(cfg),
		Digest: func(n nodes.Node, keys []string) (string, bool) {
			r, ok := n.(*raftkv.Node)
			if !ok {
				return "", false
			}
			var b strings.Builder
			fmt.Fprintf(&b, "applied=%d", r.Status().LastApplied)
			for _, k := range keys {
				if v, ok := r.Value(k); ok {
					fmt.Fprintf(&b, " %s=%q", k, v)
				}
			}
			return b.String(), true
		},
		Invariants: func(w *sim.Sim) {
			inv := raftkv.NewInvariants(func(id nodes.ID) *raftkv.Node {
				n, _ := w.Node(id).(*raftkv.Node)
				return n
			})
			w.AfterEachHandler(func(id nodes.ID) error {
				if id.IsClient() {
					return nil
				}
				return inv.Check(id)
			})
		},
	}
}
