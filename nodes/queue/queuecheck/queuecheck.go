// Package queuecheck judges queue histories (nodes/queue's workload) with
// Jepsen's queue and Kafka semantics, as checker.Checkers over the
// ordinary checker.History:
//
//   - NoLostAcked: every send acknowledged before the heal is, by the end
//     of the run, delivered to every plain group (in some OK poll) and
//     effected at every idempotent group (in its final sink read); no poll
//     or sink holds a message no send wrote.
//   - UniqueEffects: no idempotent group's sink applied a message twice
//     (its final sink read, and the effect replies); duplicate deliveries
//     are counted as a figure, not judged.
//   - PartitionOrder: each partition is one log (an offset holds one
//     message, a message one offset), acknowledged sends are appended in
//     real-time order, a consumer's polls within one generation continue
//     where the last ended, and no poll starts below an offset its group
//     had committed (see PartitionOrder for exactly what a redelivery may
//     do).
//   - DeliveryLatency: a measure, p50/p99/max of the time from a send's
//     acknowledgement to the first poll that delivered it, per group.
package queuecheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/queue"
)

// The checks' names.
const (
	NameNoLostAcked     = "no-lost-acked"
	NameUniqueEffects   = "unique-effects"
	NamePartitionOrder  = "partition-order"
	NameDeliveryLatency = "delivery-latency"
)

// Groups names the consumer groups a history is judged for.
type Groups struct {
	All        []string
	Idempotent []string
	_          struct{}
}

func (g Groups) idempotent(name string) bool { return slices.Contains(g.Idempotent, name) }

// poll is an OK poll, parsed.
type poll struct {
	i         int // index in History.Ops
	group     string
	partition string
	from, gen uint64
	msgs      []string
}

// index is what the checks read from a history.
type index struct {
	h         *checker.History
	sends     map[string]int // message id → its send (any outcome)
	polls     []poll
	sinkFinal map[string]int // group → its final OK sink read
	bad       []string       // malformed operations
}

func build(h *checker.History) *index {
	x := &index{h: h, sends: map[string]int{}, sinkFinal: map[string]int{}}
	for i := range h.Ops {
		op := &h.Ops[i]
		switch op.Kind {
		case queue.OpSend:
			if j, ok := x.sends[op.Value]; ok {
				x.bad = append(x.bad, fmt.Sprintf("message id %q is sent twice: %s and %s", op.Value, h.Ops[j].String(), op.String()))
			}
			x.sends[op.Value] = i
		case queue.OpPoll:
			if op.Outcome != nodes.OK {
				continue
			}
			g, p, ok := queue.ParsePollKey(op.Key)
			from, gen, err := queue.ParseAt(op.Value)
			if !ok || err != nil {
				x.bad = append(x.bad, fmt.Sprintf("malformed poll %s", op.String()))
				continue
			}
			x.polls = append(x.polls, poll{i: i, group: g, partition: p, from: from, gen: gen, msgs: strings.Fields(op.Output)})
		case queue.OpSinkRead:
			if op.Outcome != nodes.OK {
				continue
			}
			if j, ok := x.sinkFinal[op.Key]; !ok || op.Invoke > h.Ops[j].Invoke {
				x.sinkFinal[op.Key] = i
			}
		}
	}
	return x
}

func (x *index) malformed(name string) (checker.Result, bool) {
	if len(x.bad) == 0 {
		return checker.Result{}, false
	}
	return checker.Result{Name: name, Verdict: checker.Unknown, Explanation: "the history is not a queue workload's: " + strings.Join(x.bad, "; ")}, true
}

// ackedBy returns the ids of sends acknowledged at or before t, in history
// order.
func (x *index) ackedBy(t time.Duration) []string {
	var ids []string
	for i := range x.h.Ops {
		op := &x.h.Ops[i]
		if op.Kind == queue.OpSend && op.Outcome == nodes.OK && op.Return <= t {
			ids = append(ids, op.Value)
		}
	}
	return ids
}

// NoLostAcked returns the no-lost-acked checker: every send acknowledged by
// healedAt must be delivered to every plain group by the end of the
// history and be in the final sink read of every idempotent group. A
// message missing where the group had committed an offset beyond it (for
// an idempotent group: before its final sink read) is lost — its consumers
// will never come back for it — and the verdict is Invalid, naming each
// lost message, when it was acknowledged and for which group; so is a
// message delivered that no send wrote. A message missing where no commit
// passed it may be lost or only not yet consumed (a drain slower than the
// heal window): Unknown, never a pass. Unknown too when an idempotent
// group has no final sink read.
func NoLostAcked(groups Groups, healedAt time.Duration) checker.Checker {
	return checker.Func(NameNoLostAcked, func(h *checker.History, _ checker.Options) checker.Result {
		res := checker.Result{Name: NameNoLostAcked}
		x := build(h)
		if r, bad := x.malformed(NameNoLostAcked); bad {
			return r
		}
		delivered := map[string]map[string]bool{}
		var thin []string
		see := func(group, id string, i int) {
			if delivered[group] == nil {
				delivered[group] = map[string]bool{}
			}
			delivered[group][id] = true
			if _, ok := x.sends[id]; !ok && len(thin) < 5 {
				thin = append(thin, fmt.Sprintf("%q in %s", id, h.Ops[i].String()))
			}
		}
		for _, p := range x.polls {
			for _, id := range p.msgs {
				see(p.group, id, p.i)
			}
		}
		sinks := map[string]map[string]bool{}
		for _, g := range groups.Idempotent {
			if i, ok := x.sinkFinal[g]; ok {
				sinks[g] = map[string]bool{}
				for _, id := range strings.Fields(h.Ops[i].Output) {
					sinks[g][id] = true
					if _, ok := x.sends[id]; !ok && len(thin) < 5 {
						thin = append(thin, fmt.Sprintf("%q in %s", id, h.Ops[i].String()))
					}
				}
			}
		}
		if len(thin) > 0 {
			res.Verdict = checker.Invalid
			res.Explanation = "delivered messages that no send wrote: " + strings.Join(thin, "; ")
			return res
		}
		acked := x.ackedBy(healedAt)
		// passed reports whether group g had committed an offset of the
		// message's partition beyond it (before the time limit): its
		// consumers will never come back for it.
		passed := func(g, id string, before time.Duration) bool {
			s := &h.Ops[x.sends[id]]
			off, err := strconv.ParseUint(s.Output, 10, 64)
			if err != nil {
				return false
			}
			for i := range h.Ops {
				c := &h.Ops[i]
				if c.Kind == queue.OpCommitOffset && c.Outcome == nodes.OK && c.Key == g+"/"+s.Key && c.Return < before {
					if o, _, err := queue.ParseAt(c.Value); err == nil && o > off {
						return true
					}
				}
			}
			return false
		}
		var lost, unread, late []string
		nLost, nLate := 0, 0
		for _, g := range groups.All {
			have, what, before := delivered[g], "delivered to", time.Duration(1<<62)
			if groups.idempotent(g) {
				if sinks[g] == nil {
					unread = append(unread, g)
					continue
				}
				have, what, before = sinks[g], "in the final sink read of", h.Ops[x.sinkFinal[g]].Invoke
			}
			for _, id := range acked {
				if have[id] {
					continue
				}
				s := &h.Ops[x.sends[id]]
				if passed(g, id, before) {
					nLost++
					if len(lost) < 10 {
						lost = append(lost, fmt.Sprintf("%s, acknowledged at %v, is not %s group %s, whose committed offset has passed it", s.String(), s.Return, what, g))
					}
				} else {
					nLate++
					if len(late) < 5 {
						late = append(late, fmt.Sprintf("%s is not %s group %s", s.String(), what, g))
					}
				}
			}
		}
		res.Metrics = []checker.Metric{{Name: "acknowledged sends", Value: float64(len(acked))}, {Name: "lost", Value: float64(nLost)}, {Name: "undelivered", Value: float64(nLate)}}
		switch {
		case nLost > 0:
			res.Verdict = checker.Invalid
			more := ""
			if nLost > len(lost) {
				more = fmt.Sprintf("\n(and %d more)", nLost-len(lost))
			}
			res.Explanation = fmt.Sprintf("%d acknowledged messages were lost (of %d acknowledged sends, over %d groups):\n%s%s", nLost, len(acked), len(groups.All), strings.Join(lost, "\n"), more)
		case len(unread) > 0:
			res.Metrics = nil
			res.Explanation = fmt.Sprintf("no final sink read of group %s: nothing to compare the sends with", strings.Join(unread, ", "))
		case nLate > 0:
			res.Explanation = fmt.Sprintf("%d acknowledged messages were not consumed by the end, though no group committed past them (lost, or a drain too slow for the heal window?):\n%s", nLate, strings.Join(late, "\n"))
		default:
			res.Verdict = checker.Valid
			res.Explanation = fmt.Sprintf("all %d sends acknowledged by %v reached all %d groups", len(acked), healedAt, len(groups.All))
		}
		return res
	})
}

// UniqueEffects returns the unique-effects checker: at each idempotent
// group, no message's effect is applied twice — neither in the final sink
// read nor in two effect operations answered "applied". Invalid names the
// message and the effects that applied it. Its figures count deliveries,
// duplicate deliveries (a message polled again by its group) and the
// effects the dedup table suppressed. Unknown when an idempotent group has
// no final sink read (and no duplicate showed).
func UniqueEffects(groups Groups) checker.Checker {
	return checker.Func(NameUniqueEffects, func(h *checker.History, _ checker.Options) checker.Result {
		res := checker.Result{Name: NameUniqueEffects}
		x := build(h)
		if r, bad := x.malformed(NameUniqueEffects); bad {
			return r
		}
		if len(groups.Idempotent) == 0 {
			res.Explanation = "no idempotent consumer group: no effects to judge"
			return res
		}
		deliveries, dupDeliveries := 0, 0
		seen := map[string]int{}
		for _, p := range x.polls {
			for _, id := range p.msgs {
				deliveries++
				k := p.group + "/" + id
				if seen[k] > 0 {
					dupDeliveries++
				}
				seen[k]++
			}
		}
		applied := map[string][]int{}
		nApplied, nSuppressed := 0, 0
		for i := range h.Ops {
			op := &h.Ops[i]
			if op.Kind != queue.OpEffectApply || op.Outcome != nodes.OK || !groups.idempotent(op.Key) {
				continue
			}
			switch op.Output {
			case queue.EffectApplied:
				nApplied++
				applied[op.Key+"/"+op.Value] = append(applied[op.Key+"/"+op.Value], i)
			case queue.EffectDuplicate:
				nSuppressed++
			}
		}
		var dups []string
		var unread []string
		for _, g := range groups.Idempotent {
			if i, ok := x.sinkFinal[g]; ok {
				count := map[string]int{}
				for _, id := range strings.Fields(h.Ops[i].Output) {
					count[id]++
					if count[id] == 2 {
						dups = append(dups, fmt.Sprintf("%q is applied more than once at group %s's sink (its final read by %v [%v,%v] lists it %s)%s", id, g, h.Ops[i].Client, h.Ops[i].Invoke, h.Ops[i].Return, "twice or more", effectsOf(h, applied[g+"/"+id])))
					}
				}
			} else {
				unread = append(unread, g)
			}
			for _, id := range sortedKeys(applied) {
				gg, msg, _ := strings.Cut(id, "/")
				if gg == g && len(applied[id]) > 1 && !slices.ContainsFunc(dups, func(d string) bool { return strings.HasPrefix(d, strconv.Quote(msg)+" ") }) {
					dups = append(dups, fmt.Sprintf("%q is applied twice at group %s's sink:%s", msg, g, effectsOf(h, applied[id])))
				}
			}
		}
		res.Metrics = []checker.Metric{
			{Name: "deliveries", Value: float64(deliveries)}, {Name: "duplicate deliveries", Value: float64(dupDeliveries)},
			{Name: "effects applied", Value: float64(nApplied)}, {Name: "duplicates suppressed", Value: float64(nSuppressed)},
		}
		switch {
		case len(dups) > 0:
			res.Verdict = checker.Invalid
			if len(dups) > 10 {
				dups = append(dups[:10], fmt.Sprintf("(and %d more)", len(dups)-10))
			}
			res.Explanation = fmt.Sprintf("%d messages have duplicate effects:\n%s", len(dups), strings.Join(dups, "\n"))
		case len(unread) > 0:
			res.Explanation = fmt.Sprintf("no final sink read of group %s: its effects cannot be counted", strings.Join(unread, ", "))
		default:
			res.Verdict = checker.Valid
			res.Explanation = fmt.Sprintf("every effect is unique (%d deliveries, %d of them duplicates; the dedup tables suppressed %d effects)", deliveries, dupDeliveries, nSuppressed)
		}
		return res
	})
}

func effectsOf(h *checker.History, is []int) string {
	var b strings.Builder
	for _, i := range is {
		b.WriteString("\n  " + h.Ops[i].String())
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m { //faultline:orderless collecting keys to sort
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// PartitionOrder returns the partition-order checker. Within a partition:
//
//  1. one log: an offset holds one message in every send's output and
//     every poll, and a message sits at one offset (a producer retry is
//     never appended twice);
//  2. append order: a send acknowledged before another send to the same
//     partition was invoked has the lower offset;
//  3. per consumer and generation: each poll of a partition starts where
//     that consumer's previous poll of it in the same generation ended
//     (no gap, no going back, no message skipped);
//  4. per group: no poll starts below an offset the group had committed
//     (an acknowledged commit that returned before the poll was invoked).
//
// What a redelivery may do, then: after a rebalance or a consumer restart
// (a new generation) the new owner starts again from the committed offset
// and so delivers again, in log order, what the old one fetched and did not
// commit; it may not start below a committed offset, and within its
// generation it goes forward one batch after another. Invalid names the
// two operations that disagree.
func PartitionOrder() checker.Checker {
	return checker.Func(NamePartitionOrder, func(h *checker.History, _ checker.Options) checker.Result {
		res := checker.Result{Name: NamePartitionOrder}
		x := build(h)
		if r, bad := x.malformed(NamePartitionOrder); bad {
			return r
		}
		fail := func(format string, args ...any) checker.Result {
			res.Verdict = checker.Invalid
			res.Explanation = fmt.Sprintf(format, args...)
			return res
		}
		type slot struct {
			msg string
			off uint64
			by  int
		}
		at := map[string]map[uint64]slot{}    // partition → offset → message
		where := map[string]map[string]slot{} // partition → message → offset
		place := func(part string, off uint64, id string, by int) (string, bool) {
			if at[part] == nil {
				at[part], where[part] = map[uint64]slot{}, map[string]slot{}
			}
			if s, ok := at[part][off]; ok && s.msg != id {
				return fmt.Sprintf("offset %d of %s holds %q in %s but %q in %s", off, part, s.msg, h.Ops[s.by].String(), id, h.Ops[by].String()), false
			}
			if s, ok := where[part][id]; ok && s.off != off {
				return fmt.Sprintf("message %q is at two offsets of %s: %d in %s and %d in %s", id, part, s.off, h.Ops[s.by].String(), off, h.Ops[by].String()), false
			}
			if _, ok := at[part][off]; !ok {
				at[part][off] = slot{id, off, by}
				where[part][id] = slot{id, off, by}
			}
			return "", true
		}
		var sends []int
		for i := range h.Ops {
			op := &h.Ops[i]
			if op.Kind != queue.OpSend || op.Outcome != nodes.OK {
				continue
			}
			off, err := strconv.ParseUint(op.Output, 10, 64)
			if err != nil {
				return fail("send %s has no offset as its output", op.String())
			}
			if why, ok := place(op.Key, off, op.Value, i); !ok {
				return fail("%s", why)
			}
			sends = append(sends, i)
		}
		for _, p := range x.polls {
			for k, id := range p.msgs {
				if why, ok := place(p.partition, p.from+uint64(k), id, p.i); !ok {
					return fail("%s", why)
				}
			}
		}
		for _, a := range sends {
			for _, b := range sends {
				A, B := &h.Ops[a], &h.Ops[b]
				if A.Key == B.Key && A.Return < B.Invoke && x.offsetOf(A) >= x.offsetOf(B) {
					return fail("%s was acknowledged before %s was invoked, yet has offset %s, not below %s", A.String(), B.String(), A.Output, B.Output)
				}
			}
		}
		type stream struct {
			client nodes.ID
			key    string
			gen    uint64
		}
		commits := map[string][]int{}
		for i := range h.Ops {
			if c := &h.Ops[i]; c.Kind == queue.OpCommitOffset && c.Outcome == nodes.OK {
				commits[c.Key] = append(commits[c.Key], i)
			}
		}
		last := map[stream]poll{}
		redeliveries := 0
		high := map[string]uint64{} // group/partition → end of the furthest poll
		for _, p := range sortedByReturn(h, x.polls) {
			op := &h.Ops[p.i]
			s := stream{op.Client, op.Key, p.gen}
			if q, ok := last[s]; ok && p.from != q.from+uint64(len(q.msgs)) {
				return fail("%s does not continue where %s (the same consumer's previous poll in generation %d) ended, at offset %d", op.String(), h.Ops[q.i].String(), p.gen, q.from+uint64(len(q.msgs)))
			}
			last[s] = p
			for _, i := range commits[op.Key] {
				c := &h.Ops[i]
				if c.Return < op.Invoke {
					if off, _, err := queue.ParseAt(c.Value); err == nil && p.from < off {
						return fail("%s starts below offset %d, which %s had committed before it was invoked", op.String(), off, c.String())
					}
				}
			}
			if p.from < high[op.Key] && len(p.msgs) > 0 {
				redeliveries++
			}
			high[op.Key] = max(high[op.Key], p.from+uint64(len(p.msgs)))
		}
		res.Verdict = checker.Valid
		res.Metrics = []checker.Metric{{Name: "polls", Value: float64(len(x.polls))}, {Name: "redelivering polls", Value: float64(redeliveries)}}
		res.Explanation = fmt.Sprintf("%d polls and %d sends agree on one log per partition, in order (%d polls redelivered from a committed offset)", len(x.polls), len(sends), redeliveries)
		return res
	})
}

func (x *index) offsetOf(op *checker.Operation) uint64 {
	n, _ := strconv.ParseUint(op.Output, 10, 64)
	return n
}

func sortedByReturn(h *checker.History, ps []poll) []poll {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b poll) int {
		return int(h.Ops[a.i].Return - h.Ops[b.i].Return)
	})
	return out
}

// DeliveryLatency returns the delivery-latency measure: for every
// acknowledged send and every group that polled it, the time from the
// send's acknowledgement to the return of the group's first poll holding
// it (0 when the poll returned first). Its figures are the samples, p50,
// p99 and max in milliseconds; Unknown when nothing was delivered.
func DeliveryLatency() checker.Checker {
	return checker.Func(NameDeliveryLatency, func(h *checker.History, _ checker.Options) checker.Result {
		res := checker.Result{Name: NameDeliveryLatency}
		x := build(h)
		if r, bad := x.malformed(NameDeliveryLatency); bad {
			return r
		}
		first := map[string]time.Duration{} // group/message → first delivery
		for _, p := range x.polls {
			t := h.Ops[p.i].Return
			for _, id := range p.msgs {
				k := p.group + "/" + id
				if f, ok := first[k]; !ok || t < f {
					first[k] = t
				}
			}
		}
		var lat []time.Duration
		for _, k := range sortedKeys(first) {
			_, id, _ := strings.Cut(k, "/")
			i, ok := x.sends[id]
			if !ok || h.Ops[i].Outcome != nodes.OK {
				continue
			}
			lat = append(lat, max(0, first[k]-h.Ops[i].Return))
		}
		if len(lat) == 0 {
			res.Explanation = "no acknowledged send was delivered: nothing to measure"
			return res
		}
		slices.Sort(lat)
		q := func(f float64) time.Duration { return lat[min(len(lat)-1, int(f*float64(len(lat))))] }
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		res.Verdict = checker.Valid
		res.Metrics = []checker.Metric{{Name: "deliveries", Value: float64(len(lat))}, {Name: "p50 ms", Value: ms(q(0.5))}, {Name: "p99 ms", Value: ms(q(0.99))}, {Name: "max ms", Value: ms(lat[len(lat)-1])}}
		res.Explanation = fmt.Sprintf("send acknowledged → first delivery, over %d deliveries: p50 %v, p99 %v, max %v", len(lat), q(0.5), q(0.99), lat[len(lat)-1])
		return res
	})
}
