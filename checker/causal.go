package checker

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// CausalName is the name of the causal consistency checker.
const CausalName = "causal"

// Causal returns the causal consistency checker for KV and register
// histories with unique values (the kv workload's, which name their
// writers).
//
// It builds happens-before from each client's program order and
// reads-from, across keys, and reports the first read (by return time)
// that misses its causal past: a read R of key k that does not reflect a
// write W of k although W happens before R, and the version R returned is
// the key's initial state or a write that happens before W (W overwrote
// it). Put as a cycle: R must be ordered before W, since it read what W
// overwrote, and W happens before R. The explanation lists that cycle, one
// operation a line, each step labelled program order or read from, along
// the shortest chains. A happens-before cycle by itself (a read of a write
// that causally follows it) is a violation too.
//
// Program order is the order in which a client invoked its operations,
// overlapping or not (the kv clients send one request at a time, in that
// order, each with the session context of the ones before). It links an
// operation to the client's later ones only if it ended OK: an
// indeterminate write (info) may have taken effect, so the
// reads that saw it follow it, but the client's later operations do not
// (it never learned the write happened; as Porcupine does, the checker
// runs them as if on a fresh process). Failed operations took no effect and
// are left out. Concurrent writes may be seen in either order: the checker
// needs no write-write order from the store, only the writes a read's
// version builds on. Histories whose values do not name their writers are
// Unknown, as is one too large for the time budget.
func Causal() Checker {
	return Func(CausalName, func(h *History, opts Options) Result { return checkCausal(h, opts) })
}

// causalEdge labels a happens-before step.
type causalEdge uint8

const (
	edgeProgram  causalEdge = iota + 1 // the same client's next operation
	edgeReadFrom                       // a write, to a read that reflects it
)

// causalGraph is happens-before over a history's effective operations.
type causalGraph struct {
	h     *History
	v     *versions
	ops   []int          // graph node → index in h.Ops
	node  map[int]int    // index in h.Ops → graph node
	succ  [][]causalStep // out-edges
	pred  [][]causalStep // in-edges
	dim   []int          // the vector entry that counts the node
	pos   []int32        // its count in that entry
	width int
	vc    [][]int32 // per node, its causal past as a vector clock
}

type causalStep struct {
	to   int
	kind causalEdge
}

func (g *causalGraph) edge(a, b int, k causalEdge) {
	g.succ[a] = append(g.succ[a], causalStep{b, k})
	g.pred[b] = append(g.pred[b], causalStep{a, k})
}

// before reports a →hb b (or a == b).
func (g *causalGraph) before(a, b int) bool { return g.vc[b][g.dim[a]] >= g.pos[a] }

// maxCausalCells bounds the vector clocks (nodes × entries) the check
// builds; beyond it the verdict is Unknown.
const maxCausalCells = 64 << 20

func checkCausal(h *History, opts Options) Result {
	start := time.Now()
	res := Result{Name: CausalName}
	v := analyze(h)
	if !v.unique {
		res.Explanation = fmt.Sprintf("key %q has two writes of the same value: reads cannot tell which write they saw (use unique values)", v.dupeKey)
		return res
	}
	if r, ok := v.thinAirResult(CausalName); ok {
		return r
	}
	g := &causalGraph{h: h, v: v, node: map[int]int{}}
	// The effective operations, per client in invocation order.
	byClient := map[nodes.ID][]int{}
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Outcome == nodes.Fail || (op.indeterminate() && !isWrite(op)) {
			continue
		}
		g.node[i] = len(g.ops)
		g.ops = append(g.ops, i)
		byClient[op.Client] = append(byClient[op.Client], i)
	}
	n := len(g.ops)
	g.succ, g.pred = make([][]causalStep, n), make([][]causalStep, n)
	g.dim, g.pos = make([]int, n), make([]int32, n)
	clients := slices.Sorted(func(yield func(nodes.ID) bool) {
		for c := range byClient { //faultline:orderless collecting keys to sort
			if !yield(c) {
				return
			}
		}
	})
	for ci, c := range clients {
		ops := byClient[c]
		slices.SortStableFunc(ops, func(a, b int) int { return cmpDur(h.Ops[a].Invoke, h.Ops[b].Invoke) })
		prev := -1 // the client's last OK operation
		var okN int32
		for _, i := range ops {
			op := &h.Ops[i]
			u := g.node[i]
			if prev >= 0 {
				g.edge(g.node[prev], u, edgeProgram)
			}
			if op.Outcome == nodes.OK {
				okN++
				g.dim[u], g.pos[u] = ci, okN
				prev = i
			} else {
				g.dim[u], g.pos[u] = -1, 1 // an entry of its own, if anyone reads it
			}
		}
	}
	g.width = len(clients)
	for u, i := range g.ops {
		op := &h.Ops[i]
		if !okRead(op) {
			continue
		}
		seen := map[int]bool{}
		for _, ver := range v.read(op) {
			for _, w := range ver.order {
				if wu, ok := g.node[w]; ok && !seen[w] && w != i {
					seen[w] = true
					g.edge(wu, u, edgeReadFrom)
					if g.dim[wu] < 0 {
						g.dim[wu] = g.width
						g.width++
					}
				}
			}
		}
	}
	for u := range g.dim {
		if g.dim[u] < 0 { // an indeterminate write nobody read: in nobody's past
			g.dim[u] = g.width
			g.width++
			g.pos[u] = 1
		}
	}
	if int64(n)*int64(g.width) > maxCausalCells {
		res.Err = ErrBudget
		res.Explanation = fmt.Sprintf("history too large for the causal check: %d operations × %d clock entries", n, g.width)
		return res
	}
	order, cycle := g.topological()
	if cycle != nil {
		res.Verdict = Invalid
		res.Explanation, res.Involved = g.explainCycle(cycle)
		return res
	}
	g.vc = make([][]int32, n)
	for _, u := range order {
		vc := make([]int32, g.width)
		for _, p := range g.pred[u] {
			for d, x := range g.vc[p.to] {
				vc[d] = max(vc[d], x)
			}
		}
		vc[g.dim[u]] = max(vc[g.dim[u]], g.pos[u])
		g.vc[u] = vc
	}
	budget := opts.budget()
	// Per key, the effective writes.
	writes := map[string][]int{}
	for u, i := range g.ops {
		if op := &h.Ops[i]; isWrite(op) && !(op.Kind == nodes.OpCAS && op.Outcome == nodes.OK && op.Output == "false") {
			writes[h.Ops[i].Key] = append(writes[h.Ops[i].Key], u)
		}
	}
	type finding struct{ read, missed, base int } // graph nodes; base -1: the initial state
	var first *finding
	reads := 0
	for u, i := range g.ops {
		op := &h.Ops[i]
		if !okRead(op) {
			continue
		}
		reads++
		if reads%1024 == 0 && time.Since(start) > budget {
			res.Err = ErrWallClock
			res.Explanation = fmt.Sprintf("no verdict: the wall-clock ceiling of %v stopped the check after %d reads; this depends on the machine — raise the ceiling", budget, reads)
			return res
		}
		vers := v.read(op)
		for _, w := range writes[op.Key] {
			if !g.before(w, u) {
				continue
			}
			base, missed := g.misses(vers, w)
			if !missed {
				continue
			}
			if first == nil || op.Return < h.Ops[g.ops[first.read]].Return {
				first = &finding{read: u, missed: w, base: base}
			}
			break
		}
	}
	if first == nil {
		res.Verdict = Valid
		res.Explanation = fmt.Sprintf("%d reads reflect their causal past (%d operations, %d clients)", reads, n, len(clients))
		return res
	}
	res.Verdict = Invalid
	res.Explanation, res.Involved = g.explainMiss(first.read, first.base, writes[h.Ops[g.ops[first.read]].Key])
	return res
}

// misses reports whether a read with these versions misses write w (a
// graph node) of its key: no version reflects w, and each builds on the
// initial state or on a write that happens before w. It returns the first
// version's base (a graph node, or -1).
func (g *causalGraph) misses(vers []version, w int) (int, bool) {
	wi := g.ops[w]
	base := -1
	for k, ver := range vers {
		if ver.writes[wi] {
			return 0, false
		}
		b := -1
		if ver.base >= 0 {
			bu, ok := g.node[ver.base]
			if !ok {
				return 0, false
			}
			b = bu
		}
		if b >= 0 && !g.before(b, w) {
			return 0, false // concurrent with w (or after it): either order is causal
		}
		if k == 0 {
			base = b
		}
	}
	return base, true
}

// topological orders the graph's nodes so that every edge goes forward,
// or returns a cycle (nodes in edge order).
func (g *causalGraph) topological() (order, cycle []int) {
	n := len(g.ops)
	in := make([]int, n)
	for u := range n {
		in[u] = len(g.pred[u])
	}
	queue := make([]int, 0, n)
	for u := range n {
		if in[u] == 0 {
			queue = append(queue, u)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		order = append(order, u)
		for _, s := range g.succ[u] {
			if in[s.to]--; in[s.to] == 0 {
				queue = append(queue, s.to)
			}
		}
	}
	if len(order) == n {
		return order, nil
	}
	// Walk back along unordered predecessors until a node repeats: every
	// node left has one (it is on or behind a cycle).
	left := func(u int) bool { return in[u] > 0 }
	u := -1
	for x := range n {
		if left(x) {
			u = x
			break
		}
	}
	at := map[int]int{}
	var walk []int
	for {
		if k, ok := at[u]; ok {
			cycle = slices.Clone(walk[k:])
			slices.Reverse(cycle)
			return nil, cycle
		}
		at[u] = len(walk)
		walk = append(walk, u)
		for _, p := range g.pred[u] {
			if left(p.to) {
				u = p.to
				break
			}
		}
	}
}

// path returns the shortest chain of steps from a to b (both graph
// nodes), or nil if b is not reachable.
func (g *causalGraph) path(a, b int) []causalStep {
	prev := make(map[int]causalStep, 64)
	prev[a] = causalStep{to: -1}
	queue := []int{a}
	for len(queue) > 0 && b != a {
		u := queue[0]
		queue = queue[1:]
		for _, s := range g.succ[u] {
			if _, ok := prev[s.to]; ok || !g.before(s.to, b) {
				continue
			}
			prev[s.to] = causalStep{to: u, kind: s.kind}
			if s.to == b {
				queue = nil
				break
			}
			queue = append(queue, s.to)
		}
	}
	if _, ok := prev[b]; !ok {
		return nil
	}
	var steps []causalStep
	for u := b; u != a; u = prev[u].to {
		steps = append(steps, causalStep{to: u, kind: prev[u].kind})
	}
	slices.Reverse(steps)
	return steps
}

// distances returns the length of the shortest chain from a to every
// node (-1: unreachable); backward follows edges the other way.
func (g *causalGraph) distances(a int, backward bool) []int {
	d := make([]int, len(g.ops))
	for i := range d {
		d[i] = -1
	}
	d[a] = 0
	queue := []int{a}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		next := g.succ[u]
		if backward {
			next = g.pred[u]
		}
		for _, s := range next {
			if d[s.to] < 0 {
				d[s.to] = d[u] + 1
				queue = append(queue, s.to)
			}
		}
	}
	return d
}

func (g *causalGraph) label(s causalStep, from int) string {
	if s.kind == edgeReadFrom {
		return "read by"
	}
	return fmt.Sprintf("then (%v's program order)", g.h.Ops[g.ops[from]].Client)
}

// explainMiss renders the shortest cycle behind a read that misses its
// causal past: the write it read (if any) → … → the write that overwrote
// it → … → the read.
func (g *causalGraph) explainMiss(read, base int, keyWrites []int) (string, []int) {
	h := g.h
	rop := &h.Ops[g.ops[read]]
	// The overwriting write with the shortest cycle through it.
	toRead := g.distances(read, true)
	var fromBase []int
	if base >= 0 {
		fromBase = g.distances(base, false)
	}
	best, bestLen := -1, 0
	vers := g.v.read(rop)
	for _, w := range keyWrites {
		if toRead[w] < 0 || !g.before(w, read) {
			continue
		}
		if _, missed := g.misses(vers, w); !missed {
			continue
		}
		l := toRead[w]
		if base >= 0 {
			if fromBase[w] < 0 {
				continue
			}
			l += fromBase[w]
		}
		if best < 0 || l < bestLen {
			best, bestLen = w, l
		}
	}
	var b strings.Builder
	var involved []int
	line := func(u int, how string) {
		involved = append(involved, g.ops[u])
		fmt.Fprintf(&b, "\n  %-28s %s", how, h.Ops[g.ops[u]].String())
		if u == best && base >= 0 {
			b.WriteString("  <- overwrites it")
		}
	}
	key := fmt.Sprintf("%q", rop.Key)
	if base >= 0 {
		fmt.Fprintf(&b, "%s returned %s's value, overwritten by a write in its causal past (a cycle of %d operations):",
			rop.String(), shortOp(&h.Ops[g.ops[base]]), bestLen+1)
		line(base, "the write it read")
		prev := base
		for _, s := range g.path(base, best) {
			line(s.to, g.label(s, prev))
			prev = s.to
		}
	} else {
		fmt.Fprintf(&b, "%s returned the initial state of %s, though a write of it is in its causal past (a chain of %d operations):",
			rop.String(), key, bestLen+1)
		line(best, "the write it missed")
	}
	prev := best
	for _, s := range g.path(best, read) {
		line(s.to, g.label(s, prev))
		prev = s.to
	}
	fmt.Fprintf(&b, "\n  so the read must come before %s (it did not see it) and after it (causally): no causal order exists", shortOp(&h.Ops[g.ops[best]]))
	return b.String(), involved
}

// explainCycle renders a happens-before cycle.
func (g *causalGraph) explainCycle(cycle []int) (string, []int) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d operations form a happens-before cycle (a read returned a write that causally follows it):", len(cycle))
	var involved []int
	for k, u := range cycle {
		how := "start"
		if k > 0 {
			how = g.labelBetween(cycle[k-1], u)
		}
		involved = append(involved, g.ops[u])
		fmt.Fprintf(&b, "\n  %-28s %s", how, g.h.Ops[g.ops[u]].String())
	}
	fmt.Fprintf(&b, "\n  %-28s %s", g.labelBetween(cycle[len(cycle)-1], cycle[0]), g.h.Ops[g.ops[cycle[0]]].String())
	return b.String(), involved
}

func (g *causalGraph) labelBetween(a, b int) string {
	for _, s := range g.succ[a] {
		if s.to == b {
			return g.label(causalStep{to: b, kind: s.kind}, a)
		}
	}
	return "?"
}

// shortOp names an operation briefly: c1 put("k1", "c1-2").
func shortOp(op *Operation) string {
	s := op.String()
	if i := strings.LastIndex(s, " ["); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, " ok"), " info"), " pending")
}
