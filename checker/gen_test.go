package checker

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
)

// genKV generates a linearizable KV history: clients issue get/put/append
// one after another on keys k0..k(keys-1); each operation takes effect at
// a random instant inside its interval, and outputs follow from applying
// operations in that order. Put values are unique, so no value recurs.
// writes records, per key, each value with the time it took effect.
type genWrite struct {
	at    time.Duration
	value string
	op    int // index in h.Ops
}

func genKV(seed uint64, nOps, keys, clients int) (*History, map[string][]genWrite) {
	r := rand.New(rand.NewPCG(seed, 1))
	type pending struct {
		op   int
		lin  time.Duration
		done bool
	}
	h := &History{Model: "kv"}
	next := make([]time.Duration, clients) // when each client is free
	var evs []pending
	for i := 0; i < nOps; i++ {
		c := r.IntN(clients)
		invoke := next[c] + time.Duration(r.IntN(1000))*time.Microsecond
		ret := invoke + time.Duration(1+r.IntN(3000))*time.Microsecond
		next[c] = ret
		op := nodes.Op{Key: fmt.Sprintf("k%d", r.IntN(keys))}
		switch x := r.IntN(10); {
		case x < 5:
			op.Kind = "get"
		case x < 8:
			op.Kind = "put"
			op.Value = fmt.Sprintf("c%d-%d", c+1, i)
		default:
			op.Kind = "append"
			op.Value = fmt.Sprintf("+%d", i%10)
		}
		h.Ops = append(h.Ops, Operation{Client: nodes.ClientID(c + 1), Op: op, Outcome: nodes.OK, Invoke: invoke, Return: ret})
		evs = append(evs, pending{op: i, lin: invoke + time.Duration(r.Int64N(int64(ret-invoke)+1))})
	}
	slices.SortStableFunc(evs, func(a, b pending) int { return cmpDur(a.lin, b.lin) })
	state := map[string]string{}
	writes := map[string][]genWrite{}
	for _, e := range evs {
		op := &h.Ops[e.op]
		switch op.Kind {
		case nodes.OpGet:
			op.Output, op.Exists = state[op.Key], true
		case nodes.OpPut:
			state[op.Key] = op.Value
			writes[op.Key] = append(writes[op.Key], genWrite{e.lin, op.Value, e.op})
		case nodes.OpAppend:
			state[op.Key] += op.Value
			writes[op.Key] = append(writes[op.Key], genWrite{e.lin, state[op.Key], e.op})
		}
	}
	slices.SortStableFunc(h.Ops, func(a, b Operation) int { return cmpDur(a.Invoke, b.Invoke) })
	return h, writes
}

// plantStaleRead makes one get, from the middle of the history on, return
// the value its key had before the last write that completed before the
// get was invoked. It returns the index of the altered get.
func plantStaleRead(h *History) int {
	for i := len(h.Ops) / 2; i < len(h.Ops); i++ {
		g := &h.Ops[i]
		if g.Kind != nodes.OpGet {
			continue
		}
		// The last write on g's key that returned before g was invoked,
		// and the value the key had before that write (from the output of
		// an earlier get that finished before it started).
		last := -1
		for j := range h.Ops {
			w := &h.Ops[j]
			if w.Key == g.Key && (w.Kind == nodes.OpPut || w.Kind == nodes.OpAppend) && w.Return < g.Invoke {
				if last < 0 || w.Return > h.Ops[last].Return {
					last = j
				}
			}
		}
		if last < 0 {
			continue
		}
		for j := range h.Ops {
			old := &h.Ops[j]
			if old.Key == g.Key && old.Kind == nodes.OpGet && old.Return < h.Ops[last].Invoke && old.Output != g.Output {
				g.Output = old.Output
				return i
			}
		}
	}
	panic("no get to make stale")
}
