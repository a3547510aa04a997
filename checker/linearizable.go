package checker

import (
	"errors"
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// Linearizable returns a checker that asks Porcupine whether the history is
// linearizable with respect to m, within Options.Budget.
//
// A plain check decides (Ok → Valid, timeout → Unknown, Illegal →
// Invalid). Only for an illegal history does a second step run, with the
// rest of the budget (at least a tenth of it): find a partition (key) that
// fails on its own and run Porcupine's verbose check on it, whose partial
// linearizations feed the explanation and the HTML visualization (which
// shows that partition, with the nemesis windows). The verdict stays
// Invalid even if that step runs out of time: the first check proved it.
func Linearizable(m Model) Checker {
	return Func("linearizable("+m.name+")", func(h *History, opts Options) Result {
		return checkLinearizable(m, h, opts)
	})
}

// ErrBudget is the error of a check that ran out of its time budget.
var ErrBudget = errors.New("checker: time budget exhausted")

func checkLinearizable(m Model, h *History, opts Options) Result {
	start := time.Now()
	budget := opts.budget()
	ops, err := m.Operations(h)
	if err != nil {
		return Result{Verdict: Unknown, Err: err, Explanation: err.Error()}
	}
	pm := m.withHistory(h)
	switch porcupine.CheckOperationsTimeout(pm, ops, budget) {
	case porcupine.Ok:
		return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d operations linearize", len(ops))}
	case porcupine.Unknown:
		return Result{
			Verdict: Unknown,
			Err:     ErrBudget,
			Explanation: fmt.Sprintf("no verdict within the %v budget (%d operations, %d partitions); raise the budget or shorten the history",
				budget, len(ops), len(pm.Partition(ops))),
		}
	}
	// Illegal: explain it with what is left of the budget (at least a
	// tenth of it: the verdict is already certain).
	deadline := start.Add(max(budget, time.Since(start)+budget/10))
	res := Result{Verdict: Invalid}
	f, found := findFailure(pm, ops, deadline)
	if !found {
		res.Explanation = "not linearizable (the budget ran out before the failing partition was found)"
		return res
	}
	res.Explanation, res.Involved = explain(m, h, pm, f)
	info := f.info
	if opts.VisualizationPath != "" {
		info.AddAnnotations(annotations(h))
		if err := porcupine.VisualizePath(pm, info, opts.VisualizationPath); err != nil {
			res.Explanation += fmt.Sprintf("\n(could not write the visualization: %v)", err)
		} else {
			res.Visualization = opts.VisualizationPath
		}
	}
	return res
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
