package raftkv

import (
	"fmt"
	"time"
)

// ReadMode selects how the leader serves get and read operations.
type ReadMode uint8

const (
	// ReadIndex (the default) confirms leadership with a quorum round of
	// heartbeats and serves the read once the state machine has applied
	// the commit index recorded when the read arrived (§6.4 of the
	// extended paper; "ReadIndex" in the Raft dissertation, §6.4).
	ReadIndex ReadMode = iota
	// ReadLog puts every read in the log like a write: simplest, slowest.
	ReadLog
	// ReadLease skips the quorum round while the leader holds a lease: a
	// quorum acknowledged a heartbeat less than the lease duration ago, as
	// measured by the leader's monotonic clock, shortened by the assumed
	// clock drift bound (LeaseDriftBoundPPM). Correct while clocks drift
	// less than the bound; wrong when they do not.
	ReadLease
)

func (m ReadMode) String() string {
	switch m {
	case ReadIndex:
		return "readindex"
	case ReadLog:
		return "log"
	case ReadLease:
		return "lease"
	}
	return fmt.Sprintf("readmode(%d)", uint8(m))
}

// ParseReadMode reads the forms ReadMode.String writes.
func ParseReadMode(s string) (ReadMode, error) {
	for _, m := range []ReadMode{ReadIndex, ReadLog, ReadLease} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("raftkv: read mode %q: want readindex, log or lease", s)
}

// Config configures every node of a cluster. The zero value is a correct
// Raft KV with the defaults below; Bugs are all off.
type Config struct {
	// ElectionTimeoutMin and ElectionTimeoutMax bound the randomized
	// election timeout, drawn afresh from the node's random stream every
	// time the timer is reset (defaults 150ms, and twice the minimum).
	ElectionTimeoutMin time.Duration
	ElectionTimeoutMax time.Duration
	// HeartbeatInterval is how often a leader sends AppendEntries to every
	// follower, with or without entries (default a third of
	// ElectionTimeoutMin, 50ms).
	HeartbeatInterval time.Duration
	// SnapshotThreshold is how many applied entries may accumulate in the
	// log beyond the last snapshot before the node takes a new snapshot and
	// compacts its log (default 1000).
	SnapshotThreshold int
	// MaxEntriesPerAppend caps the entries in one AppendEntries (default 64).
	MaxEntriesPerAppend int
	// ReadMode selects how reads are served (default ReadIndex).
	ReadMode ReadMode
	// LeaseDriftBoundPPM is the clock drift rate, in parts per million,
	// that lease reads assume no clock exceeds (default 100000, i.e. 10%).
	// The lease lasts ElectionTimeoutMin·(1−ρ)/(1+ρ) of the leader's
	// monotonic clock from the send time of the last heartbeat round a
	// quorum acknowledged. Only used with ReadLease.
	LeaseDriftBoundPPM int64
	// NoCheckQuorum turns CheckQuorum off: a leader that has not heard from
	// a quorum for ElectionTimeoutMax stays leader until it hears of a later
	// term (etcd raft's default). Off or on, followers refuse votes for
	// ElectionTimeoutMin after hearing from a leader, so reads stay
	// correct; a leader cut off from the others merely serves its clients
	// nothing for longer.
	NoCheckQuorum bool

	// Bugs plants known mistakes, for demonstrating that Faultline finds
	// them. All off by default.
	Bugs Bugs

	_ struct{}
}

// Bugs are documented, deliberately wrong variants of the protocol. Each is
// caught by the invariants or by the linearizability checker under the
// faults named in its comment.
type Bugs struct {
	// FollowerReads: followers answer get/read from their own state
	// machine, which may lag the leader (stale reads; caught by Porcupine
	// under partitions or slow links).
	FollowerReads bool
	// LeaseUnbounded: lease reads time the lease with the wall clock
	// (env.Now) and ignore the drift bound, so a clock that jumps backwards
	// or runs slow extends a deposed leader's lease (stale reads under
	// clock faults with ReadMode ReadLease).
	LeaseUnbounded bool
	// VoteNotPersisted: votedFor is not written to disk, so a node that
	// crashes after voting can vote again in the same term (two leaders in
	// one term under crash-restart).
	VoteNotPersisted bool
	// Figure8Commit: the leader commits any entry stored on a majority,
	// even one from an earlier term — the error the paper's Figure 8 shows
	// (a committed entry is later overwritten).
	Figure8Commit bool
	// AckBeforeSync: votes are granted and entries acknowledged (and the
	// leader counts its own entries) before the disk sync completes, so a
	// machine crash loses what was promised.
	AckBeforeSync bool
	// NoSessions: no client session table; a retried write is applied
	// again (an append appears twice).
	NoSessions bool
}

// Any reports whether any bug is planted.
func (b Bugs) Any() bool { return b != Bugs{} }

// The defaults for zero Config fields.
const (
	DefaultElectionTimeoutMin  = 150 * time.Millisecond
	DefaultSnapshotThreshold   = 1000
	DefaultMaxEntriesPerAppend = 64
	DefaultLeaseDriftBoundPPM  = 100_000
)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.ElectionTimeoutMin == 0 {
		c.ElectionTimeoutMin = DefaultElectionTimeoutMin
	}
	if c.ElectionTimeoutMax == 0 {
		c.ElectionTimeoutMax = 2 * c.ElectionTimeoutMin
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = c.ElectionTimeoutMin / 3
	}
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = DefaultSnapshotThreshold
	}
	if c.MaxEntriesPerAppend == 0 {
		c.MaxEntriesPerAppend = DefaultMaxEntriesPerAppend
	}
	if c.LeaseDriftBoundPPM == 0 {
		c.LeaseDriftBoundPPM = DefaultLeaseDriftBoundPPM
	}
	return c
}

// Validate reports the first field of c (after defaults) that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.ElectionTimeoutMin < 0:
		return fmt.Errorf("raftkv: ElectionTimeoutMin: negative duration %v", c.ElectionTimeoutMin)
	case c.ElectionTimeoutMax < c.ElectionTimeoutMin:
		return fmt.Errorf("raftkv: ElectionTimeoutMax: %v is below ElectionTimeoutMin %v", c.ElectionTimeoutMax, c.ElectionTimeoutMin)
	case c.HeartbeatInterval <= 0 || c.HeartbeatInterval >= c.ElectionTimeoutMin:
		return fmt.Errorf("raftkv: HeartbeatInterval: %v must be positive and below ElectionTimeoutMin %v", c.HeartbeatInterval, c.ElectionTimeoutMin)
	case c.SnapshotThreshold < 1:
		return fmt.Errorf("raftkv: SnapshotThreshold: %d must be at least 1", c.SnapshotThreshold)
	case c.MaxEntriesPerAppend < 1:
		return fmt.Errorf("raftkv: MaxEntriesPerAppend: %d must be at least 1", c.MaxEntriesPerAppend)
	case c.ReadMode > ReadLease:
		return fmt.Errorf("raftkv: ReadMode: unknown mode %d", c.ReadMode)
	case c.LeaseDriftBoundPPM < 0 || c.LeaseDriftBoundPPM >= 1_000_000:
		return fmt.Errorf("raftkv: LeaseDriftBoundPPM: %d is outside [0, 1000000)", c.LeaseDriftBoundPPM)
	}
	return nil
}

// leaseDuration is how long, on the leader's monotonic clock, a confirmed
// heartbeat round keeps followers from electing anyone else: they refuse
// votes for ElectionTimeoutMin of their own clocks after hearing from the
// leader, and either clock may be off by ρ, so ETmin·(1−ρ)/(1+ρ).
func (c *Config) leaseDuration() time.Duration {
	rho := c.LeaseDriftBoundPPM
	return time.Duration(int64(c.ElectionTimeoutMin) * (1_000_000 - rho) / (1_000_000 + rho))
}
