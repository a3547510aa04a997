package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// evKind says what a slab slot does when its time comes.
type evKind uint8

const (
	evFree evKind = iota
	evNoop
	evDeliver
	evTimer
	evSynced
	evCall
)

// slot is the payload of a scheduled event. Slots are recycled through a
// free list; gen increments on every free so stale queue items and stale
// TimerIDs can be recognised.
type slot struct {
	kind  evKind
	gen   uint32
	inc   uint32 // owner's incarnation when scheduled (timers, syncs)
	to    nodes.ID
	from  nodes.ID
	msgID uint64
	tag   uint64
	mono  int64    // timers: deadline on the owner's oscillator
	done  bool     // syncs: the disk part finished (the callback may wait for a resume); deliveries: queued for service (inc says at which incarnation)
	mt    *msgType // deliveries: the message's type (its name in the trace)
	msg   nodes.Message
	fn    func()
}

// Observer sees every event as it happens. Returning an error stops the
// run at that event with OutcomeViolation (online invariants). The event is
// only valid during the call.
type Observer func(e *trace.Event) error

// Sim is one simulated world. It is single-threaded: all methods must be
// called from the goroutine that runs it, and never concurrently.
type Sim struct {
	cfg    Config
	now    int64
	seq    uint64
	lowSeq uint64 // sequence numbers for work deferred by a pause (see Resume)
	ranSeq uint64 // the seq of the last item run (math.MaxUint64: all due by now)
	// keepStale leaves stale items in the queue until their time (no
	// ghosts): the tests' reference for how a run ends.
	keepStale bool
	q         queue
	slots     []slot
	free      []uint32

	procs   []*proc
	servers []nodes.ID
	// active is the process whose handler is running (nil between
	// handlers): its Env, and only its, may be used.
	active *proc
	net    network

	ev      trace.Event
	evSeq   uint64
	hash    trace.Hash
	steps   uint64
	obs     [][]Observer // by event kind, each in the order added (ObserveKinds)
	after   []AfterHandler
	failure *Failure
	faultID int64 // the id of the last fault started (StartFault)
	started bool

	netRng, diskRng *rand.Rand
	msgSeq          uint64
	probes          map[string]int
	opSeq           int
	load            Factor // offered-load factor (service.go; 0: ×1)
	copier          copier
	types           map[reflect.Type]*msgType // msgtype.go
	recentTypes     []*msgType                // the first few types seen, scanned before the map
	noRecycle       bool                      // DisableRecycling
	nilType         *msgType
	lastType        *msgType // the type msgType returned last
	// peerTypes are the message types servers have sent each other.
	peerTypes map[string]bool
	pct       *pct // the PCT delivery schedule (nil: plain latency order)
}

// New builds a world from cfg. Nothing runs until Run.
func New(cfg Config) (*Sim, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Network.Latency == (Dist{}) {
		cfg.Network.Latency = Const(time.Millisecond)
	}
	if cfg.Disk.SyncLatency == (Dist{}) {
		cfg.Disk.SyncLatency = Const(time.Millisecond)
	}
	if cfg.MaxEvents == 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	s := &Sim{
		cfg:         cfg,
		hash:        trace.NewHash(),
		netRng:      NewStream(cfg.Seed, StreamNetwork),
		diskRng:     NewStream(cfg.Seed, StreamDisk),
		types:       map[reflect.Type]*msgType{},
		recentTypes: make([]*msgType, 0, 8),
		peerTypes:   map[string]bool{},
	}
	s.copier.init()
	s.pct = newPCT(&cfg)
	// Slot 0 is never used, so no TimerID (slot<<32 | gen) is ever zero:
	// nodes may use the zero TimerID to mean "no timer".
	s.slots = append(s.slots, slot{})
	s.net.init(&cfg.Network)
	clockRng := NewStream(cfg.Seed, StreamClocks)
	total := cfg.Nodes + cfg.Clients
	s.procs = make([]*proc, 0, total)
	s.servers = make([]nodes.ID, cfg.Nodes)
	for i := 1; i <= cfg.Nodes; i++ {
		s.servers[i-1] = nodes.NodeID(i)
	}
	for i := 0; i < total; i++ {
		var id nodes.ID
		factory := cfg.Node
		if i < cfg.Nodes {
			id = nodes.NodeID(i + 1)
		} else {
			id = nodes.ClientID(i - cfg.Nodes + 1)
			factory = cfg.Client
		}
		p := &proc{id: id, factory: factory, sim: s, rng: NewStream(cfg.Seed, id.String())}
		if !cfg.Service.IsZero() && !id.IsClient() {
			p.setServiceFactor(0)
		}
		p.env.p = p
		p.disk.p = p
		if !id.IsClient() {
			p.clock.offset = drawSym(clockRng, int64(cfg.Clocks.Skew))
			p.clock.ppm = drawSym(clockRng, cfg.Clocks.DriftPPM)
		}
		s.procs = append(s.procs, p)
	}
	return s, nil
}

func drawSym(r *rand.Rand, bound int64) int64 {
	if bound <= 0 {
		return 0
	}
	return r.Int64N(2*bound+1) - bound
}

// Seed returns the run's seed.
func (s *Sim) Seed() uint64 { return s.cfg.Seed }

// Config returns the configuration the world was built with (defaults
// filled in).
func (s *Sim) Config() Config { return s.cfg }

// Now returns the current virtual time.
func (s *Sim) Now() time.Duration { return time.Duration(s.now) }

// Hash returns the running hash of every event so far.
func (s *Sim) Hash() trace.Hash { return s.hash }

// Events returns the number of trace events so far.
func (s *Sim) Events() uint64 { return s.evSeq }

// Steps returns the number of queue events executed so far.
func (s *Sim) Steps() uint64 { return s.steps }

// Servers returns the server IDs, n1..nN. Do not modify the slice.
func (s *Sim) Servers() []nodes.ID { return s.servers }

// PeerMessageTypes returns the type names of the messages servers have
// sent each other so far in this run, sorted: what a message-targeted
// fault can choose from when it starts (see nemesis.DropType).
func (s *Sim) PeerMessageTypes() []string {
	out := make([]string, 0, len(s.peerTypes))
	for t := range s.peerTypes { //faultline:orderless sorted below
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Clients returns the client IDs, c1..cM.
func (s *Sim) Clients() []nodes.ID {
	ids := make([]nodes.ID, s.cfg.Clients)
	for i := range ids {
		ids[i] = nodes.ClientID(i + 1)
	}
	return ids
}

// Observe adds an observer called with every subsequent event.
func (s *Sim) Observe(o Observer) { s.ObserveKinds(o) }

// ObserveKinds adds an observer called only with subsequent events of the
// given kinds (with none, every event, as Observe). Observers run in the
// order they were added, whatever their kinds; an event no observer asked
// for costs nothing beyond the trace hash, so an observer that needs a few
// kinds (a history recorder) should name them.
func (s *Sim) ObserveKinds(o Observer, kinds ...trace.Kind) {
	if s.obs == nil {
		s.obs = make([][]Observer, len(trace.Kinds())+1)
	}
	if len(kinds) == 0 {
		for k := range s.obs {
			s.obs[k] = append(s.obs[k], o)
		}
		return
	}
	for i, k := range kinds {
		if int(k) >= len(s.obs) || k == trace.KindNone {
			panic(fmt.Sprintf("sim: ObserveKinds: no event kind %d", k))
		}
		if !slices.Contains(kinds[:i], k) { // a kind named twice is observed once
			s.obs[k] = append(s.obs[k], o)
		}
	}
}

// AfterHandler is called after every node handler (Start, Message, Timer,
// Synced) returns normally, with the process that ran. Online invariants
// over node state use it: they inspect Sim.Node(id) and return an error to
// stop the run at that exact step with OutcomeViolation.
type AfterHandler func(id nodes.ID) error

// AfterEachHandler adds an after-handler check.
func (s *Sim) AfterEachHandler(fn AfterHandler) { s.after = append(s.after, fn) }

// Failure returns the panic or violation that stopped the run, if any.
func (s *Sim) Failure() *Failure { return s.failure }

func (s *Sim) proc(id nodes.ID) *proc {
	var i int
	if id.IsClient() {
		i = s.cfg.Nodes + id.Index() - 1
	} else {
		i = int(id) - 1
	}
	if i < 0 || i >= len(s.procs) || s.procs[i].id != id {
		return nil
	}
	return s.procs[i]
}

func (s *Sim) mustProc(id nodes.ID) (*proc, error) {
	p := s.proc(id)
	if p == nil {
		return nil, fmt.Errorf("sim: no process %v (servers n1..n%d, clients c1..c%d)", id, s.cfg.Nodes, s.cfg.Clients)
	}
	return p, nil
}

// Node returns the current Node value of a running process, or nil if it
// is down or unknown. Harnesses use it for hooks such as
// nodes.LeaderReporter; they must not call its handlers.
func (s *Sim) Node(id nodes.ID) nodes.Node {
	p := s.proc(id)
	if p == nil || !p.up {
		return nil
	}
	return p.node
}

// --- scheduling ---------------------------------------------------------

func (s *Sim) alloc() uint32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		return i
	}
	s.slots = append(s.slots, slot{})
	return uint32(len(s.slots) - 1)
}

func (s *Sim) release(i uint32) {
	sl := &s.slots[i]
	sl.gen++
	sl.kind = evFree
	sl.done = false
	if sl.msg != nil || sl.fn != nil {
		sl.msg, sl.fn = nil, nil // let the garbage collector have them
	}
	s.free = append(s.free, i)
}

func (s *Sim) schedule(at int64, i uint32) {
	if at < s.now {
		at = s.now
	}
	s.seq++
	s.q.push(item{at: at, seq: s.seq, slot: i, gen: s.slots[i].gen})
}

// At runs fn at virtual time at (or now, if at has passed). Harnesses use
// it to script faults and phases; fn runs between node handlers.
func (s *Sim) At(at time.Duration, fn func()) {
	i := s.alloc()
	s.slots[i].kind = evCall
	s.slots[i].fn = fn
	s.schedule(int64(at), i)
}

// After runs fn after d of virtual time.
func (s *Sim) After(d time.Duration, fn func()) { s.At(s.Now()+d, fn) }

// --- running --------------------------------------------------------------

// Outcome says why Run returned.
type Outcome uint8

const (
	// OutcomeDeadline: virtual time reached the deadline.
	OutcomeDeadline Outcome = iota
	// OutcomeQuiescent: nothing left to do before the deadline.
	OutcomeQuiescent
	// OutcomeBudget: the event budget was spent (a livelock, or a run too
	// big for its budget).
	OutcomeBudget
	// OutcomePanic: node code panicked; see Result.Failure.
	OutcomePanic
	// OutcomeViolation: an observer (online invariant) failed.
	OutcomeViolation
)

var outcomeNames = [...]string{"deadline", "quiescent", "budget", "panic", "violation"}

// Outcomes returns every outcome in order.
func Outcomes() []Outcome {
	return []Outcome{OutcomeDeadline, OutcomeQuiescent, OutcomeBudget, OutcomePanic, OutcomeViolation}
}

// String is the outcome's text, as results files (sim_end) and trace
// footers (outcome) store it.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome is the inverse of Outcome.String.
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("sim: unknown run outcome %q (want one of: %s)", s, strings.Join(outcomeNames[:], ", "))
}

// MarshalText writes the outcome's text form.
func (o Outcome) MarshalText() ([]byte, error) {
	if int(o) >= len(outcomeNames) {
		return nil, fmt.Errorf("sim: invalid run outcome %d", uint8(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText reads the outcome's text form.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Result summarises a run so far.
type Result struct {
	Outcome Outcome
	At      time.Duration
	Events  uint64 // trace events
	Steps   uint64 // queue events executed
	Hash    trace.Hash
	Failure *Failure
}

// FailureKind says what stopped a run early.
type FailureKind uint8

const (
	// FailurePanic: node code panicked.
	FailurePanic FailureKind = iota + 1
	// FailureViolation: an online invariant (an observer) failed.
	FailureViolation
)

var failureKindNames = [...]string{FailurePanic: "panic", FailureViolation: "violation"}

// FailureKinds returns every failure kind in order.
func FailureKinds() []FailureKind { return []FailureKind{FailurePanic, FailureViolation} }

func (k FailureKind) String() string {
	if k >= FailurePanic && int(k) < len(failureKindNames) {
		return failureKindNames[k]
	}
	return fmt.Sprintf("failure(%d)", uint8(k))
}

// ParseFailureKind is the inverse of FailureKind.String.
func ParseFailureKind(s string) (FailureKind, error) {
	for _, k := range FailureKinds() {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("sim: unknown failure kind %q (want panic or violation)", s)
}

// Outcome is the run outcome a failure of this kind ends the run with.
func (k FailureKind) Outcome() Outcome {
	if k == FailurePanic {
		return OutcomePanic
	}
	return OutcomeViolation
}

// Failure is a node panic or an invariant violation, with everything needed
// to reproduce it.
type Failure struct {
	Kind  FailureKind
	Seed  uint64
	At    time.Duration
	Node  nodes.ID
	Event uint64 // trace sequence number of the failing event
	Err   string
	Stack string
}

func (f *Failure) Error() string {
	where := ""
	if f.Node != 0 {
		where = " on " + f.Node.String()
	}
	if f.Kind == FailurePanic {
		return fmt.Sprintf("sim: node panicked%s at %s (seed %d, event %d): %s", where, trace.FormatTime(f.At), f.Seed, f.Event, f.Err)
	}
	return fmt.Sprintf("sim: %s%s at %s (seed %d, event %d): %s", f.Kind, where, trace.FormatTime(f.At), f.Seed, f.Event, f.Err)
}

// Start starts every process at the current time (servers first, then
// clients, in ID order). Run calls it if it has not been called.
func (s *Sim) Start() {
	if s.started {
		return
	}
	s.started = true
	// Initial skew and drift go into the trace, so viewers show them.
	for _, p := range s.procs {
		if p.clock.offset != 0 {
			s.clockEvent(p, "offset="+time.Duration(p.clock.offset).String())
		}
		if p.clock.ppm != 0 {
			s.clockEvent(p, fmt.Sprintf("drift=%dppm", p.clock.ppm))
		}
	}
	for _, p := range s.procs {
		if p.held {
			continue
		}
		p.start()
		if s.failure != nil {
			return
		}
	}
}

// Run executes events until virtual time until, until nothing is left to
// do, until the event budget is spent, or until a failure. Events due
// exactly at until run. Unless the budget ran out or a failure stopped it,
// Now() is until afterwards. Run may be called again to continue.
func (s *Sim) Run(until time.Duration) Result {
	s.Start()
	end := int64(until)
	out := OutcomeDeadline
	for s.failure == nil {
		if m := s.q.mask; m&(1<<ghostBucket-1) == 0 && m != 0 && !s.q.minValid && !s.keepStale {
			s.q.settle(s.slots, s.lowSeq) // the earliest items are in a high bucket
		}
		if s.q.len() == 0 {
			out = s.endOutcome(OutcomeQuiescent, end)
			break
		}
		if s.q.peek() > end {
			out = s.endOutcome(OutcomeDeadline, end)
			break
		}
		if s.steps >= s.cfg.MaxEvents {
			out = OutcomeBudget
			break
		}
		it := s.q.pop()
		if s.slots[it.slot].gen != it.gen {
			continue
		}
		s.now = it.at
		s.steps++
		s.ranSeq = it.seq
		s.fire(it.slot)
	}
	// Time passes even when nothing happens: a quiescent world still
	// reaches the deadline (budget and failures stop the clock).
	if s.failure == nil && out != OutcomeBudget && s.now < end {
		s.now = end
	}
	if out != OutcomeBudget {
		s.ranSeq = math.MaxUint64 // everything due by now has run
	}
	return s.result(out)
}

// endOutcome is how Run ends when nothing queued is due by end (out is
// quiescent if nothing is queued at all, else deadline), given the ghosts
// (radixQueue.settle): as it would end had they stayed in the queue, to
// be skipped when their time came. A ghost due by end would have stopped
// a run whose budget is spent (budget); one due after end would have kept
// a quiescent run from being quiescent (deadline).
func (s *Sim) endOutcome(out Outcome, end int64) Outcome {
	if len(s.q.ghosts) == 0 {
		return out
	}
	if s.steps >= s.cfg.MaxEvents && s.q.ghostPending(s.now, s.ranSeq, end) {
		return OutcomeBudget
	}
	if out == OutcomeQuiescent && s.q.ghostMax > end && (end >= s.now || s.q.ghostPending(s.now, s.ranSeq, math.MaxInt64)) {
		return OutcomeDeadline // (a Run to a time already passed: only a ghost still pending counts)
	}
	return out
}

func (s *Sim) result(out Outcome) Result {
	if s.failure != nil {
		out = s.failure.Kind.Outcome()
	}
	return Result{Outcome: out, At: s.Now(), Events: s.evSeq, Steps: s.steps, Hash: s.hash, Failure: s.failure}
}

func (s *Sim) fire(i uint32) {
	sl := &s.slots[i]
	switch sl.kind {
	case evNoop:
		s.release(i)
	case evCall:
		fn := sl.fn
		s.release(i)
		fn()
	case evDeliver:
		p := s.proc(sl.to)
		if p.paused && p.up {
			p.deferred = append(p.deferred, item{slot: i, gen: sl.gen})
			return
		}
		if sl.done && (!p.up || sl.inc != p.inc) {
			// In service, then the server crashed.
			from, id, mt, msg := sl.from, sl.msgID, sl.mt, sl.msg
			s.release(i)
			s.emitMsg(trace.Drop, from, p.id, id, mt, "crashed", msg)
			s.reuse(mt, msg)
			return
		}
		if !sl.done && p.up && p.svc != nil && (p.svc.cost > 0 || p.svc.serving || p.svc.busyUntil > s.now) {
			// The service-time model (service.go): join the server's
			// FIFO; the head is served when the work ahead is done.
			p.svc.fifo = append(p.svc.fifo, item{slot: i, gen: sl.gen})
			if !p.svc.serving {
				s.serveNext(p)
			}
			return
		}
		served := sl.done
		from, id, mt, msg := sl.from, sl.msgID, sl.mt, sl.msg
		s.release(i)
		if !p.up {
			s.emitMsg(trace.Drop, from, p.id, id, mt, "down", msg)
			s.reuse(mt, msg)
			return
		}
		if served {
			p.svc.serving = false
		}
		s.emitMsg(trace.Deliver, p.id, from, id, mt, "", msg)
		p.deliver(from, msg)
		s.reuse(mt, msg)
		if served && !p.svc.serving && p.up {
			s.serveNext(p)
		}
	case evTimer:
		p := s.proc(sl.to)
		if !p.up || sl.inc != p.inc {
			s.release(i)
			return
		}
		if p.clock.mono(s.now) < sl.mono {
			// The clock slowed since the timer was set: not yet.
			s.schedule(p.clock.trueAt(sl.mono), i)
			return
		}
		if p.paused {
			p.deferred = append(p.deferred, item{slot: i, gen: sl.gen})
			return
		}
		tid := nodes.TimerID(uint64(i)<<32 | uint64(sl.gen))
		tag := sl.tag
		s.release(i)
		s.emitPlain(trace.Timer, p.id, int64(tag), "", "")
		p.timer(tid, tag)
	case evSynced:
		p := s.proc(sl.to)
		if !p.up || sl.inc != p.inc {
			s.release(i)
			return
		}
		if !sl.done {
			// The disk is hardware: it finishes while a paused process
			// is stopped; only the callback waits for the resume.
			p.disk.complete(sl.msgID)
			sl.done = true
			s.emitPlain(trace.DiskSynced, p.id, int64(sl.tag), "", "")
		}
		if p.paused {
			p.deferred = append(p.deferred, item{slot: i, gen: sl.gen})
			return
		}
		tag := sl.tag
		s.release(i)
		p.synced(tag)
	default:
		panic(fmt.Sprintf("sim: slot %d has kind %d (seed %d, at %s)", i, sl.kind, s.cfg.Seed, s.Now()))
	}
}

// --- trace ----------------------------------------------------------------

// emit stamps s.ev, folds it into the hash and shows it to observers.
func (s *Sim) emit() { s.emitNamed(nil) }

// emitNamed is emit for an event whose Type is typ's string (nil: any
// event), which hashes it faster (trace.Name); the hash is the same.
func (s *Sim) emitNamed(typ *trace.Name) {
	s.evSeq++
	e := &s.ev
	e.Seq = s.evSeq
	e.At = time.Duration(s.now)
	s.hash = s.hash.AddNamed(e, typ)
	if s.cfg.Record && e.Msg != nil && e.Text == "" {
		e.Text = formatMsg(e.Msg)
	}
	if int(e.Kind) >= len(s.obs) {
		return
	}
	for _, o := range s.obs[e.Kind] {
		if err := o(e); err != nil && s.failure == nil {
			s.violation(e.Node, err)
			return
		}
	}
}

// violation stops the run: an online invariant failed at the current event.
func (s *Sim) violation(node nodes.ID, err error) {
	if s.failure != nil {
		return
	}
	s.failure = &Failure{Kind: FailureViolation, Seed: s.cfg.Seed, At: s.Now(), Node: node, Event: s.evSeq, Err: err.Error()}
	s.ev = trace.Event{Kind: trace.Violation, Node: node, Text: err.Error()}
	s.emit()
}

// emitMsg emits a message event. It is most of the trace, so it writes
// only the fields a message event has and clears the others only if the
// event before set them, instead of rewriting the whole Event (pointer
// fields and all); TestEmitMsgClearsEveryOtherField keeps it honest when
// Event grows a field.
func (s *Sim) emitMsg(k trace.Kind, node, peer nodes.ID, id uint64, mt *msgType, note string, msg nodes.Message) {
	e := s.clearRare()
	e.Kind, e.Node, e.Peer, e.ID, e.Num = k, node, peer, id, 0
	e.Type, e.Note, e.Msg = mt.name, note, msg
	s.emitNamed(mt.hashName)
}

// emitPlain emits an event that has only a kind, a node, a number, a type
// and a note (timers, disk writes and syncs: most of the trace that is not
// messages), written as emitMsg writes a message event.
func (s *Sim) emitPlain(k trace.Kind, node nodes.ID, num int64, typ, note string) {
	e := s.clearRare()
	e.Kind, e.Node, e.Peer, e.ID, e.Num = k, node, 0, 0, num
	e.Type, e.Note, e.Msg = typ, note, nil
	s.emit()
}

// clearRare returns s.ev with the fields that neither message events nor
// plain ones have (text, operation, outcome) zero, clearing the whole
// event only if the one before set one of them; the caller writes every
// other field.
func (s *Sim) clearRare() *trace.Event {
	e := &s.ev
	if len(e.Text)|len(e.Op.Kind)|len(e.Op.Key)|len(e.Op.Value)|len(e.Op.Expect)|len(e.Op.Output) != 0 || e.Op.Exists || e.Outcome != 0 {
		*e = trace.Event{}
	}
	return e
}

// StartFault writes the FaultStart event of a fault of the given kind
// (its Type) and canonical text that a harness has just applied, node
// being the one server it hits (0 for none), and returns the fault's id:
// 1, 2, ... in the order faults start in this world. The event carries
// the id in Num; [Sim.StopFault] writes the matching FaultStop, and
// trace.FaultWindows pairs the two by it.
func (s *Sim) StartFault(node nodes.ID, kind, text string) int64 {
	s.faultID++
	s.ev = trace.Event{Kind: trace.FaultStart, Node: node, Num: s.faultID, Type: kind, Text: text}
	s.emit()
	return s.faultID
}

// StopFault writes the FaultStop event of the fault StartFault returned id
// for, once the harness has undone it.
func (s *Sim) StopFault(id int64, node nodes.ID, kind, text string) {
	if id <= 0 || id > s.faultID {
		panic(fmt.Sprintf("sim: StopFault at %s (seed %d): fault id %d was never started", trace.FormatTime(s.Now()), s.cfg.Seed, id))
	}
	s.ev = trace.Event{Kind: trace.FaultStop, Node: node, Num: id, Type: kind, Text: text}
	s.emit()
}

// Mark writes a Mark event of type t into the trace (a phase change, a
// skipped fault).
func (s *Sim) Mark(t trace.MarkType, text string) {
	s.ev = trace.Event{Kind: trace.Mark, Type: string(t), Text: text}
	s.emit()
}

// probe counts a coverage probe. The first time a probe is reached in a
// run it also goes into the trace (a mark of type trace.MarkProbe), so a viewer
// can show where; later hits only count.
func (s *Sim) probe(name string, hit bool) {
	if s.probes == nil {
		s.probes = map[string]int{}
	}
	n, seen := s.probes[name]
	if !hit {
		if !seen {
			s.probes[name] = 0
		}
		return
	}
	s.probes[name] = n + 1
	if n == 0 {
		s.ev = trace.Event{Kind: trace.Mark, Type: string(trace.MarkProbe), Text: name}
		s.emit()
	}
}

// Probes returns how often each coverage probe declared by node code was
// reached in this run (0: declared by Sometimes but never true). The map
// is a copy.
func (s *Sim) Probes() map[string]int {
	out := make(map[string]int, len(s.probes))
	for k, v := range s.probes { //faultline:orderless copying a map into a map
		out[k] = v
	}
	return out
}

// panicked turns a recovered node panic into the run's failure.
func (s *Sim) panicked(p *proc, v any) {
	stack := string(debug.Stack())
	f := &Failure{Kind: FailurePanic, Seed: s.cfg.Seed, At: s.Now(), Node: p.id, Err: fmt.Sprint(v), Stack: stack}
	s.ev = trace.Event{Kind: trace.Panic, Node: p.id, Text: fmt.Sprint(v)}
	s.emit()
	f.Event = s.evSeq
	if s.failure == nil {
		s.failure = f
	}
}
