package resilience

import "fmt"

// RetryBudget is a token bucket over successes: each success deposits
// Ratio/1000 of a token (Ratio 100 allows one retry per ten successes),
// each retry spends one token, and the bucket holds at most Max tokens
// (it starts full, so a client may retry a little before its first
// success). When nothing succeeds the bucket empties and retries stop:
// the load falls back to first attempts only.
type RetryBudget struct {
	// RatioPermille is the tokens a success deposits, in thousandths.
	RatioPermille int64
	// Max is the bucket's capacity, in whole tokens.
	Max    int64
	milli  int64 // tokens held, in thousandths
	primed bool
}

// Validate reports a configuration error.
func (b *RetryBudget) Validate() error {
	if b.RatioPermille <= 0 || b.Max <= 0 {
		return fmt.Errorf("resilience: retry budget ratio %d/1000 and max %d must be positive", b.RatioPermille, b.Max)
	}
	return nil
}

func (b *RetryBudget) prime() {
	if !b.primed {
		b.primed, b.milli = true, b.Max*1000
	}
}

// Success deposits a success's share.
func (b *RetryBudget) Success() {
	b.prime()
	b.milli = min(b.milli+b.RatioPermille, b.Max*1000)
}

// TryRetry spends a token for a retry, or reports false (do not retry)
// when there is none.
func (b *RetryBudget) TryRetry() bool {
	b.prime()
	if b.milli < 1000 {
		return false
	}
	b.milli -= 1000
	return true
}

// TokensPermille returns the tokens held, in thousandths.
func (b *RetryBudget) TokensPermille() int64 {
	b.prime()
	return b.milli
}
