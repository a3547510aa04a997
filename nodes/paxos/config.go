package paxos

import (
	"errors"
	"fmt"
	"time"
)

// ReadMode selects how the leader serves get and read operations.
type ReadMode uint8

const (
	// ReadLog (the default) puts every read in the log like a write: it is
	// answered once its slot is chosen and applied, so it is linearizable
	// whatever the clocks do.
	ReadLog ReadMode = iota + 1
	// ReadLease answers a read from the leader's applied state at once
	// while the leader holds a lease (see the package doc): correct while
	// the clocks drift less than Config.LeaseDriftBoundPPM.
	ReadLease
)

// ReadModes lists the read modes by name, as scenarios write them.
var ReadModes = []string{ReadLog.String(), ReadLease.String()}

func (m ReadMode) String() string {
	switch m {
	case ReadLog:
		return "log"
	case ReadLease:
		return "lease"
	}
	return fmt.Sprintf("ReadMode(%d)", uint8(m))
}

// ParseReadMode reads the forms ReadMode.String writes.
func ParseReadMode(s string) (ReadMode, error) {
	for _, m := range []ReadMode{ReadLog, ReadLease} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("paxos: read mode %q: want log or lease", s)
}

// Defaults for Config's zero fields.
const (
	DefaultHeartbeat          = 50 * time.Millisecond
	DefaultElectionTimeoutMin = 150 * time.Millisecond
	DefaultElectionTimeoutMax = 300 * time.Millisecond
	DefaultSnapshotEvery      = 64
	DefaultLeaseDriftBoundPPM = 10_000
)

// Config configures every server of a cluster. The zero value is a
// correct Multi-Paxos KV with the defaults above; Bugs are all off.
type Config struct {
	// Heartbeat is the leader's heartbeat interval and the period of every
	// resend (default 50ms).
	Heartbeat time.Duration
	// ElectionTimeoutMin and ElectionTimeoutMax bound the randomized
	// timeout after which a server that has heard from no leader starts
	// phase 1 (defaults 150ms and 300ms), drawn from env.Rand() at every
	// reset. A leader that has heard from no majority for
	// ElectionTimeoutMin steps down.
	ElectionTimeoutMin time.Duration
	ElectionTimeoutMax time.Duration
	// SnapshotEvery is how many applied slots a server lets accumulate
	// before it snapshots its state machine and drops the log below it
	// (default 64).
	SnapshotEvery int
	// ReadMode is how reads are served (default ReadLog).
	ReadMode ReadMode
	// LeaseDriftBoundPPM is the clock drift the lease assumes, in parts
	// per million (ReadLease only; default 10000, i.e. 1%).
	LeaseDriftBoundPPM int64
	Bugs               Bugs
	_                  struct{}
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// PromiseNotPersisted: an acceptor answers Prepare with its promise at
	// once, without writing it to its store; a crash makes it forget the
	// promise and accept an older ballot's proposals again.
	PromiseNotPersisted bool
	// SkipPhase1Unlearned: a new leader runs phase 1 only above the
	// highest slot it has accepted or learned itself, and fills the
	// unlearned slots below it with no-ops without asking the acceptors.
	SkipPhase1Unlearned bool
	// OwnValue: a new leader proposes its own accepted value for a slot,
	// when it has one, instead of the highest-ballot value among the
	// promises.
	OwnValue bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.ElectionTimeoutMin == 0 {
		c.ElectionTimeoutMin = DefaultElectionTimeoutMin
	}
	if c.ElectionTimeoutMax == 0 {
		c.ElectionTimeoutMax = max(DefaultElectionTimeoutMax, c.ElectionTimeoutMin)
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = DefaultSnapshotEvery
	}
	if c.ReadMode == 0 {
		c.ReadMode = ReadLog
	}
	if c.LeaseDriftBoundPPM == 0 {
		c.LeaseDriftBoundPPM = DefaultLeaseDriftBoundPPM
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Heartbeat <= 0 || c.ElectionTimeoutMin <= 0:
		return errors.New("paxos: heartbeat and election_timeout must be positive")
	case c.ElectionTimeoutMax < c.ElectionTimeoutMin:
		return fmt.Errorf("paxos: election_timeout %v..%v: the maximum is below the minimum", c.ElectionTimeoutMin, c.ElectionTimeoutMax)
	case c.ElectionTimeoutMin < 2*c.Heartbeat:
		return fmt.Errorf("paxos: election_timeout minimum %v must be at least two heartbeats (%v)", c.ElectionTimeoutMin, 2*c.Heartbeat)
	case c.SnapshotEvery < 1:
		return fmt.Errorf("paxos: snapshot_every %d must be at least 1", c.SnapshotEvery)
	case c.ReadMode != ReadLog && c.ReadMode != ReadLease:
		return fmt.Errorf("paxos: unknown read mode %v", c.ReadMode)
	case c.LeaseDriftBoundPPM < 0 || c.LeaseDriftBoundPPM >= 1_000_000:
		return fmt.Errorf("paxos: lease_drift_bound %dppm: want 0 to 999999ppm", c.LeaseDriftBoundPPM)
	}
	return nil
}

// leaseDuration is how long, on the leader's monotonic clock from the send
// of a heartbeat round a majority acknowledged, the leader may serve reads
// alone: an acceptor that acknowledged it refuses every other proposer's
// Prepare for ElectionTimeoutMin of its own clock, and either clock may be
// off by ρ, so ETmin·(1−ρ)/(1+ρ).
func (c *Config) leaseDuration() time.Duration {
	rho := c.LeaseDriftBoundPPM
	return time.Duration(int64(c.ElectionTimeoutMin) * (1_000_000 - rho) / (1_000_000 + rho))
}
