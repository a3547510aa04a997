package checker

import (
	"fmt"
	"strings"
	"time"
)

// LostWrites returns the lost-writes checker for KV histories: for each
// key, the final read (the OK read invoked last, which must come after
// heal, when a workload's final reads ran) must reflect every write
// acknowledged before it was invoked — unless a put it reflects may have
// been ordered after that write and so legitimately overwrote it (see the
// note on versions). A write missing that way was lost: acknowledged, then
// silently discarded (asynchronous replication failing over, last-writer-
// wins under clock skew). Invalid names every lost write and when it was
// acknowledged; Unknown when a written key has no read after healedAt, or
// when values are not unique (the workload's small values).
func LostWrites(healedAt time.Duration) Checker {
	return Func("lost-writes", func(h *History, _ Options) Result { return checkLostWrites(h, healedAt) })
}

func checkLostWrites(h *History, healedAt time.Duration) Result {
	res := Result{Name: "lost-writes"}
	v := analyze(h)
	if !v.unique {
		res.Explanation = fmt.Sprintf("key %q has two writes of the same value: reads cannot tell which write they saw (use unique values)", v.dupeKey)
		return res
	}
	if r, ok := v.thinAirResult("lost-writes"); ok {
		return r
	}
	var lost, unread []string
	nLost, nAcked := 0, 0
	for _, key := range v.sortedKeys() {
		final := -1
		for i := range h.Ops {
			op := &h.Ops[i]
			if op.Key == key && okRead(op) && op.Invoke >= healedAt && (final < 0 || op.Invoke > h.Ops[final].Invoke) {
				final = i
			}
		}
		writes := v.ackedWritesBefore(key, time.Duration(1<<62))
		if len(writes) == 0 {
			continue
		}
		if final < 0 {
			unread = append(unread, fmt.Sprintf("%q", key))
			continue
		}
		f := &h.Ops[final]
		vers := v.read(f)
		for _, w := range v.ackedWritesBefore(key, f.Invoke) {
			nAcked++
			if v.misses(vers, w) {
				nLost++
				if len(lost) < 10 {
					lost = append(lost, fmt.Sprintf("%s, acknowledged at %v, is not in the final read %s", h.Ops[w].String(), h.Ops[w].Return, f.String()))
				}
			}
		}
	}
	metrics := []Metric{{Name: "acknowledged writes", Value: float64(nAcked)}, {Name: "lost writes", Value: float64(nLost)}}
	switch {
	case nLost > 0:
		res.Verdict, res.Metrics = Invalid, metrics
		more := ""
		if nLost > len(lost) {
			more = fmt.Sprintf("\n(and %d more)", nLost-len(lost))
		}
		res.Explanation = fmt.Sprintf("%d of %d acknowledged writes were lost:\n%s%s", nLost, nAcked, strings.Join(lost, "\n"), more)
	case len(unread) > 0:
		res.Explanation = fmt.Sprintf("no read of %s after the heal at %v: nothing to compare the writes with (the kv workloads' final_reads: true reads every key)", strings.Join(unread, ", "), healedAt)
	default:
		res.Verdict, res.Metrics = Valid, metrics
		res.Explanation = fmt.Sprintf("all %d acknowledged writes are in the final reads", nAcked)
	}
	return res
}
