package kv_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// world is one simulated run of the workload against fake servers.
type world struct {
	w   *sim.Sim
	rec *sim.Recorder
	f   *fake
}

type setup struct {
	seed    uint64
	servers int
	clients int
	wl      kv.Workload
	f       *fake
	latency sim.Dist
	record  bool
}

func newWorld(t *testing.T, s setup) *world {
	t.Helper()
	if s.servers == 0 {
		s.servers = 1
	}
	if s.clients == 0 {
		s.clients = 1
	}
	if s.f == nil {
		s.f = &fake{}
	}
	if err := s.wl.Validate(); err != nil {
		t.Fatal(err)
	}
	w, err := sim.New(sim.Config{
		Seed:    s.seed,
		Nodes:   s.servers,
		Node:    s.f.factory(),
		Clients: s.clients,
		Client:  s.wl.Factory(),
		Network: sim.Network{Latency: s.latency},
		Record:  s.record,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &world{w: w, rec: sim.Record(w), f: s.f}
}

func (wd *world) run(t *testing.T, until time.Duration) sim.Result {
	t.Helper()
	res := wd.w.Run(until)
	if res.Failure != nil {
		t.Fatalf("run failed: %v\n%s", res.Failure, res.Failure.Stack)
	}
	return res
}

func (wd *world) client(t *testing.T, i int) *kv.Client {
	t.Helper()
	c, ok := wd.w.Node(nodes.ClientID(i)).(*kv.Client)
	if !ok {
		t.Fatalf("c%d is not a running *kv.Client", i)
	}
	return c
}

// hop is one history operation rebuilt from the trace.
type hop struct {
	client  nodes.ID
	op      nodes.Op // arguments, plus the output if OK
	outcome nodes.Outcome
	invoke  time.Duration
	ret     time.Duration
}

func (h hop) String() string {
	return fmt.Sprintf("%v %s %v [%v,%v]", h.client, trace.FormatOp(h.op, h.outcome == nodes.OK), h.outcome, h.invoke, h.ret)
}

// history returns the client operations in invocation order.
func (wd *world) history() []hop {
	var ops []hop
	at := map[int64]int{}
	for _, e := range wd.rec.Events {
		switch e.Kind {
		case trace.Invoke:
			at[e.Num] = len(ops)
			ops = append(ops, hop{client: e.Node, op: e.Op, invoke: e.At})
		case trace.Return:
			h := &ops[at[e.Num]]
			h.outcome, h.ret = e.Outcome, e.At
			if e.Outcome == nodes.OK {
				h.op.Output, h.op.Exists = e.Op.Output, e.Op.Exists
			}
		}
	}
	return ops
}

func count(ops []hop, pred func(hop) bool) int {
	n := 0
	for _, h := range ops {
		if pred(h) {
			n++
		}
	}
	return n
}

// A correct server: every operation ends OK, except a cas whose expected
// value was stale, which is a Fail; reads return values someone wrote.
func TestOutcomesAgainstCorrectServer(t *testing.T) {
	wd := newWorld(t, setup{seed: 1, clients: 3, wl: kv.Workload{Keys: 3, MaxOps: 60},
		latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)})
	res := wd.run(t, time.Minute)
	if res.Outcome != sim.OutcomeQuiescent {
		t.Errorf("outcome %v, want quiescent (MaxOps bounds the workload)", res.Outcome)
	}
	ops := wd.history()
	if len(ops) != 180 {
		t.Fatalf("%d operations, want 3×60", len(ops))
	}
	written := map[string]bool{"": true}
	for _, h := range ops {
		if h.op.Kind == nodes.OpPut || h.op.Kind == nodes.OpCAS {
			written[h.op.Value] = true
		}
	}
	kinds := map[string]int{}
	for _, h := range ops {
		kinds[h.op.Kind.String()+"/"+h.outcome.String()]++
		switch {
		case h.outcome == nodes.Pending:
			t.Errorf("never completed: %v", h)
		case h.outcome == nodes.Fail && h.op.Kind != nodes.OpCAS, h.outcome == nodes.Info:
			t.Errorf("unexpected outcome: %v", h)
		case h.op.Kind == nodes.OpGet && h.outcome == nodes.OK && !strings.Contains(h.op.Output, ";") && !written[h.op.Output]:
			t.Errorf("read a value nobody wrote: %v", h)
		case h.op.Kind == nodes.OpCAS && h.op.Expect == "":
			t.Errorf("cas expecting the empty value: %v", h)
		}
	}
	for _, k := range []string{"get/ok", "put/ok", "append/ok", "cas/ok"} {
		if kinds[k] == 0 {
			t.Errorf("no %s operation in %v", k, kinds)
		}
	}
	for i := 1; i <= 3; i++ {
		st := wd.client(t, i).Stats()
		if st.Invoked != 60 || st.OK+st.Fail != 60 || st.Info != 0 || st.Resent != 0 {
			t.Errorf("c%d stats %+v", i, st)
		}
	}
}

// A cas mismatch is a Fail by default and an OK with Output "false" with
// CASMismatchOK.
func TestCASMismatch(t *testing.T) {
	for _, asOK := range []bool{false, true} {
		t.Run(fmt.Sprint("CASMismatchOK=", asOK), func(t *testing.T) {
			wl := kv.Workload{Kind: kv.KindRegister, Values: kv.ValuesSmall, ValueRange: 3,
				Mix: kv.Mix{Put: 1, CAS: 3}, MaxOps: 100, CASMismatchOK: asOK}
			wd := newWorld(t, setup{seed: 2, clients: 2, wl: wl})
			wd.run(t, time.Minute)
			ops := wd.history()
			var fails, falses, swaps int
			for _, h := range ops {
				if h.op.Kind != nodes.OpCAS {
					continue
				}
				switch {
				case h.outcome == nodes.Fail:
					fails++
				case h.outcome == nodes.OK && h.op.Output == "false":
					falses++
				case h.outcome == nodes.OK && h.op.Output == "true":
					swaps++
				default:
					t.Errorf("cas ended %v", h)
				}
			}
			if swaps == 0 {
				t.Errorf("no cas succeeded")
			}
			if asOK && (fails != 0 || falses == 0) || !asOK && (falses != 0 || fails == 0) {
				t.Errorf("mismatches: %d fail, %d ok/false", fails, falses)
			}
		})
	}
}

// StatusUnsupported ends the operation fail at once: no resend, nothing
// indeterminate.
func TestUnsupported(t *testing.T) {
	f := &fake{Unsupported: true}
	wd := newWorld(t, setup{seed: 4, clients: 2, f: f, wl: kv.Workload{MaxOps: 40}})
	wd.run(t, time.Minute)
	var unsupported int
	for _, h := range wd.history() {
		rmw := h.op.Kind == nodes.OpCAS || h.op.Kind == nodes.OpAppend
		switch {
		case rmw && h.outcome == nodes.Fail:
			unsupported++
		case rmw || h.outcome != nodes.OK:
			t.Errorf("ended %v", h)
		}
	}
	if unsupported == 0 {
		t.Error("no cas or append in the history")
	}
	for i := 1; i <= 2; i++ {
		if st := wd.client(t, i).Stats(); st.Resent != 0 || st.Info != 0 {
			t.Errorf("c%d stats %+v: an unsupported operation was resent or left indeterminate", i, st)
		}
	}
}

// A server that answers Retry twice per request: the client resends with
// the same Seq, every operation is applied exactly once, and Seqs of
// successive operations increase.
func TestRetryKeepsSeq(t *testing.T) {
	f := &fake{RetryFirst: 2}
	wd := newWorld(t, setup{seed: 3, clients: 2, f: f, wl: kv.Workload{MaxOps: 20}})
	wd.run(t, time.Minute)
	for _, h := range wd.history() {
		if h.outcome != nodes.OK && !(h.outcome == nodes.Fail && h.op.Kind == nodes.OpCAS) {
			t.Errorf("not OK: %v", h)
		}
	}
	perSeq := map[session][]kv.Request{}
	lastSeq := map[nodes.ID]uint64{}
	for _, s := range f.Requests {
		k := session{s.Req.Client, s.Req.Seq}
		if len(perSeq[k]) == 0 {
			if s.Req.Seq <= lastSeq[s.Req.Client] {
				t.Errorf("%v: seq %d after %d", s.Req.Client, s.Req.Seq, lastSeq[s.Req.Client])
			}
			lastSeq[s.Req.Client] = s.Req.Seq
		}
		perSeq[k] = append(perSeq[k], s.Req)
	}
	if len(perSeq) != 40 {
		t.Errorf("%d distinct (client, seq), want 40", len(perSeq))
	}
	for k, reqs := range perSeq { //faultline:orderless test assertions only
		if len(reqs) != 3 {
			t.Errorf("%v sent %d times, want 3", k, len(reqs))
		}
		for _, r := range reqs[1:] {
			if r.Op != reqs[0].Op {
				t.Errorf("%v: retry changed the op: %+v vs %+v", k, r.Op, reqs[0].Op)
			}
		}
		if f.Applied[k] != 1 {
			t.Errorf("%v applied %d times", k, f.Applied[k])
		}
	}
	// Backoff: the resends of one seq are spaced by at least BackoffMin/2.
	var prev seen
	for _, s := range f.Requests {
		if s.Req.Client == prev.Req.Client && s.Req.Seq == prev.Req.Seq && s.At-prev.At < kv.DefaultBackoffMin/2 {
			t.Errorf("resend of %v seq %d after only %v", s.Req.Client, s.Req.Seq, s.At-prev.At)
		}
		if s.Req.Client == nodes.ClientID(1) {
			prev = s
		}
	}
}

// Followers answer NotLeader: with a hint the client goes straight to the
// leader and stays there; without one it tries the servers in turn.
func TestLeaderDiscovery(t *testing.T) {
	for _, hint := range []bool{true, false} {
		t.Run(fmt.Sprint("hint=", hint), func(t *testing.T) {
			f := &fake{Leader: nodes.NodeID(4), Hint: hint}
			wd := newWorld(t, setup{seed: 4, servers: 5, clients: 3, f: f, wl: kv.Workload{MaxOps: 20}})
			wd.run(t, time.Minute)
			for _, h := range wd.history() {
				if h.outcome != nodes.OK && !(h.outcome == nodes.Fail && h.op.Kind == nodes.OpCAS) {
					t.Errorf("not OK: %v", h)
				}
			}
			wrong := map[nodes.ID]int{}
			for _, s := range f.Requests {
				if s.Server != f.Leader {
					wrong[s.Req.Client]++
				}
			}
			limit := 1 // the initial guess
			if !hint {
				limit = 4 // worst case: every other server once
			}
			for i := 1; i <= 3; i++ {
				if n := wrong[nodes.ClientID(i)]; n > limit {
					t.Errorf("c%d sent %d requests to followers, want ≤ %d", i, n, limit)
				}
			}
		})
	}
}

// Unanswered writes end Info at exactly Timeout after their invocation;
// unanswered reads end Fail; answered reads end OK.
func TestTimeouts(t *testing.T) {
	wl := kv.Workload{MaxOps: 10, Timeout: 300 * time.Millisecond, AttemptTimeout: 40 * time.Millisecond}
	for _, tc := range []struct {
		name string
		f    *fake
		want map[nodes.OpKind]nodes.Outcome
	}{
		{"drop-writes", &fake{DropWrites: true}, map[nodes.OpKind]nodes.Outcome{"get": nodes.OK, "put": nodes.Info, "append": nodes.Info, "cas": nodes.Info}},
		{"drop-all", &fake{DropAll: true}, map[nodes.OpKind]nodes.Outcome{"get": nodes.Fail, "put": nodes.Info, "append": nodes.Info, "cas": nodes.Info}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd := newWorld(t, setup{seed: 5, servers: 3, clients: 2, f: tc.f, wl: wl})
			wd.run(t, time.Minute)
			ops := wd.history()
			if len(ops) != 20 {
				t.Fatalf("%d ops, want 20", len(ops))
			}
			for _, h := range ops {
				if want := tc.want[h.op.Kind]; h.outcome != want {
					t.Errorf("%v: want %v", h, want)
				}
				if h.outcome != nodes.OK && h.ret-h.invoke != wl.Timeout {
					t.Errorf("%v: ended after %v, want the timeout %v", h, h.ret-h.invoke, wl.Timeout)
				}
			}
			// Unanswered attempts move on to other servers.
			servers := map[nodes.ID]bool{}
			for _, s := range tc.f.Requests {
				servers[s.Server] = true
			}
			if len(servers) != 3 {
				t.Errorf("requests reached %d servers, want all 3", len(servers))
			}
		})
	}
}

// Open loop: one invocation per Interval per client, whatever the latency;
// beyond PendingMax outstanding, arrivals are skipped; requests still go
// out one at a time.
func TestOpenLoopRate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		delay       time.Duration
		wantInvoked [2]int // range per client
		wantSkipped bool
	}{
		{"fast", 0, [2]int{99, 100}, false},
		{"slow", 25 * time.Millisecond, [2]int{30, 45}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wl := kv.Workload{Mode: kv.ModeOpen, Interval: 10 * time.Millisecond, Stop: time.Second, PendingMax: 3}
			f := &fake{Delay: tc.delay}
			wd := newWorld(t, setup{seed: 6, clients: 4, f: f, wl: wl})
			res := wd.run(t, time.Minute)
			if res.Outcome != sim.OutcomeQuiescent {
				t.Errorf("outcome %v, want quiescent after Stop", res.Outcome)
			}
			ops := wd.history()
			for i := 1; i <= 4; i++ {
				id := nodes.ClientID(i)
				st := wd.client(t, i).Stats()
				n := count(ops, func(h hop) bool { return h.client == id })
				if n != st.Invoked || n < tc.wantInvoked[0] || n > tc.wantInvoked[1] {
					t.Errorf("c%d invoked %d (stats %d), want %v", i, n, st.Invoked, tc.wantInvoked)
				}
				if (st.Skipped > 0) != tc.wantSkipped || n+st.Skipped < 99 || n+st.Skipped > 100 {
					t.Errorf("c%d: %d invoked + %d skipped, want 99..100 arrivals (skips: %v)", i, n, st.Skipped, tc.wantSkipped)
				}
				// Arrivals are exactly Interval apart.
				var prev time.Duration = -1
				pending := 0
				for _, h := range ops {
					if h.client != id {
						continue
					}
					if prev >= 0 && (h.invoke-prev)%wl.Interval != 0 {
						t.Errorf("c%d: invocations %v and %v are not a whole number of intervals apart", i, prev, h.invoke)
					}
					if h.invoke >= wl.Stop {
						t.Errorf("c%d invoked after Stop: %v", i, h)
					}
					prev = h.invoke
					// Outstanding at h's invocation, h included.
					pending = count(ops, func(o hop) bool { return o.client == id && o.invoke <= h.invoke && o.ret > h.invoke })
					if pending > wl.PendingMax {
						t.Errorf("c%d had %d operations outstanding at %v", i, pending, h.invoke)
					}
				}
			}
			if tc.delay > 0 {
				// One request at a time: a client's requests follow each other
				// by at least the server's delay (no retries happen here).
				last := map[nodes.ID]time.Duration{}
				for _, s := range f.Requests {
					if l, ok := last[s.Req.Client]; ok && s.At-l < tc.delay {
						t.Errorf("%v sent two requests %v apart", s.Req.Client, s.At-l)
					}
					last[s.Req.Client] = s.At
				}
			}
		})
	}
}

// Operations queued behind a slow one and never sent end Fail at their
// deadline.
func TestOpenLoopQueuedTimeoutIsFail(t *testing.T) {
	wl := kv.Workload{Mode: kv.ModeOpen, Interval: 10 * time.Millisecond, Stop: 200 * time.Millisecond,
		PendingMax: 10, Timeout: 50 * time.Millisecond}
	wd := newWorld(t, setup{seed: 7, f: &fake{DropAll: true}, wl: wl})
	wd.run(t, time.Minute)
	var sent, queued int
	for _, h := range wd.history() {
		switch h.outcome {
		case nodes.Info:
			sent++
		case nodes.Fail:
			queued++
		default:
			t.Errorf("%v", h)
		}
	}
	if sent == 0 || queued == 0 {
		t.Errorf("%d info (sent writes), %d fail (queued or reads): want both", sent, queued)
	}
}

// The same seed gives the same run; another seed another run.
func TestDeterministic(t *testing.T) {
	hash := func(seed uint64) trace.Hash {
		wl := kv.Workload{Keys: 4, MaxOps: 50, ThinkMax: 3 * time.Millisecond}
		wd := newWorld(t, setup{seed: seed, servers: 3, clients: 4, wl: wl,
			f:       &fake{Leader: nodes.NodeID(2), Hint: true, RetryFirst: 1},
			latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)})
		return wd.run(t, time.Minute).Hash
	}
	a, b, c := hash(11), hash(11), hash(12)
	if a != b {
		t.Errorf("seed 11 ran twice: %v vs %v", a, b)
	}
	if a == c {
		t.Errorf("seeds 11 and 12 gave the same hash %v", a)
	}
}

// The mix is respected: each kind's share of operations is close to its
// weight's share.
func TestMix(t *testing.T) {
	for _, tc := range []struct {
		name string
		wl   kv.Workload
		want map[nodes.OpKind]float64
	}{
		{"kv-default", kv.Workload{Values: kv.ValuesSmall},
			map[nodes.OpKind]float64{"get": 0.5, "put": 1. / 6, "append": 1. / 6, "cas": 1. / 6}},
		{"kv-writes", kv.Workload{Values: kv.ValuesSmall, Mix: kv.Mix{Put: 1, Append: 3}},
			map[nodes.OpKind]float64{"put": 0.25, "append": 0.75}},
		{"kv-unique", kv.Workload{Keys: 2, Mix: kv.Mix{Get: 1, Put: 1, CAS: 2}},
			map[nodes.OpKind]float64{"get": 0.25, "put": 0.25, "cas": 0.5}},
		{"register-default", kv.Workload{Kind: kv.KindRegister, Values: kv.ValuesSmall},
			map[nodes.OpKind]float64{"read": 0.5, "write": 0.25, "cas": 0.25}},
		{"register-reads", kv.Workload{Kind: kv.KindRegister, Mix: kv.Mix{Get: 1}},
			map[nodes.OpKind]float64{"read": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.wl.MaxOps = 2000
			wd := newWorld(t, setup{seed: 8, wl: tc.wl})
			wd.run(t, time.Hour)
			ops := wd.history()
			got := map[nodes.OpKind]int{}
			for _, h := range ops {
				got[h.op.Kind]++
				if tc.wl.Kind == kv.KindRegister && h.op.Key != "" || tc.wl.Kind != kv.KindRegister && !strings.HasPrefix(h.op.Key, "k") {
					t.Fatalf("bad key: %v", h)
				}
			}
			for kind, n := range got { //faultline:orderless test assertions only
				if _, ok := tc.want[kind]; !ok {
					t.Errorf("%d unexpected %s operations", n, kind)
				}
			}
			for kind, share := range tc.want { //faultline:orderless test assertions only
				if g := float64(got[kind]) / float64(len(ops)); g < share-0.03 || g > share+0.03 {
					t.Errorf("%s: share %.3f, want %.3f±0.03 (%v)", kind, g, share, got)
				}
			}
		})
	}
}

// MaxOps and Stop bound the workload; the run goes quiet afterwards.
func TestLimits(t *testing.T) {
	wd := newWorld(t, setup{seed: 9, clients: 3, wl: kv.Workload{MaxOps: 7}})
	if res := wd.run(t, time.Minute); res.Outcome != sim.OutcomeQuiescent {
		t.Errorf("MaxOps: outcome %v", res.Outcome)
	}
	if n := len(wd.history()); n != 21 {
		t.Errorf("MaxOps 7 × 3 clients gave %d ops", n)
	}

	wl := kv.Workload{Stop: 100 * time.Millisecond, ThinkMin: 5 * time.Millisecond, ThinkMax: 10 * time.Millisecond}
	wd = newWorld(t, setup{seed: 9, clients: 3, wl: wl})
	if res := wd.run(t, time.Minute); res.Outcome != sim.OutcomeQuiescent {
		t.Errorf("Stop: outcome %v", res.Outcome)
	}
	ops := wd.history()
	if len(ops) < 3*100/12 {
		t.Errorf("only %d ops before Stop", len(ops))
	}
	for _, h := range ops {
		if h.invoke >= wl.Stop {
			t.Errorf("invoked after Stop: %v", h)
		}
	}

	// StopIssuing from the harness.
	wd = newWorld(t, setup{seed: 9, clients: 2, wl: kv.Workload{ThinkMax: time.Millisecond}})
	wd.w.At(50*time.Millisecond, func() {
		for i := 1; i <= 2; i++ {
			wd.client(t, i).StopIssuing()
		}
	})
	if res := wd.run(t, time.Minute); res.Outcome != sim.OutcomeQuiescent {
		t.Errorf("StopIssuing: outcome %v", res.Outcome)
	}
	for _, h := range wd.history() {
		if h.invoke > 50*time.Millisecond {
			t.Errorf("invoked after StopIssuing: %v", h)
		}
	}
}

// The liveness probe: ordinary operations stop at ProbeAt and a write is
// retried until it commits; a server that is down until later delays it.
func TestProbe(t *testing.T) {
	wl := kv.Workload{Stop: 200 * time.Millisecond, ProbeAt: 500 * time.Millisecond, ProbeClients: 1,
		Timeout: 100 * time.Millisecond, AttemptTimeout: 20 * time.Millisecond}
	for _, tc := range []struct {
		name       string
		downUntil  time.Duration
		wantOK     bool
		minLatency time.Duration
		maxLatency time.Duration
	}{
		{"healthy", 0, true, 2 * time.Millisecond, 2 * time.Millisecond},
		{"recovers", 750 * time.Millisecond, true, 250 * time.Millisecond, 400 * time.Millisecond},
		{"never", time.Hour, false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd := newWorld(t, setup{seed: 10, clients: 2, wl: wl})
			if tc.downUntil > 0 {
				wd.w.At(300*time.Millisecond, func() { wd.w.Crash(nodes.NodeID(1)) })
				wd.w.At(tc.downUntil, func() { wd.w.Restart(nodes.NodeID(1)) })
			}
			wd.run(t, 10*time.Second)
			p1, p2 := wd.client(t, 1).Probe(), wd.client(t, 2).Probe()
			if !p1.Started || p2.Started {
				t.Errorf("probe started on c1 %v, c2 %v; want c1 only", p1.Started, p2.Started)
			}
			if p1.OK != tc.wantOK || p1.OK && (p1.Latency < tc.minLatency || p1.Latency > tc.maxLatency) || p1.OK && p1.At != wl.ProbeAt+p1.Latency {
				t.Errorf("c1 probe %+v, want OK=%v latency in [%v, %v]", p1, tc.wantOK, tc.minLatency, tc.maxLatency)
			}
			for _, h := range wd.history() {
				if h.invoke >= wl.Stop && (h.client != nodes.ClientID(1) || h.op.Kind != nodes.OpPut || h.invoke < wl.ProbeAt) {
					t.Errorf("unexpected op after Stop: %v", h)
				}
				if h.invoke >= wl.ProbeAt+kv.DefaultProbeFor {
					t.Errorf("probe op after ProbeFor: %v", h)
				}
			}
		})
	}
}

// A restarted client starts a fresh session whose Seqs are above every
// Seq of the previous one, and whose values are distinct.
func TestRestartFreshSession(t *testing.T) {
	f := &fake{}
	wd := newWorld(t, setup{seed: 11, f: f, wl: kv.Workload{ThinkMin: 10 * time.Millisecond}, latency: sim.Const(10 * time.Millisecond)})
	c1 := nodes.ClientID(1)
	wd.w.At(105*time.Millisecond, func() { wd.w.Crash(c1) })
	wd.w.At(150*time.Millisecond, func() { wd.w.Restart(c1) })
	wd.run(t, 300*time.Millisecond)
	var maxBefore, minAfter uint64
	for _, s := range f.Requests {
		if s.At < 150*time.Millisecond {
			maxBefore = max(maxBefore, s.Req.Seq)
		} else if minAfter == 0 {
			minAfter = s.Req.Seq
		}
	}
	if minAfter != 1<<32|1 || maxBefore >= minAfter {
		t.Errorf("seqs: before restart up to %#x, after from %#x", maxBefore, minAfter)
	}
	values := map[string]bool{}
	pending := 0
	for _, h := range wd.history() {
		if h.outcome == nodes.Pending && h.invoke < 105*time.Millisecond {
			pending++ // cut off by the crash: stays indeterminate
		}
		if h.op.Value != "" {
			if values[h.op.Value] {
				t.Errorf("value %q written twice", h.op.Value)
			}
			values[h.op.Value] = true
		}
	}
	if pending != 1 {
		t.Errorf("%d operations left pending by the crash, want 1", pending)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		wl   kv.Workload
		want string // "" for valid
	}{
		{kv.Workload{}, ""},
		{kv.Workload{Kind: kv.KindRegister, Mode: kv.ModeOpen, Values: kv.ValuesSmall}, ""},
		{kv.Workload{Kind: "bank"}, `kv: Workload.Kind: "bank" is not`},
		{kv.Workload{Keys: -1}, "kv: Workload.Keys: -1 is negative"},
		{kv.Workload{Kind: kv.KindRegister, Keys: 3}, "kv: Workload.Keys: 3 keys in a register workload"},
		{kv.Workload{Mix: kv.Mix{Get: -1, Put: 2}}, "kv: Workload.Mix: {Get:-1 Put:2 Append:0 CAS:0} has a negative weight"},
		{kv.Workload{Kind: kv.KindRegister, Mix: kv.Mix{Append: 1}}, "kv: Workload.Mix.Append: 1 in a register workload"},
		{kv.Workload{Values: "big"}, `kv: Workload.Values: "big" is not`},
		{kv.Workload{ValueRange: -2}, "kv: Workload.ValueRange: -2 is less than 1"},
		{kv.Workload{Timeout: -time.Second}, "kv: Workload.Timeout: -1s is negative"},
		{kv.Workload{BackoffMin: time.Second, BackoffMax: time.Millisecond}, "kv: Workload.BackoffMax: 1ms is less than BackoffMin 1s"},
		{kv.Workload{Mode: "burst"}, `kv: Workload.Mode: "burst" is not`},
		{kv.Workload{MaxOps: -5}, "kv: Workload.MaxOps: -5 is negative"},
		{kv.Workload{ProbeAt: -1}, "kv: Workload.ProbeAt: -1ns is negative"},
		{kv.Workload{Route: "nearest"}, `kv: Workload.Route: "nearest" is not "leader", "fixed" or "any"`},
		{kv.Workload{Route: kv.RouteAny}, ""},
	} {
		err := tc.wl.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", tc.wl, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want prefix %q", tc.wl, err, tc.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	d := kv.Workload{}.WithDefaults()
	want := kv.Workload{Kind: kv.KindKV, Keys: 10, Mix: kv.DefaultMixKV, Values: kv.ValuesUnique, ValueRange: 5,
		Timeout: 5 * time.Second, AttemptTimeout: 100 * time.Millisecond, BackoffMin: 2 * time.Millisecond,
		BackoffMax: 100 * time.Millisecond, Mode: kv.ModeClosed, Interval: 10 * time.Millisecond,
		PendingMax: 4, ProbeFor: 5 * time.Second, Route: kv.RouteLeader}
	if d != want {
		t.Errorf("defaults\n got %+v\nwant %+v", d, want)
	}
	r := kv.Workload{Kind: kv.KindRegister}.WithDefaults()
	if r.Keys != 1 || r.Mix != kv.DefaultMixRegister || r.Model() != "register" || d.Model() != "kv" {
		t.Errorf("register defaults %+v", r)
	}
}

// InfoMaxPerKey: once a client has that many Info writes on a key, it only
// reads the key.
func TestInfoMaxPerKey(t *testing.T) {
	wl := kv.Workload{Keys: 3, MaxOps: 60, Timeout: 50 * time.Millisecond, InfoMaxPerKey: 2}
	wd := newWorld(t, setup{seed: 12, clients: 3, f: &fake{DropWrites: true}, wl: wl})
	wd.run(t, time.Minute)
	infos := map[string]int{}
	for _, h := range wd.history() {
		if h.outcome == nodes.Info {
			infos[h.client.String()+" "+h.op.Key]++
		}
	}
	if len(infos) != 9 {
		t.Errorf("Info writes on %d (client, key) pairs, want all 9: %v", len(infos), infos)
	}
	for k, n := range infos { //faultline:orderless test assertions only
		if n > 2 {
			t.Errorf("%s: %d Info writes, cap 2", k, n)
		}
	}
}

// Routes: fixed sends every attempt to the client's home server (even
// when told it is not the leader); any spreads attempts over the servers
// and ignores hints; leader (above, TestLeaderDiscovery) follows them.
func TestRoutes(t *testing.T) {
	t.Run("fixed", func(t *testing.T) {
		f := &fake{}
		wd := newWorld(t, setup{seed: 3, servers: 3, clients: 5, f: f, wl: kv.Workload{MaxOps: 10, Route: kv.RouteFixed}})
		wd.run(t, time.Minute)
		for _, s := range f.Requests {
			if home := nodes.NodeID((s.Req.Client.Index()-1)%3 + 1); s.Server != home {
				t.Fatalf("%v sent seq %d to %v, not its home %v", s.Req.Client, s.Req.Seq, s.Server, home)
			}
		}
		if len(f.Requests) < 50 {
			t.Fatalf("only %d requests", len(f.Requests))
		}
	})
	t.Run("any", func(t *testing.T) {
		f := &fake{Leader: nodes.NodeID(2), Hint: true}
		wd := newWorld(t, setup{seed: 3, servers: 3, clients: 2, f: f, wl: kv.Workload{MaxOps: 30, Route: kv.RouteAny}})
		wd.run(t, time.Minute)
		per := map[nodes.ID]int{}
		for _, s := range f.Requests {
			per[s.Server]++
		}
		for i := 1; i <= 3; i++ {
			if per[nodes.NodeID(i)] < 10 {
				t.Errorf("n%d got %d of %d requests: any should spread them (hints ignored)", i, per[nodes.NodeID(i)], len(f.Requests))
			}
		}
		for _, h := range wd.history() {
			if h.outcome != nodes.OK && !(h.outcome == nodes.Fail && h.op.Kind == "cas") {
				t.Errorf("not OK: %v (a random retry reaches the leader eventually)", h)
			}
		}
	})
}

// The session context: every request carries the Context of the client's
// last OK reply, whichever server sent it and whichever server the request
// goes to; the first carries none.
func TestSessionContext(t *testing.T) {
	f := &fake{Contexts: true}
	wd := newWorld(t, setup{seed: 5, servers: 3, clients: 2, f: f, wl: kv.Workload{MaxOps: 30, Route: kv.RouteAny, Mix: kv.Mix{Get: 50, Put: 50}}})
	wd.run(t, time.Minute)
	answered := map[session]nodes.ID{} // with the correct fake, each request is answered once
	moved := 0
	for _, s := range f.Requests {
		want := ""
		if s.Req.Seq > 1 {
			prev := answered[session{s.Req.Client, s.Req.Seq - 1}]
			want = fmt.Sprintf("%v/%d", prev, s.Req.Seq-1)
			if prev != s.Server {
				moved++
			}
		}
		if s.Req.Context != want {
			t.Errorf("%v seq %d to %v carried context %q, want %q", s.Req.Client, s.Req.Seq, s.Server, s.Req.Context, want)
		}
		answered[session{s.Req.Client, s.Req.Seq}] = s.Server
	}
	if len(f.Requests) != 60 || moved < 10 {
		t.Errorf("%d requests, %d to another server than the last: want 60, and the context carried across servers", len(f.Requests), moved)
	}
}

// Final reads: at FinalReadAt every other operation stops and each key is
// read once, in order, retried until it ends OK.
func TestFinalReads(t *testing.T) {
	f := &fake{}
	wd := newWorld(t, setup{seed: 5, servers: 3, clients: 2, f: f, wl: kv.Workload{Keys: 4, FinalReadAt: time.Second, Timeout: 100 * time.Millisecond}})
	wd.run(t, 2*time.Second)
	for c := 1; c <= 2; c++ {
		var after []hop
		for _, h := range wd.history() {
			if h.client == nodes.ClientID(c) && h.invoke >= time.Second {
				after = append(after, h)
			}
		}
		if len(after) != 4 {
			t.Fatalf("c%d invoked %d operations after FinalReadAt, want the 4 final reads: %v", c, len(after), after)
		}
		for i, h := range after {
			if h.op.Kind != nodes.OpGet || h.op.Key != kv.KeyName(i+1) || h.outcome != nodes.OK {
				t.Errorf("c%d final read %d: %v", c, i, h)
			}
		}
	}
}
