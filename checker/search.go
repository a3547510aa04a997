package checker

import (
	"slices"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// DefaultSteps is a linearizability check's search budget when
// Options.Steps is zero: model steps, summed over the partitions (keys).
// A step is one call of the model's step function, about 50–150 ns and a
// few dozen bytes of Porcupine's cache, so the default is a few seconds
// and at most a few GB in the worst case.
const DefaultSteps = 50_000_000

// firstSliceSteps is the step budget of a partition's first round (see
// search).
const firstSliceSteps = 100_000

// A stepCounter stops a search after limit model steps: from then on every
// step fails, so Porcupine's search unwinds at once, and its answer —
// Illegal, for want of a step that succeeds — is known not to count.
type stepCounter struct {
	n, limit int64
	over     bool
	// states counts the steps that succeeded (each may add a search
	// state to Porcupine's cache); past maxStates (0: no bound) every
	// step fails too, and mem says so.
	states, maxStates int64
	mem               bool
}

// counted returns pm, for one partition, with its steps counted by c.
func counted(pm porcupine.Model, c *stepCounter) porcupine.Model {
	step := pm.Step
	pm.Partition, pm.PartitionEvent, pm.StepContext = onePartition, nil, nil
	pm.Step = func(state, input, output any) (bool, any) {
		c.n++
		if c.n > c.limit || c.mem {
			c.over = true
			return false, state
		}
		ok, next := step(state, input, output)
		if ok && c.maxStates > 0 {
			if c.states++; c.states > c.maxStates {
				c.mem, c.over = true, true
				return false, state
			}
		}
		return ok, next
	}
	return pm
}

// searchResult is what the search of every partition concluded.
type searchResult struct {
	verdict Verdict
	// bad is the illegal partition (Invalid), undecided the partitions
	// that ran out of steps (Unknown).
	bad       int
	undecided int
	steps     int64 // model steps taken, over every partition
	wall      bool  // stopped by the wall-clock ceiling (Unknown)
	// memory: partitions stopped by the memory bound (Unknown unless
	// another is illegal), and the most search states one of them held.
	memory       int
	memoryStates int64
	// explained reports that longest, the explanation's partial
	// linearization of the illegal partition, came with the verdict.
	explained bool
	longest   []int
	// open lists the undecided partitions (Unknown from the step
	// budget or the memory bound), in partition order.
	open []int
}

// A partSearch searches one partition within limit model steps; with
// partial, it also records the explanation's longest partial
// linearization (wglOut.longest).
type partSearch func(ops []porcupine.Operation, limit int64, deadline time.Time, partial bool, memory memoryBound) wglOut

// inOrder is the search in Porcupine's order (wglCheck), which records
// partial linearizations.
func inOrder(pm porcupine.Model) partSearch {
	return func(ops []porcupine.Operation, limit int64, deadline time.Time, partial bool, memory memoryBound) wglOut {
		return wglCheck(pm, ops, limit, deadline, partial, memory)
	}
}

// observersFirst is observerSearch (reduce.go), which records none.
func observersFirst(pm porcupine.Model, observer func(in, out any) bool) partSearch {
	return func(ops []porcupine.Operation, limit int64, deadline time.Time, _ bool, memory memoryBound) wglOut {
		return observerCheck(pm, observer, ops, limit, deadline, memory)
	}
}

// search decides each partition of parts with find within a budget of
// steps model steps in total; explains says find records the
// explanation's partial linearization. A fast partition should not wait behind a slow one, so
// partitions are searched in rounds: every undecided partition gets
// firstSliceSteps, then four times more, and so on, each round's search
// starting afresh; the first partition (in order) found illegal in the
// earliest round is the one reported. Everything depends only on the
// history, never on the machine: the same history gets the same verdict,
// the same failing partition and the same explanation anywhere. The
// wall-clock deadline is a last resort against a pathological model,
// reported as such.
func search(find partSearch, explains bool, parts [][]porcupine.Operation, steps int64, deadline time.Time, workers int, memory memoryBound) searchResult {
	res := searchResult{bad: -1}
	pending := make([]int, len(parts))
	for p := range pending {
		pending[p] = p
	}
	for slice := int64(firstSliceSteps); len(pending) > 0; slice *= 4 {
		// Each pending partition's cap for this round, in order: what is
		// left of the budget is handed out before any search runs, so the
		// caps — and with them every outcome — do not depend on how the
		// searches are scheduled.
		caps := make([]int64, len(pending))
		left := steps - res.steps
		for i := range pending {
			caps[i] = max(min(slice, left), 0)
			left -= caps[i]
		}
		outs := make([]roundOut, len(pending))
		runRound(find, explains && len(parts) == 1, parts, pending, caps, deadline, workers, memory, outs)
		var undecided []int
		for i, p := range pending {
			o := outs[i]
			res.steps += o.steps
			switch {
			case o.wall:
				res.verdict, res.wall, res.undecided = Unknown, true, len(pending)
				return res
			case o.illegal:
				res.verdict, res.bad = Invalid, p
				res.explained, res.longest = o.explained, o.longest
				return res
			case o.mem:
				// A larger step cap would hold the same states again:
				// the partition stays undecided, the others go on.
				res.memory++
				res.memoryStates = max(res.memoryStates, o.states)
				res.open = append(res.open, p)
			case !o.ok:
				undecided = append(undecided, p)
			}
		}
		if len(undecided) > 0 && res.steps >= steps {
			res.verdict, res.undecided = Unknown, len(undecided)+res.memory
			res.open = append(res.open, undecided...)
			slices.Sort(res.open)
			return res
		}
		pending = undecided
	}
	res.verdict = Valid
	if res.memory > 0 {
		res.verdict, res.undecided = Unknown, res.memory
		slices.Sort(res.open)
	}
	return res
}

// roundOut is one partition's search in one round.
type roundOut struct {
	steps       int64
	ok, illegal bool // decided: linearizable, or certainly not
	wall        bool // stopped by the wall-clock ceiling
	mem         bool // stopped by the memory bound, holding states
	states      int64
	explained   bool // longest is the explanation's partial linearization
	longest     []int
}

// runRound searches pending partitions with find, each within its cap, on
// up to workers goroutines (each search is independent: the outcome of one
// never depends on the others, so neither do the results). With partial
// (a history of one partition, searched in Porcupine's order) the search
// records the explanation's partial linearization (cheap: see
// wglPartial), so that an illegal one is not searched again to explain
// it; otherwise only the illegal partition is searched again.
func runRound(find partSearch, partial bool, parts [][]porcupine.Operation, pending []int, caps []int64, deadline time.Time, workers int, memory memoryBound, outs []roundOut) {
	one := func(i int) {
		if caps[i] <= 0 {
			return // the budget was spent before this partition's turn
		}
		if !time.Now().Before(deadline) {
			outs[i].wall = true
			return
		}
		o := find(parts[pending[i]], caps[i], deadline, partial, memory)
		outs[i] = roundOut{steps: o.steps, ok: o.ok, illegal: !o.ok && !o.over && !o.wall, wall: o.wall,
			mem: o.mem, states: o.states, explained: partial, longest: o.longest}
	}
	if workers <= 1 || len(pending) == 1 {
		for i := range pending {
			one(i)
			if outs[i].illegal || outs[i].wall {
				return // decided: later partitions do not change the verdict
			}
		}
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(pending)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				one(i)
			}
		}()
	}
	for i := range pending {
		next <- i
	}
	close(next)
	wg.Wait()
}
