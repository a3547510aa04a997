package queue

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Client is one simulated queue client: a producer or a member of a
// consumer group (Workload.RoleOf). It sends one request at a time, to the
// broker it believes is the primary, following NotLeader hints; it records
// its sends, polls, commits, effects and sink reads in the history.
type Client struct {
	nodes.Base
	w    Workload
	role Role

	id      nodes.ID
	servers []nodes.ID
	leader  int

	epoch uint64 // session number from the client's store
	seqN  uint64
	callN uint64
	cur   *call
	wake  func(env nodes.Env) // what the tagWake timer runs

	// producer
	sent    int
	probing bool
	probeOK bool

	// consumer
	gen               uint64
	assigned          []int
	pos               map[int]uint64 // next offset to fetch, per assigned partition
	rr                int            // next index into assigned
	empty             int            // consecutive empty fetches
	idle              int            // consecutive rounds of empty fetches
	finalRead         bool           // FinalReadAt has come
	finalDone         bool
	fetchedAfterProbe bool
}

// call is the request in flight.
type call struct {
	n        uint64
	seq      uint64
	op       Op
	handle   int // history handle, -1 if not recorded
	hist     nodes.Op
	done     func(env nodes.Env, r Result, ok bool)
	deadline nodes.TimerID
	attempt  nodes.TimerID
	backoffN int
}

const (
	tagBase     = 10
	tagWake     = 1 // c.wake
	tagDeadline = 2 // the call's Timeout
	tagAttempt  = 3 // no answer from this server
	tagBackoff  = 4 // resend after a backoff
	tagProbe    = 5 // ProbeAt
	tagFinal    = 6 // FinalReadAt
)

const syncSession = 1

// SessionFile holds the number of sessions the client has started, so a
// restarted client never reuses a sequence number.
const SessionFile = "queue-session"

// Role returns the client's role.
func (c *Client) Role() Role { return c.role }

// Probe reports whether the client showed liveness after ProbeAt: a
// producer got a send acknowledged, a consumer a fetch answered.
func (c *Client) Probe() bool {
	if c.role.Producer {
		return c.probeOK
	}
	return c.fetchedAfterProbe
}

// Start begins a session once its number is durable.
func (c *Client) Start(env nodes.Env) {
	if _, ok := env.(nodes.ClientEnv); !ok {
		panic(fmt.Sprintf("queue: Client %v started with an Env that records no history (%T)", env.ID(), env))
	}
	c.id = env.ID()
	c.servers = append([]nodes.ID(nil), env.Peers()...)
	c.leader = env.Rand().IntN(len(c.servers))
	if b, err := env.Store().Read(SessionFile); err == nil {
		n, perr := strconv.ParseUint(string(b), 10, 64)
		if perr != nil {
			panic(fmt.Sprintf("queue: Client %v: unreadable %s %q", c.id, SessionFile, b))
		}
		c.epoch = n
	}
	env.Store().Write(SessionFile, []byte(strconv.FormatUint(c.epoch+1, 10)))
	env.Store().Sync(syncSession)
}

// Synced starts the work once the session number is durable.
func (c *Client) Synced(env nodes.Env, tag uint64) {
	if tag != syncSession || c.seqN > 0 || c.cur != nil {
		return
	}
	now := env.Monotonic()
	if c.w.ProbeAt > 0 {
		env.SetTimer(max(c.w.ProbeAt-now, 0), tagProbe)
	}
	if c.w.FinalReadAt > 0 && c.role.Idempotent {
		env.SetTimer(max(c.w.FinalReadAt-now, 0), tagFinal)
	}
	if c.role.Producer {
		c.produce(env)
	} else {
		c.join(env)
	}
}

// after runs f once d has passed (at once for d == 0).
func (c *Client) after(env nodes.Env, d time.Duration, f func(env nodes.Env)) {
	if d <= 0 {
		f(env)
		return
	}
	c.wake = f
	env.SetTimer(d, tagWake)
}

func (c *Client) draw(env nodes.Env, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(env.Rand().Int64N(int64(hi-lo)+1))
}

// ---- producer

func (c *Client) produce(env nodes.Env) {
	if c.w.ProbeAt > 0 && env.Monotonic() >= c.w.ProbeAt && !c.probing {
		return // ordinary sends are over; the probe takes it from here
	}
	if c.probing && c.probeOK {
		return
	}
	if !c.probing && c.w.MaxSends > 0 && c.sent >= c.w.MaxSends {
		return // the ordinary sends are over; the probe comes by its timer
	}
	c.sent++
	p := env.Rand().IntN(c.w.Partitions)
	id := fmt.Sprintf("%v-%d", c.id, c.sent)
	hist := nodes.Op{Kind: OpSend, Key: PartitionName(p), Value: id}
	c.start(env, Op{Code: OpProduce, Partition: p, Msg: id}, &hist, func(env nodes.Env, r Result, ok bool) {
		if ok && c.probing {
			c.probeOK = true
		}
		think := c.draw(env, c.w.ThinkMin, c.w.ThinkMax)
		if !ok {
			think = max(think, c.w.BackoffMax)
		}
		c.after(env, think, c.produce)
	})
}

// ---- consumer

// join (re)joins the group; gen 0 is a fresh incarnation.
func (c *Client) join(env nodes.Env) {
	if c.stopConsuming(env) {
		return
	}
	c.start(env, Op{Code: OpJoin, Group: c.role.Group, Gen: c.gen}, nil, func(env nodes.Env, r Result, ok bool) {
		if !ok {
			c.crash(env, "join timed out")
			return
		}
		c.gen = r.Gen
		c.assigned = r.Assigned
		c.pos = map[int]uint64{}
		for i, p := range r.Assigned {
			c.pos[p] = r.Committed[i]
		}
		c.rr, c.empty, c.idle = 0, 0, 0
		env.Logf("group %s gen %d: assigned %v", c.role.Group, c.gen, c.assigned)
		c.poll(env)
	})
}

// stopConsuming starts the final sink read when its time has come, and
// reports whether ordinary consuming is over.
func (c *Client) stopConsuming(env nodes.Env) bool {
	if !c.finalRead {
		return false
	}
	if !c.finalDone {
		c.finalDone = true
		hist := nodes.Op{Kind: OpSinkRead, Key: c.role.Group}
		c.start(env, Op{Code: OpSink, Group: c.role.Group}, &hist, func(env nodes.Env, r Result, ok bool) {
			if !ok { // read again until one answers
				c.finalDone = false
				c.after(env, c.w.BackoffMax, func(env nodes.Env) { c.stopConsuming(env) })
			}
		})
	}
	return true
}

// crash models a consumer process crash: everything not committed is
// forgotten, and a new incarnation joins after RestartDelay.
func (c *Client) crash(env nodes.Env, why string) {
	env.Logf("consumer restarts (%s)", why)
	c.gen, c.assigned, c.pos = 0, nil, nil
	c.after(env, c.w.RestartDelay, c.join)
}

func (c *Client) poll(env nodes.Env) {
	if c.stopConsuming(env) {
		return
	}
	if len(c.assigned) == 0 {
		c.after(env, c.w.PollInterval, c.join) // ask again: a rebalance may give us partitions
		return
	}
	p := c.assigned[c.rr%len(c.assigned)]
	c.rr++
	from := c.pos[p]
	hist := nodes.Op{Kind: OpPoll, Key: PollKey(c.role.Group, p), Value: FormatAt(from, c.gen)}
	c.start(env, Op{Code: OpFetch, Group: c.role.Group, Gen: c.gen, Partition: p, Offset: from, Max: c.w.Batch}, &hist,
		func(env nodes.Env, r Result, ok bool) {
			switch {
			case !ok:
				c.crash(env, "fetch timed out")
			case r.Status == StatusFenced:
				c.join(env)
			default:
				if c.w.ProbeAt > 0 && env.Monotonic() >= c.w.ProbeAt {
					c.fetchedAfterProbe = true
				}
				c.process(env, p, r.Offset, r.Msgs)
			}
		})
}

// process applies a fetched batch and commits it (or, under the planted
// bug, commits it first).
func (c *Client) process(env nodes.Env, p int, from uint64, msgs []string) {
	if len(msgs) == 0 {
		c.empty++
		wait := time.Duration(0)
		if c.empty >= len(c.assigned) {
			// A round of empty fetches: back off, doubling up to 16 poll
			// intervals while the partitions stay empty.
			c.empty, wait = 0, c.w.PollInterval<<min(c.idle, 4)
			c.idle++
		}
		c.after(env, wait, c.poll)
		return
	}
	c.empty, c.idle = 0, 0
	end := from + uint64(len(msgs))
	crashPoint := func(env nodes.Env, then func(env nodes.Env)) {
		if c.w.CrashNum > 0 && env.Rand().IntN(c.w.CrashDen) < c.w.CrashNum {
			env.Reached("queue: consumer crashed between processing and committing")
			c.crash(env, "crash point")
			return
		}
		then(env)
	}
	commit := func(env nodes.Env, then func(env nodes.Env)) {
		hist := nodes.Op{Kind: OpCommitOffset, Key: PollKey(c.role.Group, p), Value: FormatAt(end, c.gen)}
		c.start(env, Op{Code: OpCommit, Group: c.role.Group, Gen: c.gen, Partition: p, Offset: end}, &hist,
			func(env nodes.Env, r Result, ok bool) {
				switch {
				case !ok:
					c.crash(env, "commit timed out")
				case r.Status == StatusFenced:
					c.join(env)
				default:
					c.pos[p] = end
					then(env)
				}
			})
	}
	effects := func(env nodes.Env, then func(env nodes.Env)) { c.effects(env, msgs, then) }
	if c.w.CommitBeforeProcess {
		commit(env, func(env nodes.Env) { crashPoint(env, func(env nodes.Env) { effects(env, c.poll) }) })
		return
	}
	effects(env, func(env nodes.Env) { crashPoint(env, func(env nodes.Env) { commit(env, c.poll) }) })
}

// effects applies each message's effect at the sink, in order (nothing
// for a plain group: its processing is the delivery itself).
func (c *Client) effects(env nodes.Env, msgs []string, then func(env nodes.Env)) {
	if !c.role.Idempotent || len(msgs) == 0 {
		then(env)
		return
	}
	hist := nodes.Op{Kind: OpEffectApply, Key: c.role.Group, Value: msgs[0]}
	c.start(env, Op{Code: OpEffect, Group: c.role.Group, Msg: msgs[0]}, &hist, func(env nodes.Env, r Result, ok bool) {
		if !ok {
			c.crash(env, "effect timed out")
			return
		}
		c.effects(env, msgs[1:], then)
	})
}

// ---- requests

// start sends a request; done runs with its result, or with ok false when
// it timed out (the history records Info).
func (c *Client) start(env nodes.Env, op Op, hist *nodes.Op, done func(env nodes.Env, r Result, ok bool)) {
	if c.cur != nil {
		panic(fmt.Sprintf("queue: client %v: %v while %v is in flight", c.id, op.Code, c.cur.op.Code))
	}
	op.Partitions = c.w.Partitions
	c.callN++
	c.seqN++
	k := &call{n: c.callN, seq: c.epoch<<32 | c.seqN, op: op, handle: -1, done: done}
	if hist != nil {
		k.hist = *hist
		k.handle = env.(nodes.ClientEnv).Invoke(k.hist)
	}
	k.deadline = env.SetTimer(c.w.Timeout, k.n*tagBase+tagDeadline)
	c.cur = k
	c.send(env)
}

func (c *Client) send(env nodes.Env) {
	k := c.cur
	env.Send(c.servers[c.leader], Request{Client: c.id, Seq: k.seq, Op: k.op})
	if k.attempt != 0 {
		env.CancelTimer(k.attempt)
	}
	k.attempt = env.SetTimer(c.w.AttemptTimeout, k.n*tagBase+tagAttempt)
}

// finish ends the call in flight.
func (c *Client) finish(env nodes.Env, r Result, ok bool) {
	k := c.cur
	c.cur = nil
	env.CancelTimer(k.deadline)
	env.CancelTimer(k.attempt)
	if k.handle >= 0 {
		ce := env.(nodes.ClientEnv)
		switch {
		case !ok:
			ce.Complete(k.handle, nodes.Info, k.hist)
		case r.Status == StatusFenced:
			ce.Complete(k.handle, nodes.Fail, k.hist)
		default:
			out := k.hist
			out.Output = output(k.hist.Kind, r)
			out.Exists = true
			ce.Complete(k.handle, nodes.OK, out)
		}
	}
	k.done(env, r, ok)
}

func output(kind nodes.OpKind, r Result) string {
	switch kind {
	case OpSend:
		return strconv.FormatUint(r.Offset, 10)
	case OpPoll, OpSinkRead:
		return strings.Join(r.Msgs, " ")
	case OpEffectApply:
		if r.Dup {
			return EffectDuplicate
		}
		return EffectApplied
	}
	return ""
}

// Timer dispatches on the tag's kind.
func (c *Client) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	n := tag / tagBase
	switch tag % tagBase {
	case tagWake:
		if f := c.wake; f != nil {
			c.wake = nil
			f(env)
		}
	case tagProbe:
		if c.role.Producer {
			c.probing = true
			if c.cur == nil && c.wake == nil {
				c.produce(env)
			}
		}
	case tagFinal:
		c.finalRead = true
		if c.cur == nil && c.wake == nil {
			c.stopConsuming(env)
		}
	case tagDeadline:
		if k := c.cur; k != nil && k.n == n {
			c.finish(env, Result{}, false)
		}
	case tagAttempt:
		if k := c.cur; k != nil && k.n == n {
			k.attempt = 0
			c.leader = (c.leader + 1) % len(c.servers)
			c.send(env)
		}
	case tagBackoff:
		if k := c.cur; k != nil && k.n == n {
			c.send(env)
		}
	}
}

// Message handles a Reply to the call in flight.
func (c *Client) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	r, ok := msg.(Reply)
	k := c.cur
	if !ok || k == nil || r.Seq != k.seq {
		return
	}
	switch r.Status {
	case StatusOK, StatusFenced:
		for i, s := range c.servers {
			if s == from {
				c.leader = i
			}
		}
		c.finish(env, r.Result, true)
	case StatusNotLeader, StatusRetry:
		env.CancelTimer(k.attempt)
		k.attempt = 0
		if r.Leader != 0 && r.Status == StatusNotLeader {
			for i, s := range c.servers {
				if s == r.Leader {
					c.leader = i
				}
			}
			if k.backoffN < 3 {
				k.backoffN++
				c.send(env)
				return
			}
		} else {
			c.leader = (c.leader + 1) % len(c.servers)
		}
		k.backoffN++
		d := c.w.BackoffMin << min(k.backoffN, 10)
		d = c.draw(env, d/2, min(d, c.w.BackoffMax))
		k.attempt = env.SetTimer(d, k.n*tagBase+tagBackoff)
	}
}

// Groups lists the workload's consumer groups, and which are idempotent.
func (c *Client) Groups() (all, idempotent []string) { return c.w.GroupNames() }
