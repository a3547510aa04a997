package queuecheck_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/queue"
	"github.com/faultline/faultline/nodes/queue/queuecheck"
)

// ms is a virtual time in milliseconds.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func op(client int, kind nodes.OpKind, key, value, output string, invoke, ret int) checker.Operation {
	return checker.Operation{Client: nodes.ClientID(client), Op: nodes.Op{Kind: kind, Key: key, Value: value, Output: output, Exists: true},
		Outcome: nodes.OK, Invoke: ms(invoke), Return: ms(ret)}
}

func send(client int, part, id, offset string, invoke, ret int) checker.Operation {
	return op(client, queue.OpSend, part, id, offset, invoke, ret)
}

func pollOp(client int, key string, from, gen uint64, msgs string, invoke, ret int) checker.Operation {
	return op(client, queue.OpPoll, key, queue.FormatAt(from, gen), msgs, invoke, ret)
}

func commit(client int, key string, off, gen uint64, invoke, ret int) checker.Operation {
	return op(client, queue.OpCommitOffset, key, queue.FormatAt(off, gen), "", invoke, ret)
}

func effect(client int, group, id, out string, invoke, ret int) checker.Operation {
	return op(client, queue.OpEffectApply, group, id, out, invoke, ret)
}

func sink(client int, group, msgs string, invoke, ret int) checker.Operation {
	return op(client, queue.OpSinkRead, group, "", msgs, invoke, ret)
}

func info(o checker.Operation) checker.Operation {
	o.Outcome, o.Output, o.Return = nodes.Info, "", 0
	return o
}

var groups = queuecheck.Groups{All: []string{"g1", "g2"}, Idempotent: []string{"g2"}}

// healthy is a run in which everything went right, with one redelivery:
// c4 applied m2's effect, crashed before committing, and its next
// incarnation (generation 3) fetched m2 again; the dedup table said so.
func healthy() []checker.Operation {
	return []checker.Operation{
		send(1, "p0", "c1-1", "0", 1, 5),
		send(1, "p0", "c1-2", "1", 6, 9),
		pollOp(3, "g1/p0", 0, 1, "c1-1 c1-2", 10, 12),
		commit(3, "g1/p0", 2, 1, 13, 15),
		pollOp(4, "g2/p0", 0, 2, "c1-1", 10, 11),
		effect(4, "g2", "c1-1", queue.EffectApplied, 12, 13),
		commit(4, "g2/p0", 1, 2, 14, 15),
		pollOp(4, "g2/p0", 1, 2, "c1-2", 16, 17),
		effect(4, "g2", "c1-2", queue.EffectApplied, 18, 19),
		pollOp(4, "g2/p0", 1, 3, "c1-2", 30, 31),
		effect(4, "g2", "c1-2", queue.EffectDuplicate, 32, 33),
		commit(4, "g2/p0", 2, 3, 34, 35),
		sink(4, "g2", "c1-1 c1-2", 100, 101),
	}
}

func with(ops []checker.Operation, edit func([]checker.Operation) []checker.Operation) *checker.History {
	return &checker.History{Ops: edit(append([]checker.Operation(nil), ops...))}
}

func TestChecks(t *testing.T) {
	same := func(o []checker.Operation) []checker.Operation { return o }
	for _, c := range []struct {
		name    string
		checker checker.Checker
		h       *checker.History
		want    checker.Verdict
		says    string // in the explanation
	}{
		{"lost/healthy", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), same), checker.Valid, "all 2 sends"},
		{"lost/not delivered to the plain group", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[2].Output = "c1-1" // g1 never got c1-2
			return o
		}), checker.Invalid, `c1 send("p0", "c1-2") -> "1" ok [6ms,9ms], acknowledged at 9ms, is not delivered to group g1`},
		{"lost/not in the sink", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[12].Output = "c1-2"
			return o
		}), checker.Invalid, `"c1-1") -> "0" ok [1ms,5ms], acknowledged at 5ms, is not in the final sink read of group g2`},
		{"lost/acknowledged after the heal is not judged", queuecheck.NoLostAcked(groups, ms(7)), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[2].Output, o[12].Output = "c1-1", "c1-1"
			return o
		}), checker.Valid, "all 1 sends"},
		{"lost/not consumed and not passed", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[2].Output = "c1-1" // g1 never got c1-2, and committed only up to it
			o[3].Value = queue.FormatAt(1, 1)
			return o
		}), checker.Unknown, `not consumed by the end, though no group committed past them (lost, or a drain too slow for the heal window?):
c1 send("p0", "c1-2") -> "1" ok [6ms,9ms] is not delivered to group g1`},
		{"lost/thin air", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[2].Output = "c1-1 c1-2 c9-9"
			return o
		}), checker.Invalid, `"c9-9" in c3 poll`},
		{"lost/no sink read", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), func(o []checker.Operation) []checker.Operation { return o[:12] }), checker.Unknown, "no final sink read of group g2"},
		{"lost/indeterminate send may be lost", queuecheck.NoLostAcked(groups, ms(50)), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[0] = info(o[0])
			o[2].Output, o[12].Output = "c1-2", "c1-2"
			return append(o[:4], o[7:]...) // g2's polls of c1-1 gone too
		}), checker.Valid, "all 1 sends"},

		{"unique/healthy", queuecheck.UniqueEffects(groups), with(healthy(), same), checker.Valid, "5 deliveries, 1 of them duplicates; the dedup tables suppressed 1"},
		{"unique/twice in the sink", queuecheck.UniqueEffects(groups), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[10].Output = queue.EffectApplied // the dedup table forgot c1-2
			o[12].Output = "c1-1 c1-2 c1-2"
			return o
		}), checker.Invalid, `"c1-2" is applied more than once at group g2's sink`},
		{"unique/two applied replies", queuecheck.UniqueEffects(groups), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[10].Output = queue.EffectApplied
			return o
		}), checker.Invalid, "c4 effect(\"g2\", \"c1-2\") -> \"applied\" ok [18ms,19ms]\n  c4 effect(\"g2\", \"c1-2\") -> \"applied\" ok [32ms,33ms]"},
		{"unique/no sink read", queuecheck.UniqueEffects(groups), with(healthy(), func(o []checker.Operation) []checker.Operation { return o[:12] }), checker.Unknown, "cannot be counted"},
		{"unique/no idempotent group", queuecheck.UniqueEffects(queuecheck.Groups{All: []string{"g1"}}), with(healthy(), same), checker.Unknown, "no idempotent consumer group"},

		{"order/healthy", queuecheck.PartitionOrder(), with(healthy(), same), checker.Valid, "1 polls redelivered"},
		{"order/offset holds two messages", queuecheck.PartitionOrder(), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[4].Output = "c1-2"
			return o
		}), checker.Invalid, `offset 0 of p0 holds "c1-1" in c1 send("p0", "c1-1") -> "0" ok [1ms,5ms] but "c1-2" in c4 poll`},
		{"order/message at two offsets", queuecheck.PartitionOrder(), with(healthy(), func(o []checker.Operation) []checker.Operation {
			return append(o, send(1, "p0", "c1-3", "2", 40, 41), pollOp(3, "g1/p0", 2, 1, "c1-3 c1-2", 50, 51))
		}), checker.Invalid, `message "c1-2" is at two offsets of p0: 1 in`},
		{"order/appended out of order", queuecheck.PartitionOrder(), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[0].Output, o[1].Output = "1", "0"
			return o[:2]
		}), checker.Invalid, `was acknowledged before c1 send("p0", "c1-2") -> "0" ok [6ms,9ms] was invoked, yet has offset 1`},
		{"order/gap in a generation", queuecheck.PartitionOrder(), with(healthy(), func(o []checker.Operation) []checker.Operation {
			return append(o, send(1, "p0", "c1-3", "2", 40, 41), send(1, "p0", "c1-4", "3", 42, 43), pollOp(3, "g1/p0", 3, 1, "c1-4", 50, 51))
		}), checker.Invalid, `does not continue where c3 poll("g1/p0", "0 gen=1") -> "c1-1 c1-2" ok [10ms,12ms] (the same consumer's previous poll in generation 1) ended, at offset 2`},
		{"order/below a committed offset", queuecheck.PartitionOrder(), with(healthy(), func(o []checker.Operation) []checker.Operation {
			return append(o, pollOp(5, "g1/p0", 1, 4, "c1-2", 50, 51))
		}), checker.Invalid, `starts below offset 2, which c3 commit("g1/p0", "2 gen=1") ok [13ms,15ms] had committed`},

		{"latency/healthy", queuecheck.DeliveryLatency(), with(healthy(), same), checker.Valid, "over 4 deliveries: p50 7ms, p99 8ms, max 8ms"},
		{"latency/nothing delivered", queuecheck.DeliveryLatency(), with(healthy(), func(o []checker.Operation) []checker.Operation { return o[:2] }), checker.Unknown, "nothing to measure"},
		{"malformed poll", queuecheck.PartitionOrder(), with(healthy(), func(o []checker.Operation) []checker.Operation {
			o[2].Value = "zero"
			return o
		}), checker.Unknown, "malformed poll"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := checker.Run(c.checker, c.h, checker.Options{})
			if r.Verdict != c.want || !strings.Contains(r.Explanation, c.says) {
				t.Errorf("got %v: %s\nwant %v, saying %q", r.Verdict, r.Explanation, c.want, c.says)
			}
		})
	}
}

// TestFigures: unique-effects counts duplicate deliveries and suppressed
// effects whatever its verdict.
func TestFigures(t *testing.T) {
	r := checker.Run(queuecheck.UniqueEffects(groups), with(healthy(), func(o []checker.Operation) []checker.Operation { return o }), checker.Options{})
	got := map[string]float64{}
	for _, m := range r.Metrics {
		got[m.Name] = m.Value
	}
	want := map[string]float64{"deliveries": 5, "duplicate deliveries": 1, "effects applied": 2, "duplicates suppressed": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, r.Metrics)
		}
	}
}
