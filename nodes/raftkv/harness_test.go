package raftkv_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// This file is a small in-test harness: a world of raftkv nodes with the
// online invariants wired in, a minimal closed-loop test client that
// records a history, packet rules for partitions, and helpers in the
// style of the 6.5840 test suite (checkOneLeader, partitions, crashes).

// opts configures one test world.
type opts struct {
	seed    uint64
	nodes   int
	clients int
	cfg     raftkv.Config
	net     sim.Network
	disk    sim.Disk
	clocks  sim.Clocks
	// Client workload.
	keys     int           // keys k0..k(keys-1); 0 means the register (key "")
	stopAt   time.Duration // clients invoke nothing after this virtual time
	thinkMax time.Duration // pause between operations, uniform [0, thinkMax]
	// Operation mix: percentages of reads and cas; the rest are writes
	// (puts or appends, half each; register writes with keys == 0).
	readPct, casPct int
	// readers: the first readers clients only read.
	readers int
	record  bool
}

func (o *opts) fill() {
	if o.nodes == 0 {
		o.nodes = 3
	}
	if o.net.Latency == (sim.Dist{}) {
		o.net.Latency = sim.UniformDist(100*time.Microsecond, time.Millisecond)
	}
	if o.stopAt == 0 {
		o.stopAt = time.Hour
	}
	if o.thinkMax == 0 {
		o.thinkMax = 5 * time.Millisecond
	}
	if o.readPct == 0 {
		o.readPct = 40
	}
}

type cluster struct {
	t       testing.TB
	o       opts
	w       *sim.Sim
	inv     *raftkv.Invariants
	rec     *checker.Recorder
	handles map[int64]int
	rng     *rand.Rand // the test's own fault schedule
	rules   []sim.RuleHandle
	crashed map[nodes.ID]bool
	// hunt: the cluster runs a planted bug; failures are recorded in
	// failure instead of failing the test.
	hunt    bool
	failure *sim.Failure
}

func newCluster(t testing.TB, o opts) *cluster {
	t.Helper()
	o.fill()
	c := &cluster{t: t, o: o, handles: map[int64]int{}, rng: rand.New(rand.NewPCG(o.seed, 0x7e57)), crashed: map[nodes.ID]bool{}}
	model := "kv"
	if o.keys == 0 {
		model = "register"
	}
	c.rec = checker.NewRecorder(model)
	w, err := sim.New(sim.Config{
		Seed:    o.seed,
		Nodes:   o.nodes,
		Node:    raftkv.New(o.cfg),
		Clients: o.clients,
		Client:  func(nodes.ID) nodes.Node { return &testClient{o: &c.o} },
		Network: o.net,
		Disk:    o.disk,
		Clocks:  o.clocks,
		Record:  o.record,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.w = w
	c.inv = raftkv.NewInvariants(c.node)
	w.AfterEachHandler(c.inv.Check)
	w.Observe(c.observe)
	return c
}

func (c *cluster) node(id nodes.ID) *raftkv.Node {
	n, _ := c.w.Node(id).(*raftkv.Node)
	return n
}

// observe feeds client invocations and completions to the recorder.
func (c *cluster) observe(e *trace.Event) error {
	switch e.Kind {
	case trace.Invoke:
		c.handles[e.Num] = c.rec.Invoke(e.Node, e.At, e.Op)
	case trace.Return:
		c.rec.Complete(c.handles[e.Num], e.At, e.Outcome, e.Op)
	}
	return nil
}

// run advances the world to virtual time until and returns the run's
// failure (a violated invariant or a node panic), if any.
func (c *cluster) run(until time.Duration) *sim.Failure {
	return c.w.Run(until).Failure
}

// mustRun is run for tests of the correct protocol: any failure fails the
// test with the seed that reproduces it.
func (c *cluster) mustRun(until time.Duration) {
	c.t.Helper()
	if f := c.run(until); f != nil {
		if c.hunt {
			c.failure = f
			return
		}
		c.t.Fatalf("seed %d: %v", c.o.seed, f)
	}
}

func (c *cluster) servers() []nodes.ID { return c.w.Servers() }

// leaders returns the up nodes that believe they lead, and their terms.
func (c *cluster) leaders() map[nodes.ID]uint64 {
	out := map[nodes.ID]uint64{}
	for _, id := range c.servers() {
		if n := c.node(id); n != nil && n.IsLeader() {
			out[id] = n.Status().Term
		}
	}
	return out
}

// oneLeader is 6.5840's checkOneLeader: among the leaders of the highest
// term there is exactly one; it returns it (0 and false if none).
func (c *cluster) oneLeader() (nodes.ID, bool) {
	c.t.Helper()
	var best nodes.ID
	var bestTerm uint64
	count := 0
	for _, id := range c.servers() {
		n := c.node(id)
		if n == nil || !n.IsLeader() || c.isolated(id) {
			continue
		}
		switch t := n.Status().Term; {
		case t > bestTerm:
			best, bestTerm, count = id, t, 1
		case t == bestTerm:
			count++
		}
	}
	if count > 1 {
		c.t.Fatalf("seed %d: %d leaders in term %d", c.o.seed, count, bestTerm)
	}
	return best, count == 1
}

// mustLeader runs up to d more virtual time until exactly one reachable
// leader exists.
func (c *cluster) mustLeader(d time.Duration) nodes.ID {
	c.t.Helper()
	end := c.w.Now() + d
	for c.w.Now() < end {
		c.mustRun(c.w.Now() + 50*time.Millisecond)
		if id, ok := c.oneLeader(); ok {
			return id
		}
	}
	c.t.Fatalf("seed %d: no leader within %v (at %v)", c.o.seed, d, c.w.Now())
	return 0
}

// terms returns the current term of every up node.
func (c *cluster) maxTerm() uint64 {
	var t uint64
	for _, id := range c.servers() {
		if n := c.node(id); n != nil {
			t = max(t, n.Status().Term)
		}
	}
	return t
}

// --- faults -----------------------------------------------------------------

// partition is a packet rule: servers in different groups cannot talk.
// Clients are not partitioned (they reach every server).
type partition struct {
	group map[nodes.ID]int
}

func (p *partition) Judge(pk *sim.Packet, _ *rand.Rand) sim.Verdict {
	if pk.From.IsClient() || pk.To.IsClient() {
		return sim.Verdict{}
	}
	if p.group[pk.From] != p.group[pk.To] {
		return sim.Verdict{Action: sim.Drop}
	}
	return sim.Verdict{}
}

func (p *partition) String() string { return fmt.Sprintf("partition%v", p.group) }

// split installs a partition: each argument is a group; servers not named
// form one more group.
func (c *cluster) split(groups ...[]nodes.ID) {
	p := &partition{group: map[nodes.ID]int{}}
	for i, g := range groups {
		for _, id := range g {
			p.group[id] = i + 1
		}
	}
	c.rules = append(c.rules, c.w.AddRule(p))
}

func (c *cluster) isolate(id nodes.ID) { c.split([]nodes.ID{id}) }

// isolated reports whether id is cut off from a majority by the rules.
func (c *cluster) isolated(id nodes.ID) bool {
	for _, r := range c.w.Rules() {
		p, ok := r.(*partition)
		if !ok {
			continue
		}
		same := 0
		for _, o := range c.servers() {
			if p.group[o] == p.group[id] {
				same++
			}
		}
		if same <= len(c.servers())/2 {
			return true
		}
	}
	return false
}

func (c *cluster) heal() {
	for _, h := range c.rules {
		if err := c.w.RemoveRule(h); err != nil {
			c.t.Fatal(err)
		}
	}
	c.rules = c.rules[:0]
}

func (c *cluster) crash(id nodes.ID) {
	if err := c.w.Crash(id); err != nil {
		c.t.Fatal(err)
	}
	c.crashed[id] = true
}

func (c *cluster) restart(id nodes.ID) {
	if err := c.w.Restart(id); err != nil {
		c.t.Fatal(err)
	}
	delete(c.crashed, id)
}

func (c *cluster) restartAll() {
	for _, id := range c.servers() {
		if !c.w.IsUp(id) {
			c.restart(id)
		}
	}
}

// every calls fn every interval of virtual time from now until end.
func (c *cluster) every(interval, end time.Duration, fn func()) {
	var step func()
	step = func() {
		if c.w.Now() >= end {
			return
		}
		fn()
		c.w.After(interval, step)
	}
	c.w.After(interval, step)
}

// --- history ------------------------------------------------------------------

// history returns the recorded history.
func (c *cluster) history() *checker.History { return c.rec.History() }

// okSince counts operations of the given kinds that completed OK at or
// after virtual time from ("" matches every kind).
func (c *cluster) okSince(from time.Duration, kind nodes.OpKind) int {
	h := c.rec.History()
	count := 0
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Outcome == nodes.OK && op.Return >= from && (kind == "" || op.Kind == kind) {
			count++
		}
	}
	return count
}

// linearizable runs Porcupine over the history.
func (c *cluster) linearizable() checker.Result {
	return checker.Check(c.rec.History(), checker.Options{Budget: 10 * time.Second})
}

// mustLinearizable fails the test unless the history is linearizable.
func (c *cluster) mustLinearizable() {
	c.t.Helper()
	res := c.linearizable()
	switch res.Verdict {
	case checker.Valid:
	case checker.Unknown:
		c.t.Logf("seed %d: linearizability unknown: %v", c.o.seed, res.Explanation)
	default:
		c.t.Fatalf("seed %d: history not linearizable:\n%v", c.o.seed, res)
	}
}

// --- the test client --------------------------------------------------------

// testClient is a minimal closed-loop KV client: one operation at a time,
// retried on the same Seq until it completes or its deadline passes, with
// leader discovery from hints. The real workloads live in nodes/kv.
type testClient struct {
	nodes.Base
	o       *opts
	servers []nodes.ID
	leader  int
	seq     uint64
	n       uint64 // operations invoked
	cur     *clientOp
}

type clientOp struct {
	handle   int
	seq      uint64
	op       nodes.Op
	attempt  nodes.TimerID
	deadline nodes.TimerID
}

const (
	tagNext uint64 = iota + 1
	tagAttempt
	tagDeadline
	tagResend
)

const (
	attemptTimeout = 100 * time.Millisecond
	opTimeout      = time.Second
)

func (c *testClient) Start(env nodes.Env) {
	c.servers = env.Peers()
	c.leader = env.Rand().IntN(len(c.servers))
	c.think(env)
}

func (c *testClient) think(env nodes.Env) {
	env.SetTimer(time.Duration(env.Rand().Int64N(int64(c.o.thinkMax)+1)), tagNext)
}

func (c *testClient) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	kind, seq := tag&0xff, tag>>8
	switch kind {
	case tagNext:
		c.invoke(env)
	case tagAttempt:
		if c.cur != nil && c.cur.seq == seq {
			c.leader = (c.leader + 1) % len(c.servers)
			c.send(env)
		}
	case tagResend:
		if c.cur != nil && c.cur.seq == seq {
			c.send(env)
		}
	case tagDeadline:
		if c.cur != nil && c.cur.seq == seq {
			c.finish(env, nodes.Info, c.cur.op)
		}
	}
}

func (c *testClient) invoke(env nodes.Env) {
	if env.Monotonic() >= c.o.stopAt {
		return
	}
	c.n++
	c.seq++
	r := env.Rand()
	op := nodes.Op{Kind: "get"}
	if c.o.keys > 0 {
		op.Key = "k" + strconv.Itoa(r.IntN(c.o.keys))
	} else {
		op.Kind = "read"
	}
	val := env.ID().String() + "." + strconv.FormatUint(c.n, 10) + ";"
	switch p := r.IntN(100); {
	case p < c.o.readPct || env.ID().Index() <= c.o.readers:
	case p < c.o.readPct+c.o.casPct:
		op.Kind, op.Value = "cas", val
		op.Expect = "" // matches a fresh key; otherwise fails
		if r.IntN(2) == 0 {
			op.Expect = lastWrite(r, c.o)
		}
	default:
		switch {
		case c.o.keys == 0:
			op.Kind, op.Value = "write", val
		case r.IntN(2) == 0:
			op.Kind, op.Value = "append", val
		default:
			op.Kind, op.Value = "put", val
		}
	}
	handle := env.(nodes.ClientEnv).Invoke(op)
	c.cur = &clientOp{handle: handle, seq: c.seq, op: op}
	c.cur.deadline = env.SetTimer(opTimeout, tagDeadline|c.seq<<8)
	c.send(env)
}

// lastWrite guesses a plausible current value for a cas (any value some
// client may have written); most such cas operations fail, which is fine.
func lastWrite(r *rand.Rand, o *opts) string {
	return "c" + strconv.Itoa(1+r.IntN(max(o.nodes, 1))) + "." + strconv.Itoa(1+r.IntN(3)) + ";"
}

func (c *testClient) send(env nodes.Env) {
	p := c.cur
	env.Send(c.servers[c.leader], kv.Request{Client: env.ID(), Seq: p.seq, Op: p.op})
	if p.attempt != 0 {
		env.CancelTimer(p.attempt)
	}
	p.attempt = env.SetTimer(attemptTimeout, tagAttempt|p.seq<<8)
}

func (c *testClient) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	r, ok := msg.(kv.Reply)
	if !ok || c.cur == nil || r.Seq != c.cur.seq {
		return
	}
	op := c.cur.op
	switch r.Status {
	case kv.StatusOK:
		op.Output, op.Exists = r.Value, r.Exists
		if op.Kind == nodes.OpCAS {
			op.Output = "true"
		}
		c.finish(env, nodes.OK, op)
	case kv.StatusCASMismatch:
		c.finish(env, nodes.Fail, op)
	case kv.StatusNotLeader:
		if i := c.index(r.Leader); i >= 0 {
			c.leader = i
		} else {
			c.leader = (c.leader + 1) % len(c.servers)
		}
		env.SetTimer(2*time.Millisecond, tagResend|c.cur.seq<<8)
	case kv.StatusRetry:
		env.SetTimer(5*time.Millisecond, tagResend|c.cur.seq<<8)
	}
}

func (c *testClient) index(id nodes.ID) int {
	for i, s := range c.servers {
		if s == id {
			return i
		}
	}
	return -1
}

func (c *testClient) finish(env nodes.Env, outcome nodes.Outcome, op nodes.Op) {
	p := c.cur
	env.CancelTimer(p.attempt)
	env.CancelTimer(p.deadline)
	env.(nodes.ClientEnv).Complete(p.handle, outcome, op)
	c.cur = nil
	c.think(env)
}
