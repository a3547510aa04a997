package swim

import (
	"fmt"
	"math"
	"time"

	"github.com/faultline/faultline/nodes/fd"
)

// Detector selects how a member judges its peers.
type Detector uint8

const (
	// DetectorSWIM probes one member per protocol period (directly, then
	// through IndirectK others), suspects before declaring, and
	// disseminates by piggy-backing: the SWIM protocol.
	DetectorSWIM Detector = iota
	// DetectorHeartbeat sends a heartbeat to every peer each
	// HeartbeatInterval and declares a peer dead after HeartbeatTimeout
	// of silence (fd.Heartbeat).
	DetectorHeartbeat
	// DetectorPhi sends the same all-to-all heartbeats and declares a peer
	// dead when its φ-accrual suspicion reaches PhiThreshold (fd.Phi).
	DetectorPhi
)

var detectorNames = []string{"swim", "heartbeat", "phi"}

func (d Detector) String() string {
	if int(d) < len(detectorNames) {
		return detectorNames[d]
	}
	return fmt.Sprintf("detector(%d)", uint8(d))
}

// DetectorNames lists the detectors as scenarios write them.
func DetectorNames() []string { return append([]string(nil), detectorNames...) }

// ParseDetector is the inverse of Detector.String.
func ParseDetector(s string) (Detector, bool) {
	for i, n := range detectorNames {
		if n == s {
			return Detector(i), true
		}
	}
	return 0, false
}

// Defaults for Config's zero fields.
const (
	DefaultProbeInterval     = 200 * time.Millisecond
	DefaultProbeTimeout      = 60 * time.Millisecond
	DefaultIndirectK         = 3
	DefaultSuspicionMult     = 6
	DefaultRetransmitMult    = 3
	DefaultMaxPiggyback      = 8
	DefaultHeartbeatInterval = 100 * time.Millisecond
	DefaultHeartbeatTimeout  = time.Second
	DefaultPhiThreshold      = 8.0
	DefaultPhiWindow         = 32
	DefaultPhiMinStdDev      = 50 * time.Millisecond
	DefaultPhiPause          = 800 * time.Millisecond
)

// Config configures every member of a cluster.
type Config struct {
	Detector Detector
	// ProbeInterval is SWIM's protocol period T: one probe per period.
	ProbeInterval time.Duration
	// ProbeTimeout is how long a direct ping waits for its ack before the
	// indirect probes are sent (a round trip or a few).
	ProbeTimeout time.Duration
	// IndirectK is how many members a ping-req asks to probe for us.
	IndirectK int
	// SuspicionMult scales the suspicion timeout: a suspect is declared
	// dead after SuspicionMult × max(1, log10 n) × ProbeInterval.
	SuspicionMult int
	// RetransmitMult scales dissemination: each update rides on
	// RetransmitMult × ceil(log2(n+1)) outgoing messages.
	RetransmitMult int
	// MaxPiggyback bounds the updates one message carries.
	MaxPiggyback int
	// HeartbeatInterval and HeartbeatTimeout are the all-to-all modes'.
	HeartbeatInterval time.Duration
	HeartbeatTimeout  time.Duration
	// PhiThreshold, PhiWindow and PhiMinStdDev tune DetectorPhi
	// (fd.PhiConfig; its window is seeded with HeartbeatInterval and
	// leaves out gaps over five intervals).
	PhiThreshold float64
	PhiWindow    int
	PhiMinStdDev time.Duration
	// PhiPause is the silence the φ detector accepts on top of the mean
	// interval (a few lost heartbeats).
	PhiPause time.Duration
	Bugs     Bugs
}

// Bugs are planted bugs, off by default (see the package doc).
type Bugs struct {
	// NoRefute: a member that learns it is suspected (or declared dead)
	// does not raise its incarnation to refute it.
	NoRefute bool
	// NoIndirect: a failed direct ping leads straight to suspicion; no
	// ping-req asks other members to probe.
	NoIndirect bool
	// NoRetransmit: each update is piggy-backed on one message only,
	// instead of RetransmitMult × log(n) of them.
	NoRetransmit bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	set := func(p *time.Duration, d time.Duration) {
		if *p == 0 {
			*p = d
		}
	}
	seti := func(p *int, d int) {
		if *p == 0 {
			*p = d
		}
	}
	set(&c.ProbeInterval, DefaultProbeInterval)
	set(&c.ProbeTimeout, DefaultProbeTimeout)
	set(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	set(&c.HeartbeatTimeout, DefaultHeartbeatTimeout)
	set(&c.PhiMinStdDev, DefaultPhiMinStdDev)
	set(&c.PhiPause, DefaultPhiPause)
	seti(&c.IndirectK, DefaultIndirectK)
	seti(&c.SuspicionMult, DefaultSuspicionMult)
	seti(&c.RetransmitMult, DefaultRetransmitMult)
	seti(&c.MaxPiggyback, DefaultMaxPiggyback)
	seti(&c.PhiWindow, DefaultPhiWindow)
	if c.PhiThreshold == 0 {
		c.PhiThreshold = DefaultPhiThreshold
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.ProbeTimeout >= c.ProbeInterval:
		return fmt.Errorf("swim: probe_timeout %v must be shorter than probe_interval %v (the indirect probes need the rest of the period)", c.ProbeTimeout, c.ProbeInterval)
	case c.HeartbeatTimeout <= c.HeartbeatInterval:
		return fmt.Errorf("swim: heartbeat_timeout %v must be longer than heartbeat_interval %v", c.HeartbeatTimeout, c.HeartbeatInterval)
	case c.IndirectK < 0 || c.SuspicionMult < 1 || c.RetransmitMult < 1 || c.MaxPiggyback < 1:
		return fmt.Errorf("swim: indirect_k, suspicion_mult, retransmit_mult and max_piggyback must be positive")
	}
	return c.phi().Validate()
}

func (c Config) phi() fd.PhiConfig {
	return fd.PhiConfig{Threshold: c.PhiThreshold, Window: c.PhiWindow, MinStdDev: c.PhiMinStdDev, Pause: c.PhiPause, First: c.HeartbeatInterval,
		MaxInterval: 5 * c.HeartbeatInterval}
}

// SuspicionTimeout is how long a member stays suspect before it is
// declared dead, in a cluster of n members.
func (c Config) SuspicionTimeout(n int) time.Duration {
	c = c.WithDefaults()
	return time.Duration(float64(c.SuspicionMult) * math.Max(1, math.Log10(float64(n))) * float64(c.ProbeInterval))
}

// Retransmits is how many messages carry each update, in a cluster of n.
func (c Config) Retransmits(n int) int {
	c = c.WithDefaults()
	if c.Bugs.NoRetransmit {
		return 1
	}
	return c.RetransmitMult * int(math.Ceil(math.Log2(float64(n+1))))
}
