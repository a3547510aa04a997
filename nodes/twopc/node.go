package twopc

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/bank"
	"github.com/faultline/faultline/nodes/durable"
)

// Defaults of Config.
const (
	DefaultRetransmit     = 20 * time.Millisecond
	DefaultPrepareTimeout = 300 * time.Millisecond
	DefaultInquiry        = 50 * time.Millisecond
)

// Config tunes the protocol. The zero value is the defaults.
type Config struct {
	// Retransmit is the period of the node's tick: the coordinator resends
	// prepares to silent participants, participants look for attempts to
	// ask about.
	Retransmit time.Duration
	// PrepareTimeout is how long the coordinator waits for every vote
	// before it aborts the attempt (it has decided nothing yet, so it may).
	PrepareTimeout time.Duration
	// Inquiry is how often a participant in doubt asks the coordinator.
	Inquiry time.Duration
	Bugs    Bugs
}

// Bugs are planted mistakes (see the package doc).
type Bugs struct {
	// ForgetDecision: the coordinator logs its decisions but recovery
	// reads only its epoch, so after a restart it answers every inquiry
	// by presumed abort, commits included.
	ForgetDecision bool
	// UnilateralAbort: a participant in doubt for longer than
	// PrepareTimeout aborts on its own, releasing its locks, although it
	// voted yes.
	UnilateralAbort bool
	// VoteBeforeDurable: a participant votes yes as soon as it has written
	// its prepare record, before the sync: a crash loses the record, and
	// the participant, which knows nothing of the attempt, drops the
	// commit when it comes.
	VoteBeforeDurable bool
}

// WithDefaults fills zero fields.
func (c Config) WithDefaults() Config {
	if c.Retransmit == 0 {
		c.Retransmit = DefaultRetransmit
	}
	if c.PrepareTimeout == 0 {
		c.PrepareTimeout = DefaultPrepareTimeout
	}
	if c.Inquiry == 0 {
		c.Inquiry = DefaultInquiry
	}
	return c
}

// Validate reports a configuration that makes no sense.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Retransmit < 0 || c.PrepareTimeout < 0 || c.Inquiry < 0 {
		return fmt.Errorf("twopc: negative duration in %+v", c)
	}
	if c.PrepareTimeout < 2*c.Retransmit {
		return fmt.Errorf("twopc: prepare_timeout %v must be at least two retransmits (%v)", c.PrepareTimeout, 2*c.Retransmit)
	}
	return nil
}

// New returns the factory of 2PC servers.
func New(cfg Config) nodes.Factory {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return func(nodes.ID) nodes.Node { return &Node{cfg: cfg} }
}

// Coordinator is the server that coordinates every transaction.
const Coordinator nodes.ID = 1

// Node is one server: a participant holding its shard of the accounts and,
// on n1, the coordinator.
type Node struct {
	nodes.Base
	cfg     Config
	id      nodes.ID
	servers int
	syncs   durable.Syncs

	// Participant.
	balances map[int]int64
	applied  []bank.Effect
	prepared []*prep // sorted by (Txn, Attempt)
	inDoubt  []time.Duration
	resolved []Outcome // every attempt this incarnation saw decided, in order

	// Coordinator.
	epoch     uint64
	ready     bool
	counter   uint64
	decisions map[string]*decision
	active    map[string]*attempt
}

// prep is an attempt prepared at this participant.
type prep struct {
	rec     partRecord
	durable bool          // the prepare record is synced: it voted yes
	votedAt time.Duration // when it voted, or this incarnation started
	asked   time.Duration // when it last asked the coordinator
}

type decision struct {
	rec     decisionRecord
	durable bool
}

// attempt is a transaction the coordinator is running.
type attempt struct {
	req      bank.Request
	id       uint64
	started  time.Duration
	prepares map[nodes.ID]Prepare
	votes    map[nodes.ID]Vote
	shards   []nodes.ID // sorted
}

// IsLeader implements nodes.LeaderReporter: n1, the coordinator (faults
// aimed at the leader hit it, recovering or serving).
func (n *Node) IsLeader() bool { return n.id == Coordinator }

var _ nodes.LeaderReporter = (*Node)(nil)

const tagTick = 1

// Start rebuilds the participant from its log and, on n1, the coordinator
// from its epoch and decision logs; the coordinator serves once its new
// epoch is durable.
func (n *Node) Start(env nodes.Env) {
	n.id = env.ID()
	n.servers = len(env.Peers()) + 1
	n.balances = map[int]int64{}
	st := env.Store()
	_, torn := durable.ReadLog(st, ParticipantLog, func(r partRecord) { n.replay(r) })
	if torn {
		env.Reached("twopc: a torn log record was dropped")
	}
	if len(n.prepared) > 0 {
		env.Reached("twopc: participant recovered in doubt")
	}
	if n.id == Coordinator {
		n.decisions, n.active = map[string]*decision{}, map[string]*attempt{}
		durable.ReadLog(st, EpochLog, func(r epochRecord) { n.epoch = max(n.epoch, r.Epoch) })
		if !n.cfg.Bugs.ForgetDecision {
			durable.ReadLog(st, DecisionLog, func(r decisionRecord) {
				n.decisions[r.Txn] = &decision{rec: r, durable: true}
			})
		}
		n.epoch++
		durable.AppendJSON(st, EpochLog, epochRecord{Epoch: n.epoch})
		n.syncs.After(env, func(nodes.Env) { n.ready = true })
	}
	env.SetTimer(n.cfg.Retransmit, tagTick)
}

// replay applies one participant record to the state being rebuilt.
func (n *Node) replay(r partRecord) {
	switch r.Kind {
	case recPrepare:
		n.open(r)
		if n.find(r.Txn, r.Attempt) == nil {
			n.insert(&prep{rec: r, durable: true})
		}
	case recCommit:
		n.apply(r)
		n.remove(r.Txn, r.Attempt)
		n.resolved = append(n.resolved, Outcome{Txn: r.Txn, Attempt: r.Attempt, Commit: true})
	case recAbort:
		n.remove(r.Txn, r.Attempt)
		n.resolved = append(n.resolved, Outcome{Txn: r.Txn, Attempt: r.Attempt})
	}
}

// Outcome is how a participant resolved one attempt.
type Outcome struct {
	Txn     string
	Attempt uint64
	Commit  bool
}

// Resolved lists the attempts this participant has resolved, in order
// (those replayed from its log at Start first): what the online invariant
// compares across participants.
func (n *Node) Resolved() []Outcome { return n.resolved }

func (n *Node) open(r partRecord) {
	for _, a := range r.Accounts {
		if _, ok := n.balances[a]; !ok {
			n.balances[a] = r.Initial
		}
	}
	for _, d := range r.Deltas {
		if _, ok := n.balances[d.Account]; !ok {
			n.balances[d.Account] = r.Initial
		}
	}
}

func (n *Node) apply(r partRecord) {
	for _, d := range r.Deltas {
		n.balances[d.Account] += d.Delta
		n.applied = append(n.applied, bank.Effect{Txn: r.Txn, Account: d.Account, Delta: d.Delta})
	}
}

func (n *Node) find(txn string, a uint64) *prep {
	for _, p := range n.prepared {
		if p.rec.Txn == txn && p.rec.Attempt == a {
			return p
		}
	}
	return nil
}

func (n *Node) insert(p *prep) {
	n.prepared = append(n.prepared, p)
	slices.SortFunc(n.prepared, func(a, b *prep) int {
		return cmp.Or(cmp.Compare(a.rec.Txn, b.rec.Txn), cmp.Compare(a.rec.Attempt, b.rec.Attempt))
	})
}

func (n *Node) remove(txn string, a uint64) *prep {
	for i, p := range n.prepared {
		if p.rec.Txn == txn && p.rec.Attempt == a {
			n.prepared = slices.Delete(n.prepared, i, i+1)
			return p
		}
	}
	return nil
}

// Message dispatches on the message type; unknown ones are ignored.
func (n *Node) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	switch m := msg.(type) {
	case bank.Request:
		n.request(env, from, m)
	case Vote:
		n.vote(env, from, m)
	case Inquire:
		n.inquire(env, from, m)
	case Prepare:
		n.prepare(env, from, m)
	case Decision:
		n.decide(env, m)
	}
}

// Timer is the tick: resends, timeouts and inquiries.
func (n *Node) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	if tag != tagTick {
		return
	}
	now := env.Monotonic()
	if n.id == Coordinator {
		for _, txn := range sortedKeys(n.active) {
			a := n.active[txn]
			if now-a.started >= n.cfg.PrepareTimeout {
				env.Reached("twopc: coordinator aborted an attempt whose votes did not come")
				n.finish(env, a, false, "timeout")
				continue
			}
			for _, s := range a.shards {
				if _, ok := a.votes[s]; !ok {
					env.Send(s, a.prepares[s])
				}
			}
		}
	}
	for _, p := range slices.Clone(n.prepared) {
		if !p.durable {
			continue
		}
		if n.cfg.Bugs.UnilateralAbort && now-p.votedAt > n.cfg.PrepareTimeout && p.rec.Exclusive {
			env.Reached("twopc: bug: participant aborted on its own after voting yes")
			n.resolve(env, p, false)
			continue
		}
		if now-p.asked >= n.cfg.Inquiry && now-p.votedAt >= n.cfg.Inquiry {
			p.asked = now
			env.Send(Coordinator, Inquire{Txn: p.rec.Txn, Attempt: p.rec.Attempt})
		}
	}
	env.SetTimer(n.cfg.Retransmit, tagTick)
}

// Synced forwards to the sync queue.
func (n *Node) Synced(env nodes.Env, tag uint64) { n.syncs.Synced(env, tag) }

// --- participant ---

func (n *Node) conflicts(m Prepare) bool {
	touches := func(p *prep, acct int) bool {
		for _, d := range p.rec.Deltas {
			if d.Account == acct {
				return true
			}
		}
		return slices.Contains(p.rec.Accounts, acct)
	}
	for _, p := range n.prepared {
		if !p.rec.Exclusive && !m.Exclusive {
			continue
		}
		for _, d := range m.Deltas {
			if touches(p, d.Account) {
				return true
			}
		}
		for _, a := range m.Accounts {
			if touches(p, a) {
				return true
			}
		}
	}
	return false
}

func (n *Node) balance(acct int, initial int64) int64 {
	if b, ok := n.balances[acct]; ok {
		return b
	}
	return initial
}

func (n *Node) voteYes(env nodes.Env, to nodes.ID, r partRecord) {
	v := Vote{Txn: r.Txn, Attempt: r.Attempt, Yes: true}
	for _, a := range r.Accounts {
		v.Balances = append(v.Balances, Balance{Account: a, Balance: n.balance(a, r.Initial)})
	}
	env.Send(to, v)
}

func (n *Node) prepare(env nodes.Env, from nodes.ID, m Prepare) {
	if p := n.find(m.Txn, m.Attempt); p != nil {
		if p.durable || n.cfg.Bugs.VoteBeforeDurable {
			n.voteYes(env, from, p.rec)
		}
		return
	}
	if m.Exclusive && slices.ContainsFunc(n.applied, func(e bank.Effect) bool { return e.Txn == m.Txn }) {
		return // a late duplicate of an attempt that committed here
	}
	if n.conflicts(m) {
		env.Send(from, Vote{Txn: m.Txn, Attempt: m.Attempt, Why: "conflict"})
		return
	}
	for _, d := range m.Deltas {
		if n.balance(d.Account, m.Initial)+d.Delta < 0 {
			env.Send(from, Vote{Txn: m.Txn, Attempt: m.Attempt, Why: "overdraft"})
			return
		}
	}
	r := partRecord{Kind: recPrepare, Txn: m.Txn, Attempt: m.Attempt, Exclusive: m.Exclusive,
		Deltas: slices.Clone(m.Deltas), Accounts: slices.Clone(m.Accounts), Initial: m.Initial}
	n.open(r)
	p := &prep{rec: r}
	n.insert(p)
	durable.AppendJSON(env.Store(), ParticipantLog, r)
	if n.cfg.Bugs.VoteBeforeDurable {
		p.votedAt, p.asked = env.Monotonic(), env.Monotonic()
		n.voteYes(env, from, r)
	}
	n.syncs.After(env, func(env nodes.Env) {
		if n.find(r.Txn, r.Attempt) != p {
			return // decided (aborted) before the sync
		}
		p.durable = true
		if !n.cfg.Bugs.VoteBeforeDurable {
			p.votedAt, p.asked = env.Monotonic(), env.Monotonic()
			n.voteYes(env, from, r)
		}
	})
}

func (n *Node) decide(env nodes.Env, m Decision) {
	p := n.find(m.Txn, m.Attempt)
	if p == nil {
		if m.Commit && !slices.ContainsFunc(n.applied, func(e bank.Effect) bool { return e.Txn == m.Txn }) {
			env.Reached("twopc: commit of an attempt never prepared here")
		}
		return
	}
	if m.Commit && !p.durable && !n.cfg.Bugs.VoteBeforeDurable {
		panic(fmt.Sprintf("twopc: %v: commit of %s attempt %d before this participant voted", n.id, m.Txn, m.Attempt))
	}
	n.resolve(env, p, m.Commit)
}

// resolve applies or drops a prepared attempt and records the in-doubt
// interval it ends.
func (n *Node) resolve(env nodes.Env, p *prep, commit bool) {
	n.remove(p.rec.Txn, p.rec.Attempt)
	r := p.rec
	r.Accounts, r.Initial, r.Exclusive = nil, 0, false
	if commit {
		r.Kind = recCommit
		n.apply(r)
		env.Reached("twopc: participant committed")
	} else {
		r.Kind, r.Deltas = recAbort, nil
	}
	n.resolved = append(n.resolved, Outcome{Txn: r.Txn, Attempt: r.Attempt, Commit: commit})
	durable.AppendJSON(env.Store(), ParticipantLog, r)
	if p.durable {
		n.inDoubt = append(n.inDoubt, env.Monotonic()-p.votedAt)
	}
}

// --- coordinator ---

func (n *Node) request(env nodes.Env, from nodes.ID, m bank.Request) {
	if n.id != Coordinator {
		env.Send(from, bank.Reply{Txn: m.Txn, Status: bank.StatusNotCoordinator})
		return
	}
	if !n.ready {
		return
	}
	if d, ok := n.decisions[m.Txn]; ok {
		if d.durable {
			env.Reached("twopc: retried transaction answered from the decision log")
			env.Send(from, reply(m.Txn, d.rec.Commit, "decided before"))
		}
		return
	}
	if a, ok := n.active[m.Txn]; ok {
		a.req.Client = from
		return
	}
	b := m.Bank
	valid := b.Accounts > 0 && b.Initial >= 0
	if m.Kind == bank.KindTransfer {
		t := m.Transfer
		valid = valid && t.From != t.To && t.From >= 0 && t.To >= 0 && t.From < b.Accounts && t.To < b.Accounts && t.Amount > 0
	} else if m.Kind != bank.KindRead {
		valid = false
	}
	if !valid {
		env.Send(from, bank.Reply{Txn: m.Txn, Status: bank.StatusAborted, Why: "invalid request"})
		return
	}
	n.counter++
	a := &attempt{req: m, id: n.epoch<<32 | n.counter, started: env.Monotonic(),
		prepares: map[nodes.ID]Prepare{}, votes: map[nodes.ID]Vote{}}
	a.req.Client = from
	add := func(acct int, delta int64) {
		s := bank.ShardOf(acct, n.servers)
		p, ok := a.prepares[s]
		if !ok {
			p = Prepare{Txn: m.Txn, Attempt: a.id, Exclusive: m.Kind == bank.KindTransfer, Initial: b.Initial}
			a.shards = append(a.shards, s)
		}
		if m.Kind == bank.KindTransfer {
			p.Deltas = append(p.Deltas, Delta{Account: acct, Delta: delta})
		} else {
			p.Accounts = append(p.Accounts, acct)
		}
		a.prepares[s] = p
	}
	if m.Kind == bank.KindTransfer {
		add(m.Transfer.From, -m.Transfer.Amount)
		add(m.Transfer.To, m.Transfer.Amount)
	} else {
		for i := range b.Accounts {
			add(i, 0)
		}
	}
	slices.Sort(a.shards)
	n.active[m.Txn] = a
	for _, s := range a.shards {
		env.Send(s, a.prepares[s])
	}
}

func reply(txn string, commit bool, why string) bank.Reply {
	if commit {
		return bank.Reply{Txn: txn, Status: bank.StatusCommitted}
	}
	return bank.Reply{Txn: txn, Status: bank.StatusAborted, Why: why}
}

func (n *Node) vote(env nodes.Env, from nodes.ID, v Vote) {
	if n.id != Coordinator {
		return
	}
	a, ok := n.active[v.Txn]
	if !ok || a.id != v.Attempt {
		return
	}
	if _, ok := a.prepares[from]; !ok {
		return
	}
	if !v.Yes {
		n.finish(env, a, false, v.Why)
		return
	}
	a.votes[from] = v
	if len(a.votes) == len(a.shards) {
		n.finish(env, a, true, "")
	}
}

// finish decides an attempt. A transfer's decision is logged and synced
// before it is sent (commit) or reported (both): a retried request and an
// inquiry then get the same answer after a crash. An abort may be sent to
// the participants at once — presumed abort answers the same if the log
// is lost. A read logs nothing: it releases its locks and answers.
func (n *Node) finish(env nodes.Env, a *attempt, commit bool, why string) {
	delete(n.active, a.req.Txn)
	txn := a.req.Txn
	if a.req.Kind == bank.KindRead {
		for _, s := range a.shards {
			env.Send(s, Decision{Txn: txn, Attempt: a.id})
		}
		if !commit {
			env.Send(a.req.Client, bank.Reply{Txn: txn, Status: bank.StatusAborted, Why: why})
			return
		}
		bals := make([]int64, a.req.Bank.Accounts)
		for _, s := range a.shards {
			for _, b := range a.votes[s].Balances {
				if b.Account >= 0 && b.Account < len(bals) {
					bals[b.Account] = b.Balance
				}
			}
		}
		env.Send(a.req.Client, bank.Reply{Txn: txn, Status: bank.StatusRead, Balances: bals})
		return
	}
	d := &decision{rec: decisionRecord{Txn: txn, Attempt: a.id, Commit: commit}}
	n.decisions[txn] = d
	durable.AppendJSON(env.Store(), DecisionLog, d.rec)
	if !commit {
		for _, s := range a.shards {
			env.Send(s, Decision{Txn: txn, Attempt: a.id})
		}
	}
	client := a.req.Client
	n.syncs.After(env, func(env nodes.Env) {
		d.durable = true
		if commit {
			env.Reached("twopc: commit decision durable")
			for _, s := range a.shards {
				env.Send(s, Decision{Txn: txn, Attempt: a.id, Commit: true})
			}
		}
		env.Send(client, reply(txn, commit, why))
	})
}

// inquire answers a participant in doubt: the logged decision of that
// attempt, nothing while it is still being decided, and otherwise abort —
// presumed abort: an attempt the coordinator has no decision for never
// committed, and now never will.
func (n *Node) inquire(env nodes.Env, from nodes.ID, m Inquire) {
	if n.id != Coordinator || !n.ready {
		return
	}
	if d, ok := n.decisions[m.Txn]; ok && d.rec.Attempt == m.Attempt {
		if d.durable {
			env.Send(from, Decision{Txn: m.Txn, Attempt: m.Attempt, Commit: d.rec.Commit})
		}
		return
	}
	if a, ok := n.active[m.Txn]; ok && a.id == m.Attempt {
		return
	}
	env.Reached("twopc: inquiry answered by presumed abort")
	env.Send(from, Decision{Txn: m.Txn, Attempt: m.Attempt})
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

// Undecided implements bank.Decider: the attempts prepared here and, on
// the coordinator, those it is running.
func (n *Node) Undecided() []string {
	var out []string
	for _, p := range n.prepared {
		out = append(out, p.rec.Txn)
	}
	out = append(out, sortedKeys(n.active)...)
	slices.Sort(out)
	return slices.Compact(out)
}

// InDoubt implements bank.InDoubtReporter.
func (n *Node) InDoubt() []time.Duration { return slices.Clone(n.inDoubt) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m { //faultline:orderless collecting keys to sort
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
