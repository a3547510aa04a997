package checker

import (
	"time"

	"github.com/anishathalye/porcupine"
)

// observerSearch is wglSearch with one partial-order reduction: an
// observer — an operation whose step, wherever it is legal, leaves the
// state as it was (a read, a cas that failed) — that can be linearized
// next is linearized next, and no other choice is tried there.
//
// It loses no linearization. Let o be an observer that is a candidate at
// a configuration (no remaining operation returned before o was called)
// and legal in its state s, and let L be a linearization of the remaining
// operations from s that places o later, in state t. o is legal in t and
// leaves it unchanged, so L without o is a linearization too, with the
// same states; o put first is legal in s, leaves s, and breaks no
// real-time order (nothing remaining returned before its call). So the
// configuration linearizes iff the one with o linearized does, and when
// that one fails, so does this: the search backtracks past it.
//
// Every configuration it reaches is one wglSearch can reach, and it steps
// each candidate of a configuration at most once, as wglSearch does: on a
// history that does not linearize (wglSearch then expands every reachable
// configuration) it takes at most wglSearch's steps, and on one that does
// it stops at the first linearization, like wglSearch, usually much
// sooner. Its verdict is wglSearch's; its partial linearizations are not,
// so it runs without them (the explanation comes from wglSearch).
func observerSearch(pm porcupine.Model, observer func(in, out any) bool, entries wglByTime, n int, init any, cache *wglCache, b *wglBudget) bool {
	nodes := wglList(entries, n)
	step := pm.Step
	var lin wglSet
	lin.words = make([]uint64, (n+63)/64)
	lin.high = -1
	type frame struct {
		wglCall
		forced bool // an observer: the configuration below fails with it
	}
	var calls []frame
	state := init
	// fresh: the configuration was just reached, and its observers not
	// yet tried.
	fresh := true
	entry := nodes[0].next
	isObserver := func(k int32) bool { return observer(nodes[k].value, nodes[nodes[k].match].value) }
	// push linearizes call k (legal, leading to next); false if the
	// configuration it leads to was seen before.
	push := func(k int32, next any, forced bool) bool {
		id := uint(nodes[k].id)
		lin.set(id)
		if cache.addIfAbsent(&lin, next) {
			calls = append(calls, frame{wglCall{node: k, state: state}, forced})
			state = next
			wglLift(nodes, k)
			return true
		}
		lin.clear(id)
		return false
	}
	// backtrack undoes linearized calls until one whose configuration
	// has choices left, and returns the entry to try next there (-1:
	// nothing is left to try anywhere).
	backtrack := func() int32 {
		for len(calls) > 0 {
			top := calls[len(calls)-1]
			calls = calls[:len(calls)-1]
			state = top.state
			lin.clear(uint(nodes[top.node].id))
			wglUnlift(nodes, top.node)
			if !top.forced {
				return nodes[top.node].next
			}
		}
		return -1
	}
	for {
		if nodes[0].next == -1 {
			return true
		}
		b.iter++
		if b.iter%deadlineEvery == 0 && !b.deadline.IsZero() && time.Now().After(b.deadline) {
			b.wall = true
			return false
		}
		if b.memory > 0 && cache.bytes() > b.memory {
			b.mem, b.over = true, true
			return false
		}
		if fresh {
			fresh = false
			// Try the candidate observers first; a legal one is linearized
			// with no alternative.
			forced, failed := false, false
			for k := nodes[0].next; k != -1 && nodes[k].match >= 0; k = nodes[k].next {
				if !isObserver(k) {
					continue
				}
				if b.steps >= b.limit {
					b.over = true
					return false
				}
				b.steps++
				ok, next := step(state, nodes[k].value, nodes[nodes[k].match].value)
				if !ok {
					continue
				}
				forced = true
				if push(k, next, true) {
					fresh = true
				} else {
					failed = true // seen before: this configuration fails
				}
				break
			}
			if forced {
				if failed {
					if entry = backtrack(); entry == -1 {
						return false
					}
				} else {
					entry = nodes[0].next
				}
				continue
			}
			entry = nodes[0].next
		}
		if nodes[entry].match >= 0 {
			// A call. Observers were tried when this configuration was
			// reached: none is legal here.
			if isObserver(entry) {
				entry = nodes[entry].next
				continue
			}
			if b.steps >= b.limit {
				b.over = true
				return false
			}
			b.steps++
			e := &nodes[entry]
			ok, next := step(state, e.value, nodes[e.match].value)
			if ok && push(entry, next, false) {
				fresh = true
				continue
			}
			entry = nodes[entry].next
			continue
		}
		// A return: nothing before it can be linearized; backtrack.
		if entry = backtrack(); entry == -1 {
			return false
		}
	}
}

// observerCheck searches ops (one partition) with observerSearch, as
// wglCheck does with wglSearch, without partial linearizations.
func observerCheck(pm porcupine.Model, observer func(in, out any) bool, ops []porcupine.Operation, limit int64, deadline time.Time, memory memoryBound) wglOut {
	b := &wglBudget{limit: limit, deadline: deadline, memory: memory.bytes}
	cache := newWGLCache(len(ops), pm, memory.stateData)
	ok := observerSearch(pm, observer, wglEntries(ops), len(ops), pm.Init(), cache, b)
	return wglOut{ok: ok, over: b.over, wall: b.wall, mem: b.mem, steps: b.steps, states: int64(len(cache.states))}
}
