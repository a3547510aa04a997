package sim

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Config describes a world. The zero value of every optional field is a
// sensible default; New validates the rest and reports the first bad field.
type Config struct {
	// Seed determines everything random in the run.
	Seed uint64
	// Nodes is the number of servers, named n1..nN; Node builds each one
	// (at start and at every restart).
	Nodes int
	Node  nodes.Factory
	// Clients is the number of simulated clients, c1..cM; Client builds
	// them. Clients are processes like servers but are never targeted by
	// faults unless a caller does so explicitly.
	Clients int
	Client  nodes.Factory

	Network Network
	Disk    Disk
	Clocks  Clocks
	// Service is the servers' service-time model (zero: instantaneous
	// handlers, see Service).
	Service Service

	// MaxEvents bounds the number of events a run may execute (0 means
	// DefaultMaxEvents): a livelocked protocol ends with OutcomeBudget.
	MaxEvents uint64
	// Record renders every event's details (message contents, log lines)
	// into Event.Text. Off in sweeps; on when replaying a seed for its
	// full trace. The hash is the same either way.
	Record bool
}

// DefaultMaxEvents is the event budget when Config.MaxEvents is zero.
const DefaultMaxEvents = 200_000_000

// Network is the base behaviour of every link, before any rules.
type Network struct {
	// Latency is the one-way delay of a message (default 1ms constant).
	Latency Dist
	// Drop and Duplicate are per-message probabilities on every link.
	Drop      Ratio
	Duplicate Ratio
	// Links override Latency for particular directed links.
	Links []LinkLatency
	// Schedule reorders deliveries on top of the latency (zero: plain
	// latency order; see Schedule, PCT).
	Schedule Schedule
}

// LinkLatency overrides the latency of the directed link From→To.
type LinkLatency struct {
	From, To nodes.ID
	Latency  Dist
}

// Disk configures every node's store.
type Disk struct {
	// SyncLatency is how long a sync takes (default 1ms constant).
	SyncLatency Dist
	// KeepUnsyncedOnCrash models a process crash that leaves the OS page
	// cache intact. By default a crash is a machine crash: unsynced writes
	// are lost.
	KeepUnsyncedOnCrash bool
}

// Clocks configures the nodes' clocks at start. Each node draws its
// initial wall-clock offset uniformly from [-Skew, Skew] and its drift from
// [-DriftPPM, DriftPPM] (parts per million), from the "clocks" stream.
type Clocks struct {
	Skew     time.Duration
	DriftPPM int64
}

// Epoch is the wall-clock time at virtual time zero.
var Epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// MaxDriftPPM bounds configured and injected drift: beyond ±50% a clock is
// not a clock.
const MaxDriftPPM = 500_000

func (c *Config) validate() error {
	switch {
	case c.Nodes <= 0:
		return fmt.Errorf("sim: Nodes: need at least one node, got %d", c.Nodes)
	case c.Nodes >= int(nodes.ClientBase):
		return fmt.Errorf("sim: Nodes: %d is too many", c.Nodes)
	case c.Node == nil:
		return fmt.Errorf("sim: Node: no node factory")
	case c.Clients < 0:
		return fmt.Errorf("sim: Clients: negative count %d", c.Clients)
	case c.Clients > 0 && c.Client == nil:
		return fmt.Errorf("sim: Client: %d clients but no client factory", c.Clients)
	case !c.Network.Drop.Valid():
		return fmt.Errorf("sim: Network.Drop: %v is not a probability", c.Network.Drop)
	case !c.Network.Duplicate.Valid():
		return fmt.Errorf("sim: Network.Duplicate: %v is not a probability", c.Network.Duplicate)
	case c.Clocks.Skew < 0:
		return fmt.Errorf("sim: Clocks.Skew: negative skew %v", c.Clocks.Skew)
	case c.Clocks.DriftPPM < 0 || c.Clocks.DriftPPM > MaxDriftPPM:
		return fmt.Errorf("sim: Clocks.DriftPPM: %d is outside [0, %d]", c.Clocks.DriftPPM, MaxDriftPPM)
	}
	if err := c.Network.Latency.Validate("Network.Latency"); err != nil {
		return err
	}
	if err := c.Network.Schedule.Validate("Network.Schedule"); err != nil {
		return err
	}
	if err := c.Disk.SyncLatency.Validate("Disk.SyncLatency"); err != nil {
		return err
	}
	if err := c.Service.validate(); err != nil {
		return err
	}
	for i, l := range c.Network.Links {
		if !c.known(l.From) || !c.known(l.To) {
			return fmt.Errorf("sim: Network.Links[%d]: unknown process in %v->%v", i, l.From, l.To)
		}
		if err := l.Latency.Validate(fmt.Sprintf("Network.Links[%d].Latency", i)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) known(id nodes.ID) bool {
	if id.IsClient() {
		return id.Index() <= c.Clients
	}
	return id >= 1 && int(id) <= c.Nodes
}
