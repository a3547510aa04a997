// Package resilience holds the client and server resilience patterns of
// Faultline's gray-failure scenarios, as small pure values a protocol
// embeds in its state: no goroutines, no clock, no global randomness.
// Time is the virtual time the caller passes in (env.Monotonic() of the
// node); randomness is the *rand.Rand the caller passes in (env.Rand()).
// The same inputs always give the same outputs.
//
// # Client side
//
//   - Backoff: exponential retry delays, capped, with no jitter, full
//     jitter (uniform in [0, cap]) or decorrelated jitter (uniform in
//     [base, 3×previous], capped), after "Exponential Backoff And
//     Jitter" (AWS Architecture Blog, 2015).
//   - RetryBudget: a token bucket over successes: each success deposits a
//     fraction of a token, each retry spends one, so retries stay a
//     bounded fraction of the traffic (Finagle's RetryBudget, gRPC's
//     retry throttling). When nothing succeeds, nothing is retried.
//   - CircuitBreaker: closed → open when the failure fraction over a
//     window of virtual time crosses a threshold; open → half-open after
//     a cool-down; half-open lets a few probes through and closes when
//     they succeed, reopens at the first failure.
//
// # Server side
//
//   - TokenBucket: admission at a rate with a burst (requests beyond it are
//     shed).
//   - Queue: a bounded FIFO (a full queue sheds).
//
// # Failure model
//
// These are policies, not protocols: they hold no durable state, and a
// crash resets them (a restarted client starts with a closed breaker and a
// full budget), which is what real clients do.
package resilience
