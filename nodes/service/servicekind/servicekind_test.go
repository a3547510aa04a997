package servicekind_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes/service/servicekind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	servicekind.Register()
	os.Exit(m.Run())
}

// TestMetastablePatterns: with jitter, a retry budget and a breaker,
// goodput is back within recover_within of the overload's end.
func TestMetastablePatterns(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/metastable-patterns.yaml"), faultlinetest.Seeds(1))
}

// TestMetastableShedding: naive clients, but servers that shed before
// working: goodput is back at once.
func TestMetastableShedding(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/metastable-shedding.yaml"), faultlinetest.Seeds(1), faultlinetest.NoDeterminismCheck())
}

// TestShedAfterWork: the planted bug (admission after the work) collapses
// for good under the same trigger: recovers-within fails.
func TestShedAfterWork(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/bugs/metastable-shed-after-work.yaml"), faultlinetest.Seeds(1), faultlinetest.NoDeterminismCheck(),
		faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusLiveness), faultlinetest.Check(servicekind.CheckRecovers)))
}

// TestMetastableCompare: without the patterns the same trigger collapses
// for good (recovers-within fails on every seed); with jitter, budget and
// breaker, or with shedding servers, it recovers.
func TestMetastableCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("7 variants")
	}
	sc := faultlinetest.Load(t, "../../../scenarios/metastable-patterns.yaml")
	vs, err := sc.Variants()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"naive retries": false, "full jitter": false, "jitter + budget + breaker": true, "naive retries + server shedding": true}
	var judged []*scenarios.Scenario
	for _, v := range vs {
		if _, ok := want[strings.TrimPrefix(v.Name, sc.Name+"/")]; ok {
			judged = append(judged, v)
		}
	}
	rows, err := scenarios.Compare(context.Background(), judged, 1, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, r := range rows {
		name := strings.TrimPrefix(r.Name, sc.Name+"/")
		ok := want[name]
		if got := r.Counts[scenarios.StatusValid] == 1; got != ok {
			t.Errorf("%s: %v (want recovered %v)", name, r.Counts, ok)
		}
	}
}

func TestContract(t *testing.T) {
	t.Run("replicas", func(t *testing.T) { nodetest.Run(t, servicekind.Kind()) })
	t.Run("balancer", func(t *testing.T) {
		nodetest.Run(t, servicekind.Kind(), nodetest.Options{
			Params:         []scenarios.Param{{Key: "lb", Value: "p2c"}, {Key: "health_interval", Value: "50ms"}, {Key: "eject_after", Value: "3"}},
			WorkloadParams: []scenarios.Param{{Key: "via", Value: "n1"}, {Key: "max_attempts", Value: "3"}}})
	})
}

// TestParamErrors: bad policies are load errors at the parameter.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"cluster: {node: service, size: 3, params: {max_queue: -1}}\n", "max_queue"},
		{"cluster: {node: service, size: 3}\nworkload: {kind: requests, jitter: some}\n", "jitter"},
		{"cluster: {node: service, size: 3}\nworkload: {kind: requests, via: c1}\n", "via"},
		{"cluster: {node: service, size: 3}\nworkload: {kind: requests, backoff_base: 2s, backoff_max: 1s}\n", "backoff max 1s is below base 2s"},
		{"cluster: {node: service, size: 3}\nworkload: {kind: requests, budget: 1/10000}\n", "below 1/1000"},
	} {
		sc, err := scenarios.Parse("bad.yaml", []byte(c.yaml))
		if err == nil {
			_, err = scenarios.Build(sc, 1, scenarios.RunOptions{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.yaml, err, c.want)
		}
	}
}

func TestLBSlowReplica(t *testing.T) {
	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/lb-slow-replica.yaml"), faultlinetest.Seeds(1))
}

// TestLBRanking: under one slow replica, round robin loses requests and
// has the worst p99; least-outstanding and p2c lose none.
func TestLBRanking(t *testing.T) {
	sc := faultlinetest.Load(t, "../../../scenarios/lb-slow-replica.yaml")
	vs, err := sc.Variants()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := scenarios.Compare(context.Background(), vs, 1, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]scenarios.CompareRow{}
	for _, r := range rows {
		by[strings.TrimPrefix(r.Name, sc.Name+"/")] = r
	}
	rr := by["round-robin"]
	for _, name := range []string{"least-outstanding", "p2c", "p2c+ejection"} {
		r := by[name]
		if r.Availability < 0.999 || r.LatencyP99 >= rr.LatencyP99 || r.Availability <= rr.Availability {
			t.Errorf("%s: available %.3f, p99 %v; round robin %.3f, %v", name, r.Availability, r.LatencyP99, rr.Availability, rr.LatencyP99)
		}
	}
	if rr.Availability > 0.9 {
		t.Errorf("round robin kept %.3f available under a 10x slow replica", rr.Availability)
	}
}
