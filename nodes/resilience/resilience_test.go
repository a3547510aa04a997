package resilience

import (
	"math/rand/v2"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestBackoff(t *testing.T) {
	cases := []struct {
		name   string
		jitter Jitter
		// bounds of retries 1..6 with base 10ms, max 100ms
		lo, hi []time.Duration
	}{
		{"none", JitterNone, []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 100 * ms, 100 * ms}, []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 100 * ms, 100 * ms}},
		{"full", JitterFull, []time.Duration{0, 0, 0, 0, 0, 0}, []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 100 * ms, 100 * ms}},
		{"decorrelated", JitterDecorrelated, []time.Duration{10 * ms, 10 * ms, 10 * ms, 10 * ms, 10 * ms, 10 * ms}, []time.Duration{30 * ms, 90 * ms, 100 * ms, 100 * ms, 100 * ms, 100 * ms}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spread := map[time.Duration]bool{}
			for seed := range uint64(200) {
				r := rand.New(rand.NewPCG(seed, 1))
				b := Backoff{Base: 10 * ms, Max: 100 * ms, Jitter: c.jitter}
				if err := b.Validate(); err != nil {
					t.Fatal(err)
				}
				prev := time.Duration(0)
				for i := range 6 {
					d := b.Next(i+1, r)
					hi := c.hi[i]
					if c.jitter == JitterDecorrelated && prev > 0 {
						hi = min(3*prev, 100*ms)
					}
					if d < c.lo[i] || d > hi {
						t.Fatalf("seed %d retry %d: %v outside [%v, %v]", seed, i+1, d, c.lo[i], hi)
					}
					prev = d
					if i == 0 {
						spread[d] = true
					}
				}
			}
			if c.jitter == JitterNone && len(spread) != 1 || c.jitter != JitterNone && len(spread) < 50 {
				t.Errorf("%d distinct first delays over 200 clients", len(spread))
			}
		})
	}
	// The same stream gives the same delays.
	a, b := Backoff{Base: ms, Max: time.Second, Jitter: JitterFull}, Backoff{Base: ms, Max: time.Second, Jitter: JitterFull}
	ra, rb := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	for i := 1; i < 20; i++ {
		if x, y := a.Next(i, ra), b.Next(i, rb); x != y {
			t.Fatalf("retry %d: %v then %v from the same stream", i, x, y)
		}
	}
}

func TestBackoffValidate(t *testing.T) {
	for _, b := range []Backoff{{}, {Base: 2 * ms, Max: ms}, {Base: ms, Max: ms, Jitter: 9}} {
		if b.Validate() == nil {
			t.Errorf("%+v accepted", b)
		}
	}
	for _, s := range JitterNames() {
		j, err := ParseJitter(s)
		if err != nil || j.String() != s {
			t.Errorf("%q: %v %v", s, j, err)
		}
	}
	if _, err := ParseJitter("some"); err == nil {
		t.Error("unknown jitter accepted")
	}
}

func TestRetryBudget(t *testing.T) {
	cases := []struct {
		name  string
		steps string // s: success, r: retry allowed, x: retry refused
	}{
		{"starts full", "rrx"},
		{"one retry per ten successes", "rrx" + "sssssssss" + "x" + "s" + "rx"},
		{"capped", "sssssssssssssssssssssssssssssssssssssssssssssssssss" + "rrx"},
		{"nothing succeeds, nothing retried", "rrxxxxxxxx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := RetryBudget{RatioPermille: 100, Max: 2}
			for i, s := range c.steps {
				switch s {
				case 's':
					b.Success()
				case 'r', 'x':
					if got := b.TryRetry(); got != (s == 'r') {
						t.Fatalf("step %d (%c): TryRetry %v with %d/1000 tokens", i, s, got, b.TokensPermille())
					}
				}
			}
		})
	}
	if (&RetryBudget{}).Validate() == nil {
		t.Error("zero budget accepted")
	}
}

func TestCircuitBreaker(t *testing.T) {
	type step struct {
		at    time.Duration
		op    byte // a: Allow (want allowed), d: Allow (want denied), s/f: Record success/failure
		state BreakerState
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"stays closed below the threshold", []step{
			{0, 's', Closed}, {1, 'f', Closed}, {2, 's', Closed}, {3, 's', Closed}, {4, 'a', Closed}}},
		{"opens, refuses, half-opens, closes", []step{
			{0, 'f', Closed}, {1, 'f', Closed}, {2, 's', Closed}, {3, 'f', Open},
			{10, 'd', Open}, {102, 'd', Open}, {103, 'a', HalfOpen}, {103, 'a', HalfOpen}, {104, 'd', HalfOpen},
			{110, 's', HalfOpen}, {111, 's', Closed}, {112, 'a', Closed}}},
		{"a failed probe reopens", []step{
			{0, 'f', Closed}, {1, 'f', Closed}, {2, 'f', Closed}, {3, 'f', Open},
			{200, 'a', HalfOpen}, {201, 'f', Open}, {250, 'd', Open}, {301, 'a', HalfOpen}}},
		{"windows reset the counts", []step{
			{0, 'f', Closed}, {1, 'f', Closed}, {2, 'f', Closed}, {60, 'f', Closed}, {61, 's', Closed}, {62, 's', Closed}, {63, 's', Closed}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := CircuitBreaker{Window: 50 * ms, MinRequests: 4, FailurePermille: 500, OpenFor: 100 * ms, Probes: 2}
			if err := b.Validate(); err != nil {
				t.Fatal(err)
			}
			for i, s := range c.steps {
				now := s.at * ms
				switch s.op {
				case 'a', 'd':
					if got := b.Allow(now); got != (s.op == 'a') {
						t.Fatalf("step %d at %v: Allow %v in state %v", i, now, got, b.State(now))
					}
				default:
					b.Record(now, s.op == 's')
				}
				if got := b.State(now); got != s.state {
					t.Fatalf("step %d at %v (%c): state %v, want %v", i, now, s.op, got, s.state)
				}
			}
		})
	}
	if (&CircuitBreaker{}).Validate() == nil {
		t.Error("zero breaker accepted")
	}
}

func TestTokenBucket(t *testing.T) {
	cases := []struct {
		name  string
		takes []time.Duration
		want  string // y/n per take
	}{
		{"burst then shed", []time.Duration{0, 0, 0, 0}, "yyyn"},
		{"refills at the rate", []time.Duration{0, 0, 0, 0, 10 * ms, 15 * ms, 20 * ms}, "yyynyny"},
		{"refill capped at burst", []time.Duration{0, 0, 0, time.Second, time.Second, time.Second, time.Second}, "yyyyyyn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := TokenBucket{RatePerSecond: 100, Burst: 3}
			if err := b.Validate(); err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, at := range c.takes {
				if b.Take(at) {
					got += "y"
				} else {
					got += "n"
				}
			}
			if got != c.want {
				t.Errorf("takes %s, want %s", got, c.want)
			}
		})
	}
	if (&TokenBucket{RatePerSecond: 1}).Validate() == nil {
		t.Error("zero burst accepted")
	}
}

func TestQueue(t *testing.T) {
	q := Queue[int]{Cap: 3}
	for i := range 4 {
		if got := q.Push(i); got != (i < 3) {
			t.Fatalf("push %d: %v", i, got)
		}
	}
	for round := range 100 {
		v, ok := q.Pop()
		if !ok || v != round {
			t.Fatalf("pop: %d %v, want %d", v, ok, round)
		}
		if !q.Push(round + 3) {
			t.Fatalf("push after pop refused")
		}
	}
	if q.Len() != 3 {
		t.Errorf("len %d", q.Len())
	}
	for range 3 {
		q.Pop()
	}
	if _, ok := q.Pop(); ok {
		t.Error("pop from an empty queue")
	}
}
