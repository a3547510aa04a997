package saga

import (
	"fmt"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/bank"
	"github.com/faultline/faultline/nodes/durable"
)

// Defaults of Config.
const (
	DefaultRetransmit  = 20 * time.Millisecond
	DefaultStepTimeout = 300 * time.Millisecond
)

// Config tunes the protocol. The zero value is the defaults.
type Config struct {
	// Retransmit is the period of the orchestrator's tick: it resends the
	// current step of every running saga and the shard reads of every
	// running whole-bank read.
	Retransmit time.Duration
	// StepTimeout is how long the orchestrator retries a credit before it
	// asks the participant to cancel it (and, if it was cancelled,
	// compensates the debit).
	StepTimeout time.Duration
	Bugs        Bugs
}

// Bugs are planted mistakes (see the package doc).
type Bugs struct {
	// CompensationNotIdempotent: a participant dedups debits and credits by
	// step id, but applies a compensation every time it arrives; a
	// retried compensation credits the money back twice.
	CompensationNotIdempotent bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Retransmit == 0 {
		c.Retransmit = DefaultRetransmit
	}
	if c.StepTimeout == 0 {
		c.StepTimeout = DefaultStepTimeout
	}
	return c
}

// Validate reports a configuration that makes no sense.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Retransmit < 0 || c.StepTimeout < 0 {
		return fmt.Errorf("saga: negative duration in %+v", c)
	}
	if c.StepTimeout < 2*c.Retransmit {
		return fmt.Errorf("saga: step_timeout %v must be at least two retransmits (%v)", c.StepTimeout, 2*c.Retransmit)
	}
	return nil
}

// New returns the factory of Saga servers.
func New(cfg Config) nodes.Factory {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return func(nodes.ID) nodes.Node { return &Node{cfg: cfg} }
}

// StepKind is what a step does at its participant.
type StepKind uint8

const (
	// Debit takes Amount from Account, refused if that would overdraw it.
	Debit StepKind = iota + 1
	// Credit adds Amount to Account.
	Credit
	// Undo compensates a debit: it adds Amount back to Account.
	Undo
	// Cancel cancels the credit with the step's ID unless it was applied:
	// a late credit with that ID is then refused.
	Cancel
)

// Result is a step's outcome at its participant.
type Result uint8

const (
	Applied Result = iota + 1
	Refused
	Cancelled
)

func (r Result) String() string {
	switch r {
	case Applied:
		return "applied"
	case Refused:
		return "refused"
	case Cancelled:
		return "cancelled"
	}
	return "result?"
}

// Step asks a participant to perform one step of a saga, once: ID names
// it (txn/debit, txn/credit, txn/undo); a retry carries the same ID and
// gets the recorded Result.
type Step struct {
	ID      string
	Txn     string
	Kind    StepKind
	Account int
	Amount  int64
	Initial int64
}

// StepDone answers a Step once its result is durable.
type StepDone struct {
	ID     string
	Result Result
}

// ReadShard asks a participant for the balances of its accounts, now (no
// locks: a saga's intermediate states are visible).
type ReadShard struct {
	Txn      string
	Accounts []int
	Initial  int64
}

// ShardBalances answers a ReadShard.
type ShardBalances struct {
	Txn      string
	Balances []Balance
}

// Balance is one account's balance.
type Balance struct {
	Account int
	Balance int64
}

// Files in a server's store.
const (
	// StepLog holds a participant's step results.
	StepLog = "saga-steps"
	// SagaLog holds an orchestrator's saga begin and end records.
	SagaLog = "saga-log"
)

type stepRecord struct {
	ID      string   `json:"id"`
	Txn     string   `json:"t"`
	Kind    StepKind `json:"k"`
	Account int      `json:"a"`
	Amount  int64    `json:"m"`
	Initial int64    `json:"i"`
	Result  Result   `json:"r"`
}

type sagaRecord struct {
	Txn       string        `json:"t"`
	Client    nodes.ID      `json:"c,omitempty"`
	Transfer  bank.Transfer `json:"x"`
	Bank      bank.Bank     `json:"b"`
	End       bool          `json:"e,omitempty"`
	Committed bool          `json:"ok,omitempty"`
}

// Node is one server: a participant holding its shard of the accounts and
// the orchestrator of the sagas its clients send it.
type Node struct {
	nodes.Base
	cfg     Config
	id      nodes.ID
	servers int
	syncs   durable.Syncs

	// Participant.
	balances map[int]int64
	applied  []bank.Effect
	steps    map[string]*stepState

	// Orchestrator.
	ready    bool
	outcomes map[string]bool // finished sagas: committed?
	running  map[string]*sagaState
	reads    map[string]*readState
}

type stepState struct {
	rec     stepRecord
	durable bool
}

type phase uint8

const (
	debiting phase = iota + 1
	crediting
	cancelling
	compensating
	ending // the end record is being synced
)

type sagaState struct {
	rec     sagaRecord
	phase   phase
	since   time.Duration
	client  nodes.ID
	pending bool // an end record awaits its sync
}

type readState struct {
	req     bank.Request
	client  nodes.ID
	started time.Duration
	got     map[nodes.ID][]Balance
}

const tagTick = 1

// Start rebuilds the participant's balances and step results from its step
// log and the orchestrator's sagas from its saga log, then re-drives every
// saga that has no end record from its first step (each step is
// idempotent, so a re-driven saga repeats nothing).
func (n *Node) Start(env nodes.Env) {
	n.id = env.ID()
	n.servers = len(env.Peers()) + 1
	n.balances, n.steps = map[int]int64{}, map[string]*stepState{}
	n.outcomes, n.running, n.reads = map[string]bool{}, map[string]*sagaState{}, map[string]*readState{}
	st := env.Store()
	if _, torn := durable.ReadLog(st, StepLog, func(r stepRecord) { n.record(r) }); torn {
		env.Reached("saga: a torn log record was cut off")
	}
	durable.ReadLog(st, SagaLog, func(r sagaRecord) {
		if r.End {
			delete(n.running, r.Txn)
			n.outcomes[r.Txn] = r.Committed
			return
		}
		n.running[r.Txn] = &sagaState{rec: r, phase: debiting, client: r.Client}
	})
	if len(n.running) > 0 {
		env.Reached("saga: orchestrator re-drives unfinished sagas after a restart")
	}
	n.ready = true
	for _, txn := range sortedKeys(n.running) {
		n.drive(env, n.running[txn])
	}
	env.SetTimer(n.cfg.Retransmit, tagTick)
}

// record applies one step result to the participant's state.
func (n *Node) record(r stepRecord) {
	if _, ok := n.balances[r.Account]; !ok {
		n.balances[r.Account] = r.Initial
	}
	n.steps[r.ID] = &stepState{rec: r, durable: true}
	if r.Result != Applied || r.Kind == Cancel {
		return
	}
	e := bank.Effect{Txn: r.Txn, Account: r.Account, Delta: r.Amount}
	switch r.Kind {
	case Debit:
		e.Delta = -r.Amount
	case Undo:
		e.Txn += bank.UndoSuffix
	}
	n.balances[r.Account] += e.Delta
	n.applied = append(n.applied, e)
}

// Message dispatches on the message type; unknown ones are ignored.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case bank.Request:
		n.request(env, from, m)
	case Step:
		n.step(env, from, m)
	case StepDone:
		n.stepDone(env, m)
	case ReadShard:
		bals := make([]Balance, len(m.Accounts))
		for i, a := range m.Accounts {
			bals[i] = Balance{Account: a, Balance: n.balance(a, m.Initial)}
		}
		env.Send(from, ShardBalances{Txn: m.Txn, Balances: bals})
	case ShardBalances:
		n.shardBalances(env, from, m)
	}
}

// Synced forwards to the sync queue.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// Timer is the tick: resend steps and reads, time credits out.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tagTick {
		return
	}
	now := env.Monotonic()
	for _, txn := range sortedKeys(n.running) {
		s := n.running[txn]
		if s.phase == crediting && now-s.since >= n.cfg.StepTimeout {
			env.Reached("saga: credit timed out, asking to cancel it")
			s.phase, s.since = cancelling, now
		}
		n.drive(env, s)
	}
	for _, txn := range sortedKeys(n.reads) {
		r := n.reads[txn]
		if now-r.started > 2*n.cfg.StepTimeout {
			delete(n.reads, txn) // the client retries
			continue
		}
		n.sendReads(env, r)
	}
	env.SetTimer(n.cfg.Retransmit, tagTick)
}

// --- participant ---

func (n *Node) balance(acct int, initial int64) int64 {
	if b, ok := n.balances[acct]; ok {
		return b
	}
	return initial
}

func (n *Node) step(env nodes.Env, from nodes.ID, m Step) {
	if s, ok := n.steps[m.ID]; ok && !(m.Kind == Undo && n.cfg.Bugs.CompensationNotIdempotent) {
		if s.durable {
			env.Send(from, StepDone{ID: m.ID, Result: s.rec.Result})
		}
		return
	}
	r := stepRecord{ID: m.ID, Txn: m.Txn, Kind: m.Kind, Account: m.Account, Amount: m.Amount, Initial: m.Initial, Result: Applied}
	switch {
	case m.Kind == Debit && n.balance(m.Account, m.Initial) < m.Amount:
		r.Result = Refused
	case m.Kind == Cancel:
		r.Result = Cancelled
	}
	if m.Kind == Credit {
		if c, ok := n.steps[m.ID+"!cancel"]; ok {
			env.Reached("saga: a late credit was refused, it had been cancelled")
			if c.durable {
				env.Send(from, StepDone{ID: m.ID, Result: Cancelled})
			}
			return
		}
	}
	if m.Kind == Cancel {
		// Cancel names the credit's ID: answer with the credit's result if
		// it was applied, else record the cancellation under its own ID.
		if c, ok := n.steps[m.ID]; ok && c.rec.Kind == Credit {
			if c.durable {
				env.Send(from, StepDone{ID: m.ID, Result: c.rec.Result})
			}
			return
		}
		if c, ok := n.steps[m.ID+"!cancel"]; ok {
			if c.durable {
				env.Send(from, StepDone{ID: m.ID, Result: Cancelled})
			}
			return
		}
		r.ID = m.ID + "!cancel"
	}
	st := &stepState{rec: r}
	n.recordVolatile(st)
	durable.AppendJSON(env.Store(), StepLog, r)
	n.syncs.After(env, func(env nodes.Env) {
		st.durable = true
		env.Send(from, StepDone{ID: m.ID, Result: r.Result})
	})
}

// recordVolatile applies a step result that is not yet durable: the
// balances change at once (a read may see them), the answer waits.
func (n *Node) recordVolatile(st *stepState) {
	n.record(st.rec)
	n.steps[st.rec.ID] = st
}

// --- orchestrator ---

func (n *Node) request(env nodes.Env, from nodes.ID, m bank.Request) {
	if !n.ready {
		return
	}
	if m.Kind == bank.KindRead {
		if r, ok := n.reads[m.Txn]; ok {
			r.client = from
			return
		}
		r := &readState{req: m, client: from, started: env.Monotonic(), got: map[nodes.ID][]Balance{}}
		n.reads[m.Txn] = r
		n.sendReads(env, r)
		return
	}
	if ok, done := n.outcomes[m.Txn]; done {
		env.Reached("saga: retried transaction answered from the saga log")
		env.Send(from, reply(m.Txn, ok))
		return
	}
	if s, ok := n.running[m.Txn]; ok {
		s.client = from
		return
	}
	t, b := m.Transfer, m.Bank
	if m.Kind != bank.KindTransfer || t.From == t.To || t.From < 0 || t.To < 0 || t.From >= b.Accounts || t.To >= b.Accounts || t.Amount <= 0 {
		env.Send(from, bank.Reply{Txn: m.Txn, Status: bank.StatusAborted, Why: "invalid request"})
		return
	}
	s := &sagaState{rec: sagaRecord{Txn: m.Txn, Client: from, Transfer: t, Bank: b}, client: from}
	n.running[m.Txn] = s
	durable.AppendJSON(env.Store(), SagaLog, s.rec)
	s.pending = true
	n.syncs.After(env, func(env nodes.Env) {
		s.pending, s.phase, s.since = false, debiting, env.Monotonic()
		n.drive(env, s)
	})
}

func reply(txn string, committed bool) bank.Reply {
	if committed {
		return bank.Reply{Txn: txn, Status: bank.StatusCommitted}
	}
	return bank.Reply{Txn: txn, Status: bank.StatusAborted, Why: "overdraft or compensated"}
}

// drive sends the step of the saga's current phase.
func (n *Node) drive(env nodes.Env, s *sagaState) {
	if s.pending {
		return
	}
	t, txn := s.rec.Transfer, s.rec.Txn
	step := Step{Txn: txn, Initial: s.rec.Bank.Initial, Amount: t.Amount}
	switch s.phase {
	case debiting:
		step.ID, step.Kind, step.Account = txn+"/debit", Debit, t.From
	case crediting:
		step.ID, step.Kind, step.Account = txn+"/credit", Credit, t.To
	case cancelling:
		step.ID, step.Kind, step.Account = txn+"/credit", Cancel, t.To
	case compensating:
		step.ID, step.Kind, step.Account = txn+"/undo", Undo, t.From
	default:
		return
	}
	env.Send(bank.ShardOf(step.Account, n.servers), step)
}

func (n *Node) stepDone(env nodes.Env, m StepDone) {
	txn, kind, ok := cutStep(m.ID)
	if !ok {
		return
	}
	s, ok := n.running[txn]
	if !ok || s.pending {
		return
	}
	now := env.Monotonic()
	switch {
	case s.phase == debiting && kind == "debit":
		if m.Result == Applied {
			s.phase, s.since = crediting, now
			n.drive(env, s)
		} else {
			n.end(env, s, false)
		}
	case (s.phase == crediting || s.phase == cancelling) && kind == "credit":
		if m.Result == Applied {
			n.end(env, s, true)
		} else {
			env.Reached("saga: credit cancelled, compensating the debit")
			s.phase, s.since = compensating, now
			n.drive(env, s)
		}
	case s.phase == compensating && kind == "undo":
		n.end(env, s, false)
	}
}

func cutStep(id string) (txn, kind string, ok bool) {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return id[:i], id[i+1:], true
		}
	}
	return "", "", false
}

// end logs the saga's outcome and answers the client once it is durable.
func (n *Node) end(env nodes.Env, s *sagaState, committed bool) {
	s.phase, s.pending = ending, true
	rec := s.rec
	rec.End, rec.Committed = true, committed
	durable.AppendJSON(env.Store(), SagaLog, rec)
	n.syncs.After(env, func(env nodes.Env) {
		delete(n.running, rec.Txn)
		n.outcomes[rec.Txn] = committed
		env.Send(s.client, reply(rec.Txn, committed))
	})
}

func (n *Node) sendReads(env nodes.Env, r *readState) {
	b := r.req.Bank
	for s := 1; s <= n.servers; s++ {
		id := nodes.NodeID(s)
		if _, ok := r.got[id]; ok {
			continue
		}
		var accts []int
		for a := range b.Accounts {
			if bank.ShardOf(a, n.servers) == id {
				accts = append(accts, a)
			}
		}
		env.Send(id, ReadShard{Txn: r.req.Txn, Accounts: accts, Initial: b.Initial})
	}
}

func (n *Node) shardBalances(env nodes.Env, from nodes.ID, m ShardBalances) {
	r, ok := n.reads[m.Txn]
	if !ok {
		return
	}
	r.got[from] = slices.Clone(m.Balances)
	if len(r.got) < n.servers {
		return
	}
	delete(n.reads, m.Txn)
	bals := make([]int64, r.req.Bank.Accounts)
	for _, id := range sortedKeys(r.got) {
		for _, b := range r.got[id] {
			if b.Account >= 0 && b.Account < len(bals) {
				bals[b.Account] = b.Balance
			}
		}
	}
	env.Send(r.client, bank.Reply{Txn: m.Txn, Status: bank.StatusRead, Balances: bals})
}

// --- what the checks read ---

// Balances implements bank.Shard.
func (n *Node) Balances() map[int]int64 {
	out := make(map[int]int64, len(n.balances))
	for k, v := range n.balances { //faultline:orderless copying
		out[k] = v
	}
	return out
}

// Applied implements bank.Shard.
func (n *Node) Applied() []bank.Effect { return slices.Clone(n.applied) }

// Undecided implements bank.Decider: the sagas this orchestrator has begun
// and not ended.
func (n *Node) Undecided() []string { return sortedKeys(n.running) }

func sortedKeys[K string | nodes.ID, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m { //faultline:orderless collecting keys to sort
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
