package bank_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/bank"
)

var theBank = bank.Bank{Accounts: 4, Initial: 10} // a0,a2 on n1; a1,a3 on n2

// shard is a fake final server state.
type shard struct {
	bals      map[int]int64
	applied   []bank.Effect
	undecided []string
	inDoubt   []time.Duration
}

func (s *shard) Balances() map[int]int64  { return s.bals }
func (s *shard) Applied() []bank.Effect   { return s.applied }
func (s *shard) Undecided() []string      { return s.undecided }
func (s *shard) InDoubt() []time.Duration { return s.inDoubt }
func finals(ss ...*shard) []bank.Final {
	out := make([]bank.Final, len(ss))
	for i, s := range ss {
		out[i] = bank.Final{Server: nodes.NodeID(i + 1)}
		if s == nil {
			out[i].Down = true
			continue
		}
		out[i].Shard, out[i].Decider, out[i].InDoubt = s, s, s
	}
	return out
}

func transfer(client int, from, to int, amount int64, txn string, outcome nodes.Outcome) checker.Operation {
	op := checker.Operation{Client: nodes.ClientID(client), Op: bank.TransferOp(bank.Transfer{From: from, To: to, Amount: amount}, txn), Outcome: outcome,
		Invoke: time.Millisecond, Return: 2 * time.Millisecond}
	if outcome == nodes.OK {
		op.Output = "committed"
	}
	return op
}

func read(client int, bals ...int64) checker.Operation {
	return checker.Operation{Client: nodes.ClientID(client), Op: nodes.Op{Kind: nodes.OpRead, Output: bank.FormatBalances(bals), Exists: true},
		Outcome: nodes.OK, Invoke: 3 * time.Millisecond, Return: 4 * time.Millisecond}
}

func history(ops ...checker.Operation) *checker.History { return &checker.History{Ops: ops} }

// committed is a3 → a0 (n2 → n1), 5, applied on both shards.
func committedShards() (*shard, *shard) {
	return &shard{bals: map[int]int64{0: 15}, applied: []bank.Effect{{Txn: "c1-1", Account: 0, Delta: 5}}},
		&shard{bals: map[int]int64{3: 5}, applied: []bank.Effect{{Txn: "c1-1", Account: 3, Delta: -5}}}
}

func TestOpsRoundTrip(t *testing.T) {
	tr := bank.Transfer{From: 3, To: 11, Amount: 7}
	got, txn, err := bank.ParseTransfer(bank.TransferOp(tr, "c2e1-5"))
	if err != nil || got != tr || txn != "c2e1-5" {
		t.Errorf("ParseTransfer(TransferOp) = %+v %q %v", got, txn, err)
	}
	bals, err := bank.ParseBalances(bank.FormatBalances([]int64{1, 0, 30}))
	if err != nil || len(bals) != 3 || bals[2] != 30 {
		t.Errorf("ParseBalances = %v %v", bals, err)
	}
	for _, bad := range []nodes.Op{{Key: "a1-a2", Value: "5 c1-1"}, {Key: "a1->a2", Value: "5"}, {Key: "a1->b2", Value: "5 c1-1"}, {Key: "a1->a2", Value: "-5 c1-1"}} {
		if _, _, err := bank.ParseTransfer(bad); err == nil {
			t.Errorf("ParseTransfer(%+v) accepted", bad)
		}
	}
	if _, err := bank.ParseBalances("a0=1,a2=3"); err == nil {
		t.Error("ParseBalances accepted a gap")
	}
}

func TestConservation(t *testing.T) {
	for _, c := range []struct {
		name    string
		h       *checker.History
		verdict checker.Verdict
		want    string
	}{
		{"reads sum to the total", history(read(1, 10, 10, 10, 10), read(2, 15, 10, 10, 5)), checker.Valid, "2 reads, all totalling 40"},
		{"a read sees a transfer half-done", history(read(1, 10, 10, 10, 10), read(2, 10, 10, 10, 5)), checker.Invalid, "1 of 2 reads do not total 40: c2 at 4ms read a0=10,a1=10,a2=10,a3=5 (sum 35)"},
		{"an unreadable read", history(checker.Operation{Op: nodes.Op{Kind: nodes.OpRead, Output: "x"}, Outcome: nodes.OK}), checker.Unknown, "want acct=balance"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bank.Conservation(c.h, theBank)
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
	r := bank.Conservation(history(read(1, 10, 10, 10, 10), read(2, 10, 10, 10, 5)), theBank)
	if len(r.Metrics) != 3 || r.Metrics[2].Value != 0.5 {
		t.Errorf("metrics %v, want an anomaly share of 0.5", r.Metrics)
	}
}

func TestNoMoneyCreated(t *testing.T) {
	n1, n2 := committedShards()
	doubled := &shard{bals: map[int]int64{0: 20}, applied: []bank.Effect{{Txn: "c1-1", Account: 0, Delta: 5}, {Txn: "c1-1" + bank.UndoSuffix, Account: 0, Delta: 5}}}
	for _, c := range []struct {
		name    string
		h       *checker.History
		fs      []bank.Final
		verdict checker.Verdict
		want    string
		skewed  bool
	}{
		{"less during a saga is fine", history(read(1, 10, 10, 10, 5)), finals(n1, n2), checker.Valid, "no read", false},
		{"reads that are not snapshots are not judged", history(read(1, 15, 10, 10, 10)), finals(n1, n2), checker.Valid, "no read", true},
		{"a read above the total", history(read(1, 15, 10, 10, 10)), finals(n1, n2), checker.Invalid, `c1 read() -> "a0=15,a1=10,a2=10,a3=10" ok [3ms,4ms] sums to 45`, false},
		{"final balances above the total", history(), finals(doubled, n2), checker.Invalid, "the final balances a0=20,a1=10,a2=10,a3=5 sum to 45", true},
		{"a server down", history(), finals(n1, nil), checker.Unknown, "n2 is down", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bank.NoMoneyCreated(c.h, theBank, c.fs, !c.skewed)
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}

func TestAtomicity(t *testing.T) {
	n1, n2 := committedShards()
	empty1, empty2 := &shard{bals: map[int]int64{}}, &shard{bals: map[int]int64{}}
	half := &shard{bals: map[int]int64{}}
	undone := &shard{bals: map[int]int64{3: 10}, applied: []bank.Effect{{Txn: "c1-1", Account: 3, Delta: -5}, {Txn: "c1-1" + bank.UndoSuffix, Account: 3, Delta: 5}}}
	twice := &shard{bals: map[int]int64{3: 0}, applied: []bank.Effect{{Txn: "c1-1", Account: 3, Delta: -5}, {Txn: "c1-1", Account: 3, Delta: -5}}}
	wrongSum := &shard{bals: map[int]int64{3: 4}, applied: []bank.Effect{{Txn: "c1-1", Account: 3, Delta: -5}}}
	inDoubt := &shard{bals: map[int]int64{}, undecided: []string{"c1-1"}}
	ok := transfer(1, 3, 0, 5, "c1-1", nodes.OK)
	info := transfer(1, 3, 0, 5, "c1-1", nodes.Info)
	fail := transfer(1, 3, 0, 5, "c1-1", nodes.Fail)
	for _, c := range []struct {
		name    string
		h       *checker.History
		fs      []bank.Final
		verdict checker.Verdict
		want    string
	}{
		{"committed, applied whole", history(ok), finals(n1, n2), checker.Valid, "1 transfers: 1 took effect whole"},
		{"indeterminate, applied whole", history(info), finals(n1, n2), checker.Valid, "1 took effect"},
		{"indeterminate, never applied", history(info), finals(empty1, empty2), checker.Valid, "0 took effect"},
		{"aborted, compensated", history(fail), finals(empty1, undone), checker.Valid, "1 compensated"},
		{"half-applied", history(info), finals(half, n2), checker.Invalid, `c1 transfer("a3->a0", "5 c1-1") info [1ms,...] is half-applied at the end: a3-5`},
		{"committed, never applied", history(ok), finals(empty1, empty2), checker.Invalid, "reported committed but no server applied it"},
		{"aborted, applied", history(fail), finals(n1, n2), checker.Invalid, "reported aborted but took effect"},
		{"committed, undone", history(ok), finals(empty1, undone), checker.Invalid, "reported committed but its effects were undone"},
		{"applied twice by a retry", history(ok), finals(n1, twice), checker.Invalid, "n2 applied c1-1 to a3 twice"},
		{"balances are not the effects", history(ok), finals(n1, wrongSum), checker.Invalid, "n2 holds a3=4, but its initial 10 plus the effects it applied make 5"},
		{"applied but never issued", history(), finals(n1, n2), checker.Invalid, "transaction c1-1 was applied (a0+5 a3-5) but no client issued it"},
		{"still in doubt is not judged", history(ok), finals(n1, inDoubt), checker.Valid, "1 still undecided"},
		{"a server down", history(ok), finals(n1, nil), checker.Unknown, "n2 is down"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bank.Atomicity(c.h, theBank, c.fs)
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}

func TestDecided(t *testing.T) {
	for _, c := range []struct {
		name    string
		fs      []bank.Final
		verdict checker.Verdict
		want    string
	}{
		{"all decided", finals(&shard{}, &shard{}), checker.Valid, "every transaction is decided"},
		{"one in doubt", finals(&shard{}, &shard{undecided: []string{"c2-7"}}), checker.Invalid, "n2 still has 1 undecided: c2-7"},
		{"a server down", finals(&shard{}, nil), checker.Invalid, "n2 is down at the end"},
		{"no decider", []bank.Final{{Server: 1}}, checker.Unknown, "implements no bank.Decider"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bank.Decided(c.fs)
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}

func TestInDoubt(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	r := bank.InDoubt(finals(&shard{inDoubt: ds[:50]}, &shard{inDoubt: ds[50:]}))
	want := []checker.Metric{{Name: "in-doubt intervals", Value: 100}, {Name: "in-doubt p50 ms", Value: 50}, {Name: "in-doubt p99 ms", Value: 99}, {Name: "in-doubt max ms", Value: 100}}
	if r.Verdict != checker.Valid || len(r.Metrics) != len(want) {
		t.Fatalf("got %v %v", r.Verdict, r.Metrics)
	}
	for i := range want {
		if r.Metrics[i] != want[i] {
			t.Errorf("metric %d = %v, want %v", i, r.Metrics[i], want[i])
		}
	}
	if r := bank.InDoubt([]bank.Final{{Server: 1}}); r.Verdict != checker.Unknown {
		t.Errorf("no reporter: got %v, want unknown", r.Verdict)
	}
}
