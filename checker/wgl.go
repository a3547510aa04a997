package checker

import (
	"slices"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// The linearizability search of one partition: Porcupine's checkSingle
// (Wing and Gong's search with Lowe's cache of configurations already
// seen), re-implemented so that it counts model steps itself, stops at a
// step limit without unwinding through the model, keeps its cache in flat
// arrays instead of a map of slices of cloned bitsets, hashes the set of
// linearized operations incrementally, and can return the partial
// linearizations the explanation needs from the same search.
//
// It explores in exactly Porcupine's order — the same sort of call and
// return entries, the same linked list, the same choice of the next
// candidate, and a cache that is an exact set of (linearized, state)
// pairs, as Porcupine's is — so it takes the same steps, reaches the same
// verdict and finds the same partial linearizations
// (TestWGLMatchesPorcupine, testdata/explanations.golden).
//
// The cache stores each set of linearized operations as its window: the
// index of the first 64-operation word not wholly linearized, and the
// words from there to the last with any operation linearized. The search
// linearizes roughly in call order, so the window spans the operations
// concurrent with the frontier, not the whole partition: an entry costs
// a few words instead of one bit per operation, which is what makes
// Porcupine's cache quadratic in a partition's length.

// wglOut is what a search of one partition concluded.
type wglOut struct {
	ok    bool  // linearizable
	over  bool  // the step limit ran out (ok is false, and means nothing)
	wall  bool  // the wall-clock deadline passed (likewise)
	mem   bool  // the cache reached the memory bound (likewise)
	steps int64 // model steps taken, at most the limit
	// states is how many search states the cache held at the end.
	states int64
	// longest is, with partial set, the longest partial linearization
	// found (ties broken by the lexicographically smallest sequence), as
	// indexes into the partition's operations.
	longest []int
}

// A wglNode is a call or return entry in the search's doubly linked list.
type wglNode struct {
	value      any   // a call's input, a return's output
	match      int32 // for a call, its return's index; -1 for a return
	id         int32 // the operation's index in the partition
	prev, next int32 // -1 for none
}

// wglEntry is an entry before linking, sorted as Porcupine sorts them.
type wglEntry struct {
	ret   bool
	value any
	id    int
	time  int64
}

type wglByTime []wglEntry

func (a wglByTime) Len() int      { return len(a) }
func (a wglByTime) Swap(i, j int) { a[i], a[j] = a[j], a[i] }

// Less is Porcupine's: by time, calls before returns at the same time.
// (sort.Sort is not stable, but given the same sequence and the same
// answers from Less it makes the same swaps, so the order is Porcupine's.)
func (a wglByTime) Less(i, j int) bool {
	if a[i].time != a[j].time {
		return a[i].time < a[j].time
	}
	return !a[i].ret && a[j].ret
}

// wglCall is a linearized call on the search's stack, with the state
// before it.
type wglCall struct {
	node  int32
	state any
}

// deadlineEvery is how many loop iterations pass between looks at the
// wall clock.
const deadlineEvery = 1 << 12

// wglCheck searches ops (one partition) for a linearization under pm
// within limit model steps. With partial, it also records the longest
// partial linearization, as Porcupine's verbose check does. A zero
// deadline means none.
func wglCheck(pm porcupine.Model, ops []porcupine.Operation, limit int64, deadline time.Time, partial bool, memory memoryBound) wglOut {
	entries := wglEntries(ops)
	b := &wglBudget{limit: limit, deadline: deadline, memory: memory.bytes}
	var longest *wglPartial
	if partial {
		longest = newWGLPartial(len(ops))
	}
	cache := newWGLCache(len(ops), pm, memory.stateData)
	ok, seq := wglSearch(pm, entries, len(ops), pm.Init(), cache, b, longest)
	out := wglOut{ok: ok, over: b.over, wall: b.wall, mem: b.mem, steps: b.steps, states: int64(len(cache.states))}
	switch {
	case partial && ok:
		out.longest = seq
	case partial:
		out.longest = longest.best
	}
	return out
}

// wglEntries sorts ops' call and return entries as Porcupine does.
func wglEntries(ops []porcupine.Operation) wglByTime {
	entries := make(wglByTime, 0, 2*len(ops))
	for id, op := range ops {
		entries = append(entries,
			wglEntry{ret: false, value: op.Input, id: id, time: op.Call},
			wglEntry{ret: true, value: op.Output, id: id, time: op.Return})
	}
	sort.Sort(entries)
	return entries
}

// A wglBudget counts the model steps of one check against its limit and
// watches the wall-clock deadline.
type wglBudget struct {
	steps, limit int64
	deadline     time.Time
	iter         uint
	over, wall   bool
	// memory bounds the bytes the cache holds (0: no bound), counted from
	// its own arrays and the states it keeps (wglCache.bytes), so the
	// bound is met at the same step on any machine; mem says it was.
	memory int64
	mem    bool
}

// wglSearch is the search proper, over entries (of operations 0..n-1)
// from state init, with cache (empty, or holding only configurations of
// these entries). With partial it records the longest partial
// linearization (and seq is the linearization found, if ok). When the
// budget runs out, ok is false and b says why.
func wglSearch(pm porcupine.Model, entries wglByTime, n int, init any, cache *wglCache, b *wglBudget, partial *wglPartial) (ok bool, seq []int) {
	nodes := wglList(entries, n)
	step := pm.Step
	var lin wglSet
	lin.words = make([]uint64, (n+63)/64)
	lin.high = -1
	var calls []wglCall
	state := init
	entry := nodes[0].next
	for {
		if nodes[0].next == -1 {
			// Everything is linearized.
			if partial != nil {
				seq = make([]int, len(calls))
				for i, c := range calls {
					seq[i] = int(nodes[c.node].id)
				}
			}
			return true, seq
		}
		b.iter++
		if b.iter%deadlineEvery == 0 && !b.deadline.IsZero() && time.Now().After(b.deadline) {
			b.wall = true
			return false, nil
		}
		if nodes[entry].match >= 0 {
			e := &nodes[entry]
			// A call: try to linearize it here.
			ok := false
			var next any
			if b.steps < b.limit {
				b.steps++
				ok, next = step(state, e.value, nodes[e.match].value)
			} else {
				b.over = true
				if partial == nil {
					return false, nil
				}
				// Unwind as Porcupine does with every step failing,
				// so the partial linearizations are the ones it
				// records.
			}
			if !ok {
				entry = e.next
				continue
			}
			id := uint(e.id)
			lin.set(id)
			if b.memory > 0 && cache.bytes() > b.memory {
				b.mem, b.over = true, true
				return false, nil
			}
			if cache.addIfAbsent(&lin, next) {
				calls = append(calls, wglCall{node: entry, state: state})
				if partial != nil {
					partial.push(e.id)
				}
				state = next
				wglLift(nodes, entry)
				entry = nodes[0].next
			} else {
				lin.clear(id)
				entry = e.next
			}
			continue
		}
		// A return: nothing before it can be linearized; backtrack.
		if len(calls) == 0 {
			return false, nil
		}
		if partial != nil {
			partial.backtrack(nodes, calls)
		}
		top := calls[len(calls)-1]
		calls = calls[:len(calls)-1]
		if partial != nil {
			partial.pop(nodes[top.node].id, len(calls))
		}
		entry, state = top.node, top.state
		lin.clear(uint(nodes[entry].id))
		wglUnlift(nodes, entry)
		entry = nodes[entry].next
	}
}

// wglList links entries (of operations 0..n-1) into the search's doubly
// linked list: node 0 is the head, entries follow in sorted order, each
// call knowing its return.
func wglList(entries wglByTime, n int) []wglNode {
	nodes := make([]wglNode, len(entries)+1)
	nodes[0] = wglNode{match: -1, id: -1, prev: -1, next: 1}
	retOf := make([]int32, n)
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		k := int32(i + 1)
		nodes[k] = wglNode{value: e.value, match: -1, id: int32(e.id), prev: k - 1, next: k + 1}
		if e.ret {
			retOf[e.id] = k
		} else {
			nodes[k].match = retOf[e.id]
		}
	}
	if len(entries) == 0 {
		nodes[0].next = -1
	} else {
		nodes[len(entries)].next = -1
	}
	return nodes
}

// A wglPartial finds the partial linearization the explanation uses
// without Porcupine's bookkeeping, which copies the stack for every
// operation whose longest linearization grows (quadratic in a long
// partition). Porcupine records, at each backtrack, the stack for every
// operation on it whose recorded linearization is shorter; the longest
// partial linearizations it ends with are therefore the stacks of the
// backtracks at the greatest depth G that found at least one operation on
// the stack not on the stack of an earlier backtrack at depth G — and the
// explanation takes the lexicographically smallest of them. So it is
// enough to know, at a backtrack at depth G, whether the stack holds an
// operation not yet seen at depth G: a count kept as operations are
// pushed and popped, with the operations marked per depth (an epoch).
type wglPartial struct {
	depth int     // G: the greatest backtrack depth so far
	epoch int32   // changes with depth
	seen  []int32 // the epoch in which each operation was on a depth-G stack
	// unseen counts the operations on the stack not seen at depth G; all
	// are at positions ≥ low.
	unseen int
	low    int
	best   []int
}

func newWGLPartial(n int) *wglPartial {
	return &wglPartial{seen: make([]int32, n)}
}

func (p *wglPartial) push(id int32) {
	if p.seen[id] != p.epoch {
		p.unseen++
	}
}

func (p *wglPartial) pop(id int32, size int) {
	if p.seen[id] != p.epoch {
		p.unseen--
	}
	p.low = min(p.low, size)
}

// backtrack is called before the top of calls is popped.
func (p *wglPartial) backtrack(nodes []wglNode, calls []wglCall) {
	d := len(calls)
	switch {
	case d > p.depth:
		p.depth, p.epoch, p.low = d, p.epoch+1, 0
		p.best = p.best[:0]
		for _, c := range calls {
			p.best = append(p.best, int(nodes[c.node].id))
		}
	case d == p.depth && p.unseen > 0:
		// A new linearization of the greatest length: keep the
		// lexicographically smaller.
		for i, c := range calls {
			id := int(nodes[c.node].id)
			if id != p.best[i] {
				if id < p.best[i] {
					for j, c := range calls[i:] {
						p.best[i+j] = int(nodes[c.node].id)
					}
				}
				break
			}
		}
	default:
		return
	}
	for _, c := range calls[p.low:] {
		p.seen[nodes[c.node].id] = p.epoch
	}
	p.unseen, p.low = 0, d
}

// wglLift takes a call and its return out of the list.
func wglLift(nodes []wglNode, k int32) {
	e := &nodes[k]
	nodes[e.prev].next = e.next
	nodes[e.next].prev = e.prev
	m := &nodes[e.match]
	nodes[m.prev].next = m.next
	if m.next != -1 {
		nodes[m.next].prev = m.prev
	}
}

// wglUnlift puts them back.
func wglUnlift(nodes []wglNode, k int32) {
	e := &nodes[k]
	m := &nodes[e.match]
	nodes[m.prev].next = e.match
	if m.next != -1 {
		nodes[m.next].prev = e.match
	}
	nodes[e.prev].next = k
	nodes[e.next].prev = k
}

// A wglSet is the set of linearized operations, with its Zobrist hash and
// its window: words before low are all ones, words after high all zeros.
type wglSet struct {
	words     []uint64
	hash      uint64
	low, high int
}

func (s *wglSet) set(id uint) {
	w := int(id / 64)
	s.words[w] |= 1 << (id % 64)
	s.hash ^= zobrist(id)
	s.high = max(s.high, w)
	for s.low < len(s.words) && s.words[s.low] == ^uint64(0) {
		s.low++
	}
}

func (s *wglSet) clear(id uint) {
	w := int(id / 64)
	s.words[w] &^= 1 << (id % 64)
	s.hash ^= zobrist(id)
	s.low = min(s.low, w)
	for s.high >= 0 && s.words[s.high] == 0 {
		s.high--
	}
}

// window is the words from low to high (empty if high < low).
func (s *wglSet) window() []uint64 {
	return s.words[s.low:max(s.low, s.high+1)]
}

// zobrist is operation id's random 64-bit key (splitmix64 of the id): the
// hash of a set of operations is the XOR of its members' keys, updated in
// O(1) as one is linearized or taken back.
func zobrist(id uint) uint64 {
	z := uint64(id)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// A wglCache is the set of configurations (linearized operations, state)
// the search has reached: open addressing over flat arrays, the windows of
// all entries' sets in one arena.
type wglCache struct {
	// slots hold entry index + 1 in the high 32 bits and the high 32 bits
	// of the entry's hash in the low ones, so a probe reads one word;
	// 0 is empty.
	slots  []uint64
	hashes []uint64 // for rehashing
	lows   []int32
	offs   []int    // entry e's window is bits[offs[e]:offs[e+1]]
	bits   []uint64 // the arena
	states []any
	hash   func(any) uint64
	equal  func(a, b any) bool
	// stateData counts a kept state's own bytes (Model.stateData; nil:
	// none), summed in stateBytes.
	stateData  func(any) int64
	stateBytes int64
}

func newWGLCache(n int, pm porcupine.Model, stateData func(any) int64) *wglCache {
	size := 1024
	for size < 2*n {
		size *= 2
	}
	return &wglCache{slots: make([]uint64, size), offs: make([]int, 1, n+1),
		hashes: make([]uint64, 0, n), lows: make([]int32, 0, n), states: make([]any, 0, n),
		bits: make([]uint64, 0, 2*n), hash: pm.Hash, equal: pm.Equal, stateData: stateData}
}

// addIfAbsent adds (lin, state) and reports whether it was absent.
func (c *wglCache) addIfAbsent(lin *wglSet, state any) bool {
	h := lin.hash
	if c.hash != nil {
		h ^= c.hash(state) * 0xff51afd7ed558ccd
	}
	win := lin.window()
	mask := uint64(len(c.slots) - 1)
	tag := h >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		s := c.slots[i]
		if s == 0 {
			break
		}
		if s&(1<<32-1) != tag {
			continue
		}
		e := int(s>>32) - 1
		if int(c.lows[e]) == lin.low && slices.Equal(c.bits[c.offs[e]:c.offs[e+1]], win) && c.sameState(c.states[e], state) {
			return false
		}
	}
	if 4*(len(c.states)+1) > 3*len(c.slots) {
		c.grow()
		mask = uint64(len(c.slots) - 1)
	}
	e := len(c.states)
	c.hashes = append(c.hashes, h)
	c.lows = append(c.lows, int32(lin.low))
	c.bits = append(c.bits, win...)
	c.offs = append(c.offs, len(c.bits))
	c.states = append(c.states, state)
	if c.stateData != nil {
		c.stateBytes += c.stateData(state)
	}
	c.place(e, mask)
	return true
}

// bytes is what the cache holds, counted from the capacities of its
// arrays (what is allocated, not only what is filled: append leaves up to
// a quarter to a half unused) — the windows of the linearized sets, the
// entries' hashes, low words, offsets and states' interface values, and
// the table's slots — and the bytes the model says the kept states hold
// of their own (Model.stateData). It is the search's live heap within a
// few percent (docs/BENCHMARKS.md, "Calibrating the checker's memory
// bound").
func (c *wglCache) bytes() int64 {
	return 8*int64(cap(c.bits)) + 8*int64(cap(c.hashes)) + 4*int64(cap(c.lows)) + 8*int64(cap(c.offs)) +
		16*int64(cap(c.states)) + 8*int64(len(c.slots)) + c.stateBytes
}

func (c *wglCache) sameState(a, b any) bool {
	if c.equal != nil {
		return c.equal(a, b)
	}
	return a == b
}

func (c *wglCache) place(e int, mask uint64) {
	h := c.hashes[e]
	for i := h & mask; ; i = (i + 1) & mask {
		if c.slots[i] == 0 {
			c.slots[i] = uint64(e+1)<<32 | h>>32
			return
		}
	}
}

func (c *wglCache) grow() {
	c.slots = make([]uint64, 2*len(c.slots))
	mask := uint64(len(c.slots) - 1)
	for e := range c.states {
		c.place(e, mask)
	}
}
