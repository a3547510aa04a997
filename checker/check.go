package checker

import "github.com/faultline/faultline/nodes"

// InferModel returns h.Model if set, and otherwise guesses the model from
// the operation kinds: "set" if there are adds, "kv" if any operation has a
// key or is a get, put or append, "register" if there are reads, writes or
// cases, and "" if none applies (e.g. only generate operations).
func InferModel(h *History) string {
	if h.Model != "" {
		return h.Model
	}
	kinds := map[nodes.OpKind]bool{}
	keyed := false
	for i := range h.Ops {
		kinds[h.Ops[i].Kind] = true
		keyed = keyed || h.Ops[i].Key != ""
	}
	switch {
	case kinds[OpAdd]:
		return "set"
	case keyed || kinds[nodes.OpGet] || kinds[nodes.OpPut] || kinds[nodes.OpAppend]:
		return "kv"
	case kinds[nodes.OpRead] || kinds[nodes.OpWrite] || kinds[nodes.OpCAS]:
		return "register"
	}
	return ""
}

// Default returns the checkers that apply to h: linearizability against
// its model (InferModel), plus no-lost-writes for a set, and unique IDs if
// it has generate operations. A history with no model and no generate
// operations gets a checker that returns Unknown; an empty history is
// trivially Valid.
func Default(h *History) Checker {
	if len(h.Ops) == 0 {
		return Func("empty", func(*History, Options) Result {
			return Result{Verdict: Valid, Explanation: "no operations"}
		})
	}
	var cs []Checker
	model := InferModel(h)
	if m, ok := ModelByName(model); ok {
		cs = append(cs, Linearizable(m))
	} else if model != "" {
		cs = append(cs, Func("model", func(*History, Options) Result {
			return Result{Verdict: Unknown, Explanation: "unknown model " + model}
		}))
	}
	if model == "set" {
		cs = append(cs, NoLostWrites())
	}
	for i := range h.Ops {
		if h.Ops[i].Kind == OpGenerate {
			cs = append(cs, UniqueIDs())
			break
		}
	}
	if len(cs) == 0 {
		return Func("default", func(*History, Options) Result {
			return Result{Verdict: Unknown, Explanation: "no checker applies: the history names no model and its operations imply none"}
		})
	}
	if len(cs) == 1 {
		return cs[0]
	}
	return All("checks", cs...)
}

// Check runs the Default checkers on h. It never panics.
func Check(h *History, opts Options) Result {
	return Run(Default(h), h, opts)
}
