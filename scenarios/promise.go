package scenarios

import "fmt"

// Promise is the consistency level a scenario says its protocol promises.
// A check stronger than the promise still runs and is reported, but its
// failure is a measurement of what the design gives up, not a failed run:
// an eventually consistent store is expected to fail linearizability, and
// its report says so instead of calling it broken.
type Promise uint8

const (
	// PromiseAll, the zero value (no promise: field), requires every
	// check the scenario lists.
	PromiseAll Promise = iota
	// PromiseEventual: replicas converge after the heal.
	PromiseEventual
	// PromiseSession: and each client's session guarantees hold
	// (read-your-writes, monotonic reads and writes, writes follow reads),
	// and no acknowledged write is lost.
	PromiseSession
	// PromiseCausal: and every read reflects its causal past — each
	// client's earlier operations and, transitively, the writes they read
	// (across keys): no read returns a value overwritten by a write that
	// causally precedes it (checker.Causal).
	PromiseCausal
	// PromiseSequential: and one total order of operations respects every
	// client's order.
	PromiseSequential
	// PromiseLinearizable: and that order respects real time.
	PromiseLinearizable
)

var promiseNames = [...]string{"", "eventual", "session", "causal", "sequential", "linearizable"}

// Promises lists the promises a scenario may declare, weakest first.
func Promises() []Promise {
	return []Promise{PromiseEventual, PromiseSession, PromiseCausal, PromiseSequential, PromiseLinearizable}
}

func (p Promise) String() string {
	if int(p) < len(promiseNames) {
		return promiseNames[p]
	}
	return fmt.Sprintf("promise(%d)", uint8(p))
}

// ParsePromise reads a promise as scenarios write it.
func ParsePromise(s string) (Promise, error) {
	for _, p := range Promises() {
		if p.String() == s {
			return p, nil
		}
	}
	return PromiseAll, fmt.Errorf("want one of eventual, session, causal, sequential, linearizable, got %q", s)
}

// MarshalText writes the promise's name ("" for PromiseAll), so that JSON
// output names levels rather than numbering them (numbers would shift when
// a level is added between two others).
func (p Promise) MarshalText() ([]byte, error) {
	if p == PromiseAll {
		return nil, nil
	}
	if int(p) >= len(promiseNames) {
		return nil, fmt.Errorf("scenarios: unknown promise %d", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads what MarshalText writes.
func (p *Promise) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = PromiseAll
		return nil
	}
	v, err := ParsePromise(string(b))
	if err != nil {
		return fmt.Errorf("scenarios: promise: %w", err)
	}
	*p = v
	return nil
}

// requires reports whether a scenario with promise p fails when a check
// of level l fails.
func (p Promise) requires(l Promise) bool { return p == PromiseAll || l <= p }
