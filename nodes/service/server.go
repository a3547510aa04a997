package service

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/resilience"
)

// Status is how a server answered a request.
type Status uint8

const (
	// StatusOK: the request was served.
	StatusOK Status = iota + 1
	// StatusShed: admission control refused it (queue full or over the
	// rate); it was not served.
	StatusShed
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusShed:
		return "shed"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Request asks a server to do one unit of work. Seq names the client's
// operation, Attempt which try of it this is (1 for the first).
type Request struct {
	Seq     uint64
	Attempt int
}

// Response answers a Request. Server is who served it (the load balancer
// passes it through).
type Response struct {
	Seq     uint64
	Attempt int
	Status  Status
	Server  nodes.ID
}

// Config configures a server.
type Config struct {
	// Work is the service time of one served request, declared to the
	// host (nodes.Work): a server is one FIFO worker, so requests queue
	// behind it, and the slow fault multiplies it. Default 1ms.
	Work time.Duration
	// MaxQueue sheds a request that finds this many messages already
	// waiting (a bounded queue; 0: unbounded).
	MaxQueue int
	// RatePerSecond and Burst admit requests through a token bucket
	// (0: no rate limit).
	RatePerSecond, Burst int64
	// Bugs are planted mistakes.
	Bugs Bugs
}

// Bugs are mistakes a careful implementer could make.
type Bugs struct {
	// ShedAfterWork does a request's work (parsing, authentication,
	// the lookup) before asking admission control: a shed request costs
	// as much as a served one, so under overload shedding frees nothing
	// and the queue grows without bound.
	ShedAfterWork bool
}

// DefaultWork is Config.Work's default.
const DefaultWork = time.Millisecond

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Work == 0 {
		c.Work = DefaultWork
	}
	if c.RatePerSecond > 0 && c.Burst == 0 {
		c.Burst = max(1, c.RatePerSecond/10)
	}
	return c
}

// Validate reports a configuration error.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Work < 0:
		return fmt.Errorf("service: work %v is negative", c.Work)
	case c.MaxQueue < 0:
		return fmt.Errorf("service: max_queue %d is negative", c.MaxQueue)
	case c.RatePerSecond < 0 || c.Burst < 0:
		return fmt.Errorf("service: rate %d/s and burst %d must not be negative", c.RatePerSecond, c.Burst)
	case c.RatePerSecond > 0:
		b := resilience.TokenBucket{RatePerSecond: c.RatePerSecond, Burst: c.Burst}
		if err := b.Validate(); err != nil {
			return fmt.Errorf("service: %v", err)
		}
	}
	return nil
}

// Server is one replica of the service. It is stateless: a request's
// answer depends on nothing stored, so a restart loses only the queue
// (the host drops it) and the token bucket (it starts full again).
type Server struct {
	cfg    Config
	bucket resilience.TokenBucket
	// Counters, for checks and tests.
	served, shed int
}

// New returns the server factory for cfg (defaults filled in). It panics
// on an invalid configuration: validate first.
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(nodes.ID) nodes.Node {
		return &Server{cfg: cfg, bucket: resilience.TokenBucket{RatePerSecond: cfg.RatePerSecond, Burst: cfg.Burst}}
	}
}

// Served and Shed count this incarnation's requests.
func (s *Server) Served() int { return s.served }
func (s *Server) Shed() int   { return s.shed }

func (s *Server) Start(nodes.Env)                        {}
func (s *Server) Timer(nodes.Env, nodes.TimerID, uint64) {}
func (s *Server) Synced(nodes.Env, uint64)               {}

func (s *Server) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case Request:
		s.request(env, from, m)
	case HealthCheck:
		env.Send(from, HealthReply{Seq: m.Seq})
	}
}

// admit is admission control: a bounded queue and a rate limit.
func (s *Server) admit(env nodes.Env) bool {
	if s.cfg.MaxQueue > 0 && nodes.Queued(env) >= s.cfg.MaxQueue {
		return false
	}
	if s.cfg.RatePerSecond > 0 && !s.bucket.Take(env.Monotonic()) {
		return false
	}
	return true
}

func (s *Server) request(env nodes.Env, from nodes.ID, m Request) {
	if s.cfg.Bugs.ShedAfterWork {
		nodes.Work(env, s.cfg.Work)
	}
	if !s.admit(env) {
		s.shed++
		env.Reached("service: shed")
		env.Send(from, Response{Seq: m.Seq, Attempt: m.Attempt, Status: StatusShed, Server: env.ID()})
		return
	}
	if !s.cfg.Bugs.ShedAfterWork {
		nodes.Work(env, s.cfg.Work)
	}
	s.served++
	env.Send(from, Response{Seq: m.Seq, Attempt: m.Attempt, Status: StatusOK, Server: env.ID()})
}

// HealthCheck is a load balancer's active probe; a live server answers
// it at once (it still waits in the server's queue like any message).
type HealthCheck struct{ Seq uint64 }

// HealthReply answers a HealthCheck.
type HealthReply struct{ Seq uint64 }
