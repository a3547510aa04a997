// Package stock assembles the protocols and workloads the stock faultline
// binary ships with. The runner (scenarios) knows none of them; the
// command, and the tests that run the library's scenarios, register this
// set through Register.
package stock

import (
	"sync"

	"github.com/faultline/faultline/nodes/abd/abdkind"
	"github.com/faultline/faultline/nodes/dynamo/dynamokind"
	"github.com/faultline/faultline/nodes/etcdraft/etcdraftkind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/multileader/multileaderkind"
	"github.com/faultline/faultline/nodes/pb/pbkind"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
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
	return []scenarios.NodeKind{raftkvkind.Kind(), dynamokind.Kind(), multileaderkind.Kind(), abdkind.Kind(), pbkind.Kind(), etcdraftkind.Kind()}
}

// Workloads returns the stock workload kinds.
func Workloads() []scenarios.WorkloadKind { return kvkind.Workloads() }
