package bank

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
)

// Final is one server as it is at the end of a run, as the checks that
// read final states see it.
type Final struct {
	Server nodes.ID
	// Down: the server is not running at the end (the other fields are
	// empty); checks that need its state say Unknown.
	Down bool
	// Shard, Decider and InDoubt are what the server reports through the
	// interfaces of the same names (nil if it does not implement one).
	Shard   Shard
	Decider Decider
	InDoubt InDoubtReporter
}

// listSome joins up to five items and says how many were left out.
func listSome(items []string) string {
	const n = 5
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf("; ... and %d more", len(items)-n)
}

// readSum is an OK read's total, or an error for an unreadable output.
func readSum(op *checker.Operation) (int64, error) {
	bals, err := ParseBalances(op.Output)
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, b := range bals {
		sum += b
	}
	return sum, nil
}

func okReads(h *checker.History) []int {
	var out []int
	for i := range h.Ops {
		if h.Ops[i].Kind == nodes.OpRead && h.Ops[i].Outcome == nodes.OK {
			out = append(out, i)
		}
	}
	return out
}

// Conservation judges that every OK whole-bank read sums to the bank's
// total (transfers move money, they never make or destroy it, and a read
// sees no transfer half-done): the verdict and explanation are
// checker.Bank's. Its metrics are the reads, those that do not sum to the
// total (anomalous reads) and their share: under a protocol that does not
// promise atomic reads (a Saga) it is a measure of the isolation anomaly.
func Conservation(h *checker.History, b Bank) checker.Result {
	res := checker.Run(checker.Bank(b.Total()), h, checker.Options{})
	res.Name = "conservation"
	if res.Verdict == checker.Unknown {
		return res
	}
	reads, bad := okReads(h), 0
	for _, i := range reads {
		if sum, err := readSum(&h.Ops[i]); err != nil || sum != b.Total() {
			bad++
		}
	}
	share := 0.0
	if len(reads) > 0 {
		share = float64(bad) / float64(len(reads))
	}
	res.Metrics = []checker.Metric{{Name: "reads", Value: float64(len(reads))}, {Name: "anomalous reads", Value: float64(bad)}, {Name: "anomaly share", Value: share}}
	return res
}

// finalBalances sums the servers' final balances per account; ok is false
// (with the reason) when some server is down or holds no accounts.
func finalBalances(b Bank, finals []Final) ([]int64, string) {
	bals := make([]int64, b.Accounts)
	for i := range bals {
		bals[i] = b.Initial
	}
	for _, f := range finals {
		if f.Down {
			return nil, fmt.Sprintf("%v is down at the end: its balances are unknown", f.Server)
		}
		if f.Shard == nil {
			return nil, fmt.Sprintf("%v reports no balances (it implements no bank.Shard)", f.Server)
		}
		for acct, bal := range f.Shard.Balances() { //faultline:orderless writing each account's own slot
			if acct >= 0 && acct < len(bals) && ShardOf(acct, len(finals)) == f.Server {
				bals[acct] = bal
			}
		}
	}
	return bals, ""
}

// NoMoneyCreated judges that money is never created: the final balances
// do not sum to more than the total (a transfer or a compensation applied
// twice by a retry would), and, when snapshotReads, no whole-bank read does
// either. Reads that are not snapshots (a Saga's, which read each shard at
// its own moment) may see a credit and not its debit — read skew, measured
// by Conservation — so they are judged only under snapshotReads.
func NoMoneyCreated(h *checker.History, b Bank, finals []Final, snapshotReads bool) checker.Result {
	res := checker.Result{Name: "no-money-created"}
	var bad []string
	for _, i := range okReads(h) {
		if !snapshotReads {
			break
		}
		op := &h.Ops[i]
		sum, err := readSum(op)
		if err != nil {
			res.Err, res.Explanation = err, fmt.Sprintf("%s: %v", op.String(), err)
			return res
		}
		if sum > b.Total() {
			bad = append(bad, fmt.Sprintf("%s sums to %d", op.String(), sum))
		}
	}
	bals, why := finalBalances(b, finals)
	if bals != nil {
		var sum int64
		for _, x := range bals {
			sum += x
		}
		if sum > b.Total() {
			bad = append(bad, fmt.Sprintf("the final balances %s sum to %d", FormatBalances(bals), sum))
		}
	}
	switch {
	case len(bad) > 0:
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("money was created (total %d): %s", b.Total(), listSome(bad))
	case bals == nil:
		res.Explanation = "the reads create no money, but the final balances cannot be read: " + why
	default:
		res.Verdict = checker.Valid
		res.Explanation = fmt.Sprintf("no read and not the final balances exceed the total %d", b.Total())
	}
	return res
}

// issued is one transfer of the history.
type issued struct {
	t       Transfer
	outcome nodes.Outcome
	op      *checker.Operation
}

// Atomicity judges the final states against the history: every transfer
// a server applied was issued by a client; each took effect entirely (its
// debit and its credit, once each) or not at all (nothing, or every step
// compensated); a committed (OK) transfer took effect and an aborted (Fail)
// one did not; and each shard's balances are its initial balances plus the
// effects it applied. A transfer still undecided somewhere at the end is
// not judged here (the decided check reports it); a server down at the end
// makes the verdict Unknown.
func Atomicity(h *checker.History, b Bank, finals []Final) checker.Result {
	res := checker.Result{Name: "atomicity"}
	txns := map[string]issued{}
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Kind != checker.OpTransfer {
			continue
		}
		t, id, err := ParseTransfer(op.Op)
		if err != nil {
			res.Err, res.Explanation = err, fmt.Sprintf("%s: %v", op.String(), err)
			return res
		}
		txns[id] = issued{t: t, outcome: op.Outcome, op: op}
	}
	undecided := map[string]bool{}
	net := map[string]map[int]int64{} // txn → account → net effect
	var bad []string
	for _, f := range finals {
		if f.Down {
			res.Explanation = fmt.Sprintf("%v is down at the end: its effects are unknown", f.Server)
			return res
		}
		if f.Shard == nil {
			res.Explanation = fmt.Sprintf("%v reports no effects (it implements no bank.Shard)", f.Server)
			return res
		}
		if f.Decider != nil {
			for _, id := range f.Decider.Undecided() {
				undecided[id] = true
			}
		}
		sum := map[int]int64{}
		seen := map[string]bool{}
		for _, e := range f.Shard.Applied() {
			base := strings.TrimSuffix(e.Txn, UndoSuffix)
			key := fmt.Sprintf("%s/%d", e.Txn, e.Account)
			if seen[key] {
				bad = append(bad, fmt.Sprintf("%v applied %s to %s twice", f.Server, e.Txn, AccountName(e.Account)))
			}
			seen[key] = true
			if ShardOf(e.Account, len(finals)) != f.Server {
				bad = append(bad, fmt.Sprintf("%v applied %s to %s, an account it does not hold", f.Server, e.Txn, AccountName(e.Account)))
			}
			sum[e.Account] += e.Delta
			if net[base] == nil {
				net[base] = map[int]int64{}
			}
			net[base][e.Account] += e.Delta
		}
		bals := f.Shard.Balances()
		for _, acct := range sortedKeys(bals) {
			if want := b.Initial + sum[acct]; bals[acct] != want {
				bad = append(bad, fmt.Sprintf("%v holds %s=%d, but its initial %d plus the effects it applied make %d", f.Server, AccountName(acct), bals[acct], b.Initial, want))
			}
		}
	}
	committed, aborted, skipped := 0, 0, 0
	for _, id := range sortedKeys(net) {
		tx, ok := txns[id]
		if !ok {
			bad = append(bad, fmt.Sprintf("transaction %s was applied (%s) but no client issued it", id, effects(net[id])))
			continue
		}
		full := map[int]int64{tx.t.From: -tx.t.Amount, tx.t.To: tx.t.Amount}
		whole, none := true, true
		for _, acct := range sortedKeys(net[id]) {
			if net[id][acct] != full[acct] {
				whole = false
			}
			if net[id][acct] != 0 {
				none = false
			}
		}
		for acct, d := range full { //faultline:orderless only reads, the verdict is order-free
			if net[id][acct] != d {
				whole = false
			}
		}
		switch {
		case undecided[id]:
			skipped++
		case !whole && !none:
			bad = append(bad, fmt.Sprintf("%s is half-applied at the end: %s", tx.op.String(), effects(net[id])))
		case whole && tx.outcome == nodes.Fail:
			bad = append(bad, fmt.Sprintf("%s was reported aborted but took effect", tx.op.String()))
		case whole:
			committed++
		case none && tx.outcome == nodes.OK:
			bad = append(bad, fmt.Sprintf("%s was reported committed but its effects were undone", tx.op.String()))
		default:
			aborted++
		}
	}
	for _, id := range sortedKeys(txns) {
		tx := txns[id]
		if _, applied := net[id]; !applied && tx.outcome == nodes.OK && !undecided[id] {
			bad = append(bad, fmt.Sprintf("%s was reported committed but no server applied it", tx.op.String()))
		}
	}
	res.Metrics = []checker.Metric{{Name: "transfers", Value: float64(len(txns))}, {Name: "took effect", Value: float64(committed)}}
	if len(bad) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("%d atomicity violations: %s", len(bad), listSome(bad))
		return res
	}
	res.Verdict = checker.Valid
	res.Explanation = fmt.Sprintf("%d transfers: %d took effect whole, %d compensated, the rest never applied; every shard's balances are its effects", len(txns), committed, aborted)
	if skipped > 0 {
		res.Explanation += fmt.Sprintf(" (%d still undecided, not judged)", skipped)
	}
	return res
}

func effects(m map[int]int64) string {
	var parts []string
	for _, acct := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s%+d", AccountName(acct), m[acct]))
	}
	return strings.Join(parts, " ")
}

// Decided judges liveness of decisions: at the end of the heal window no
// server holds a transaction undecided (in doubt, or a saga unfinished),
// and every server is up to say so.
func Decided(finals []Final) checker.Result {
	res := checker.Result{Name: "decided"}
	var bad []string
	for _, f := range finals {
		switch {
		case f.Down:
			bad = append(bad, fmt.Sprintf("%v is down at the end", f.Server))
		case f.Decider == nil:
			res.Explanation = fmt.Sprintf("%v reports no decisions (it implements no bank.Decider)", f.Server)
			return res
		default:
			if u := f.Decider.Undecided(); len(u) > 0 {
				bad = append(bad, fmt.Sprintf("%v still has %d undecided: %s", f.Server, len(u), strings.Join(u[:min(len(u), 5)], ", ")))
			}
		}
	}
	if len(bad) > 0 {
		res.Verdict = checker.Invalid
		res.Explanation = "decisions did not come within the heal window: " + listSome(bad)
		return res
	}
	res.Verdict = checker.Valid
	res.Explanation = "every transaction is decided at the end"
	return res
}

// InDoubt measures how long participants stayed in doubt (prepared, locks
// held, waiting for the decision), pooled over the servers: the count and
// the p50, p99 and maximum in milliseconds. It never fails; with no
// participant reporting it is Unknown.
func InDoubt(finals []Final) checker.Result {
	res := checker.Result{Name: "in-doubt"}
	var ds []time.Duration
	reporting := 0
	for _, f := range finals {
		if f.InDoubt != nil {
			reporting++
			ds = append(ds, f.InDoubt.InDoubt()...)
		}
	}
	if reporting == 0 {
		res.Explanation = "no server reports in-doubt intervals (bank.InDoubtReporter)"
		return res
	}
	slices.Sort(ds)
	pct := func(p int) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[max(1, (len(ds)*p+99)/100)-1]
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	res.Verdict = checker.Valid
	res.Metrics = []checker.Metric{{Name: "in-doubt intervals", Value: float64(len(ds))},
		{Name: "in-doubt p50 ms", Value: ms(pct(50))}, {Name: "in-doubt p99 ms", Value: ms(pct(99))}, {Name: "in-doubt max ms", Value: ms(pct(100))}}
	res.Explanation = fmt.Sprintf("%d in-doubt intervals: p50 %v, p99 %v, max %v", len(ds), pct(50), pct(99), pct(100))
	return res
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m { //faultline:orderless collecting keys to sort
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
