package etcdraft

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of the zero Config's fields. With them a node ticks every 10ms,
// a follower campaigns after 150ms..300ms without a leader (etcd raft
// randomizes the election timeout over [ElectionTicks, 2·ElectionTicks))
// and a leader heartbeats every 50ms: the timing of raftkv's library
// scenarios, so the two Rafts compare under the same faults.
const (
	DefaultTickInterval      = 10 * time.Millisecond
	DefaultElectionTicks     = 15
	DefaultHeartbeatTicks    = 5
	DefaultSnapshotThreshold = 1000
)

// Config configures a cluster's nodes. The zero value is usable: every
// field left zero takes its default.
type Config struct {
	// TickInterval is the virtual time between two RawNode.Tick calls.
	TickInterval time.Duration
	// ElectionTicks and HeartbeatTicks are etcd raft's Config.ElectionTick
	// and HeartbeatTick; ElectionTicks must exceed HeartbeatTicks.
	ElectionTicks  int
	HeartbeatTicks int
	// SnapshotThreshold is how many applied entries the log keeps before
	// the node snapshots its state machine and compacts the log.
	SnapshotThreshold int
	// PreVote and CheckQuorum are etcd raft's options of the same names.
	PreVote     bool
	CheckQuorum bool
	// InitialVoters is how many servers (the lowest IDs) the cluster
	// starts with as voters; 0 means all. The others start as non-members
	// and ask to join (membership.go).
	InitialVoters int
	// JointConsensus makes every membership change go through a joint
	// configuration (C_old,new, then C_new: ConfChangeV2 with the
	// JointImplicit transition, which etcd raft leaves by itself) instead
	// of a single-step change.
	JointConsensus bool
	// Bugs plants integration mistakes, for Faultline to find.
	Bugs Bugs
}

// Bugs are mistakes in the integration of etcd raft (never in etcd raft,
// which runs unmodified), each one a careful integrator could make.
type Bugs struct {
	// HardStateNotSynced syncs only the Readies that carry entries (or a
	// snapshot), reading MustSync as "there is something to append": a
	// Ready that only changes the term and vote is written but not synced,
	// and its vote goes out at once. A node that votes and then loses
	// power votes again in the same term, and the term can get two
	// leaders.
	HardStateNotSynced bool
	// ReadWithoutReadIndex serves reads from the leader's applied state
	// without a ReadIndex round: a leader deposed by a partition it has not
	// noticed yet returns stale values.
	ReadWithoutReadIndex bool
	// SnapshotWithoutSessions leaves the session table out of snapshots:
	// a node that restarts from (or installs) a snapshot forgets which
	// writes it applied, and a retried write after it applies twice.
	SnapshotWithoutSessions bool
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.TickInterval == 0 {
		c.TickInterval = DefaultTickInterval
	}
	if c.ElectionTicks == 0 {
		c.ElectionTicks = DefaultElectionTicks
	}
	if c.HeartbeatTicks == 0 {
		c.HeartbeatTicks = DefaultHeartbeatTicks
	}
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = DefaultSnapshotThreshold
	}
	return c
}

// Validate judges a configuration (after WithDefaults).
func (c Config) Validate() error {
	switch {
	case c.TickInterval <= 0:
		return fmt.Errorf("etcdraft: tick interval %v must be positive", c.TickInterval)
	case c.HeartbeatTicks <= 0:
		return fmt.Errorf("etcdraft: heartbeat ticks %d must be positive", c.HeartbeatTicks)
	case c.ElectionTicks <= c.HeartbeatTicks:
		return fmt.Errorf("etcdraft: election ticks %d must exceed heartbeat ticks %d", c.ElectionTicks, c.HeartbeatTicks)
	case c.ElectionTicks > 1<<16:
		return errors.New("etcdraft: election ticks above 65536")
	case c.InitialVoters < 0:
		return fmt.Errorf("etcdraft: initial voters %d must not be negative", c.InitialVoters)
	case c.SnapshotThreshold <= 0:
		return fmt.Errorf("etcdraft: snapshot threshold %d must be positive", c.SnapshotThreshold)
	}
	return nil
}
