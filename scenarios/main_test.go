package scenarios_test

import (
	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
	"github.com/faultline/faultline/scenarios"
)

// The runner knows no protocol: its tests register the ones they run, as
// the faultline command does, plus "digestless": Raft KV declaring none of
// its capabilities (no digest, invariants or leader; the register workload
// only; one node suffices), for the load errors that capabilities decide.
func init() {
	stock.Register()
	k := raftkvkind.Kind()
	k.Name = "digestless"
	k.Help = "Raft KV declaring no capabilities (a test fixture)"
	k.Digest, k.Invariants, k.Leader, k.MinSize = false, false, false, 0
	k.Workloads = []string{"register"}
	scenarios.RegisterNode(k)
	// "test-misspelt": Raft KV declaring a replication message it never sends.
	k = raftkvkind.Kind()
	k.Name = "test-misspelt"
	k.Help = "Raft KV whose HuntShape.Replication names a message it never sends (a test fixture)"
	k.Hunt.Replication = "AppendEntry"
	scenarios.RegisterNode(k)
	registerHugePanic()
	registerLeaky()
}
