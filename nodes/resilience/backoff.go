package resilience

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Jitter is how a Backoff randomises its delays.
type Jitter uint8

const (
	// JitterNone: the delay is exactly min(Max, Base×2^attempt). Clients
	// that failed together retry together.
	JitterNone Jitter = iota
	// JitterFull: uniform in [0, min(Max, Base×2^attempt)].
	JitterFull
	// JitterDecorrelated: uniform in [Base, 3×previous delay], capped at
	// Max (the first is drawn in [Base, 3×Base]).
	JitterDecorrelated
)

var jitterNames = [...]string{"none", "full", "decorrelated"}

// Jitters returns every jitter mode in order.
func Jitters() []Jitter { return []Jitter{JitterNone, JitterFull, JitterDecorrelated} }

func (j Jitter) String() string {
	if int(j) < len(jitterNames) {
		return jitterNames[j]
	}
	return fmt.Sprintf("jitter(%d)", uint8(j))
}

// JitterNames returns the text of every mode, for parameter enums.
func JitterNames() []string { return jitterNames[:] }

// ParseJitter is the inverse of Jitter.String.
func ParseJitter(s string) (Jitter, error) {
	for i, n := range jitterNames {
		if n == s {
			return Jitter(i), nil
		}
	}
	return 0, fmt.Errorf("resilience: unknown jitter %q (want none, full or decorrelated)", s)
}

// Backoff computes retry delays. Base and Max must be positive with
// Base ≤ Max (Validate). The zero value of the state is ready; Reset it
// when an operation succeeds or a new one starts.
type Backoff struct {
	Base, Max time.Duration
	Jitter    Jitter
	prev      time.Duration
}

// Validate reports a configuration error.
func (b *Backoff) Validate() error {
	switch {
	case b.Base <= 0 || b.Max <= 0:
		return fmt.Errorf("resilience: backoff base %v and max %v must be positive", b.Base, b.Max)
	case b.Max < b.Base:
		return fmt.Errorf("resilience: backoff max %v is below base %v", b.Max, b.Base)
	case int(b.Jitter) >= len(jitterNames):
		return fmt.Errorf("resilience: unknown jitter %d", b.Jitter)
	}
	return nil
}

// Next returns the delay before retry number attempt (1 for the first
// retry), drawing from r for jittered modes (exactly one draw each).
func (b *Backoff) Next(attempt int, r *rand.Rand) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	ceil := b.Base
	for i := 1; i < attempt && ceil < b.Max; i++ {
		ceil *= 2
	}
	ceil = min(ceil, b.Max)
	var d time.Duration
	switch b.Jitter {
	case JitterFull:
		d = time.Duration(r.Int64N(int64(ceil) + 1))
	case JitterDecorrelated:
		prev := b.prev
		if prev < b.Base {
			prev = b.Base
		}
		hi := min(3*prev, b.Max)
		d = b.Base + time.Duration(r.Int64N(int64(hi-b.Base)+1))
	default:
		d = ceil
	}
	b.prev = d
	return d
}

// Reset forgets the previous delay (decorrelated jitter starts again).
func (b *Backoff) Reset() { b.prev = 0 }
