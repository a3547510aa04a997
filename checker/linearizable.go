package checker

import (
	"errors"
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// Linearizable returns a checker that asks Porcupine whether the history is
// linearizable with respect to m, within Options.Steps model steps.
//
// Each partition (key) is searched on its own, in rounds of growing step
// budgets (see search), so the verdict — Valid, Invalid, or Unknown when
// the steps run out — and the partition blamed depend only on the history,
// never on the machine or its load. For an illegal partition Porcupine's
// verbose check runs on it alone; its partial linearizations feed the
// explanation and the HTML visualization (which shows that partition,
// with the nemesis windows). Options.Budget is only a wall-clock ceiling
// against a pathological model, and says so when it stops a check.
func Linearizable(m Model) Checker {
	return Func("linearizable("+m.name+")", func(h *History, opts Options) Result {
		return checkLinearizable(m, h, opts)
	})
}

// ErrBudget is the error of a check that ran out of its budget of model
// steps: the same history runs out the same way on any machine.
var ErrBudget = errors.New("checker: step budget exhausted")

// ErrWallClock is the error of a check stopped by the wall-clock ceiling
// (Options.Budget), a last resort whose outcome depends on the machine.
var ErrWallClock = errors.New("checker: wall-clock ceiling reached")

func checkLinearizable(m Model, h *History, opts Options) Result {
	deadline := time.Now().Add(opts.budget())
	steps := opts.steps()
	ops, err := m.Operations(h)
	if err != nil {
		return Result{Verdict: Unknown, Err: err, Explanation: err.Error()}
	}
	pm := m.withHistory(h)
	parts := [][]porcupine.Operation{ops}
	if pm.Partition != nil {
		parts = pm.Partition(ops)
	}
	memory := memoryBound{bytes: opts.memory(), stateData: m.stateData}
	// First the search with observers first (reduce.go), when the model
	// has observers: exact, and on histories that linearize many times
	// faster than Porcupine's order. What it proves Valid is Valid. A
	// history it finds illegal, or cannot decide, is searched again in
	// Porcupine's order, within a budget of its own as large again, so
	// that every verdict and explanation that search reaches is the one
	// it always gave.
	find := inOrder(pm)
	var first searchResult
	if m.observer != nil {
		find = observersFirst(pm, m.observer)
		first = search(find, false, parts, steps, deadline, opts.Workers, memory)
		if first.verdict == Valid {
			return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d operations linearize", len(ops))}
		}
	}
	sr := search(inOrder(pm), true, parts, steps, deadline, opts.Workers, memory)
	if sr.verdict == Unknown && first.verdict == Invalid {
		// Illegal, found only by the search with observers first (the
		// other ran out of steps, memory or time): certain, and
		// explained by a search in Porcupine's order below, which may
		// stop before it has seen every partial linearization.
		sr = first
	}
	switch sr.verdict {
	case Valid:
		return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d operations linearize", len(ops))}
	case Unknown:
		if sr.wall {
			return Result{Verdict: Unknown, Err: ErrWallClock,
				Explanation: fmt.Sprintf("no verdict: the wall-clock ceiling of %v stopped the search after %d model steps (%d operations, %d partitions, %d undecided); this depends on the machine — raise the ceiling",
					opts.budget(), first.steps+sr.steps, len(ops), len(parts), sr.undecided)}
		}
		// A partition either search decided is decided (both are exact;
		// neither found one illegal).
		open := sr.open
		if m.observer != nil && !first.wall {
			open = intersectSorted(open, first.open)
			if len(open) == 0 {
				return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d operations linearize", len(ops))}
			}
		}
		// The partitions out of budget may still be decided without
		// their indeterminate operations (indeterminate.go): proof of
		// Valid only, with a budget of its own as large again.
		r := decideReduced(find, h, parts, open, steps, deadline, memory)
		if r.open == 0 && !r.wall && len(open) > 0 {
			return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d operations linearize (%d of the %d partitions ran out of the budget of %d model steps and linearize without %d indeterminate operations, which then take effect last; %d model steps in all)",
				len(ops), r.decided, len(parts), steps, r.dropped, first.steps+sr.steps+r.steps)}
		}
		if sr.memory > 0 && sr.steps < steps {
			return Result{Verdict: Unknown, Err: ErrMemory, Explanation: memoryExplanation(opts.memory(), len(ops), len(parts), sr.memory, sr.memoryStates)}
		}
		return Result{Verdict: Unknown, Err: ErrBudget,
			Explanation: fmt.Sprintf("no verdict within the budget of %d model steps (%d operations, %d partitions, %d undecided); raise the step budget or shorten the history",
				steps, len(ops), len(parts), len(open))}
	}
	// Illegal: explain it from the longest partial linearization, which
	// the search recorded (one partition) or a second search of that
	// partition alone records, under a step budget of its own (the
	// verdict is already certain).
	res := Result{Verdict: Invalid}
	f := failure{ops: parts[sr.bad], longest: sr.longest, complete: true}
	if !sr.explained {
		o := wglCheck(pm, parts[sr.bad], steps, time.Now().Add(max(time.Until(deadline), time.Second)), true, memory)
		f.longest, f.complete = o.longest, !o.ok && !o.over && !o.wall && !o.mem
	}
	res.Explanation, res.Involved = explain(m, h, pm, f)
	if opts.VisualizationPath != "" {
		// Porcupine's own verbose search, for its visualization.
		c := &stepCounter{limit: steps, maxStates: memoryStates(opts.memory(), len(parts[sr.bad]))}
		_, info := porcupine.CheckOperationsVerbose(counted(pm, c), parts[sr.bad], max(time.Until(deadline), time.Second))
		info.AddAnnotations(annotations(h))
		if err := porcupine.VisualizePath(pm, info, opts.VisualizationPath); err != nil {
			res.Explanation += fmt.Sprintf("\n(could not write the visualization: %v)", err)
		} else {
			res.Visualization = opts.VisualizationPath
		}
	}
	return res
}

// intersectSorted is the partitions in both sorted lists.
func intersectSorted(a, b []int) []int {
	var out []int
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// annotations converts the history's annotations to Porcupine's, one row
// per node (or "nemesis" for cluster-wide events).
func annotations(h *History) []porcupine.Annotation {
	out := make([]porcupine.Annotation, 0, len(h.Annotations))
	for _, a := range h.Annotations {
		tag := a.Node
		if tag == "" {
			tag = "nemesis"
		}
		out = append(out, porcupine.Annotation{
			Tag:             tag,
			Start:           int64(a.Start),
			End:             int64(a.End),
			Description:     a.Text,
			Details:         fmt.Sprintf("%s [%v, %v]", a.Text, a.Start, a.End),
			BackgroundColor: "#fde2e2",
		})
	}
	return out
}
