package resilience

import (
	"fmt"
	"time"
)

// BreakerState is a circuit breaker's state.
type BreakerState uint8

const (
	// Closed: requests flow; outcomes are counted.
	Closed BreakerState = iota
	// Open: requests fail fast without being sent.
	Open
	// HalfOpen: a few probe requests are let through.
	HalfOpen
)

var breakerNames = [...]string{"closed", "open", "half-open"}

func (s BreakerState) String() string {
	if int(s) < len(breakerNames) {
		return breakerNames[s]
	}
	return fmt.Sprintf("breaker(%d)", uint8(s))
}

// CircuitBreaker fails fast when a dependency is failing. Closed, it
// counts outcomes in windows of Window of virtual time; when a window
// holds at least MinRequests outcomes of which at least
// FailurePermille/1000 failed, it opens. Open, it refuses every request
// for OpenFor, then half-opens: it lets Probes requests through; if they
// all succeed it closes, and the first failure opens it again.
type CircuitBreaker struct {
	Window          time.Duration
	MinRequests     int
	FailurePermille int
	OpenFor         time.Duration
	Probes          int

	state          BreakerState
	windowStart    time.Duration
	ok, failed     int
	openedAt       time.Duration
	probing, good  int
	opens, refused int
}

// Validate reports a configuration error.
func (b *CircuitBreaker) Validate() error {
	switch {
	case b.Window <= 0 || b.OpenFor <= 0:
		return fmt.Errorf("resilience: breaker window %v and open time %v must be positive", b.Window, b.OpenFor)
	case b.MinRequests < 1 || b.Probes < 1:
		return fmt.Errorf("resilience: breaker min requests %d and probes %d must be at least 1", b.MinRequests, b.Probes)
	case b.FailurePermille < 1 || b.FailurePermille > 1000:
		return fmt.Errorf("resilience: breaker failure threshold %d/1000 is not in 1..1000", b.FailurePermille)
	}
	return nil
}

// State returns the state at now (an open breaker whose time is up reads
// as half-open).
func (b *CircuitBreaker) State(now time.Duration) BreakerState {
	if b.state == Open && now-b.openedAt >= b.OpenFor {
		return HalfOpen
	}
	return b.state
}

// Allow reports whether a request may be sent at now. Each allowed
// request must later be Recorded.
func (b *CircuitBreaker) Allow(now time.Duration) bool {
	switch b.State(now) {
	case Open:
		b.refused++
		return false
	case HalfOpen:
		if b.state == Open {
			b.state, b.probing, b.good = HalfOpen, 0, 0
		}
		if b.probing >= b.Probes {
			b.refused++
			return false
		}
		b.probing++
		return true
	}
	return true
}

// Record counts the outcome of an allowed request at now.
func (b *CircuitBreaker) Record(now time.Duration, ok bool) {
	switch b.state {
	case HalfOpen:
		if !ok {
			b.open(now)
			return
		}
		b.good++
		if b.good >= b.Probes {
			b.state = Closed
			b.windowStart, b.ok, b.failed = now, 0, 0
		}
	case Closed:
		if now-b.windowStart >= b.Window {
			b.windowStart, b.ok, b.failed = now, 0, 0
		}
		if ok {
			b.ok++
		} else {
			b.failed++
		}
		if n := b.ok + b.failed; n >= b.MinRequests && b.failed*1000 >= b.FailurePermille*n {
			b.open(now)
		}
	}
	// Open: a late outcome of a request sent before it opened; ignored.
}

func (b *CircuitBreaker) open(now time.Duration) {
	b.state, b.openedAt = Open, now
	b.opens++
}

// Opens returns how many times the breaker opened; Refused how many
// requests it refused.
func (b *CircuitBreaker) Opens() int   { return b.opens }
func (b *CircuitBreaker) Refused() int { return b.refused }
