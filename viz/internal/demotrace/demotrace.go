// Package demotrace builds traces for the viewer's tests, benchmarks and
// demo: a real simulated run of a tiny, deliberately wrong replicated
// register (reads are served from a local copy that replication may not
// have reached), with crashes, a pause, a clock jump and a partition; and
// a synthetic trace of any size for benchmarks.
package demotrace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// Messages of the register protocol.
type (
	Write     struct{ V int }
	WriteOK   struct{ V int }
	Read      struct{}
	ReadOK    struct{ V int }
	Replicate struct{ V int }
	Heartbeat struct{}
)

// server keeps a copy of the register, applies writes locally, answers
// with its copy and replicates asynchronously: stale reads under faults.
type server struct {
	nodes.Base
	val int
}

func (s *server) Start(env nodes.Env) {
	if b, err := env.Store().Read("val"); err == nil {
		fmt.Sscan(string(b), &s.val)
	}
	env.SetTimer(20*time.Millisecond, 0)
}

func (s *server) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	for _, p := range env.Peers() {
		env.Send(p, Heartbeat{})
	}
	env.SetTimer(20*time.Millisecond, 0)
}

func (s *server) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case Write:
		s.val = m.V
		env.Store().Write("val", []byte(fmt.Sprint(m.V)))
		env.Store().Sync(0)
		for _, p := range env.Peers() {
			env.Send(p, Replicate{V: m.V})
		}
		env.Send(from, WriteOK{V: m.V})
	case Replicate:
		if m.V > s.val {
			s.val = m.V
			env.Logf("replicated %d", m.V)
		}
	case Read:
		env.Send(from, ReadOK{V: s.val})
	}
}

// shared is the clients' common counter, so written values only grow.
type shared struct{ next int }

// client alternates writes of fresh values and reads, each against a
// random server, giving up after 30ms.
type client struct {
	nodes.Base
	sh      *shared
	handle  int
	op      nodes.Op
	pending bool
	timer   nodes.TimerID
}

const (
	tagNext    = 1
	tagTimeout = 2
)

func (c *client) Start(env nodes.Env) { env.SetTimer(5*time.Millisecond, tagNext) }

func (c *client) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	switch tag {
	case tagNext:
		peers := env.Peers()
		to := peers[env.Rand().IntN(len(peers))]
		if env.Rand().IntN(2) == 0 {
			c.sh.next++
			c.op = nodes.Op{Kind: nodes.OpWrite, Key: "x", Value: fmt.Sprint(c.sh.next)}
			env.Send(to, Write{V: c.sh.next})
		} else {
			c.op = nodes.Op{Kind: nodes.OpRead, Key: "x"}
			env.Send(to, Read{})
		}
		c.handle = env.(nodes.ClientEnv).Invoke(c.op)
		c.pending = true
		c.timer = env.SetTimer(30*time.Millisecond, tagTimeout)
	case tagTimeout:
		if !c.pending {
			return
		}
		out := nodes.Info
		if c.op.Kind == nodes.OpRead {
			out = nodes.Fail
		}
		c.finish(env, out, c.op)
	}
}

func (c *client) Message(env nodes.Env, _ nodes.ID, msg nodes.Message) {
	if !c.pending {
		return
	}
	switch m := msg.(type) {
	case WriteOK:
		if c.op.Kind == nodes.OpWrite && c.op.Value == fmt.Sprint(m.V) {
			c.finish(env, nodes.OK, c.op)
		}
	case ReadOK:
		if c.op.Kind == nodes.OpRead {
			op := c.op
			op.Output, op.Exists = fmt.Sprint(m.V), m.V != 0
			c.finish(env, nodes.OK, op)
		}
	}
}

func (c *client) finish(env nodes.Env, out nodes.Outcome, op nodes.Op) {
	c.pending = false
	env.CancelTimer(c.timer)
	env.(nodes.ClientEnv).Complete(c.handle, out, op)
	env.SetTimer(time.Duration(5+env.Rand().IntN(10))*time.Millisecond, tagNext)
}

// partition drops every message between the two sides.
type partition struct{ a, b []nodes.ID }

func (p partition) has(side []nodes.ID, id nodes.ID) bool {
	for _, x := range side {
		if x == id {
			return true
		}
	}
	return false
}

func (p partition) Judge(pk *sim.Packet, _ *rand.Rand) sim.Verdict {
	if (p.has(p.a, pk.From) && p.has(p.b, pk.To)) || (p.has(p.b, pk.From) && p.has(p.a, pk.To)) {
		return sim.Verdict{Action: sim.Drop}
	}
	return sim.Verdict{}
}

func (p partition) String() string { return fmt.Sprintf("partition %v | %v", p.a, p.b) }

// Run is a generated run: the trace and the operations an online check
// found inconsistent (the stale read and the write it missed).
type Run struct {
	File      *trace.File
	Highlight []int64
}

// Generate runs the register for until (virtual time) with the given seed
// and returns its trace, written with trace.NewWriter and read back. The
// fault schedule is fixed: n2's clock jumps at 30ms, n3 crashes at 40ms
// and restarts at 70ms, n2 pauses from 80ms to 95ms, and n1 is cut off
// from n2 and n3 from 100ms to 160ms. An observer stops the run with a
// violation at the first stale read (a read returning less than a write
// that completed before it began).
func Generate(seed uint64, until time.Duration) (*Run, error) {
	return generate(seed, until, true)
}

// GenerateLoad runs the register without the stale-read check, under a
// repeating schedule: every second, n1 is partitioned from the others for
// 300ms, and every 1.5s a server crashes for 200ms. It is the input of the
// plot tests (latency spikes and unavailability line up with the faults).
func GenerateLoad(seed uint64, until time.Duration) (*Run, error) {
	return generate(seed, until, false)
}

func generate(seed uint64, until time.Duration, check bool) (*Run, error) {
	sh := &shared{}
	w, err := sim.New(sim.Config{
		Seed:    seed,
		Nodes:   3,
		Node:    func(nodes.ID) nodes.Node { return &server{} },
		Clients: 2,
		Client:  func(nodes.ID) nodes.Node { return &client{sh: sh} },
		Network: sim.Network{Latency: sim.UniformDist(time.Millisecond, 3*time.Millisecond), Duplicate: sim.Ratio{Num: 1, Den: 40}},
		Record:  true,
	})
	if err != nil {
		return nil, err
	}
	var events []trace.Event
	run := &Run{}
	lastOK, lastOKHandle := 0, int64(0)
	need := map[int64][2]int64{} // read handle -> {value it must see, the write's handle}
	w.Observe(func(e *trace.Event) error {
		c := *e
		c.Msg = nil
		events = append(events, c)
		if !check {
			return nil
		}
		switch e.Kind {
		case trace.Invoke:
			if e.Op.Kind == nodes.OpRead {
				need[e.Num] = [2]int64{int64(lastOK), lastOKHandle}
			}
		case trace.Return:
			if e.Outcome != nodes.OK {
				return nil
			}
			var v int
			fmt.Sscan(e.Op.Value, &v)
			if e.Op.Kind == nodes.OpWrite && v > lastOK {
				lastOK, lastOKHandle = v, e.Num
			}
			if e.Op.Kind == nodes.OpRead {
				fmt.Sscan(e.Op.Output, &v)
				if n := need[e.Num]; int64(v) < n[0] {
					run.Highlight = []int64{e.Num, n[1]} // the failing read first, as a checker reports it
					return fmt.Errorf("stale read: [%d] read %d after write of %d ([%d]) completed", e.Num, v, n[0], n[1])
				}
			}
		}
		return nil
	})
	n1, n2, n3 := nodes.NodeID(1), nodes.NodeID(2), nodes.NodeID(3)
	faultIDs := map[string]int64{} // text -> id of the fault being healed next
	fault := func(at time.Duration, node nodes.ID, typ, text string, do func()) {
		w.At(at, func() {
			do()
			faultIDs[text] = w.StartFault(node, typ, text)
		})
	}
	heal := func(at time.Duration, node nodes.ID, typ, text string, do func()) {
		w.At(at, func() {
			do()
			w.StopFault(faultIDs[text], node, typ, text)
		})
	}
	if !check {
		ids := []nodes.ID{n1, n2, n3}
		for t, k := time.Second, 0; t < until; t, k = t+time.Second, k+1 {
			part := partition{a: []nodes.ID{n1}, b: []nodes.ID{n2, n3}}
			var h sim.RuleHandle
			fault(t, 0, "partition", part.String(), func() { h = w.AddRule(part) })
			heal(t+300*time.Millisecond, 0, "partition", part.String(), func() { w.RemoveRule(h) })
		}
		for t, k := 1500*time.Millisecond, 0; t < until; t, k = t+1500*time.Millisecond, k+1 {
			id := ids[(k+1)%3]
			text := "crash " + id.String()
			fault(t, id, "crash", text, func() { w.Crash(id) })
			heal(t+200*time.Millisecond, id, "crash", text, func() { w.Restart(id) })
		}
		return finish(w, seed, until, events0(&events), run)
	}
	fault(30*time.Millisecond, n2, "clock", "clock-jump n2 +50ms", func() { w.JumpClock(n2, 50*time.Millisecond) })
	heal(30*time.Millisecond, n2, "clock", "clock-jump n2 +50ms", func() {})
	fault(40*time.Millisecond, n3, "crash", "crash n3", func() { w.Crash(n3) })
	heal(70*time.Millisecond, n3, "crash", "crash n3", func() { w.Restart(n3) })
	fault(80*time.Millisecond, n2, "pause", "pause n2", func() { w.Pause(n2) })
	heal(95*time.Millisecond, n2, "pause", "pause n2", func() { w.Resume(n2) })
	var h sim.RuleHandle
	part := partition{a: []nodes.ID{n1}, b: []nodes.ID{n2, n3}}
	fault(100*time.Millisecond, 0, "partition", part.String(), func() { h = w.AddRule(part) })
	heal(160*time.Millisecond, 0, "partition", part.String(), func() { w.RemoveRule(h) })

	return finish(w, seed, until, events0(&events), run)
}

func events0(p *[]trace.Event) func() []trace.Event { return func() []trace.Event { return *p } }

// finish runs w and returns its trace, written and read back.
func finish(w *sim.Sim, seed uint64, until time.Duration, evs func() []trace.Event, run *Run) (*Run, error) {
	res := w.Run(until)
	events := evs()
	var buf bytes.Buffer
	tw, err := trace.NewWriter(&buf, trace.Header{Seed: seed, Scenario: "demo-register", Nodes: 3, Clients: 2,
		Repro: fmt.Sprintf("go test ./viz -run TestDemo -seed %d", seed)})
	if err != nil {
		return nil, err
	}
	for i := range events {
		if err := tw.Write(&events[i]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(trace.Footer{Events: res.Events, At: res.At, Hash: res.Hash.String(), Outcome: res.Outcome.String()}); err != nil {
		return nil, err
	}
	f, err := trace.Read(&buf, "demo")
	if err != nil {
		return nil, err
	}
	run.File = f
	return run, nil
}

// Synthetic builds a trace of n events without the simulator: servers
// exchanging messages, clients with one operation at a time, a fault
// window every few seconds, clock changes, crashes and a violation near
// the end. It is for benchmarks (a 1M-event trace in about a second).
func Synthetic(n, servers, clients int) *trace.File {
	r := rand.New(rand.NewPCG(1, 2))
	f := &trace.File{Header: trace.Header{Faultline: trace.FormatVersion, Seed: 1, Scenario: "synthetic", Nodes: servers, Clients: clients}}
	f.Events = make([]trace.Event, 0, n)
	var at time.Duration
	var msg uint64
	handle := int64(0)
	open := make([]int64, clients+1) // client -> open handle
	faultOpen := false
	add := func(e trace.Event) {
		e.Seq = uint64(len(f.Events) + 1)
		e.At = at
		f.Events = append(f.Events, e)
	}
	for len(f.Events) < n-2 {
		at += time.Duration(1+r.IntN(40)) * time.Microsecond
		switch k := r.IntN(100); {
		case k < 70:
			from := nodes.NodeID(1 + r.IntN(servers))
			to := nodes.NodeID(1 + r.IntN(servers))
			msg++
			add(trace.Event{Kind: trace.Send, Node: from, Peer: to, ID: msg, Type: "AppendEntries"})
			if r.IntN(50) == 0 {
				add(trace.Event{Kind: trace.Drop, Node: from, Peer: to, ID: msg, Type: "AppendEntries", Note: "loss"})
			} else {
				add(trace.Event{Kind: trace.Deliver, Node: to, Peer: from, ID: msg, Type: "AppendEntries"})
			}
		case k < 90:
			c := 1 + r.IntN(clients)
			id := nodes.ClientID(c)
			if open[c] == 0 {
				handle++
				open[c] = handle
				add(trace.Event{Kind: trace.Invoke, Node: id, Num: handle, Op: nodes.Op{Kind: nodes.OpPut, Key: fmt.Sprintf("k%d", r.IntN(8)), Value: fmt.Sprint(handle)}})
			} else {
				out := []nodes.Outcome{nodes.OK, nodes.OK, nodes.OK, nodes.Fail, nodes.Info}[r.IntN(5)]
				add(trace.Event{Kind: trace.Return, Node: id, Num: open[c], Outcome: out, Op: nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: fmt.Sprint(open[c])}})
				open[c] = 0
			}
		case k < 98:
			add(trace.Event{Kind: trace.Timer, Node: nodes.NodeID(1 + r.IntN(servers)), Num: 1})
		default:
			switch r.IntN(40) {
			case 0:
				add(trace.Event{Kind: trace.Clock, Node: nodes.NodeID(1 + r.IntN(servers)), Note: fmt.Sprintf("offset=%dms", r.IntN(200)-100)})
			case 1:
				text := "partition n1 | n2 n3"
				if faultOpen {
					add(trace.Event{Kind: trace.FaultStop, Type: "partition", Text: text})
				} else {
					add(trace.Event{Kind: trace.FaultStart, Type: "partition", Text: text})
				}
				faultOpen = !faultOpen
			default:
				add(trace.Event{Kind: trace.Log, Node: nodes.NodeID(1 + r.IntN(servers)), Type: "log", Text: "became follower"})
			}
		}
	}
	add(trace.Event{Kind: trace.Violation, Node: nodes.NodeID(1), Text: "synthetic violation"})
	f.Footer = &trace.Footer{End: true, Events: uint64(len(f.Events)), At: at, Outcome: sim.OutcomeViolation.String()}
	return f
}
