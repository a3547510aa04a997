// Package stock assembles the protocols and workloads the stock faultline
// binary ships with. The runner (scenarios) knows none of them; the
// command, and the tests that run the library's scenarios, register this
// set through Register.
package stock

import (
	"sync"

	"github.com/faultline/faultline/nodes/abd/abdkind"
	"github.com/faultline/faultline/nodes/bank/bankkind"
	"github.com/faultline/faultline/nodes/causal/causalkind"
	"github.com/faultline/faultline/nodes/crdt/crdtkind"
	"github.com/faultline/faultline/nodes/dynamo/dynamokind"
	"github.com/faultline/faultline/nodes/etcdraft/etcdraftkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/multileader/multileaderkind"
	"github.com/faultline/faultline/nodes/paxos/paxoskind"
	"github.com/faultline/faultline/nodes/pb/pbkind"
	"github.com/faultline/faultline/nodes/queue/queuekind"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
	"github.com/faultline/faultline/nodes/saga/sagakind"
	"github.com/faultline/faultline/nodes/service/servicekind"
	"github.com/faultline/faultline/nodes/shardkv/shardkvkind"
	"github.com/faultline/faultline/nodes/swim/swimkind"
	"github.com/faultline/faultline/nodes/twopc/twopckind"
	"github.com/faultline/faultline/scenarios"
)

var once sync.Once

// Register registers the stock node kinds and workloads (once per process).
func Register() {
	once.Do(func() {
		for _, k := range Nodes() {
			scenarios.RegisterNode(k)
		}
		for _, w := range Workloads() {
			scenarios.RegisterWorkload(w)
		}
	})
}

// Nodes returns the stock node kinds.
func Nodes() []scenarios.NodeKind {
	return []scenarios.NodeKind{
		raftkvkind.Kind(),
		dynamokind.Kind(),
		multileaderkind.Kind(),
		abdkind.Kind(),
		pbkind.Kind(),
		twopckind.Kind(),
		sagakind.Kind(),
		servicekind.Kind(),
		queuekind.Kind(),
		causalkind.Kind(),
		swimkind.Kind(),
		crdtkind.Kind(),
		paxoskind.Kind(),
		etcdraftkind.Kind(),
		shardkvkind.Kind(),
	}
}

// Workloads returns the stock workload kinds.
func Workloads() []scenarios.WorkloadKind {
	var ws []scenarios.WorkloadKind
	ws = append(ws, kvkind.Workloads()...)
	ws = append(ws, crdtkind.Workloads()...)
	return append(ws,
		bankkind.Workload(),
		servicekind.Workload(),
		queuekind.Workload(),
		swimkind.Workload(),
	)
}
