package checker

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// The session guarantees of Terry et al. (1994), judged per client and
// key on KV histories with unique values (see the note on versions):
//
//   - read-your-writes: a client's read reflects every write the same
//     client had acknowledged before it (or a put that may have overwritten
//     it);
//   - monotonic reads: a client's read does not miss a write an earlier
//     read of the same client reflected;
//   - monotonic writes: a read that reflects a client's write does not miss
//     that client's earlier acknowledged write to the key;
//   - writes follow reads: a read that reflects a client's write does not
//     miss a write that client had read before writing.
//
// Each is its own checker, Invalid with the first violating pair. They are
// real-time definitions, per key: a read misses a write when the put it
// shows had completed before the write began, which is stricter than
// judging against the order the store chose (a last-writer-wins store
// that orders an older put after a client's own write fails
// read-your-writes here). Cross-key causality is not judged.
const (
	ReadYourWrites    = "read-your-writes"
	MonotonicReads    = "monotonic-reads"
	MonotonicWrites   = "monotonic-writes"
	WritesFollowReads = "writes-follow-reads"
)

// SessionGuarantee returns the checker of one session guarantee (one of
// the names above).
func SessionGuarantee(name string) Checker {
	switch name {
	case ReadYourWrites, MonotonicReads, MonotonicWrites, WritesFollowReads:
	default:
		panic(fmt.Sprintf("checker: no session guarantee %q", name))
	}
	return Func(name, func(h *History, _ Options) Result { return checkSession(h, name) })
}

func checkSession(h *History, name string) Result {
	res := Result{Name: name}
	v := analyze(h)
	if !v.unique {
		res.Explanation = fmt.Sprintf("key %q has two writes of the same value: reads cannot tell which write they saw (use unique values)", v.dupeKey)
		return res
	}
	if r, ok := v.thinAirResult(name); ok {
		return r
	}
	reads := 0
	fail := func(what string, a, b int) Result {
		res.Verdict = Invalid
		res.Explanation = fmt.Sprintf("%s\n  %s\n  %s", what, h.Ops[a].String(), h.Ops[b].String())
		res.Involved = []int{b, a}
		return res
	}
	// Per operation, in invocation order: what its client had done before.
	type seen struct{ writes, reads []int }
	var history map[nodes.ID]map[string]*seen
	var judgeRead func(i int, writes, earlier []int, done func(int) bool) (Result, bool)
	of := func(c nodes.ID, key string) *seen {
		if history[c] == nil {
			history[c] = map[string]*seen{}
		}
		if history[c][key] == nil {
			history[c][key] = &seen{}
		}
		return history[c][key]
	}
	// followers[w] lists, for a write w, the client's earlier acknowledged
	// writes (monotonic writes) or the writes it had read (writes follow
	// reads) that any read reflecting w must not miss. It is built in a
	// first pass, so that a read concurrent with w, invoked before it, is
	// judged too.
	followers := map[int][]int{}
	pass := func(check bool) (Result, bool) {
		history = map[nodes.ID]map[string]*seen{}
		for i := range h.Ops {
			op := &h.Ops[i]
			if _, ok := v.keys[op.Key]; !ok && !isWrite(op) {
				continue
			}
			s := of(op.Client, op.Key)
			done := func(j int) bool { return h.Ops[j].Return < op.Invoke }
			switch {
			case okRead(op):
				if check {
					reads++
					if r, bad := judgeRead(i, s.writes, s.reads, done); bad {
						return r, true
					}
				}
				s.reads = append(s.reads, i)
			case isWrite(op) && op.Outcome != nodes.Fail:
				if !check {
					switch name {
					case MonotonicWrites:
						for _, w := range s.writes {
							if acked(&h.Ops[w]) && done(w) {
								followers[i] = append(followers[i], w)
							}
						}
					case WritesFollowReads:
						for _, r := range s.reads {
							if !done(r) {
								continue
							}
							for _, ver := range v.read(&h.Ops[r]) {
								followers[i] = append(followers[i], ver.order...)
							}
						}
					}
				}
				s.writes = append(s.writes, i)
			}
		}
		return Result{}, false
	}
	judgeRead = func(i int, writes, earlier []int, done func(int) bool) (Result, bool) {
		op := &h.Ops[i]
		vers := v.read(op)
		switch name {
		case ReadYourWrites:
			for _, w := range writes {
				if acked(&h.Ops[w]) && done(w) && v.misses(vers, w) {
					return fail(fmt.Sprintf("%v's read misses its own acknowledged write:", op.Client), w, i), true
				}
			}
		case MonotonicReads:
			for _, r := range earlier {
				if !done(r) {
					continue
				}
				for _, ver := range v.read(&h.Ops[r]) {
					for _, w := range ver.order {
						if v.misses(vers, w) {
							return fail(fmt.Sprintf("%v's read misses %s, which its earlier read reflected:", op.Client, h.Ops[w].String()), r, i), true
						}
					}
				}
			}
		case MonotonicWrites, WritesFollowReads:
			for _, ver := range vers {
				for _, w := range ver.order {
					for _, before := range followers[w] {
						if v.misses(vers, before) {
							what := "a read reflects %s but misses the same client's earlier write:"
							if name == WritesFollowReads {
								what = "a read reflects %s but misses the write its client had read before writing:"
							}
							return fail(fmt.Sprintf(what, h.Ops[w].String()), before, i), true
						}
					}
				}
			}
		}
		return Result{}, false
	}
	pass(false)
	if r, bad := pass(true); bad {
		return r
	}
	res.Verdict = Valid
	res.Explanation = fmt.Sprintf("%d reads checked", reads)
	return res
}
