package bank

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
)

// KindBank is the workload's name in scenarios (workload.kind).
const KindBank = "bank"

// Bank is the bank's definition: Accounts accounts a0..a{Accounts-1}, each
// opened with Initial.
type Bank struct {
	Accounts int
	Initial  int64
}

// Total is the money in the bank: what every whole-bank read must sum to.
func (b Bank) Total() int64 { return int64(b.Accounts) * b.Initial }

// AccountName names the i-th account (0-based): a0, a1, ... .
func AccountName(i int) string { return "a" + strconv.Itoa(i) }

// ParseAccount reads what AccountName writes.
func ParseAccount(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "a"))
	if !strings.HasPrefix(s, "a") || err != nil || n < 0 {
		return 0, fmt.Errorf("bank: account %q: want a0, a1, ...", s)
	}
	return n, nil
}

// ShardOf is the server that holds account i in a cluster of servers
// servers: n(1 + i mod servers).
func ShardOf(i, servers int) nodes.ID { return nodes.NodeID(1 + i%servers) }

// Transfer moves Amount from account From to account To. It aborts, as a
// whole, if it would make From's balance negative (no overdraft).
type Transfer struct {
	From, To int
	Amount   int64
}

// Kind says what a request asks.
type Kind uint8

const (
	// KindTransfer is a Transfer.
	KindTransfer Kind = iota + 1
	// KindRead reads every account (a whole-bank read).
	KindRead
)

func (k Kind) String() string {
	switch k {
	case KindTransfer:
		return "transfer"
	case KindRead:
		return "read"
	}
	return "kind?"
}

// Request asks the coordinator (the first server) to run one transaction.
// Txn names it uniquely ("c3-17"); a retry carries the same Txn, so the
// server runs it at most once. Bank travels with every request: the
// bank's definition belongs to the workload, and a server opens an account
// with Bank.Initial the first time it touches it.
type Request struct {
	Client   nodes.ID
	Txn      string
	Kind     Kind
	Transfer Transfer
	Bank     Bank
}

// Status is a server's answer to a Request.
type Status uint8

const (
	// StatusCommitted: the transfer took effect, once.
	StatusCommitted Status = iota + 1
	// StatusAborted: the transaction certainly did not take effect, and
	// never will (Reply.Why says why: overdraft, conflict, timeout).
	StatusAborted
	// StatusRead: the read's Balances are a snapshot of the bank (under
	// the protocol's promise).
	StatusRead
	// StatusNotCoordinator: this server does not coordinate; ask the first
	// server.
	StatusNotCoordinator
)

func (s Status) String() string {
	switch s {
	case StatusCommitted:
		return "committed"
	case StatusAborted:
		return "aborted"
	case StatusRead:
		return "read"
	case StatusNotCoordinator:
		return "not-coordinator"
	}
	return "status?"
}

// Reply answers the Request with the same Txn.
type Reply struct {
	Txn      string
	Status   Status
	Balances []int64 // StatusRead: every account's balance, by index
	Why      string
}

// Clone deep-copies the reply.
func (r Reply) Clone() nodes.Message {
	r.Balances = slices.Clone(r.Balances)
	return r
}

// The history's form of the operations: a transfer is an
// checker.OpTransfer with Key "a1->a3" and Value "5 c3-17" (amount, then
// the transaction id); a committed one ends OK with Output "committed",
// an aborted one Fail. A whole-bank read is an nodes.OpRead whose Output
// is "a0=100,a1=95,..." (the form checker.Bank reads).

// TransferOp is t as the history records it.
func TransferOp(t Transfer, txn string) nodes.Op {
	return nodes.Op{Kind: checker.OpTransfer, Key: AccountName(t.From) + "->" + AccountName(t.To),
		Value: strconv.FormatInt(t.Amount, 10) + " " + txn}
}

// ParseTransfer reads a transfer operation as TransferOp writes it.
func ParseTransfer(op nodes.Op) (Transfer, string, error) {
	bad := fmt.Errorf("bank: transfer %q %q: want key a1->a3 and value \"AMOUNT TXN\"", op.Key, op.Value)
	from, to, ok := strings.Cut(op.Key, "->")
	amount, txn, ok2 := strings.Cut(op.Value, " ")
	if !ok || !ok2 || txn == "" {
		return Transfer{}, "", bad
	}
	f, err1 := ParseAccount(from)
	t, err2 := ParseAccount(to)
	n, err3 := strconv.ParseInt(amount, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || n <= 0 {
		return Transfer{}, "", bad
	}
	return Transfer{From: f, To: t, Amount: n}, txn, nil
}

// FormatBalances renders every account's balance as a read's Output.
func FormatBalances(bals []int64) string {
	parts := make([]string, len(bals))
	for i, b := range bals {
		parts[i] = AccountName(i) + "=" + strconv.FormatInt(b, 10)
	}
	return strings.Join(parts, ",")
}

// ParseBalances reads what FormatBalances writes.
func ParseBalances(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	var out []int64
	for i, part := range strings.Split(s, ",") {
		name, v, ok := strings.Cut(part, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || name != AccountName(i) {
			return nil, fmt.Errorf("bank: read %q: want a0=N,a1=N,...", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// Effect is one account's change by one transaction, as a shard applied
// it.
type Effect struct {
	Txn     string
	Account int
	Delta   int64
}

// Shard is implemented by a server that holds accounts, for the checks
// that read the final states (atomicity, no-money-created).
type Shard interface {
	// Balances returns the accounts this server has touched and their
	// balances (account index → balance); an account it never touched
	// has the bank's initial balance.
	Balances() map[int]int64
	// Applied lists every effect this server applied, in order. Each
	// transaction's effect on an account appears once; a compensation
	// (Saga) is an effect of its own, with Txn suffixed "!undo".
	Applied() []Effect
}

// Decider is implemented by a server that decides or awaits decisions,
// for the decided (liveness) check.
type Decider interface {
	// Undecided names the transactions this server has begun and not
	// finished (in doubt, or a saga not yet completed), sorted.
	Undecided() []string
}

// InDoubtReporter is implemented by a 2PC participant: how long it held
// each transaction prepared (voted yes, locks held) before it learned the
// decision, in its own monotonic time. Intervals interrupted by the
// participant's own crash are lost with it.
type InDoubtReporter interface {
	InDoubt() []time.Duration
}

// UndoSuffix marks a compensation's effects (see Shard.Applied).
const UndoSuffix = "!undo"
