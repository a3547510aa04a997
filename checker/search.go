package checker

import (
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
}

// counted returns pm, for one partition, with its steps counted by c.
func counted(pm porcupine.Model, c *stepCounter) porcupine.Model {
	step := pm.Step
	pm.Partition, pm.PartitionEvent, pm.StepContext = onePartition, nil, nil
	pm.Step = func(state, input, output any) (bool, any) {
		c.n++
		if c.n > c.limit {
			c.over = true
			return false, state
		}
		return step(state, input, output)
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
}

// search decides each partition of parts within a budget of steps model
// steps in total. A fast partition should not wait behind a slow one, so
// partitions are searched in rounds: every undecided partition gets
// firstSliceSteps, then four times more, and so on, each round's search
// starting afresh; the first partition (in order) found illegal in the
// earliest round is the one reported. Everything depends only on the
// history, never on the machine: the same history gets the same verdict,
// the same failing partition and the same explanation anywhere. The
// wall-clock deadline is a last resort against a pathological model,
// reported as such.
func search(pm porcupine.Model, parts [][]porcupine.Operation, steps int64, deadline time.Time) searchResult {
	res := searchResult{bad: -1}
	pending := make([]int, len(parts))
	for p := range pending {
		pending[p] = p
	}
	for slice := int64(firstSliceSteps); len(pending) > 0; slice *= 4 {
		var undecided []int
		for _, p := range pending {
			left := steps - res.steps
			if left <= 0 {
				undecided = append(undecided, p)
				continue
			}
			wall := time.Until(deadline)
			if wall <= 0 {
				res.verdict, res.wall, res.undecided = Unknown, true, len(pending)
				return res
			}
			c := &stepCounter{limit: min(slice, left)}
			out := porcupine.CheckOperationsTimeout(counted(pm, c), parts[p], wall)
			res.steps += min(c.n, c.limit)
			switch {
			case out == porcupine.Unknown:
				res.verdict, res.wall, res.undecided = Unknown, true, len(pending)
				return res
			case out == porcupine.Illegal && !c.over:
				res.verdict, res.bad = Invalid, p
				return res
			case c.over:
				undecided = append(undecided, p)
			}
		}
		if len(undecided) > 0 && res.steps >= steps {
			res.verdict, res.undecided = Unknown, len(undecided)
			return res
		}
		pending = undecided
	}
	res.verdict = Valid
	return res
}
