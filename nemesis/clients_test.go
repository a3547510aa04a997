package nemesis

import (
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// With ClientsFollowPartitions a partition cuts each client off with its
// home server (ci's is n((i-1) mod N + 1)); without it clients reach every
// server.
func TestClientsFollowPartitions(t *testing.T) {
	// n1 | n2,n3 on three servers.
	cuts := pairs([]int{0, 1, 2, 2})
	for _, follow := range []bool{false, true} {
		x := &ctx{clientsFollow: follow}
		ru := x.partition(newRule("partition n1", 3, cuts, dropAll))
		for _, c := range []struct {
			from, to    nodes.ID
			cutIfFollow bool
		}{
			{nodes.ClientID(1), nodes.NodeID(1), false}, // c1 is at home on n1's side
			{nodes.ClientID(1), nodes.NodeID(2), true},
			{nodes.NodeID(3), nodes.ClientID(1), true},
			{nodes.ClientID(2), nodes.NodeID(3), false}, // c2 lives with n2 and n3
			{nodes.ClientID(4), nodes.NodeID(2), true},  // c4's home is n1 again
			{nodes.ClientID(2), nodes.ClientID(1), false},
		} {
			dropped := ru.Judge(&sim.Packet{From: c.from, To: c.to}, nil).Action == sim.Drop
			if want := follow && c.cutIfFollow; dropped != want {
				t.Errorf("follow=%v: %v→%v dropped=%v, want %v", follow, c.from, c.to, dropped, want)
			}
		}
		if ru.Judge(&sim.Packet{From: nodes.NodeID(1), To: nodes.NodeID(2)}, nil).Action != sim.Drop {
			t.Errorf("follow=%v: the servers are not partitioned", follow)
		}
	}
}
