package kv

import (
	"time"

	"github.com/faultline/faultline/nodes"
)

// Stats counts what one client did in its current incarnation. Times are
// the client's monotonic clock, which reads virtual time unless a caller
// gave the client a drift or it was restarted.
type Stats struct {
	Invoked int // operations invoked
	OK      int // ended OK
	Fail    int // ended Fail (definite rejection, or never sent, or a read that timed out)
	Info    int // ended Info (a write that timed out)
	Skipped int // open-loop arrivals not invoked because PendingMax were pending
	Resent  int // requests sent again (retry, redirect, no answer)
	Stale   int // replies ignored (an earlier Seq, or a duplicate)
	// WritesOK counts put, append, write and successful cas operations
	// that ended OK; LastWriteOK is when the latest of them did.
	WritesOK    int
	LastWriteOK time.Duration
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats { return c.stats }

// ProbeResult is what a client's liveness probe found.
type ProbeResult struct {
	// Started: ProbeAt has come and this client probed.
	Started bool
	// OK: a probe write ended OK, at virtual time At; Latency is At
	// minus ProbeAt.
	OK      bool
	At      time.Duration
	Latency time.Duration
}

// Probe reports the liveness probe's result (see Workload.ProbeAt). A
// harness checks recovery after heal with
//
//	res := w.Node(nodes.ClientID(1)).(*kv.Client).Probe()
//	recovered := res.OK && res.Latency <= window
func (c *Client) Probe() ProbeResult {
	r := ProbeResult{Started: c.probeStarted, OK: c.probeDone}
	if r.OK {
		r.At = c.probeAt
		r.Latency = c.probeAt - c.w.ProbeAt
	}
	return r
}

// StopIssuing makes the client invoke no new ordinary operation; those
// under way run to completion. A harness calls it between handlers (from
// sim.At) to quiet the workload before a final heal. A probe still runs at
// ProbeAt.
func (c *Client) StopIssuing() { c.stopped = true }

// startProbe runs at ProbeAt: ordinary operations stop and probe writes
// begin.
func (c *Client) startProbe(env nodes.Env) {
	if c.probeStarted {
		return
	}
	c.stopped = true
	c.probing = true
	c.probeStarted = true
	c.probeEnd = env.Monotonic() + c.w.ProbeFor
	if c.next != 0 {
		env.CancelTimer(c.next)
		c.next = 0
	}
	env.Logf("probe starts")
	c.probeNext(env)
}

// probeNext invokes the next probe write unless one is pending, the probe
// succeeded, or its time is up. In closed-loop mode it waits for the
// operation in flight, so the client never has two at once.
func (c *Client) probeNext(env nodes.Env) {
	if c.probeDone || env.Monotonic() >= c.probeEnd {
		c.probing = false
		return
	}
	if c.probeOut || (c.w.Mode == ModeClosed && c.outstanding() > 0) {
		return
	}
	c.probeOut = true
	c.invoke(env, c.probeOp(env), true)
}

// Workload returns the configuration the client runs with, defaults
// applied.
func (c *Client) Workload() Workload { return c.w }

// startFinalReads runs at FinalReadAt: every other operation stops, and
// the client reads each key once.
func (c *Client) startFinalReads(env nodes.Env) {
	if c.finalReading {
		return
	}
	c.stopped, c.probing, c.finalReading = true, false, true
	if c.next != 0 {
		env.CancelTimer(c.next)
		c.next = 0
	}
	env.Logf("final reads start")
	c.finalNext(env)
}

// finalNext invokes the read of the next key once nothing is in flight; a
// read that did not end OK is invoked again.
func (c *Client) finalNext(env nodes.Env) {
	if c.finalKey >= c.w.Keys || c.outstanding() > 0 {
		return
	}
	op := nodes.Op{Kind: nodes.OpGet, Key: c.keyName(c.finalKey)}
	if c.w.Kind == KindRegister {
		op = nodes.Op{Kind: nodes.OpRead}
	}
	c.invoke(env, opChoice{op: op, key: c.finalKey, final: true}, false)
}
