package scenarios_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/scenarios"
)

// A workload kind's parameters sit beside the common fields and reach the
// clients typed: every kv.Workload knob is reachable from YAML.
func TestWorkloadParamsReachTheClients(t *testing.T) {
	sc, err := scenarios.Parse("w.yaml", []byte(`name: w
cluster: {node: raftkv, size: 3}
workload:
  kind: kv
  clients: 2
  keys: 4
  timeout: 2s
  rate: 50/s
  route: any
  attempt_timeout: 30ms
  backoff_min: 1ms
  backoff_max: 40ms
  pending_max: 2
  values: small
  value_range: 3
  cas_mismatch_ok: true
  info_max_per_key: 5
  max_ops: 100
  probe_clients: 1
run: {duration: 2s, heal: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	w, err := scenarios.Build(sc, 1, scenarios.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Sim.Run(time.Millisecond)
	c, ok := w.Sim.Node(nodes.ClientID(1)).(*kv.Client)
	if !ok {
		t.Fatalf("client is a %T", w.Sim.Node(nodes.ClientID(1)))
	}
	got := c.Workload()
	want := kv.Workload{Kind: kv.KindKV, Keys: 4, Mix: kv.Mix{Get: 50, Put: 30, Append: 10, CAS: 10}, Values: kv.ValuesSmall, ValueRange: 3,
		CASMismatchOK: true, Timeout: 2 * time.Second, AttemptTimeout: 30 * time.Millisecond, BackoffMin: time.Millisecond,
		BackoffMax: 40 * time.Millisecond, InfoMaxPerKey: 5, Route: kv.RouteAny, Mode: kv.ModeOpen, Interval: 20 * time.Millisecond,
		PendingMax: 2, MaxOps: 100, ProbeAt: 2 * time.Second, ProbeFor: time.Second, ProbeClients: 1}
	if got != want {
		t.Errorf("client workload\n got %+v\nwant %+v", got, want)
	}
}

// The node kind's declarations decide what a scenario may ask for; the
// defaults follow them (the checks a kind cannot feed are left out).
func TestDefaultsFollowTheKinds(t *testing.T) {
	sc, err := scenarios.Parse("d.yaml", []byte("name: d\ncluster: {node: digestless}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Workload.Kind != "register" || sc.Cluster.Size != 5 || len(sc.Check) != 2 || sc.Check[0] != "linearizable" || sc.Check[1] != "liveness" {
		t.Errorf("defaults: workload %q, size %d, checks %v", sc.Workload.Kind, sc.Cluster.Size, sc.Check)
	}
	if o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{}); o.Failed() {
		t.Errorf("digestless seed 1: %s: %s", o.Status, o.Reason)
	}
	sc, err = scenarios.Parse("r.yaml", []byte("name: r\ncluster: {node: raftkv}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Workload.Kind != "kv" || sc.Workload.Keys != 10 || len(sc.Check) != 3 {
		t.Errorf("raftkv defaults: workload %q, keys %d, checks %v", sc.Workload.Kind, sc.Workload.Keys, sc.Check)
	}
}

// A user check registers by name and runs over the history and the
// final states; its verdict composes into the run's status by its class,
// and a check that panics is Unknown, never a pass.
func TestUserCheck(t *testing.T) {
	var sawOps int
	scenarios.RegisterCheck(scenarios.CheckKind{
		Name:  "test-servers-up",
		Help:  "every server is up at the end (a test check; seed 2 is rejected, seed 3 panics)",
		Class: scenarios.Liveness,
		Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
			sawOps = len(f.History.Ops)
			switch f.Seed {
			case 2:
				return checker.Result{Verdict: checker.Invalid, Explanation: "seed 2 is rejected"}
			case 3:
				panic("boom")
			}
			for _, id := range f.Servers {
				if f.Node(id) == nil {
					return checker.Result{Verdict: checker.Invalid, Explanation: id.String() + " is down"}
				}
			}
			return checker.Result{Verdict: checker.Valid}
		},
	})
	sc, err := scenarios.Parse("u.yaml", []byte(`name: u
cluster: {node: raftkv, size: 3}
run: {duration: 2s, heal: 1s}
check: [linearizable, test-servers-up]
nemesis:
  script:
    - {at: 1s, fault: "crash n2"}
`))
	if err != nil {
		t.Fatal(err)
	}
	for seed, want := range map[uint64]scenarios.Status{1: scenarios.StatusValid, 2: scenarios.StatusLiveness, 3: scenarios.StatusUnknown} {
		o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		if o.Status != want || sawOps == 0 {
			t.Errorf("seed %d: %s (%s) after seeing %d operations, want %s", seed, o.Status, o.Reason, sawOps, want)
		}
		last := o.Checks[len(o.Checks)-1]
		if last.Name != "linearizable(kv)" || o.Checks[len(o.Checks)-2].Name != "test-servers-up" {
			t.Errorf("seed %d: checks %+v", seed, o.Checks)
		}
	}
}

// A checker.Checker over the history is a check by one line.
func TestHistoryCheck(t *testing.T) {
	scenarios.RegisterCheck(scenarios.HistoryCheck("test-no-failed-ops", scenarios.Safety, "no operation ended Fail (a test check)",
		checker.Func("no-failed-ops", func(h *checker.History, _ checker.Options) checker.Result {
			for _, op := range h.Ops {
				if op.Outcome == nodes.Fail {
					return checker.Result{Verdict: checker.Invalid, Explanation: op.String() + " failed"}
				}
			}
			return checker.Result{Verdict: checker.Valid}
		})))
	sc, err := scenarios.Parse("h.yaml", []byte(`name: h
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 3, mix: {cas: 1}, values: small, value_range: 2}
run: {duration: 2s, heal: 1s}
check: [test-no-failed-ops]
`))
	if err != nil {
		t.Fatal(err)
	}
	o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
	if o.Status != scenarios.StatusInvalid || !strings.Contains(o.Reason, "failed") || o.Checks[0].Name != "test-no-failed-ops" {
		t.Errorf("a cas-only workload over two values has rejected cas operations (Fail): got %s %+v", o.Status, o.Checks)
	}
}

// Only the clients that probe are judged by liveness (probe_clients).
func TestProbeClients(t *testing.T) {
	sc, err := scenarios.Parse("p.yaml", []byte(`name: p
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 4, probe_clients: 1}
run: {duration: 2s, heal: 2s}
check: [liveness]
`))
	if err != nil {
		t.Fatal(err)
	}
	if o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{}); o.Failed() {
		t.Fatalf("%s: %s", o.Status, o.Reason)
	}
}

// nemesis.generate.intensity reaches the generated faults, and a scenario
// written back keeps it.
func TestGeneratedIntensity(t *testing.T) {
	sc, err := scenarios.LoadFile("testdata/intensity.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := scenarios.Schedule(sc, 3)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, st := range sched.Steps {
		texts = append(texts, st.Fault.String())
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"10ms..100ms", "1/5"} {
		if !strings.Contains(all, want) {
			t.Errorf("no generated fault carries %s:\n%s", want, all)
		}
	}
	back, err := scenarios.Parse("again.yaml", scenarios.Format(sc))
	if err != nil || back.Nemesis.Generate.Intensity != sc.Nemesis.Generate.Intensity {
		t.Errorf("round trip: %v\n%s", err, scenarios.Format(sc))
	}
}
