package fd

import (
	"fmt"
	"math"
	"time"
)

// Detector judges one peer from the arrival times of its heartbeats. The
// instants are any monotonic clock (a node's env.Monotonic()).
type Detector interface {
	// Heard records a heartbeat arriving at instant at.
	Heard(at time.Duration)
	// Suspect reports whether the peer should be suspected at instant now.
	// Before the first heartbeat it reports false: the detector has
	// nothing to go on (a protocol starts its peers with a Heard at start).
	Suspect(now time.Duration) bool
}

// Heartbeat is the fixed-timeout detector. The zero value is unusable: set
// Timeout.
type Heartbeat struct {
	// Timeout is how long after the last heartbeat the peer is suspected.
	Timeout time.Duration
	last    time.Duration
	heard   bool
}

// NewHeartbeat returns a fixed-timeout detector; timeout must be positive.
func NewHeartbeat(timeout time.Duration) *Heartbeat {
	if timeout <= 0 {
		panic(fmt.Sprintf("fd: heartbeat timeout %v is not positive", timeout))
	}
	return &Heartbeat{Timeout: timeout}
}

func (h *Heartbeat) Heard(at time.Duration) {
	if !h.heard || at > h.last {
		h.last, h.heard = at, true
	}
}

func (h *Heartbeat) Suspect(now time.Duration) bool {
	return h.heard && now-h.last > h.Timeout
}

// PhiConfig configures a φ-accrual detector. Use a keyed literal.
type PhiConfig struct {
	// Threshold is the φ at which the peer is suspected (8 is Akka's
	// default: a 1e-8 chance that a live peer's heartbeat is this late).
	Threshold float64
	// Window is how many inter-arrival times are kept (Akka: 1000; a
	// simulated run needs far fewer).
	Window int
	// MinStdDev bounds the standard deviation from below, so a perfectly
	// regular sender does not make the detector hair-triggered.
	MinStdDev time.Duration
	// Pause is added to the mean: an allowance for a pause or lost
	// heartbeats the window has not seen (Akka's
	// acceptable-heartbeat-pause).
	Pause time.Duration
	// First is the inter-arrival time assumed before the second heartbeat
	// (the expected heartbeat interval); it seeds the window.
	First time.Duration
	// MaxInterval, if set, leaves longer intervals out of the window: such
	// a gap is a silence (a pause, a partition), not the sender's rhythm,
	// and would make the detector slow to suspect for a whole window
	// afterwards (Cassandra caps it the same way).
	MaxInterval time.Duration
	_           struct{}
}

// Validate reports a configuration no detector can use.
func (c PhiConfig) Validate() error {
	switch {
	case !(c.Threshold > 0) || math.IsInf(c.Threshold, 0):
		return fmt.Errorf("fd: phi threshold %v must be positive and finite", c.Threshold)
	case c.Window < 2:
		return fmt.Errorf("fd: phi window %d must hold at least 2 intervals", c.Window)
	case c.MinStdDev <= 0:
		return fmt.Errorf("fd: phi min_std_dev %v must be positive", c.MinStdDev)
	case c.First <= 0:
		return fmt.Errorf("fd: phi first interval %v must be positive", c.First)
	case c.Pause < 0:
		return fmt.Errorf("fd: phi pause %v must not be negative", c.Pause)
	case c.MaxInterval < 0 || c.MaxInterval > 0 && c.MaxInterval < c.First:
		return fmt.Errorf("fd: phi max interval %v must be 0 (none) or at least the first interval %v", c.MaxInterval, c.First)
	}
	return nil
}

// Phi is the φ-accrual detector over a sliding window of inter-arrival
// times. Build it with NewPhi.
type Phi struct {
	cfg       PhiConfig
	intervals []time.Duration // ring buffer of the last Window intervals
	next      int             // ring position of the next write
	full      bool
	sum, sum2 float64 // of the intervals in the window, in seconds
	last      time.Duration
	heard     bool
}

// NewPhi returns a φ-accrual detector; it panics on a configuration that
// fails Validate (validate user input first).
func NewPhi(cfg PhiConfig) *Phi {
	if err := cfg.Validate(); err != nil {
		panic(err.Error())
	}
	p := &Phi{cfg: cfg, intervals: make([]time.Duration, cfg.Window)}
	// Seed the window as Akka does: the expected interval, with a spread of
	// a quarter of it either way, so the first judgements are sane.
	p.add(cfg.First - cfg.First/4)
	p.add(cfg.First + cfg.First/4)
	return p
}

func (p *Phi) add(d time.Duration) {
	if p.full {
		old := p.intervals[p.next].Seconds()
		p.sum -= old
		p.sum2 -= old * old
	}
	p.intervals[p.next] = d
	s := d.Seconds()
	p.sum += s
	p.sum2 += s * s
	p.next++
	if p.next == len(p.intervals) {
		p.next, p.full = 0, true
	}
}

func (p *Phi) count() int {
	if p.full {
		return len(p.intervals)
	}
	return p.next
}

func (p *Phi) Heard(at time.Duration) {
	if p.heard && at > p.last && (p.cfg.MaxInterval == 0 || at-p.last <= p.cfg.MaxInterval) {
		p.add(at - p.last)
	}
	if !p.heard || at > p.last {
		p.last, p.heard = at, true
	}
}

// Stats returns the mean and standard deviation of the window (the
// standard deviation at least MinStdDev), in seconds.
func (p *Phi) Stats() (mean, stdDev float64) {
	n := float64(p.count())
	mean = p.sum / n
	v := p.sum2/n - mean*mean
	if v < 0 { // rounding
		v = 0
	}
	stdDev = math.Max(math.Sqrt(v), p.cfg.MinStdDev.Seconds())
	return mean, stdDev
}

// Phi returns the suspicion level at instant now (0 before the first
// heartbeat). It grows without bound as the silence lengthens.
func (p *Phi) Phi(now time.Duration) float64 {
	if !p.heard || now <= p.last {
		return 0
	}
	mean, sd := p.Stats()
	mean += p.cfg.Pause.Seconds()
	return phi((now - p.last).Seconds(), mean, sd)
}

// phi is -log10 of the chance a normal(mean, sd) interval exceeds elapsed,
// with the logistic approximation of the normal CDF Akka uses (accurate
// to about 1e-4, and free of erfc's underflow for long silences).
func phi(elapsed, mean, sd float64) float64 {
	y := (elapsed - mean) / sd
	e := math.Exp(-y * (1.5976 + 0.070566*y*y))
	if elapsed > mean {
		return -math.Log10(e / (1 + e))
	}
	return -math.Log10(1 - 1/(1+e))
}

func (p *Phi) Suspect(now time.Duration) bool { return p.Phi(now) >= p.cfg.Threshold }
