package pb

import (
	"errors"
	"fmt"
	"time"
)

// Mode says when the primary acknowledges a write.
type Mode uint8

const (
	// Sync acknowledges a write once every member of the view holds it
	// durably (the default).
	Sync Mode = iota + 1
	// Async acknowledges a write once the primary's own disk holds it, and
	// replicates it in the background.
	Async
)

// Modes lists the modes by their names, as scenarios write them.
var Modes = []string{Sync.String(), Async.String()}

func (m Mode) String() string {
	switch m {
	case Sync:
		return "sync"
	case Async:
		return "async"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// ParseMode reads "sync" or "async".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "sync":
		return Sync, nil
	case "async":
		return Async, nil
	}
	return 0, fmt.Errorf("pb: unknown mode %q (want sync or async)", s)
}

// Defaults for Config's zero fields.
const (
	DefaultHeartbeat     = 50 * time.Millisecond
	DefaultViewTimeout   = 300 * time.Millisecond
	DefaultBackupTimeout = 150 * time.Millisecond
)

// Config configures every server of a cluster.
type Config struct {
	// Mode is when writes are acknowledged (default Sync).
	Mode Mode
	// Heartbeat is the ping interval, and the period of every retry
	// (default 50ms).
	Heartbeat time.Duration
	// ViewTimeout is how long a backup waits without hearing from an
	// active primary before it suspects it (default 300ms; at least two
	// heartbeats). A primary that has heard from no majority for half of
	// it stops serving.
	ViewTimeout time.Duration
	// BackupTimeout (sync mode) is how long the primary waits for a member
	// of its view to acknowledge before it changes view without the
	// members that have not (default 150ms; at least one heartbeat).
	BackupTimeout time.Duration
	Bugs          Bugs
	_             struct{}
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// AckBeforeBackup: in sync mode the primary acknowledges a write once
	// its own disk holds it, as async mode does, while claiming sync's
	// guarantee.
	AckBeforeBackup bool
	// ViewNotPersisted: a server answers a view change (Accept, and a
	// candidate counting its own) before its promise is durable, so a
	// crash can make it promise the same view twice.
	ViewNotPersisted bool
	// StalePrimaryReads: the primary answers reads from its local state
	// at once, without confirming its view with a majority.
	StalePrimaryReads bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Mode == 0 {
		c.Mode = Sync
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.ViewTimeout == 0 {
		c.ViewTimeout = DefaultViewTimeout
	}
	if c.BackupTimeout == 0 {
		c.BackupTimeout = DefaultBackupTimeout
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Mode != Sync && c.Mode != Async {
		return fmt.Errorf("pb: unknown mode %v", c.Mode)
	}
	if c.Heartbeat <= 0 || c.ViewTimeout <= 0 || c.BackupTimeout <= 0 {
		return errors.New("pb: heartbeat, view_timeout and backup_timeout must be positive")
	}
	if c.ViewTimeout < 2*c.Heartbeat {
		return fmt.Errorf("pb: view_timeout %v must be at least two heartbeats (%v)", c.ViewTimeout, 2*c.Heartbeat)
	}
	if c.BackupTimeout < c.Heartbeat {
		return fmt.Errorf("pb: backup_timeout %v must be at least one heartbeat (%v)", c.BackupTimeout, c.Heartbeat)
	}
	return nil
}
