package kv

import (
	"fmt"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Client is one simulated client of a KV protocol, built by
// Workload.Factory. It is a nodes.Node: the simulator drives it through
// Start, Message, Timer and Synced like any server. A harness may read
// Stats and Probe, and call StopIssuing, between handlers (for example
// from sim.At, after sim.Node(id).(*kv.Client)); it must not call the
// handlers itself.
type Client struct {
	nodes.Base
	w Workload

	id      nodes.ID
	servers []nodes.ID
	leader  int // index into servers: where the next request goes

	epoch   uint64 // session number, from the client's store
	ready   bool   // the session number is durable; operations may start
	seqN    uint64 // last sequence number used within the epoch
	opN     uint64 // local operation counter (timer tags)
	valueN  int    // unique values written so far
	invoked int

	stopped bool // no new ordinary operations (Stop, StopIssuing, probe)
	next    nodes.TimerID

	queue []*pending // invoked, not yet sent (open loop, probe)
	cur   *pending   // sent, awaiting its answer

	known   []string // per key: the last value this client saw or wrote
	knownOK []bool
	infos   []int // per key: this client's writes that ended Info

	probeStarted bool
	probing      bool // probe writes continue
	probeEnd     time.Duration
	probeOut     bool // a probe write is invoked and not finished
	probeDone    bool
	probeAt      time.Duration // when the probe write ended OK

	ctx string // the session context: the Context of the last OK reply

	// Reused memory, so that an operation allocates only what it must
	// (its values, its request): finished operations, key names, and the
	// unique values' prefix and buffer (ops.go).
	spare       []*pending
	keyNames    []string
	valuePrefix []byte
	valueBuf    []byte

	finalReading bool // FinalReadAt has come: reading every key once
	finalKey     int  // the next key to read

	stats Stats
}

// pending is one invoked, unfinished operation.
type pending struct {
	n         uint64 // local number, in timer tags
	op        nodes.Op
	key       int // key index (0 for the register)
	handle    int
	seq       uint64
	invokedAt time.Duration
	sent      bool
	probe     bool
	final     bool // one of the final reads
	backoffN  int  // consecutive backoffs: the exponent of the next one
	redirects int  // consecutive hint-following resends
	deadline  nodes.TimerID
	attempt   nodes.TimerID
	backoff   nodes.TimerID
}

// Timer kinds. A tag is n·tagBase + kind, n the operation's local number
// (zero for tagNext and tagProbe), so that a trace's "timer 42" reads as
// "operation 4, attempt timer".
const (
	tagBase = 10

	tagNext     = iota + 1 // closed loop: think time over; open loop: an arrival
	tagDeadline            // an operation's Timeout
	tagAttempt             // no answer from the current server
	tagBackoff             // resend after a backoff
	tagProbe               // ProbeAt has come
	tagFinal               // FinalReadAt has come
)

// syncSession is the Synced tag of the session-number write.
const syncSession = 1

// SessionFile is the file in a client's store that holds the number of
// sessions it has started, so that a restarted client never reuses a
// sequence number (see the package doc).
const SessionFile = "kv-session"

// Start begins a fresh session: it bumps the session number in the
// client's store and starts issuing operations once that write is durable.
func (c *Client) Start(env nodes.Env) {
	if _, ok := env.(nodes.ClientEnv); !ok {
		panic(fmt.Sprintf("kv: Client %v started with an Env that records no history (%T); run it as a client process", env.ID(), env))
	}
	c.id = env.ID()
	c.servers = append([]nodes.ID(nil), env.Peers()...)
	if len(c.servers) == 0 {
		panic(fmt.Sprintf("kv: Client %v has no servers to talk to", c.id))
	}
	c.leader = env.Rand().IntN(len(c.servers))
	c.known = make([]string, c.w.Keys)
	c.knownOK = make([]bool, c.w.Keys)
	c.infos = make([]int, c.w.Keys)

	st := env.Store()
	if b, err := st.Read(SessionFile); err == nil {
		// A torn or corrupted number cannot be trusted to be fresh; a
		// client's disk is not faulted unless a caller asks for it.
		n, perr := strconv.ParseUint(string(b), 10, 64)
		if perr != nil {
			panic(fmt.Sprintf("kv: Client %v: unreadable %s %q: %v", c.id, SessionFile, b, perr))
		}
		c.epoch = n
	}
	st.Write(SessionFile, []byte(strconv.FormatUint(c.epoch+1, 10)))
	st.Sync(syncSession)
}

// Synced starts the workload once the session number is durable.
func (c *Client) Synced(env nodes.Env, tag uint64) {
	if tag != syncSession || c.ready {
		return
	}
	c.ready = true
	now := env.Monotonic()
	if c.probeEligible() {
		env.SetTimer(c.w.ProbeAt-now, tagProbe)
	}
	if c.w.FinalReadAt > 0 {
		env.SetTimer(max(c.w.FinalReadAt-now, 0), tagFinal)
	}
	if c.w.Mode == ModeOpen {
		c.next = env.SetTimer(time.Duration(env.Rand().Int64N(int64(c.w.Interval))), tagNext)
		return
	}
	c.issueClosed(env)
}

func (c *Client) probeEligible() bool {
	return c.w.ProbeAt > 0 && (c.w.ProbeClients == 0 || c.id.Index() <= c.w.ProbeClients)
}

// mayInvoke reports whether a new ordinary operation may be invoked now.
func (c *Client) mayInvoke(env nodes.Env) bool {
	if c.stopped {
		return false
	}
	if (c.w.MaxOps > 0 && c.invoked >= c.w.MaxOps) || (c.w.Stop > 0 && env.Monotonic() >= c.w.Stop) {
		c.stopped = true
		return false
	}
	return true
}

// issueClosed invokes the next closed-loop operation, now or after a think
// time.
func (c *Client) issueClosed(env nodes.Env) {
	if !c.mayInvoke(env) {
		return
	}
	if think := c.draw(env, c.w.ThinkMin, c.w.ThinkMax); think > 0 {
		c.next = env.SetTimer(think, tagNext)
		return
	}
	c.invoke(env, c.nextOp(env), false)
}

// draw returns a uniform duration in [lo, hi].
func (c *Client) draw(env nodes.Env, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(env.Rand().Int64N(int64(hi-lo)+1))
}

// Timer dispatches on the tag's kind; timers of finished operations are
// ignored.
func (c *Client) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	n := tag / tagBase
	switch tag % tagBase {
	case tagNext:
		c.next = 0
		if c.w.Mode == ModeOpen {
			c.arrive(env)
		} else if c.mayInvoke(env) {
			c.invoke(env, c.nextOp(env), false)
		}
	case tagProbe:
		c.startProbe(env)
	case tagFinal:
		c.startFinalReads(env)
	case tagDeadline:
		c.expire(env, n)
	case tagAttempt:
		if p := c.cur; p != nil && p.n == n {
			p.attempt = 0
			c.rotate()
			c.stats.Resent++
			env.Logf("seq %d: no answer in %v, trying %v", p.seq, c.w.AttemptTimeout, c.servers[c.leader])
			c.send(env)
		}
	case tagBackoff:
		if p := c.cur; p != nil && p.n == n {
			p.backoff = 0
			c.stats.Resent++
			c.send(env)
		}
	}
}

// arrive handles an open-loop arrival: invoke unless too many are
// pending, then schedule the next one.
func (c *Client) arrive(env nodes.Env) {
	if !c.mayInvoke(env) {
		return
	}
	if c.outstanding() >= c.w.PendingMax {
		c.stats.Skipped++
	} else {
		c.invoke(env, c.nextOp(env), false)
	}
	if c.mayInvoke(env) {
		c.next = env.SetTimer(c.w.Interval, tagNext)
	}
}

func (c *Client) outstanding() int {
	n := len(c.queue)
	if c.cur != nil {
		n++
	}
	return n
}

// invoke records op's invocation and queues it for sending.
func (c *Client) invoke(env nodes.Env, op opChoice, probe bool) {
	c.opN++
	c.invoked++
	c.stats.Invoked++
	p := c.newPending()
	*p = pending{
		n:         c.opN,
		op:        op.op,
		key:       op.key,
		invokedAt: env.Monotonic(),
		probe:     probe,
		final:     op.final,
	}
	p.handle = env.(nodes.ClientEnv).Invoke(p.op)
	p.deadline = env.SetTimer(c.w.Timeout, p.n*tagBase+tagDeadline)
	c.queue = append(c.queue, p)
	c.pump(env)
}

// newPending returns a finished operation's record to reuse, or a new one.
func (c *Client) newPending() *pending {
	if n := len(c.spare); n > 0 {
		p := c.spare[n-1]
		c.spare[n-1] = nil
		c.spare = c.spare[:n-1]
		return p
	}
	return new(pending)
}

// release keeps p, an operation that has ended and that nothing refers
// to any more (its timers were cancelled or have fired), for newPending.
func (c *Client) release(p *pending) {
	*p = pending{}
	c.spare = append(c.spare, p)
}

// pump sends the next queued operation if none is in flight. One request
// at a time keeps a server's highest-Seq session table valid.
func (c *Client) pump(env nodes.Env) {
	if c.cur != nil || len(c.queue) == 0 {
		return
	}
	p := c.queue[0]
	k := copy(c.queue, c.queue[1:]) // shift in place: the queue keeps its memory
	c.queue[k] = nil
	c.queue = c.queue[:k]
	c.seqN++
	p.seq = c.epoch<<32 | c.seqN
	c.cur = p
	c.send(env)
}

// send (re)sends the current request to the current leader guess and
// arms the attempt timer.
func (c *Client) send(env nodes.Env) {
	p := c.cur
	req := Request{Client: c.id, Seq: p.seq, Op: p.op, Context: c.ctx}
	req.Op.Output, req.Op.Exists = "", false
	switch c.w.Route {
	case RouteFixed:
		c.leader = (c.id.Index() - 1) % len(c.servers)
	case RouteAny:
		c.leader = env.Rand().IntN(len(c.servers))
	}
	env.Send(c.servers[c.leader], req)
	p.sent = true
	if p.attempt != 0 {
		env.CancelTimer(p.attempt)
	}
	p.attempt = env.SetTimer(c.w.AttemptTimeout, p.n*tagBase+tagAttempt)
}

func (c *Client) rotate() { c.leader = (c.leader + 1) % len(c.servers) }

func (c *Client) serverIndex(id nodes.ID) int {
	for i, s := range c.servers {
		if s == id {
			return i
		}
	}
	return -1
}

// Message handles a Reply; anything else (and a reply to an operation
// that is no longer in flight) is ignored.
func (c *Client) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	var r Reply
	switch m := msg.(type) {
	case Reply:
		r = m
	case *Reply:
		if m == nil {
			return
		}
		r = *m
	default:
		return
	}
	p := c.cur
	if p == nil || r.Seq != p.seq {
		c.stats.Stale++
		return
	}
	switch r.Status {
	case StatusOK:
		if i := c.serverIndex(from); i >= 0 {
			c.leader = i
		}
		if r.Context != "" {
			c.ctx = r.Context
		}
		out := p.op
		switch {
		case out.Kind.IsRead():
			out.Output, out.Exists = r.Value, r.Exists
		case out.Kind == nodes.OpCAS:
			out.Output = "true"
		}
		c.finish(env, nodes.OK, out)
	case StatusCASMismatch:
		if c.w.CASMismatchOK {
			out := p.op
			out.Output = "false"
			c.finish(env, nodes.OK, out)
		} else {
			c.finish(env, nodes.Fail, p.op)
		}
	case StatusUnsupported, StatusFailed:
		c.finish(env, nodes.Fail, p.op)
	case StatusNotLeader:
		hint := c.serverIndex(r.Leader)
		if c.w.Route != RouteLeader {
			hint = -1 // the route, not the server, picks the next server
		}
		if hint >= 0 && r.Leader != from && p.redirects < len(c.servers) {
			c.leader = hint
			p.redirects++
			if p.backoff != 0 {
				// A late answer from an earlier attempt: the hint
				// supersedes the scheduled resend.
				env.CancelTimer(p.backoff)
				p.backoff = 0
			}
			c.stats.Resent++
			env.Logf("seq %d: %v is not the leader, following hint %v", p.seq, from, r.Leader)
			c.send(env)
			return
		}
		if hint >= 0 && r.Leader != from {
			c.leader = hint
		} else if i := c.serverIndex(from); i >= 0 {
			c.leader = (i + 1) % len(c.servers)
		} else {
			c.rotate()
		}
		c.backoffThenSend(env, "not leader")
	case StatusRetry:
		if hint := c.serverIndex(r.Leader); hint >= 0 {
			c.leader = hint
		}
		c.backoffThenSend(env, "retry")
	default:
		c.backoffThenSend(env, "status "+r.Status.String())
	}
}

// backoffThenSend waits the next exponential backoff of the current
// operation, then resends it.
func (c *Client) backoffThenSend(env nodes.Env, why string) {
	p := c.cur
	if p.attempt != 0 {
		env.CancelTimer(p.attempt)
		p.attempt = 0
	}
	if p.backoff != 0 {
		// A duplicated reply: a resend is already scheduled.
		return
	}
	d := backoff(env, c.w.BackoffMin, c.w.BackoffMax, p.backoffN)
	p.backoffN++
	p.redirects = 0
	env.Logf("seq %d: %s, resending to %v in %v", p.seq, why, c.servers[c.leader], d)
	p.backoff = env.SetTimer(d, p.n*tagBase+tagBackoff)
}

// expire ends operation n at its deadline: a queued one was never sent
// (Fail); a sent read had no effect (Fail); a sent write may have (Info).
func (c *Client) expire(env nodes.Env, n uint64) {
	if p := c.cur; p != nil && p.n == n {
		p.deadline = 0
		out := nodes.Info
		if p.op.Kind.IsRead() {
			out = nodes.Fail
		}
		c.finish(env, out, p.op)
		return
	}
	for i, p := range c.queue {
		if p.n == n {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			p.deadline = 0
			c.complete(env, p, nodes.Fail, p.op)
			c.afterOp(env, p)
			c.release(p)
			return
		}
	}
}

// finish ends the operation in flight and moves on.
func (c *Client) finish(env nodes.Env, outcome nodes.Outcome, op nodes.Op) {
	p := c.cur
	c.cur = nil
	for _, t := range []nodes.TimerID{p.deadline, p.attempt, p.backoff} {
		if t != 0 {
			env.CancelTimer(t)
		}
	}
	c.complete(env, p, outcome, op)
	c.afterOp(env, p)
	c.release(p)
	c.pump(env)
}

// complete records the outcome and updates what the client knows.
func (c *Client) complete(env nodes.Env, p *pending, outcome nodes.Outcome, op nodes.Op) {
	env.(nodes.ClientEnv).Complete(p.handle, outcome, op)
	switch outcome {
	case nodes.OK:
		c.stats.OK++
	case nodes.Fail:
		c.stats.Fail++
	case nodes.Info:
		c.stats.Info++
	}
	if outcome == nodes.Info {
		c.infos[p.key]++
	}
	if outcome != nodes.OK {
		if op.Kind == nodes.OpCAS && outcome == nodes.Fail && c.knownOK != nil {
			c.knownOK[p.key] = false
		}
		return
	}
	k := p.key
	switch op.Kind {
	case nodes.OpGet, nodes.OpRead:
		c.known[k], c.knownOK[k] = op.Output, op.Exists
	case nodes.OpPut, nodes.OpWrite:
		c.known[k], c.knownOK[k] = op.Value, true
	case nodes.OpAppend:
		c.known[k] += op.Value
	case nodes.OpCAS:
		if op.Output == "false" {
			c.knownOK[k] = false
		} else {
			c.known[k], c.knownOK[k] = op.Value, true
		}
	}
	if !op.Kind.IsRead() && op.Output != "false" {
		c.stats.WritesOK++
		c.stats.LastWriteOK = env.Monotonic()
	}
	if p.final {
		c.finalKey++
	}
	if p.probe && !c.probeDone {
		c.probeDone = true
		c.probeAt = env.Monotonic()
		env.Logf("probe write committed")
	}
}

// afterOp starts whatever follows an operation's end: the next probe
// write, or the next closed-loop operation.
func (c *Client) afterOp(env nodes.Env, p *pending) {
	if p.probe {
		c.probeOut = false
	}
	if c.finalReading {
		c.finalNext(env)
		return
	}
	if c.probing {
		c.probeNext(env)
		return
	}
	if c.w.Mode == ModeClosed {
		c.issueClosed(env)
	}
}

// backoff draws the n-th backoff: uniform on [d/2, d] with d = min·2ⁿ
// capped at max.
func backoff(env nodes.Env, lo, hi time.Duration, n int) time.Duration {
	d := lo
	for i := 0; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + time.Duration(env.Rand().Int64N(int64(d-half)+1))
}
