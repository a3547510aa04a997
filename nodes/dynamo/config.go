package dynamo

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Defaults for Config's zero fields.
const (
	DefaultN           = 3
	DefaultR           = 2
	DefaultW           = 2
	DefaultVNodes      = 8
	DefaultAntiEntropy = 500 * time.Millisecond
	DefaultTimeout     = 20 * time.Millisecond
	DefaultOpTimeout   = 60 * time.Millisecond
)

// Config configures every server of a cluster.
type Config struct {
	// N is the replication factor: the length of a key's preference list
	// (capped at the cluster size). R and W are the replies a get and the
	// acknowledgements a write wait for.
	N, R, W int
	// Sloppy: a preference-list server that does not answer within
	// Timeout is replaced, for that operation, by the next server beyond
	// the list, which keeps the write as a hint for the owner (hinted
	// handoff). Strict (false): only the preference list counts.
	Sloppy bool
	// VNodes is the number of ring positions (virtual nodes) per server.
	VNodes int
	// AntiEntropy is the interval between anti-entropy exchanges and hint
	// deliveries.
	AntiEntropy time.Duration
	// Timeout is how long a coordinator waits for a replica (or a server
	// for the key's coordinator) before it retransmits, falls back to a
	// stand-in (sloppy), or coordinates itself.
	Timeout time.Duration
	// OpTimeout bounds one operation at its coordinator; past it the
	// coordinator answers kv.StatusRetry and starts nothing more for it.
	// Timeout+OpTimeout must be below the clients' attempt timeout, or a
	// client retries elsewhere an operation still running (dynamokind
	// refuses such a scenario at load).
	OpTimeout time.Duration
	Bugs      Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// AckBeforeSync: replicas acknowledge a write before it is durable.
	AckBeforeSync bool
	// LocalClock: a put is versioned from the coordinator's own Lamport
	// clock without first reading the key's current version from R replicas.
	LocalClock bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.N == 0 {
		c.N = DefaultN
	}
	if c.R == 0 {
		c.R = DefaultR
	}
	if c.W == 0 {
		c.W = DefaultW
	}
	if c.VNodes == 0 {
		c.VNodes = DefaultVNodes
	}
	if c.AntiEntropy == 0 {
		c.AntiEntropy = DefaultAntiEntropy
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.N < 1 || c.R < 1 || c.W < 1 || c.VNodes < 1:
		return fmt.Errorf("dynamo: n, r, w and vnodes must be at least 1")
	case c.R > c.N:
		return fmt.Errorf("dynamo: r %d is above n %d: no read could complete", c.R, c.N)
	case c.W > c.N:
		return fmt.Errorf("dynamo: w %d is above n %d: no write could complete", c.W, c.N)
	case c.AntiEntropy <= 0 || c.Timeout <= 0 || c.OpTimeout <= 0:
		return fmt.Errorf("dynamo: anti_entropy, timeout and op_timeout must be positive")
	}
	return nil
}

// Overlapping reports whether every read quorum meets every write quorum
// (R+W > N), the condition of the staleness guarantee.
func (c Config) Overlapping() bool {
	c = c.WithDefaults()
	return c.R+c.W > c.N
}

// New returns the server factory. It panics on an invalid Config (call
// Validate on user input).
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(id nodes.ID) nodes.Node { return &Node{cfg: cfg, id: id} }
}
