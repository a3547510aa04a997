package fd_test

import (
	"math"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/fd"
)

const ms = time.Millisecond

func TestHeartbeat(t *testing.T) {
	for _, c := range []struct {
		name  string
		heard []time.Duration
		now   time.Duration
		want  bool
	}{
		{"nothing heard yet", nil, 10 * time.Second, false},
		{"within the timeout", []time.Duration{0, 100 * ms}, 300 * ms, false},
		{"at the timeout", []time.Duration{100 * ms}, 300 * ms, false},
		{"past the timeout", []time.Duration{100 * ms}, 301 * ms, true},
		{"a late heartbeat resets it", []time.Duration{0, 500 * ms}, 600 * ms, false},
		{"an older heartbeat (reordered) does not move it back", []time.Duration{500 * ms, 100 * ms}, 600 * ms, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := fd.NewHeartbeat(200 * ms)
			for _, at := range c.heard {
				h.Heard(at)
			}
			if got := h.Suspect(c.now); got != c.want {
				t.Errorf("Suspect(%v) after %v = %v, want %v", c.now, c.heard, got, c.want)
			}
		})
	}
}

func phiCfg() fd.PhiConfig {
	return fd.PhiConfig{Threshold: 8, Window: 16, MinStdDev: 10 * ms, First: 100 * ms}
}

// regular feeds heartbeats every interval (plus a jitter pattern) from 0.
func regular(p *fd.Phi, n int, interval time.Duration, jitter ...time.Duration) time.Duration {
	at := time.Duration(0)
	for i := range n {
		at += interval
		if len(jitter) > 0 {
			at += jitter[i%len(jitter)]
		}
		p.Heard(at)
	}
	return at
}

func TestPhi(t *testing.T) {
	for _, c := range []struct {
		name        string
		jitter      []time.Duration
		silence     time.Duration
		wantSuspect bool
	}{
		{"one interval of silence is normal", nil, 100 * ms, false},
		{"two intervals of silence on a steady link", nil, 200 * ms, true},
		{"a long silence", nil, 2 * time.Second, true},
		{"the same silence on a jittery link is tolerated", []time.Duration{-60 * ms, 60 * ms, -50 * ms, 50 * ms}, 200 * ms, false},
		{"a jittery link still suspects a long silence", []time.Duration{-60 * ms, 60 * ms, -50 * ms, 50 * ms}, time.Second, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := fd.NewPhi(phiCfg())
			last := regular(p, 40, 100*ms, c.jitter...)
			if got := p.Suspect(last + c.silence); got != c.wantSuspect {
				mean, sd := p.Stats()
				t.Errorf("Suspect after %v of silence = %v (phi %.2f, mean %.3fs, sd %.3fs), want %v", c.silence, got, p.Phi(last+c.silence), mean, sd, c.wantSuspect)
			}
		})
	}
}

// TestPhiGrows: φ is 0 until the first heartbeat, then rises with the
// silence, and a heartbeat brings it back down.
func TestPhiGrows(t *testing.T) {
	p := fd.NewPhi(phiCfg())
	if got := p.Phi(time.Hour); got != 0 {
		t.Fatalf("phi before any heartbeat = %v, want 0", got)
	}
	last := regular(p, 20, 100*ms)
	prev := -1.0
	for d := 50 * ms; d <= time.Second; d += 50 * ms {
		v := p.Phi(last + d)
		if v < prev || math.IsNaN(v) {
			t.Fatalf("phi(%v) = %v after phi = %v: want non-decreasing", d, v, prev)
		}
		prev = v
	}
	p.Heard(last + time.Second)
	if v := p.Phi(last + time.Second + 10*ms); v > 1 {
		t.Errorf("phi just after a heartbeat = %v, want near 0", v)
	}
}

// TestPhiWindowSlides: the window forgets old intervals, so a link that
// became regular again is judged by its recent behaviour.
func TestPhiWindowSlides(t *testing.T) {
	p := fd.NewPhi(phiCfg())
	last := regular(p, 16, 100*ms, 300*ms, -80*ms) // wild
	_, wild := p.Stats()
	for i := range 32 {
		p.Heard(last + time.Duration(i+1)*100*ms)
	}
	_, calm := p.Stats()
	if calm >= wild || calm > 0.011 {
		t.Errorf("std dev %.4fs after a calm window (was %.4fs): the window did not slide", calm, wild)
	}
}

// TestPhiMaxInterval: a long silence (a pause) does not enter the window,
// so the next crash is suspected as fast as before.
func TestPhiMaxInterval(t *testing.T) {
	for _, c := range []struct {
		name        string
		max         time.Duration
		wantSuspect bool
	}{
		{"without a cap the pause inflates the window", 0, false},
		{"with a cap it is left out", 500 * ms, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := phiCfg()
			cfg.MaxInterval = c.max
			p := fd.NewPhi(cfg)
			last := regular(p, 20, 100*ms)
			last += 5 * time.Second // the sender was paused
			p.Heard(last)
			for i := range 3 {
				p.Heard(last + time.Duration(i+1)*100*ms)
			}
			last += 300 * ms
			if got := p.Suspect(last + 400*ms); got != c.wantSuspect {
				t.Errorf("Suspect 400ms after the last heartbeat = %v (phi %.2f), want %v", got, p.Phi(last+400*ms), c.wantSuspect)
			}
		})
	}
}

func TestPhiConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		mut  func(*fd.PhiConfig)
	}{
		{"threshold", func(c *fd.PhiConfig) { c.Threshold = 0 }},
		{"window", func(c *fd.PhiConfig) { c.Window = 1 }},
		{"min_std_dev", func(c *fd.PhiConfig) { c.MinStdDev = 0 }},
		{"first", func(c *fd.PhiConfig) { c.First = 0 }},
		{"pause", func(c *fd.PhiConfig) { c.Pause = -ms }},
		{"max interval below first", func(c *fd.PhiConfig) { c.MaxInterval = ms }},
	} {
		cfg := phiCfg()
		c.mut(&cfg)
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", c.name, cfg)
		}
	}
	if err := phiCfg().Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}
