// Package fd holds failure detectors as reusable pieces: pure values fed
// with the arrival times of a peer's heartbeats and asked, at any instant,
// whether the peer should be suspected. They keep no clock of their own:
// every method takes the instant (a node's env.Monotonic()), so they are
// deterministic and trivially testable, and a protocol may use one per
// peer.
//
// # Detectors
//
//   - [Heartbeat] is the fixed-timeout detector: a peer is suspected once
//     no heartbeat arrived for Timeout.
//   - [Phi] is the φ-accrual detector of Hayashibara et al. (2004), in the
//     form Akka and Cassandra use: it keeps a sliding window of the last
//     Window inter-arrival times, models them as a normal distribution,
//     and reports φ = -log10 P(a heartbeat arrives later than now), the
//     suspicion level; the peer is suspected when φ reaches Threshold.
//     A network whose heartbeats jitter widens the distribution and the
//     detector waits longer; a steady one lets it decide sooner.
//
// Both satisfy [Detector]. Neither knows about membership: nodes/swim
// uses them for its all-to-all heartbeat modes and states what is done
// when a peer is suspected.
//
// # Failure model
//
// The detectors assume crash-stop peers and a network that may delay or
// lose heartbeats: any such detector is only eventually accurate, and a
// pause, a lossy link or a partition longer than the timeout (or than
// what the window has seen) makes it suspect a live peer. That is the
// false-positive rate nodes/swim's detection check measures.
package fd
