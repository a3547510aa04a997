// Package vclock is logical time for protocol authors: Lamport clocks and
// vector clocks (version vectors), the one type of each that Faultline's
// protocols share.
//
// # Lamport clocks
//
// A Lamport clock orders events consistently with causality: if a happens
// before b, then a's time is below b's. The rules are two, and forgetting
// the second is the classic bug:
//
//	t := clock.Tick()        // a local event (a write): advance, then stamp
//	clock.Observe(m.Time)    // on receive: jump past what the sender had seen
//
// Lamport times are totally ordered only with a tie-breaker (usually the
// process id); [Stamp] pairs the two.
//
// # Vector clocks
//
// A [Vector] counts, per process, how many of its events a state includes.
// Unlike a Lamport time it tells causality apart from concurrency:
// [Vector.Compare] answers [Before], [After], [Equal] or [Concurrent]. A
// missing entry is zero; vectors are rendered and iterated in process
// order, so nothing about them depends on map order.
//
// Both are plain data (a uint64 and a map), encode as JSON, and need no
// Env: they are safe in simulated code.
package vclock
