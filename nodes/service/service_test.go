package service_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/resilience"
	"github.com/faultline/faultline/nodes/service"
	"github.com/faultline/faultline/sim"
)

// burst is a client that sends n requests at once to n1 and counts the
// answers by status.
type burst struct {
	nodes.Base
	n   int
	got map[service.Status]int
}

func (b *burst) Start(env nodes.Env) {
	for i := range b.n {
		env.Send(1, service.Request{Seq: uint64(i + 1), Attempt: 1})
	}
}
func (b *burst) Message(_ nodes.Env, _ nodes.ID, m nodes.Message) {
	b.got[m.(service.Response).Status]++
}

func TestAdmission(t *testing.T) {
	cases := []struct {
		name     string
		cfg      service.Config
		ok, shed int
		lastAt   time.Duration // when the last answer left
	}{
		{"unbounded", service.Config{Work: time.Millisecond}, 20, 0, 21 * time.Millisecond},
		{"bounded queue", service.Config{Work: time.Millisecond, MaxQueue: 5}, 6, 14, 7 * time.Millisecond},
		{"token bucket", service.Config{Work: time.Millisecond, RatePerSecond: 100, Burst: 4}, 4, 16, 5 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &burst{n: 20, got: map[service.Status]int{}}
			w, err := sim.New(sim.Config{Seed: 1, Nodes: 1, Node: service.New(c.cfg), Clients: 1, Client: func(nodes.ID) nodes.Node { return b }})
			if err != nil {
				t.Fatal(err)
			}
			w.Run(time.Second)
			if b.got[service.StatusOK] != c.ok || b.got[service.StatusShed] != c.shed {
				t.Errorf("answers %v, want %d ok and %d shed", b.got, c.ok, c.shed)
			}
		})
	}
}

// run runs a requests workload against servers that never answer (a
// black hole: n1 is a Base node), for the client-side policy alone.
func runPolicy(t *testing.T, p service.Policy, until time.Duration) service.Stats {
	t.Helper()
	var c *service.Client
	f := service.Workload{RatePerSecond: 100, Policy: p}.Factory()
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 3, Node: func(nodes.ID) nodes.Node { return &nodes.Base{} }, Clients: 1,
		Client: func(id nodes.ID) nodes.Node { n := f(id); c = n.(*service.Client); return n }})
	if err != nil {
		t.Fatal(err)
	}
	w.Run(until)
	return c.Stats()
}

func TestPolicyAgainstABlackHole(t *testing.T) {
	base := service.Policy{Timeout: time.Second, AttemptTimeout: 20 * time.Millisecond, MaxAttempts: 4,
		Backoff: resilience.Backoff{Base: 10 * time.Millisecond, Max: 10 * time.Millisecond}}
	withBudget := base
	withBudget.Budget = resilience.RetryBudget{RatioPermille: 100, Max: 5}
	withBreaker := base
	withBreaker.Breaker = resilience.CircuitBreaker{Window: time.Second, MinRequests: 5, FailurePermille: 500, OpenFor: 10 * time.Second, Probes: 1}
	cases := []struct {
		name   string
		p      service.Policy
		check  func(s service.Stats) bool
		expect string
	}{
		{"every request tries four times", base, func(s service.Stats) bool {
			ended := s.Requests - inFlight(s)
			return s.OK == 0 && s.TimedOut == ended && s.Attempts >= 4*ended+inFlight(s) && s.Attempts <= 4*s.Requests
		},
			"4 attempts per ended request"},
		{"the budget stops retries after its capacity", withBudget, func(s service.Stats) bool { return s.Attempts <= s.Requests+5 && s.NoBudget > 0 },
			"at most 5 retries in all"},
		{"the breaker fails fast", withBreaker, func(s service.Stats) bool { return s.Refused > s.Requests/2 && s.Attempts < s.Requests },
			"most requests refused without an attempt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := runPolicy(t, c.p, 2*time.Second)
			if !c.check(s) {
				t.Errorf("%+v: want %s", s, c.expect)
			}
		})
	}
}

// inFlight is how many requests had not ended when the run stopped.
func inFlight(s service.Stats) int { return s.Requests - s.OK - s.Failed }
