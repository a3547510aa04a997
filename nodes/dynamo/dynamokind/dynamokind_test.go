package dynamokind_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/dynamo"
	"github.com/faultline/faultline/nodes/dynamo/dynamokind"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	scenarios.RegisterNode(dynamokind.Kind())
	os.Exit(m.Run())
}

// TestContract: the node contract, strict and sloppy, with both workloads.
func TestContract(t *testing.T) {
	nodetest.Run(t, dynamokind.Kind())
	nodetest.Run(t, dynamokind.Kind(), nodetest.Options{Workload: "register"})
	nodetest.Run(t, dynamokind.Kind(), nodetest.Options{Params: []scenarios.Param{{Key: "sloppy", Value: "true"}}})
}

// Every planted bug of dynamo.Bugs has a name.
func TestBugNames(t *testing.T) {
	if n := reflect.TypeFor[dynamo.Bugs]().NumField(); n != len(dynamokind.BugNames) {
		t.Errorf("dynamo.Bugs has %d fields, BugNames %d names", n, len(dynamokind.BugNames))
	}
}

// TestParamErrors: a bad combination is a load error at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{"{n: 3, r: 4}", "r 4 is above n 3"},
		{"{n: 2, w: 3}", "w 3 is above n 2"},
		{"{r: 0}", "r"},
		{"{bugs: ack-before-fsync}", "ack-before-fsync"},
		{"{sloppy: maybe}", "sloppy"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: dynamo, size: 3, params: "+c.params+"}\nworkload: {route: any}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
}
