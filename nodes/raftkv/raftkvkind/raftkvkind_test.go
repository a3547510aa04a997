package raftkvkind_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func init() {
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	scenarios.RegisterNode(raftkvkind.Kind())
}

// Raft KV keeps the node contract, with each read mode.
func TestContract(t *testing.T) {
	for _, mode := range []string{"readindex", "log", "lease"} {
		t.Run(mode, func(t *testing.T) {
			nodetest.Run(t, raftkvkind.Kind(), nodetest.Options{Params: []scenarios.Param{{Key: "read_mode", Value: mode}}})
		})
	}
	// The hunt's swarm draws these (ParamSpec.Swarm): small batches, and
	// no CheckQuorum with lease reads, where a deposed leader lingers.
	t.Run("small-batches-no-checkquorum-lease", func(t *testing.T) {
		nodetest.Run(t, raftkvkind.Kind(), nodetest.Options{Params: []scenarios.Param{
			{Key: "max_entries_per_append", Value: "2"}, {Key: "check_quorum", Value: "false"}, {Key: "read_mode", Value: "lease"}}})
	})
}

// Every planted bug of raftkv.Bugs has a name scenarios can write (that
// each name plants its bug is shown by the library's bug scenarios going
// red: scenarios' TestBugScenariosGoRed); a name given twice is an error.
func TestBugNames(t *testing.T) {
	if n := reflect.TypeFor[raftkv.Bugs]().NumField(); n != len(raftkvkind.BugNames) {
		t.Errorf("raftkv.Bugs has %d fields, BugNames %d names", n, len(raftkvkind.BugNames))
	}
	if _, err := scenarios.Parse("x.yaml", []byte("cluster: {node: raftkv, params: {bugs: \"no-sessions, no-sessions\"}}\n")); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("a bug named twice: %v", err)
	}
}
