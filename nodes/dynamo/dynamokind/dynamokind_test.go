package dynamokind_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

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

// TestClientBudget: a server's wait for the key's coordinator (timeout)
// plus the coordinator's budget (op_timeout) must end before the client's
// attempt does, or every slow operation is retried elsewhere while it
// still runs; the load error names the parameter to change.
func TestClientBudget(t *testing.T) {
	for _, c := range []struct{ params, workload, want string }{
		{"{}", "{route: any}", ""}, // 20ms + 60ms below 100ms
		{"{op_timeout: 79ms}", "{route: any}", ""},
		{"{op_timeout: 80ms}", "{route: any}", "cluster.params.op_timeout: timeout 20ms + op_timeout 80ms = 100ms is not below the clients' attempt_timeout 100ms"},
		{"{timeout: 50ms, op_timeout: 60ms}", "{route: any}", "cluster.params.op_timeout: timeout 50ms + op_timeout 60ms = 110ms is not below"},
		{"{op_timeout: 150ms}", "{route: any, attempt_timeout: 250ms}", ""},
		{"{op_timeout: 150ms}", "{route: any, attempt_timeout: 150ms}", "raise workload.attempt_timeout above 170ms"},
		{"{}", "{route: any, attempt_timeout: 50ms}", "workload.attempt_timeout: timeout 20ms + op_timeout 60ms = 80ms is not below the clients' attempt_timeout 50ms"},
		{"{}", "{kind: register, route: any, attempt_timeout: 80ms}", "(raise attempt_timeout above 80ms)"},
	} {
		_, err := scenarios.Parse("budget.yaml", []byte("cluster: {node: dynamo, size: 3, params: "+c.params+"}\nworkload: "+c.workload+"\n"))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("params %s, workload %s: %v, want it to load", c.params, c.workload, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("params %s, workload %s: got error %v, want one containing %q", c.params, c.workload, err, c.want)
		}
	}
}

// The client-timeout floor of a swarm seed counts the clients that may
// queue on one key: a dynamo coordinator runs one operation per key at a
// time, each queued ahead adding KeyRoundTrips to RoundTrips. At the
// hunt's hot-key seed 7000125 (six clients on one key, 18ms links, 25ms
// syncs, a drawn 478ms timeout) every write gave up in the key's queue and
// the correct store failed liveness; the floor now raises the timeout to
// fourteen round trips' worth and the seed passes.
func TestTimeoutFloorCountsTheKeyQueue(t *testing.T) {
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "dynamo"})
	if err != nil {
		t.Fatal(err)
	}
	x := scenarios.ApplySwarm(sc, 7000125)
	rt := 2*x.Network.Latency.Max + x.Disk.SyncLatency.Max
	for _, c := range []struct{ clients, keys, trips int }{
		{1, 1, 4},  // alone: RoundTrips
		{3, 4, 4},  // fewer clients than keys: no queue counted
		{6, 4, 6},  // two clients per key (rounded up): one queued ahead
		{6, 3, 6},  // two per key
		{6, 1, 14}, // the hot key: five queued ahead, two round trips each
	} {
		y := x.Clone()
		y.Workload.Clients, y.Workload.Keys = c.clients, c.keys
		got, want := scenarios.SwarmTimeoutFloor(y), time.Duration(2*c.trips)*rt
		if d := got - want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%d clients on %d keys: floor %v, want %d round trips of %v (%v)", c.clients, c.keys, got, 2*c.trips, rt, want)
		}
	}
	if x.Workload.Keys != 1 || x.Workload.Timeout < scenarios.SwarmTimeoutFloor(x) {
		t.Fatalf("hunt seed 7000125: %d keys, timeout %v, floor %v: want the hot key, raised to its floor", x.Workload.Keys, x.Workload.Timeout, scenarios.SwarmTimeoutFloor(x))
	}
	o := scenarios.RunSeed(sc, 7000125, scenarios.RunOptions{})
	t.Logf("hunt seed 7000125: timeout %v, %s, %d operations", x.Workload.Timeout, o.Status, o.Ops)
	if o.Status != scenarios.StatusValid {
		t.Errorf("the correct dynamo at hunt seed 7000125: %s: %s", o.Status, o.Reason)
	}
}
