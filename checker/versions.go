package checker

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// The weak-consistency checkers (lost writes, session guarantees,
// staleness) judge a KV history by which writes each read observed. They
// rely on the kv workload's unique values: every written value names its
// writer ("c3-17", "c3e1-4"), and an append adds "c3-18;". A read's value
// is then a sequence of such tokens — an optional put (or cas) value
// followed by appended elements — and, in a store that keeps concurrent
// versions, several such sequences joined by nodes.SiblingSeparator. So
// every read tells exactly which writes it reflects.
//
// "R is older than W" (R misses W) means: R does not reflect W, and the
// put that R's value starts from (or the key's initial empty state) had
// completed before W was invoked, so no order of the writes can put W
// before it — W should have been visible, and was not. For a read with
// siblings, R misses W when every sibling does.

var tokenRE = regexp.MustCompile(`c[0-9]+(?:e[0-9]+)?-[0-9]+;?`)

// version is one sibling of a read value: its base put and the writes it
// reflects.
type version struct {
	base   int          // index in History.Ops of the put it starts from, or -1 (initial state)
	writes map[int]bool // indexes of the writes it reflects (the base included)
	order  []int        // the same, in the order the value lists them
}

// keyView indexes one key's writes by their unique values.
type keyView struct {
	byToken map[string]int // value token → index of the write that wrote it
}

// versions is the analysis of a history: per key, the writes by token.
type versions struct {
	h    *History
	keys map[string]*keyView
	// unique is false when two writes of a key wrote the same value, or a
	// write's value does not name its writer (the workload's small
	// values): reads cannot name their writes.
	unique  bool
	dupeKey string
	// thinAir is the first OK read (index in h.Ops) whose value no write
	// of its key can explain, or -1.
	thinAir int
}

// ThinAirExplanation describes a read of a value nobody wrote.
func (v *versions) thinAirResult(name string) (Result, bool) {
	if v.thinAir < 0 {
		return Result{}, false
	}
	op := &v.h.Ops[v.thinAir]
	return Result{Name: name, Verdict: Invalid, Involved: []int{v.thinAir},
		Explanation: fmt.Sprintf("%s read a value no write of %q wrote", op.String(), op.Key)}, true
}

func analyze(h *History) *versions {
	v := &versions{h: h, keys: map[string]*keyView{}, unique: true, thinAir: -1}
	for i := range h.Ops {
		op := &h.Ops[i]
		if !isWrite(op) || op.Outcome == nodes.Fail {
			continue
		}
		kv := v.keys[op.Key]
		if kv == nil {
			kv = &keyView{byToken: map[string]int{}}
			v.keys[op.Key] = kv
		}
		tok := op.Value
		_, dup := kv.byToken[tok]
		if (dup || tokenRE.FindString(tok) != tok) && v.unique {
			v.unique, v.dupeKey = false, op.Key
		}
		kv.byToken[tok] = i
	}
	for i := range h.Ops {
		if op := &h.Ops[i]; okRead(op) && v.thinAir < 0 {
			for _, ver := range v.read(op) {
				if ver.base == -2 {
					v.thinAir = i
				}
			}
		}
	}
	return v
}

// isWrite reports whether op may change a key: put, write, append, cas.
func isWrite(op *Operation) bool {
	switch op.Kind {
	case nodes.OpPut, nodes.OpWrite, nodes.OpAppend, nodes.OpCAS:
		return true
	}
	return false
}

// acked reports whether op is a write that certainly took effect.
func acked(op *Operation) bool {
	return isWrite(op) && op.Outcome == nodes.OK && !(op.Kind == nodes.OpCAS && op.Output == "false")
}

// okRead reports whether op is a read that returned.
func okRead(op *Operation) bool { return op.Kind.IsRead() && op.Outcome == nodes.OK }

// read parses the value read by op into its versions. A version with a
// token that names no write of the key, or with text that is no token at
// all, has base -2: a read of thin air.
func (v *versions) read(op *Operation) []version {
	kv0 := v.keys[op.Key]
	var out []version
	for _, sib := range nodes.Siblings(op.Output) {
		ver := version{base: -1, writes: map[int]bool{}}
		toks := tokenRE.FindAllString(sib, -1)
		if strings.Join(toks, "") != sib {
			ver.base = -2
		}
		for j, tok := range toks {
			w, ok := -1, false
			if kv0 != nil {
				w, ok = kv0.byToken[tok]
			}
			if !ok {
				ver.base = -2
				continue
			}
			ver.writes[w] = true
			ver.order = append(ver.order, w)
			if j == 0 && v.h.Ops[w].Kind != nodes.OpAppend && ver.base != -2 {
				ver.base = w
			}
		}
		out = append(out, ver)
	}
	if len(out) == 0 { // the key's initial state: nothing written
		out = append(out, version{base: -1, writes: map[int]bool{}})
	}
	return out
}

// misses reports whether a read with these versions misses write w: no
// version reflects it, and every version's base had completed before w
// was invoked.
func (v *versions) misses(vers []version, w int) bool {
	wop := &v.h.Ops[w]
	for _, ver := range vers {
		if ver.writes[w] || ver.base == -2 {
			return false
		}
		if ver.base >= 0 {
			b := &v.h.Ops[ver.base]
			if b.Outcome != nodes.OK || b.Return >= wop.Invoke {
				return false // the base may have been ordered after w
			}
		}
	}
	return true
}

// ackedWritesBefore lists the acknowledged writes of key that returned
// before t, in return order.
func (v *versions) ackedWritesBefore(key string, t time.Duration) []int {
	var ws []int
	for i := range v.h.Ops {
		op := &v.h.Ops[i]
		if op.Key == key && acked(op) && op.Return < t {
			ws = append(ws, i)
		}
	}
	slices.SortStableFunc(ws, func(a, b int) int { return cmpDur(v.h.Ops[a].Return, v.h.Ops[b].Return) })
	return ws
}

// sortedKeys lists the keys of a history that were written, sorted.
func (v *versions) sortedKeys() []string {
	ks := make([]string, 0, len(v.keys))
	for k := range v.keys {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
