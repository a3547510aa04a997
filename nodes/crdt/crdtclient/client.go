// Package crdtclient is the simulated client of the counter and set
// workloads: closed-loop clients that send nodes/kv requests (so any
// server that speaks kv.Request can serve them) with the operations of
// nodes/crdt — add and read on a counter (as Maelstrom's g-counter and
// pn-counter workloads), add, remove and read on a set.
//
// # Routing and retries
//
// Every operation goes to a server drawn at random. A read, and a set
// add, that hears nothing within AttemptTimeout is resent, with the same
// Seq, to another server drawn at random: a read has no effect, and an
// add applied by two replicas has the effect of one (two dots for one
// element, both present). A counter update and a set remove are resent to
// the same server only: an increment applied by two replicas counts
// twice, and a remove applied by two removes dots its reply does not
// report; no replica can tell that another applied it, so only its first
// replica's session table keeps it once. An operation still
// unanswered at Timeout ends Info (an update: it may have taken effect)
// or Fail (a read). The next operation draws a server afresh, so a
// client moves on from a dead server at once.
//
// # Phases
//
// At ProbeAt (the heal) a client stops its ordinary operations and
// probes: it invokes updates (add 1, or add an element) one at a time
// until one ends OK or ProbeFor has passed (Client.Probe). At FinalReadAt
// it stops the probe and reads once, retrying until a read ends OK: the
// history ends with one read per client, taken after the replicas have
// had the rest of the heal window to converge.
package crdtclient

import (
	"fmt"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/kv"
)

// Workload kinds.
const (
	KindCounter = "counter"
	KindSet     = "set"
)

// Defaults for zero fields.
const (
	DefaultTimeout        = 500 * time.Millisecond
	DefaultAttemptTimeout = 100 * time.Millisecond
	DefaultDeltaMax       = 5
	DefaultElements       = 5
	DefaultProbeFor       = 5 * time.Second
)

// Workload configures the clients.
type Workload struct {
	// Kind is KindCounter or KindSet.
	Kind string
	// Add, Remove and Read weigh the operations (Remove: sets only).
	Add, Remove, Read int
	// DeltaMax bounds a counter add's magnitude (1..DeltaMax, default 5).
	DeltaMax int
	// DecrementPercent is the share of counter adds that are negative
	// (0..100; a pn-counter's decrements).
	DecrementPercent int
	// Elements is the set's element space e1..eN (default 5).
	Elements int
	// Timeout bounds one operation, AttemptTimeout one attempt.
	Timeout, AttemptTimeout time.Duration
	// ThinkMax is an upper bound on a uniform pause between operations.
	ThinkMax time.Duration
	// MaxOps, if positive, is the most ordinary operations a client
	// invokes (the liveness probe and the final read are not counted).
	MaxOps int
	// ProbeAt, ProbeFor and FinalReadAt are the phases (package doc);
	// zero ProbeAt or FinalReadAt means none.
	ProbeAt, ProbeFor, FinalReadAt time.Duration
}

// WithDefaults fills zero fields.
func (w Workload) WithDefaults() Workload {
	if w.Add+w.Remove+w.Read == 0 {
		w.Add, w.Read = 1, 1
		if w.Kind == KindSet {
			w.Remove = 1
		}
	}
	if w.DeltaMax == 0 {
		w.DeltaMax = DefaultDeltaMax
	}
	if w.Elements == 0 {
		w.Elements = DefaultElements
	}
	if w.Timeout == 0 {
		w.Timeout = DefaultTimeout
	}
	if w.AttemptTimeout == 0 {
		w.AttemptTimeout = DefaultAttemptTimeout
	}
	if w.ProbeFor == 0 {
		w.ProbeFor = DefaultProbeFor
	}
	return w
}

// Validate reports a workload that cannot run.
func (w Workload) Validate() error {
	w = w.WithDefaults()
	switch {
	case w.Kind != KindCounter && w.Kind != KindSet:
		return fmt.Errorf("crdtclient: kind %q: want %s or %s", w.Kind, KindCounter, KindSet)
	case w.Kind == KindCounter && w.Remove > 0:
		return fmt.Errorf("crdtclient: a counter has no remove")
	case w.Add < 0 || w.Remove < 0 || w.Read < 0:
		return fmt.Errorf("crdtclient: negative mix weight")
	case w.MaxOps < 0:
		return fmt.Errorf("crdtclient: negative MaxOps %d", w.MaxOps)
	case w.DeltaMax < 1 || w.Elements < 1:
		return fmt.Errorf("crdtclient: delta_max and elements must be positive")
	case w.DecrementPercent < 0 || w.DecrementPercent > 100:
		return fmt.Errorf("crdtclient: decrement_percent %d: want 0..100", w.DecrementPercent)
	case w.Timeout < w.AttemptTimeout:
		return fmt.Errorf("crdtclient: timeout %v is shorter than attempt_timeout %v", w.Timeout, w.AttemptTimeout)
	}
	return nil
}

// Factory returns the client factory. It panics on an invalid Workload.
func (w Workload) Factory() nodes.Factory {
	if err := w.Validate(); err != nil {
		panic(err)
	}
	w = w.WithDefaults()
	return func(nodes.ID) nodes.Node { return &Client{w: w} }
}

// ElementName is the i-th element (1-based).
func ElementName(i int) string { return "e" + strconv.Itoa(i) }

// SessionFile holds the number of sessions a client has started (a
// restarted client never reuses a Seq).
const SessionFile = "crdt-client-session"

// Timer tags: n·tagBase + kind, n the operation's number.
const (
	tagBase = 10

	tagNext = iota + 1
	tagAttempt
	tagDeadline
	tagProbe
	tagFinal
)

const syncSession = 1

// Client is one simulated client.
type Client struct {
	nodes.Base
	w  Workload
	id nodes.ID

	servers []nodes.ID
	epoch   uint64
	seqN    uint64
	opN     uint64
	// ordinary counts the ordinary operations invoked (MaxOps).
	ordinary int

	cur *pending

	probing, probeStarted, probeOK bool
	probeEnd                       time.Duration
	final, finalDone               bool
}

type pending struct {
	n       uint64
	op      nodes.Op
	handle  int
	seq     uint64
	server  nodes.ID
	probe   bool
	final   bool
	attempt nodes.TimerID
	expiry  nodes.TimerID
}

// ProbeResult reports the liveness probe.
type ProbeResult struct {
	Started, OK bool
}

// Probe reports whether the client probed and whether an update got
// through.
func (c *Client) Probe() ProbeResult { return ProbeResult{Started: c.probeStarted, OK: c.probeOK} }

// Start bumps the session number and starts once it is durable.
func (c *Client) Start(env nodes.Env) {
	if _, ok := env.(nodes.ClientEnv); !ok {
		panic(fmt.Sprintf("crdtclient: %v started with an Env that records no history (%T)", env.ID(), env))
	}
	c.id = env.ID()
	c.servers = append([]nodes.ID(nil), env.Peers()...)
	if len(c.servers) == 0 {
		panic(fmt.Sprintf("crdtclient: %v has no servers", c.id))
	}
	if b, err := env.Store().Read(SessionFile); err == nil {
		n, perr := strconv.ParseUint(string(b), 10, 64)
		if perr != nil {
			panic(fmt.Sprintf("crdtclient: %v: unreadable %s %q", c.id, SessionFile, b))
		}
		c.epoch = n
	}
	env.Store().Write(SessionFile, []byte(strconv.FormatUint(c.epoch+1, 10)))
	env.Store().Sync(syncSession)
}

// Synced starts the workload once the session number is durable.
func (c *Client) Synced(env nodes.Env, tag uint64) {
	if tag != syncSession {
		return
	}
	now := env.Monotonic()
	if c.w.ProbeAt > 0 {
		env.SetTimer(max(c.w.ProbeAt-now, 0), tagProbe)
	}
	if c.w.FinalReadAt > 0 {
		env.SetTimer(max(c.w.FinalReadAt-now, 0), tagFinal)
	}
	c.next(env)
}

// next invokes the next operation of the current phase, if any.
func (c *Client) next(env nodes.Env) {
	if c.cur != nil {
		return
	}
	switch {
	case c.final:
		if !c.finalDone {
			c.invoke(env, nodes.Op{Kind: nodes.OpRead}, false, true)
		}
	case c.probing:
		if env.Monotonic() >= c.probeEnd {
			c.probing = false
			return
		}
		c.invoke(env, c.update(env, crdt.OpAdd), true, false)
	case c.probeStarted:
	case c.w.MaxOps > 0 && c.ordinary >= c.w.MaxOps:
		// the ordinary operations are over; the probe and the final read
		// come by their timers
	default:
		if think := c.w.ThinkMax; think > 0 {
			env.SetTimer(time.Duration(env.Rand().Int64N(int64(think)))+1, tagNext)
			return
		}
		c.invoke(env, c.draw(env), false, false)
	}
}

func (c *Client) draw(env nodes.Env) nodes.Op {
	r := env.Rand().IntN(c.w.Add + c.w.Remove + c.w.Read)
	switch {
	case r < c.w.Add:
		return c.update(env, crdt.OpAdd)
	case r < c.w.Add+c.w.Remove:
		return c.update(env, crdt.OpRemove)
	}
	return nodes.Op{Kind: nodes.OpRead}
}

func (c *Client) update(env nodes.Env, kind nodes.OpKind) nodes.Op {
	if c.w.Kind == KindSet {
		return nodes.Op{Kind: kind, Value: ElementName(1 + env.Rand().IntN(c.w.Elements))}
	}
	d := 1 + env.Rand().IntN(c.w.DeltaMax)
	if env.Rand().IntN(100) < c.w.DecrementPercent {
		d = -d
	}
	return nodes.Op{Kind: crdt.OpAdd, Value: strconv.Itoa(d)}
}

func (c *Client) invoke(env nodes.Env, op nodes.Op, probe, final bool) {
	c.opN++
	c.seqN++
	if !probe && !final {
		c.ordinary++
	}
	p := &pending{n: c.opN, op: op, seq: c.epoch<<32 | c.seqN, probe: probe, final: final}
	p.handle = env.(nodes.ClientEnv).Invoke(op)
	p.server = c.servers[env.Rand().IntN(len(c.servers))]
	p.expiry = env.SetTimer(c.w.Timeout, p.n*tagBase+tagDeadline)
	c.cur = p
	c.send(env)
}

func (c *Client) send(env nodes.Env) {
	p := c.cur
	env.Send(p.server, kv.Request{Client: c.id, Seq: p.seq, Op: nodes.Op{Kind: p.op.Kind, Value: p.op.Value}})
	p.attempt = env.SetTimer(c.w.AttemptTimeout, p.n*tagBase+tagAttempt)
}

// elsewhere reports whether the operation may be retried at another
// server (package doc).
func (c *Client) elsewhere(p *pending) bool {
	return p.op.Kind == nodes.OpRead || (c.w.Kind == KindSet && p.op.Kind == crdt.OpAdd)
}

// Timer dispatches on the tag's kind; timers of finished operations are
// ignored.
func (c *Client) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	n := tag / tagBase
	p := c.cur
	switch tag % tagBase {
	case tagNext:
		if c.cur == nil && !c.probeStarted && !c.final {
			c.invoke(env, c.draw(env), false, false)
		}
	case tagProbe:
		c.probeStarted, c.probing = true, true
		c.probeEnd = env.Monotonic() + c.w.ProbeFor
		c.next(env)
	case tagFinal:
		c.final, c.probing = true, false
		c.next(env)
	case tagAttempt:
		if p != nil && p.n == n {
			if c.elsewhere(p) && len(c.servers) > 1 {
				old := p.server
				for p.server == old {
					p.server = c.servers[env.Rand().IntN(len(c.servers))]
				}
				env.Logf("seq %d: no answer from %v, trying %v", p.seq, old, p.server)
			}
			c.send(env)
		}
	case tagDeadline:
		if p != nil && p.n == n {
			p.expiry = 0
			out := nodes.Info
			if p.op.Kind == nodes.OpRead {
				out = nodes.Fail
			}
			c.finish(env, out, p.op)
		}
	}
}

// Message handles a kv.Reply to the operation in flight.
func (c *Client) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	r, ok := msg.(kv.Reply)
	p := c.cur
	if !ok || p == nil || r.Seq != p.seq {
		return
	}
	switch r.Status {
	case kv.StatusOK:
		out := p.op
		out.Output, out.Exists = r.Value, r.Exists
		c.finish(env, nodes.OK, out)
	case kv.StatusUnsupported:
		c.finish(env, nodes.Fail, p.op)
	default:
		// Nothing else is expected of a CRDT replica; the attempt timer
		// resends.
	}
}

func (c *Client) finish(env nodes.Env, outcome nodes.Outcome, op nodes.Op) {
	p := c.cur
	c.cur = nil
	for _, t := range []nodes.TimerID{p.attempt, p.expiry} {
		if t != 0 {
			env.CancelTimer(t)
		}
	}
	env.(nodes.ClientEnv).Complete(p.handle, outcome, op)
	if outcome == nodes.OK && p.probe {
		c.probeOK, c.probing = true, false
	}
	if outcome == nodes.OK && p.final {
		c.finalDone = true
	}
	c.next(env)
}
