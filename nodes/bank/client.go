package bank

import (
	"fmt"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Defaults applied by Workload.WithDefaults to zero fields.
const (
	DefaultAccounts       = 8
	DefaultInitial        = 100
	DefaultMaxAmount      = 30
	DefaultTimeout        = 2 * time.Second
	DefaultAttemptTimeout = 100 * time.Millisecond
	DefaultProbeFor       = 5 * time.Second
)

// Routes (Workload.Route).
const (
	RouteCoordinator = "coordinator"
	RouteHome        = "home"
)

// Workload configures the bank's simulated clients. Each client runs one
// transaction at a time (closed loop): a transfer between two distinct
// accounts drawn at random, of 1..MaxAmount, or a whole-bank read, weighed
// by TransferWeight and ReadWeight. It sends the request to the
// coordinator, the first server, and resends it with the same transaction
// id every AttemptTimeout until it is answered or Timeout has passed: a
// transfer unanswered then ends Info, a read Fail.
type Workload struct {
	Bank                       Bank
	TransferWeight, ReadWeight int
	MaxAmount                  int64
	Timeout, AttemptTimeout    time.Duration
	// ThinkMax: a uniform pause in [0, ThinkMax] between transactions.
	ThinkMax time.Duration
	// MaxOps is the most operations a client invokes (0: no limit).
	MaxOps int
	// Route is RouteCoordinator (default: every transaction goes to n1)
	// or RouteHome (client ci's go to n((i-1) mod N)+1, which orchestrates
	// them).
	Route string
	// ProbeAt, if positive, is when a client stops its transactions and
	// reads the whole bank, once at a time, until a read ends OK or
	// ProbeFor has passed: the liveness probe and the run's final read.
	ProbeAt, ProbeFor time.Duration
}

// WithDefaults returns w with every zero field set to its default.
func (w Workload) WithDefaults() Workload {
	if w.Bank.Accounts == 0 {
		w.Bank.Accounts = DefaultAccounts
	}
	if w.Bank.Initial == 0 {
		w.Bank.Initial = DefaultInitial
	}
	if w.TransferWeight == 0 && w.ReadWeight == 0 {
		w.TransferWeight, w.ReadWeight = 3, 1
	}
	if w.MaxAmount == 0 {
		w.MaxAmount = DefaultMaxAmount
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
	if w.Route == "" {
		w.Route = RouteCoordinator
	}
	return w
}

// Validate reports the first field (after defaults) that makes no sense.
func (w Workload) Validate() error {
	w = w.WithDefaults()
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("bank: Workload.%s: %v %s", field, v, why)
	}
	switch {
	case w.Bank.Accounts < 2:
		return bad("Bank.Accounts", w.Bank.Accounts, "is below 2 (a transfer needs two accounts)")
	case w.Bank.Initial < 0:
		return bad("Bank.Initial", w.Bank.Initial, "is negative")
	case w.TransferWeight < 0 || w.ReadWeight < 0:
		return bad("TransferWeight", w.TransferWeight, "or ReadWeight is negative")
	case w.MaxAmount < 1:
		return bad("MaxAmount", w.MaxAmount, "is below 1")
	case w.Timeout < w.AttemptTimeout:
		return bad("Timeout", w.Timeout, "is shorter than AttemptTimeout "+w.AttemptTimeout.String())
	case w.Route != RouteCoordinator && w.Route != RouteHome:
		return bad("Route", fmt.Sprintf("%q", w.Route), `is not "coordinator" or "home"`)
	case w.ThinkMax < 0 || w.MaxOps < 0 || w.ProbeAt < 0 || w.ProbeFor < 0:
		return bad("ThinkMax", w.ThinkMax, "or MaxOps, ProbeAt, ProbeFor is negative")
	}
	return nil
}

// Factory returns the client factory. It panics on an invalid w: call
// Validate on user input first.
func (w Workload) Factory() nodes.Factory {
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		panic(err)
	}
	return func(nodes.ID) nodes.Node { return &Client{w: w} }
}

// Client is one simulated bank client (a nodes.Node run as a client
// process). A harness may read Probe between handlers.
type Client struct {
	nodes.Base
	w Workload

	id          nodes.ID
	coordinator nodes.ID
	epoch       uint64 // session number, from the client's store
	ready       bool
	n           uint64 // transactions started this session
	invoked     int

	cur *inflight

	stopped    bool // no new ordinary transactions
	probing    bool
	probeStart bool
	probeEnd   time.Duration
	probeOK    bool
	next       nodes.TimerID
}

type inflight struct {
	n        uint64
	req      Request
	handle   int
	op       nodes.Op
	probe    bool
	deadline nodes.TimerID
	attempt  nodes.TimerID
}

// Timer tags: n·tagBase + kind, n the transaction's number.
const (
	tagBase     = 10
	tagNext     = 1
	tagDeadline = 2
	tagAttempt  = 3
	tagProbe    = 4
)

// SessionFile holds the number of sessions a client has started, so that
// a restarted client never reuses a transaction id.
const SessionFile = "bank-session"

const syncSession = 1

// Start begins a session once its number is durable.
func (c *Client) Start(env nodes.Env) {
	if _, ok := env.(nodes.ClientEnv); !ok {
		panic(fmt.Sprintf("bank: Client %v started with an Env that records no history (%T)", env.ID(), env))
	}
	c.id = env.ID()
	peers := env.Peers()
	if len(peers) == 0 {
		panic(fmt.Sprintf("bank: Client %v has no servers", c.id))
	}
	c.coordinator = peers[0]
	if c.w.Route == RouteHome {
		c.coordinator = peers[(c.id.Index()-1)%len(peers)]
	}
	if b, err := env.Store().Read(SessionFile); err == nil {
		n, perr := strconv.ParseUint(string(b), 10, 64)
		if perr != nil {
			panic(fmt.Sprintf("bank: Client %v: unreadable %s %q", c.id, SessionFile, b))
		}
		c.epoch = n
	}
	env.Store().Write(SessionFile, []byte(strconv.FormatUint(c.epoch+1, 10)))
	env.Store().Sync(syncSession)
}

// Synced starts the workload.
func (c *Client) Synced(env nodes.Env, tag uint64) {
	if tag != syncSession || c.ready {
		return
	}
	c.ready = true
	if c.w.ProbeAt > 0 {
		env.SetTimer(max(c.w.ProbeAt-env.Monotonic(), 0), tagProbe)
	}
	c.issue(env)
}

// txnID names the client's next transaction: c3-17, or c3e1-4 in its
// second session.
func (c *Client) txnID() string {
	c.n++
	s := c.id.String()
	if c.epoch > 0 {
		s += "e" + strconv.FormatUint(c.epoch, 10)
	}
	return s + "-" + strconv.FormatUint(c.n, 10)
}

// issue starts the next ordinary transaction, after a think time.
func (c *Client) issue(env nodes.Env) {
	if c.stopped || c.cur != nil || (c.w.MaxOps > 0 && c.invoked >= c.w.MaxOps) {
		return
	}
	if c.w.ThinkMax > 0 {
		c.next = env.SetTimer(time.Duration(env.Rand().Int64N(int64(c.w.ThinkMax)+1)), tagNext)
		return
	}
	c.invokeNext(env)
}

func (c *Client) invokeNext(env nodes.Env) {
	r := env.Rand()
	if r.IntN(c.w.TransferWeight+c.w.ReadWeight) < c.w.TransferWeight {
		from := r.IntN(c.w.Bank.Accounts)
		to := r.IntN(c.w.Bank.Accounts - 1)
		if to >= from {
			to++
		}
		t := Transfer{From: from, To: to, Amount: 1 + r.Int64N(c.w.MaxAmount)}
		c.invoke(env, Request{Kind: KindTransfer, Transfer: t}, false)
		return
	}
	c.invoke(env, Request{Kind: KindRead}, false)
}

func (c *Client) invoke(env nodes.Env, req Request, probe bool) {
	c.invoked++
	req.Client, req.Txn, req.Bank = c.id, c.txnID(), c.w.Bank
	op := nodes.Op{Kind: nodes.OpRead}
	if req.Kind == KindTransfer {
		op = TransferOp(req.Transfer, req.Txn)
	}
	p := &inflight{n: c.n, req: req, op: op, probe: probe}
	p.handle = env.(nodes.ClientEnv).Invoke(op)
	p.deadline = env.SetTimer(c.w.Timeout, p.n*tagBase+tagDeadline)
	c.cur = p
	c.send(env)
}

func (c *Client) send(env nodes.Env) {
	p := c.cur
	env.Send(c.coordinator, p.req)
	if p.attempt != 0 {
		env.CancelTimer(p.attempt)
	}
	p.attempt = env.SetTimer(c.w.AttemptTimeout, p.n*tagBase+tagAttempt)
}

// Timer handles think times, deadlines, resends and the probe.
func (c *Client) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	n := tag / tagBase
	switch tag % tagBase {
	case tagNext:
		c.next = 0
		if !c.stopped && c.cur == nil {
			c.invokeNext(env)
		}
	case tagProbe:
		c.startProbe(env)
	case tagDeadline:
		if p := c.cur; p != nil && p.n == n {
			p.deadline = 0
			out := nodes.Info
			if p.req.Kind == KindRead {
				out = nodes.Fail
			}
			c.finish(env, out, p.op)
		}
	case tagAttempt:
		if p := c.cur; p != nil && p.n == n {
			p.attempt = 0
			env.Logf("%s: no answer in %v, resending", p.req.Txn, c.w.AttemptTimeout)
			c.send(env)
		}
	}
}

// Message handles a Reply to the transaction in flight.
func (c *Client) Message(env nodes.Env, _ nodes.ID, msg nodes.Message) {
	r, ok := msg.(Reply)
	if !ok || c.cur == nil || r.Txn != c.cur.req.Txn {
		return
	}
	p := c.cur
	switch r.Status {
	case StatusCommitted:
		out := p.op
		out.Output = StatusCommitted.String()
		c.finish(env, nodes.OK, out)
	case StatusRead:
		out := p.op
		out.Output, out.Exists = FormatBalances(r.Balances), true
		c.finish(env, nodes.OK, out)
	case StatusAborted:
		env.Logf("%s aborted: %s", p.req.Txn, r.Why)
		c.finish(env, nodes.Fail, p.op)
	}
	// StatusNotCoordinator and anything else: the resend timer retries.
}

func (c *Client) finish(env nodes.Env, outcome nodes.Outcome, op nodes.Op) {
	p := c.cur
	c.cur = nil
	for _, t := range []nodes.TimerID{p.deadline, p.attempt} {
		if t != 0 {
			env.CancelTimer(t)
		}
	}
	env.(nodes.ClientEnv).Complete(p.handle, outcome, op)
	if p.probe && outcome == nodes.OK {
		c.probeOK = true
		c.probing = false
	}
	if c.probing {
		c.probeNext(env)
		return
	}
	c.issue(env)
}

func (c *Client) startProbe(env nodes.Env) {
	if c.probeStart {
		return
	}
	c.stopped, c.probing, c.probeStart = true, true, true
	c.probeEnd = env.Monotonic() + c.w.ProbeFor
	if c.next != 0 {
		env.CancelTimer(c.next)
		c.next = 0
	}
	c.probeNext(env)
}

func (c *Client) probeNext(env nodes.Env) {
	if c.probeOK || env.Monotonic() >= c.probeEnd {
		c.probing = false
		return
	}
	if c.cur != nil {
		return // the transaction in flight finishes first
	}
	c.invoke(env, Request{Kind: KindRead}, true)
}

// Probe reports whether the liveness probe ran (ProbeAt came) and a
// whole-bank read then ended OK.
func (c *Client) Probe() (started, ok bool) { return c.probeStart, c.probeOK }

// Workload returns the configuration the client runs with, defaults
// applied (the checks read the bank's definition from it).
func (c *Client) Workload() Workload { return c.w }
