package service

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Balance is a load balancer's policy for choosing a backend.
type Balance uint8

const (
	// RoundRobin takes the eligible backends in turn.
	RoundRobin Balance = iota + 1
	// LeastOutstanding takes the eligible backend with the fewest
	// requests in flight (ties: the next in round-robin order).
	LeastOutstanding
	// PowerOfTwo draws two eligible backends at random and takes the one
	// with fewer requests in flight.
	PowerOfTwo
)

var balanceNames = [...]string{RoundRobin: "round-robin", LeastOutstanding: "least-outstanding", PowerOfTwo: "p2c"}

func (b Balance) String() string {
	if b >= RoundRobin && int(b) < len(balanceNames) {
		return balanceNames[b]
	}
	return fmt.Sprintf("balance(%d)", uint8(b))
}

// BalanceNames returns the policies' text, in order.
func BalanceNames() []string { return balanceNames[1:] }

// ParseBalance is the inverse of Balance.String.
func ParseBalance(s string) (Balance, error) {
	for i, n := range balanceNames {
		if i > 0 && n == s {
			return Balance(i), nil
		}
	}
	return 0, fmt.Errorf("service: unknown balance policy %q (want round-robin, least-outstanding or p2c)", s)
}

// LBConfig configures a load balancer.
type LBConfig struct {
	Balance  Balance
	Backends []nodes.ID
	// ForwardTimeout is how long the balancer waits for a backend's
	// answer before counting a failure and forgetting the request.
	ForwardTimeout time.Duration
	// HealthInterval, if set, is how often each backend is sent a
	// HealthCheck; a backend that has not answered one for HealthTimeout
	// is not chosen (its answers wait in its queue like any message, so a
	// slow backend fails them).
	HealthInterval, HealthTimeout time.Duration
	// EjectAfter, if set, ejects a backend for EjectFor after this many
	// consecutive failures (sheds or forward timeouts): outlier ejection.
	EjectAfter int
	EjectFor   time.Duration
}

// Validate reports a configuration error.
func (c LBConfig) Validate() error {
	switch {
	case c.Balance < RoundRobin || c.Balance > PowerOfTwo:
		return fmt.Errorf("service: unknown balance policy %d", c.Balance)
	case len(c.Backends) == 0:
		return fmt.Errorf("service: a load balancer needs backends")
	case c.ForwardTimeout <= 0:
		return fmt.Errorf("service: lb forward timeout %v must be positive", c.ForwardTimeout)
	case c.HealthInterval < 0 || c.HealthInterval > 0 && c.HealthTimeout <= 0:
		return fmt.Errorf("service: lb health interval %v needs a positive health timeout (got %v)", c.HealthInterval, c.HealthTimeout)
	case c.EjectAfter < 0 || c.EjectAfter > 0 && c.EjectFor <= 0:
		return fmt.Errorf("service: lb eject_after %d needs a positive eject_for (got %v)", c.EjectAfter, c.EjectFor)
	}
	return nil
}

type backend struct {
	id          nodes.ID
	outstanding int
	failures    int           // consecutive
	ejectUntil  time.Duration // monotonic
	lastHealthy time.Duration // monotonic time of the last health reply
	ejections   int
}

type forward struct {
	client  nodes.ID
	seq     uint64
	attempt int
	b       *backend
	timer   nodes.TimerID
}

// Timer tags of the balancer: health round, or forward timeout
// (seq<<1 | 1).
const tagHealth = 0

// LB is a load balancer in front of the service's replicas: clients send
// it their Requests (Workload.Target), it forwards each to one backend
// and passes the Response back. It is stateless across crashes: a
// restarted balancer starts with every backend healthy and no request in
// flight (clients time out what it forgot).
type LB struct {
	nodes.Base
	cfg      LBConfig
	backends []*backend
	next     int // round-robin cursor
	seq      uint64
	inflight map[uint64]*forward // by the balancer's own seq (lookups only)
	healthSq uint64
}

// NewLB returns the load balancer factory. It panics on an invalid
// configuration: validate first.
func NewLB(cfg LBConfig) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return func(nodes.ID) nodes.Node {
		lb := &LB{cfg: cfg, inflight: map[uint64]*forward{}}
		for _, id := range cfg.Backends {
			lb.backends = append(lb.backends, &backend{id: id})
		}
		return lb
	}
}

// Ejections returns how many times each backend was ejected, in backend
// order.
func (lb *LB) Ejections() []int {
	out := make([]int, len(lb.backends))
	for i, b := range lb.backends {
		out[i] = b.ejections
	}
	return out
}

func (lb *LB) Start(env nodes.Env) {
	now := env.Monotonic()
	for _, b := range lb.backends {
		b.lastHealthy = now
	}
	if lb.cfg.HealthInterval > 0 {
		env.SetTimer(lb.cfg.HealthInterval, tagHealth)
	}
}

func (lb *LB) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag == tagHealth {
		lb.healthSq++
		for _, b := range lb.backends {
			env.Send(b.id, HealthCheck{Seq: lb.healthSq})
		}
		env.SetTimer(lb.cfg.HealthInterval, tagHealth)
		return
	}
	f := lb.inflight[tag>>1]
	if f == nil {
		return
	}
	delete(lb.inflight, tag>>1)
	f.b.outstanding--
	lb.outcome(env, f.b, false)
}

func (lb *LB) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case Request:
		lb.forward(env, from, m)
	case Response:
		f := lb.inflight[m.Seq]
		if f == nil || f.b.id != from {
			return // after its forward timeout
		}
		delete(lb.inflight, m.Seq)
		env.CancelTimer(f.timer)
		f.b.outstanding--
		lb.outcome(env, f.b, m.Status == StatusOK)
		env.Send(f.client, Response{Seq: f.seq, Attempt: f.attempt, Status: m.Status, Server: from})
	case HealthReply:
		for _, b := range lb.backends {
			if b.id == from {
				b.lastHealthy = env.Monotonic()
			}
		}
	}
}

// outcome counts a backend's success or failure, ejecting an outlier.
func (lb *LB) outcome(env nodes.Env, b *backend, ok bool) {
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if lb.cfg.EjectAfter > 0 && b.failures >= lb.cfg.EjectAfter {
		b.failures = 0
		b.ejectUntil = env.Monotonic() + lb.cfg.EjectFor
		b.ejections++
		env.Reached("lb: backend ejected")
	}
}

func (lb *LB) eligible(env nodes.Env, b *backend) bool {
	now := env.Monotonic()
	if now < b.ejectUntil {
		return false
	}
	return lb.cfg.HealthInterval == 0 || now-b.lastHealthy <= lb.cfg.HealthTimeout
}

func (lb *LB) forward(env nodes.Env, client nodes.ID, m Request) {
	b := lb.choose(env)
	lb.seq++
	f := &forward{client: client, seq: m.Seq, attempt: m.Attempt, b: b}
	b.outstanding++
	lb.inflight[lb.seq] = f
	env.Send(b.id, Request{Seq: lb.seq, Attempt: 1})
	f.timer = env.SetTimer(lb.cfg.ForwardTimeout, lb.seq<<1|1)
}

// choose applies the policy to the eligible backends (to all of them
// when none is eligible: a balancer with nowhere healthy to send still
// tries).
func (lb *LB) choose(env nodes.Env) *backend {
	var pool []*backend
	n := len(lb.backends)
	for i := range n {
		if b := lb.backends[(lb.next+i)%n]; lb.eligible(env, b) {
			pool = append(pool, b)
		}
	}
	if len(pool) == 0 {
		env.Reached("lb: no healthy backend")
		for i := range n {
			pool = append(pool, lb.backends[(lb.next+i)%n])
		}
	}
	lb.next = (lb.next + 1) % n
	switch lb.cfg.Balance {
	case LeastOutstanding:
		best := pool[0]
		for _, b := range pool[1:] {
			if b.outstanding < best.outstanding {
				best = b
			}
		}
		return best
	case PowerOfTwo:
		if len(pool) == 1 {
			return pool[0]
		}
		i := env.Rand().IntN(len(pool))
		j := env.Rand().IntN(len(pool) - 1)
		if j >= i {
			j++
		}
		if pool[j].outstanding < pool[i].outstanding {
			return pool[j]
		}
		return pool[i]
	}
	return pool[0]
}
