// Package servicekind plugs nodes/service into the scenario runner: the
// "service" node kind (stateless replicas with admission control whose
// service time matters), the "requests" workload (open-loop clients with a
// resilience policy from YAML), and the gray-failure checks: goodput,
// retry-amplification, latency and time-to-recover measure; recovers-within
// judges. It is written against the runner's public API only.
//
//	cluster: {node: service, size: 3, params: {work: 2ms, max_queue: 50}}
//	workload: {kind: requests, clients: 5, rate: 200/s, timeout: 1s,
//	           attempt_timeout: 100ms, max_attempts: 4, jitter: full,
//	           budget: 1/10, breaker: true}
//
// A binary registers them with
//
//	servicekind.Register()
package servicekind

import (
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/resilience"
	"github.com/faultline/faultline/nodes/service"
	"github.com/faultline/faultline/scenarios"
)

// Names of the kinds and checks.
const (
	NodeService   = "service"
	NodeLB        = "service-lb"
	WorkloadName  = "requests"
	CheckGoodput  = "goodput"
	CheckRetryAmp = "retry-amplification"
	CheckLatency  = "latency"
	CheckRecovery = "time-to-recover"
	CheckRecovers = "recovers-within"
)

// BugShedAfterWork is the planted bug's name (cluster.params.bugs).
const BugShedAfterWork = "shed-after-work"

// BugNames lists the planted bugs.
var BugNames = []string{BugShedAfterWork}

// DefaultRate is the requests workload's rate when a scenario gives none.
const DefaultRate = 100.0

// Hunt is the generic hunt's shape for the service: the requests keep
// coming through a heal longer than recover_within's default (5s), so
// recovers-within judges every seed after its last fault (at the hunt's
// 3s heal, with the clients stopping at its start, 80% of the seeds had
// no fault ending early enough to judge), at 800 requests a second per
// client: the hunt's 1..6 clients then offer a sixth to one and a half
// times what 3..5 replicas at the default 1ms serve, so the overload fault
// the hunt draws (workload OfferedLoad) can push them past capacity — at
// the default 100/s it never did, and goodput before the faults was too
// low for recovers-within to judge by.
//
// It hunts the service with admission control (max_queue=20, unless the
// hunt's --params set it): recovers-within is a promise only a service
// that sheds can keep under overload — with an unbounded queue, the
// default, 37 of 259 hunt seeds failed it, the metastability
// metastable-patterns demonstrates, not a bug (hunt with max_queue=0 to
// see it).
var Hunt = scenarios.HuntShape{Heal: 6 * time.Second, Params: "max_queue=20", WorkloadParams: "through_heal=true,rate=800/s"}

// Register registers the node kind (with its checks) and the workload.
func Register() {
	scenarios.RegisterWorkload(Workload())
	scenarios.RegisterNode(Kind())
}

func serverParams() []scenarios.ParamSpec {
	return []scenarios.ParamSpec{
		{Key: "work", Type: scenarios.ParamDuration, Default: service.DefaultWork.String(),
			Help: "service time of one served request (a server is one FIFO worker; slow multiplies it)"},
		{Key: "max_queue", Type: scenarios.ParamInt, Help: "shed a request that finds this many messages waiting (0: unbounded queue)"},
		{Key: "rate_limit", Type: scenarios.ParamInt, Help: "admit at most this many requests per second per server, token bucket (0: no limit)"},
		{Key: "burst", Type: scenarios.ParamInt, Help: "token bucket burst (default rate_limit/10)"},
		{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		{Key: "lb", Type: scenarios.ParamEnum, Enum: append([]string{"none"}, service.BalanceNames()...), Default: "none",
			Help: "n1 is a load balancer with this policy in front of replicas n2..nN (clients: via: n1)"},
		{Key: "lb_timeout", Type: scenarios.ParamDuration, Positive: true, Default: "200ms", Help: "lb: how long it waits for a backend's answer"},
		{Key: "health_interval", Type: scenarios.ParamDuration, Help: "lb: active health checks this often (0: none)"},
		{Key: "health_timeout", Type: scenarios.ParamDuration, Default: "300ms", Help: "lb: a backend silent to health checks this long is not chosen"},
		{Key: "eject_after", Type: scenarios.ParamInt, Help: "lb: outlier ejection after this many consecutive failures (0: none)"},
		{Key: "eject_for", Type: scenarios.ParamDuration, Default: "1s", Help: "lb: how long an ejected backend sits out"},
	}
}

// lbConfig reads the balancer's parameters (ok false: no balancer).
func lbConfig(p scenarios.Params, size int) (service.LBConfig, bool, error) {
	if p.String("lb") == "none" {
		return service.LBConfig{}, false, nil
	}
	bal, err := service.ParseBalance(p.String("lb"))
	if err != nil {
		return service.LBConfig{}, false, p.Errorf("lb", "%v", err)
	}
	c := service.LBConfig{Balance: bal, ForwardTimeout: p.Duration("lb_timeout"),
		HealthInterval: p.Duration("health_interval"), HealthTimeout: p.Duration("health_timeout"),
		EjectAfter: p.Int("eject_after"), EjectFor: p.Duration("eject_for")}
	for i := 2; i <= size; i++ {
		c.Backends = append(c.Backends, nodes.NodeID(i))
	}
	if size < 2 {
		return c, true, p.Errorf("lb", "a load balancer needs a cluster of at least 2 (n1 balances, n2.. serve), got %d", size)
	}
	if err := c.Validate(); err != nil {
		return c, true, p.Errorf("lb", "%v", err)
	}
	return c, true, nil
}

func serverConfig(p scenarios.Params) (service.Config, error) {
	c := service.Config{Work: p.Duration("work"), MaxQueue: p.Int("max_queue"),
		RatePerSecond: int64(p.Int("rate_limit")), Burst: int64(p.Int("burst")),
		Bugs: service.Bugs{ShedAfterWork: p.Has("bugs", BugShedAfterWork)}}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("work", "%v", err)
	}
	return c, nil
}

// Kind is the "service" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name:      NodeService,
		Help:      "stateless service replicas (nodes/service): FIFO service time per request, bounded queue and token-bucket admission control; optionally n1 a load balancer (round-robin, least-outstanding, p2c; health checks, outlier ejection)",
		Params:    serverParams(),
		Workloads: []string{WorkloadName},
		Checks:    Checks(),
		// Shedding needs a bounded queue (the default is unbounded).
		BugNeeds: map[string]scenarios.BugNeed{BugShedAfterWork: {Params: "max_queue=20"}},
		Hunt:     Hunt,
		Validate: func(p scenarios.Params) error {
			if _, err := serverConfig(p); err != nil {
				return err
			}
			_, _, err := lbConfig(p, 2)
			return err
		},
		Build: func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
			c, err := serverConfig(p)
			if err != nil {
				return nil, err
			}
			server := service.New(c)
			lc, on, err := lbConfig(p, size)
			if err != nil || !on {
				return &scenarios.Protocol{Factory: server}, err
			}
			lb := service.NewLB(lc)
			return &scenarios.Protocol{Factory: func(id nodes.ID) nodes.Node {
				if id == 1 {
					return lb(id)
				}
				return server(id)
			}}, nil
		},
	}
}

// Workload is the "requests" workload kind.
func Workload() scenarios.WorkloadKind {
	d := func(v time.Duration) string { return v.String() }
	return scenarios.WorkloadKind{
		Name:        WorkloadName,
		Help:        "open-loop requests (Poisson at workload.rate per client, stepped by overload) with a resilience policy: timeouts, retries, backoff and jitter, retry budget, circuit breaker",
		Ops:         []string{service.OpRequest.String()},
		DefaultMix:  []scenarios.MixEntry{{Op: service.OpRequest.String(), Weight: 1}},
		OfferedLoad: true, // the overload fault steps the rate
		Params: []scenarios.ParamSpec{
			{Key: "attempt_timeout", Type: scenarios.ParamDuration, Positive: true, Default: d(100 * time.Millisecond), Help: "how long one attempt waits for its answer"},
			{Key: "max_attempts", Type: scenarios.ParamInt, Positive: true, Default: "1", Help: "attempts per request (1: no retries)"},
			{Key: "backoff_base", Type: scenarios.ParamDuration, Positive: true, Default: d(10 * time.Millisecond), Help: "first retry delay (doubling)"},
			{Key: "backoff_max", Type: scenarios.ParamDuration, Positive: true, Default: d(time.Second), Help: "retry delay cap"},
			{Key: "jitter", Type: scenarios.ParamEnum, Enum: resilience.JitterNames(), Default: resilience.JitterNone.String(), Help: "retry delay jitter"},
			{Key: "budget", Type: scenarios.ParamRatio, Help: "retry budget: retries per success, such as 1/10 (unset: no budget)"},
			{Key: "budget_max", Type: scenarios.ParamInt, Positive: true, Default: "10", Help: "retry budget capacity, in retries"},
			{Key: "breaker", Type: scenarios.ParamBool, Help: "a circuit breaker per client"},
			{Key: "breaker_window", Type: scenarios.ParamDuration, Positive: true, Default: d(time.Second), Help: "breaker: window the failure share is judged over"},
			{Key: "breaker_failures", Type: scenarios.ParamRatio, Default: "1/2", Help: "breaker: failure share that opens it"},
			{Key: "breaker_min", Type: scenarios.ParamInt, Positive: true, Default: "10", Help: "breaker: fewest outcomes in a window to judge"},
			{Key: "breaker_open", Type: scenarios.ParamDuration, Positive: true, Default: d(500 * time.Millisecond), Help: "breaker: how long it stays open"},
			{Key: "breaker_probes", Type: scenarios.ParamInt, Positive: true, Default: "3", Help: "breaker: probes let through half-open"},
			{Key: "via", Type: scenarios.ParamString, Help: "send every attempt to this process (a load balancer, such as n4) instead of a random server"},
			{Key: "recover_within", Type: scenarios.ParamDuration, Positive: true, Default: d(5 * time.Second),
				Help: "recovers-within: how soon after the last fault ends goodput must be back"},
			{Key: "through_heal", Type: scenarios.ParamBool,
				Help: "clients keep sending through the heal, and goodput and recovery are judged up to its end (the generic hunt's: recovery after every fault has ended); default they stop when the heal starts"},
		},
		Build: build,
	}
}

func build(s scenarios.WorkloadSpec) (*scenarios.Clients, error) {
	p := s.Params
	rate := s.Rate
	if rate == 0 {
		rate = DefaultRate
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = time.Second
	}
	jitter, _ := resilience.ParseJitter(p.String("jitter"))
	w := service.Workload{
		RatePerSecond: rate,
		StopAt:        s.Duration,
		MaxRequests:   s.OpsPerClient,
		Policy: service.Policy{
			Timeout:        timeout,
			AttemptTimeout: p.Duration("attempt_timeout"),
			MaxAttempts:    p.Int("max_attempts"),
			Backoff:        resilience.Backoff{Base: p.Duration("backoff_base"), Max: p.Duration("backoff_max"), Jitter: jitter},
		},
		RecoverWithin: p.Duration("recover_within"),
	}
	if p.Bool("through_heal") {
		w.StopAt += s.Heal
	}
	if b := p.Ratio("budget"); !b.IsZero() {
		w.Policy.Budget = resilience.RetryBudget{RatioPermille: int64(b.Num) * 1000 / int64(b.Den), Max: int64(p.Int("budget_max"))}
		if w.Policy.Budget.RatioPermille == 0 {
			return nil, p.Errorf("budget", "retry budget %v is below 1/1000", b)
		}
	}
	if p.Bool("breaker") {
		f := p.Ratio("breaker_failures")
		w.Policy.Breaker = resilience.CircuitBreaker{Window: p.Duration("breaker_window"), MinRequests: p.Int("breaker_min"),
			FailurePermille: int(int64(f.Num) * 1000 / int64(max(f.Den, 1))), OpenFor: p.Duration("breaker_open"), Probes: p.Int("breaker_probes")}
	}
	if v := p.String("via"); v != "" {
		id, ok := nodes.ParseID(v)
		if !ok || id.IsClient() {
			return nil, p.Errorf("via", "via %q is not a server id such as n4", v)
		}
		w.Target = id
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return &scenarios.Clients{Factory: w.Factory()}, nil
}
