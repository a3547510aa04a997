package resilience

import (
	"fmt"
	"time"
)

// TokenBucket admits requests at Rate per second with bursts of up to
// Burst: a request that finds no token is shed. Time is the caller's
// virtual time, which must not go back (env.Monotonic()).
type TokenBucket struct {
	RatePerSecond int64
	Burst         int64
	level         int64 // credit, in nanoseconds of refill (one token = 1s/Rate)
	last          time.Duration
	primed        bool
}

// Validate reports a configuration error.
func (b *TokenBucket) Validate() error {
	if b.RatePerSecond <= 0 || b.Burst <= 0 || b.RatePerSecond > int64(time.Second) {
		return fmt.Errorf("resilience: token bucket rate %d/s and burst %d must be positive (rate at most 10⁹/s)", b.RatePerSecond, b.Burst)
	}
	return nil
}

func (b *TokenBucket) cost() int64 { return int64(time.Second) / b.RatePerSecond }

// Take takes a token at now, or reports false when there is none.
func (b *TokenBucket) Take(now time.Duration) bool {
	c := b.cost()
	cap := c * b.Burst
	if !b.primed {
		b.primed, b.level, b.last = true, cap, now
	}
	if now > b.last {
		b.level = min(cap, b.level+int64(now-b.last))
		b.last = now
	}
	if b.level < c {
		return false
	}
	b.level -= c
	return true
}

// Queue is a bounded FIFO: Push on a full queue sheds the item.
type Queue[T any] struct {
	Cap   int
	items []T
	head  int
}

// Len returns the number of items queued.
func (q *Queue[T]) Len() int { return len(q.items) - q.head }

// Push appends v, or reports false when the queue holds Cap items.
func (q *Queue[T]) Push(v T) bool {
	if q.Len() >= q.Cap {
		return false
	}
	q.items = append(q.items, v)
	return true
}

// Pop removes and returns the oldest item (false when empty).
func (q *Queue[T]) Pop() (T, bool) {
	var zero T
	if q.Len() == 0 {
		return zero, false
	}
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head*2 > len(q.items) && q.head > 16 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return v, true
}
