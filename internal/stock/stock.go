// Package stock assembles the protocols and workloads the stock faultline
// binary ships with. The runner (scenarios) knows none of them; the
// command, and the tests that run the library's scenarios, register this
// set through Register.
package stock

import (
	"sync"

	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
	"github.com/faultline/faultline/scenarios"
)

var once sync.Once

// Register registers the stock node kinds and workloads (once per process).
func Register() {
	once.Do(func() {
		scenarios.RegisterNode(raftkvkind.Kind())
		for _, w := range kvkind.Workloads() {
			scenarios.RegisterWorkload(w)
		}
	})
}
