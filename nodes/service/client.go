package service

import (
	"fmt"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/resilience"
)

// OpRequest is the operation a client's history records: one logical
// request, however many attempts it took. An OK request's Output is its
// number of attempts.
const OpRequest nodes.OpKind = "request"

// Policy is a client's resilience policy: how long it waits, how often and
// how soon it retries, and what stops it retrying.
type Policy struct {
	// Timeout bounds one request, every attempt included.
	Timeout time.Duration
	// AttemptTimeout is how long one attempt waits for its answer.
	AttemptTimeout time.Duration
	// MaxAttempts is the most attempts per request (1: no retries).
	MaxAttempts int
	// Backoff spaces the retries (Base, Max, Jitter).
	Backoff resilience.Backoff
	// Budget, if its ratio is set, bounds retries to a share of successes.
	Budget resilience.RetryBudget
	// Breaker, if its window is set, fails requests fast while the
	// service is failing.
	Breaker resilience.CircuitBreaker
}

// UsesBudget and UsesBreaker say whether those parts are on.
func (p Policy) UsesBudget() bool  { return p.Budget.RatioPermille > 0 }
func (p Policy) UsesBreaker() bool { return p.Breaker.Window > 0 }

// Validate reports a configuration error.
func (p Policy) Validate() error {
	switch {
	case p.Timeout <= 0 || p.AttemptTimeout <= 0:
		return fmt.Errorf("service: timeout %v and attempt_timeout %v must be positive", p.Timeout, p.AttemptTimeout)
	case p.MaxAttempts < 1:
		return fmt.Errorf("service: max_attempts %d must be at least 1", p.MaxAttempts)
	}
	if err := p.Backoff.Validate(); err != nil {
		return err
	}
	if p.UsesBudget() {
		if err := p.Budget.Validate(); err != nil {
			return err
		}
	}
	if p.UsesBreaker() {
		if err := p.Breaker.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Workload configures the open-loop clients.
type Workload struct {
	// RatePerSecond is each client's mean arrival rate (Poisson), times
	// the host's offered load (nodes.LoadEnv, the overload fault).
	RatePerSecond float64
	Policy        Policy
	// Target, if set, is the one process every attempt goes to (a load
	// balancer); otherwise each attempt picks a server at random, a retry
	// a different one than the attempt before.
	Target nodes.ID
	// StopAt is when clients stop issuing requests (0: never).
	StopAt time.Duration
	// MaxRequests, if positive, is the most requests a client issues; it
	// stops after that many (the checks judge goodput only while every
	// client still offers its load: servicekind's stop).
	MaxRequests int
	// RecoverWithin is not the clients' business: it is how soon after
	// the last fault goodput must be back, for a check that judges it
	// (servicekind's recovers-within), kept with the workload it judges.
	RecoverWithin time.Duration
}

// Validate reports a configuration error.
func (w Workload) Validate() error {
	if !(w.RatePerSecond > 0) {
		return fmt.Errorf("service: the requests workload needs a rate (workload.rate), got %v", w.RatePerSecond)
	}
	if w.MaxRequests < 0 {
		return fmt.Errorf("service: MaxRequests %d is negative", w.MaxRequests)
	}
	return w.Policy.Validate()
}

// Factory returns the client factory. It panics on an invalid
// configuration: validate first.
func (w Workload) Factory() nodes.Factory {
	if err := w.Validate(); err != nil {
		panic(err)
	}
	return func(nodes.ID) nodes.Node {
		c := &Client{w: w, ops: map[uint64]*op{}}
		c.budget, c.breaker = w.Policy.Budget, w.Policy.Breaker
		return c
	}
}

// Stats are a client's counts over its life.
type Stats struct {
	Requests, OK, Failed, TimedOut int
	// Attempts counts requests sent (first attempts and retries);
	// Refused those the breaker failed fast; NoBudget the retries the
	// budget refused.
	Attempts, Refused, NoBudget int
}

type op struct {
	handle   int
	seq      uint64
	attempt  int
	deadline time.Duration // on the client's monotonic clock
	timer    nodes.TimerID
	last     nodes.ID // server of the last attempt
	timedOut bool     // an attempt timed out (its request may have been served)
	retrying bool     // the timer is a backoff before the next attempt, not a timeout
	backoff  resilience.Backoff
}

// Timer tags: arrival, or an operation's attempt timeout / retry.
const (
	tagArrival = 0
	tagAttempt = 1 // tag = seq<<1 | tagAttempt
)

// Client is one open-loop client process.
type Client struct {
	nodes.Base
	w       Workload
	seq     uint64
	ops     map[uint64]*op // in flight, by seq (lookups only)
	budget  resilience.RetryBudget
	breaker resilience.CircuitBreaker
	stats   Stats
}

// Stats returns the client's counts.
func (c *Client) Stats() Stats { return c.stats }

// Workload returns the configuration the client runs.
func (c *Client) Workload() Workload { return c.w }

func (c *Client) Start(env nodes.Env) { c.scheduleArrival(env) }

func (c *Client) cenv(env nodes.Env) nodes.ClientEnv { return env.(nodes.ClientEnv) }

// scheduleArrival draws the next exponential inter-arrival gap.
func (c *Client) scheduleArrival(env nodes.Env) {
	rate := c.w.RatePerSecond * float64(nodes.LoadPermilleOf(env)) / 1000
	gap := time.Duration(env.Rand().ExpFloat64() / rate * float64(time.Second))
	if gap < time.Microsecond {
		gap = time.Microsecond
	}
	if c.w.StopAt > 0 && env.Monotonic()+gap >= c.w.StopAt {
		return
	}
	env.SetTimer(gap, tagArrival)
}

func (c *Client) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag == tagArrival {
		c.arrive(env)
		if c.w.MaxRequests == 0 || c.seq < uint64(c.w.MaxRequests) {
			c.scheduleArrival(env)
		}
		return
	}
	o := c.ops[tag>>1]
	if o == nil {
		return
	}
	o.timer = 0
	if o.retrying {
		o.retrying = false
		c.send(env, o)
		return
	}
	// The attempt's answer did not come in time.
	o.timedOut = true
	c.failed(env, o)
}

func (c *Client) arrive(env nodes.Env) {
	c.seq++
	o := &op{seq: c.seq, deadline: env.Monotonic() + c.w.Policy.Timeout, backoff: c.w.Policy.Backoff}
	o.handle = c.cenv(env).Invoke(nodes.Op{Kind: OpRequest, Key: strconv.FormatUint(o.seq, 10)})
	c.ops[o.seq] = o
	c.stats.Requests++
	c.send(env, o)
}

// send makes the next attempt of o, unless the breaker is open.
func (c *Client) send(env nodes.Env, o *op) {
	now := env.Monotonic()
	if c.w.Policy.UsesBreaker() && !c.breaker.Allow(now) {
		c.stats.Refused++
		env.Reached("service: breaker refused")
		c.finish(env, o, nodes.Fail)
		return
	}
	o.attempt++
	c.stats.Attempts++
	o.last = c.pick(env, o.last)
	env.Send(o.last, Request{Seq: o.seq, Attempt: o.attempt})
	wait := min(c.w.Policy.AttemptTimeout, o.deadline-now)
	o.timer = env.SetTimer(max(wait, 0), o.seq<<1|tagAttempt)
}

func (c *Client) pick(env nodes.Env, last nodes.ID) nodes.ID {
	if c.w.Target != 0 {
		return c.w.Target
	}
	peers := env.Peers()
	if len(peers) == 1 || last == 0 {
		return peers[env.Rand().IntN(len(peers))]
	}
	// A retry goes elsewhere: draw among the others.
	i := env.Rand().IntN(len(peers) - 1)
	if peers[i] == last || peers[i] > last {
		i++
	}
	return peers[i]
}

func (c *Client) Message(env nodes.Env, _ nodes.ID, msg nodes.Message) {
	r, ok := msg.(Response)
	if !ok {
		return
	}
	o := c.ops[r.Seq]
	if o == nil {
		return // a late answer to a request that already ended
	}
	if r.Status == StatusOK {
		// Any attempt's success ends the request.
		if c.w.Policy.UsesBreaker() {
			c.breaker.Record(env.Monotonic(), true)
		}
		if c.w.Policy.UsesBudget() {
			c.budget.Success()
		}
		c.cenv(env).Complete(o.handle, nodes.OK, nodes.Op{Kind: OpRequest, Output: strconv.Itoa(o.attempt)})
		c.stats.OK++
		c.end(env, o)
		return
	}
	if r.Attempt != o.attempt || o.retrying {
		return // a stale rejection: the attempt it answers already failed
	}
	c.failed(env, o)
}

// failed handles an attempt that was shed or timed out: retry if the
// policy allows, else end the request.
func (c *Client) failed(env nodes.Env, o *op) {
	now := env.Monotonic()
	if c.w.Policy.UsesBreaker() {
		c.breaker.Record(now, false)
	}
	if o.timer != 0 {
		env.CancelTimer(o.timer)
		o.timer = 0
	}
	if o.attempt >= c.w.Policy.MaxAttempts || now >= o.deadline {
		c.giveUp(env, o)
		return
	}
	if c.w.Policy.UsesBudget() && !c.budget.TryRetry() {
		c.stats.NoBudget++
		env.Reached("service: retry budget spent")
		c.giveUp(env, o)
		return
	}
	d := o.backoff.Next(o.attempt, env.Rand())
	if now+d >= o.deadline {
		c.giveUp(env, o)
		return
	}
	o.retrying = true
	o.timer = env.SetTimer(d, o.seq<<1|tagAttempt)
}

func (c *Client) giveUp(env nodes.Env, o *op) {
	if o.timedOut {
		c.stats.TimedOut++
		c.finish(env, o, nodes.Info) // it may have been served
		return
	}
	c.finish(env, o, nodes.Fail)
}

func (c *Client) finish(env nodes.Env, o *op, out nodes.Outcome) {
	if out != nodes.OK {
		c.stats.Failed++
	}
	c.cenv(env).Complete(o.handle, out, nodes.Op{Kind: OpRequest})
	c.end(env, o)
}

func (c *Client) end(env nodes.Env, o *op) {
	if o.timer != 0 {
		env.CancelTimer(o.timer)
	}
	delete(c.ops, o.seq)
}
