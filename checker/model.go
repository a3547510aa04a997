package checker

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/faultline/faultline/nodes"
)

// A Model is a sequential specification that histories are checked against
// for linearizability: a Porcupine model plus the translation of Faultline
// operations into its inputs and outputs. Build one with [RegisterModel],
// [KVModel] or [SetModel].
type Model struct {
	name string
	pm   porcupine.Model
	// newConverter returns a function that translates the operations of
	// one history (it may keep per-history state, such as an intern table).
	newConverter func() converter
	// partKey names the partition an input belongs to, for explanations.
	partKey func(in any) string
	// stateData is the bytes a state the search reached holds of its own
	// beyond its interface value — memory that the search's cache alone
	// keeps alive — which the memory bound counts for every state the
	// cache keeps (nil: none, as for states interned per history).
	stateData func(state any) int64
	// observer reports that an operation (its input and output) never
	// changes the state: wherever its step is legal, it returns the state
	// it was given (a read, a cas that failed). The search linearizes such
	// an operation as soon as it can, with no alternative (observerSearch;
	// nil: no operation is one).
	observer func(in, out any) bool
}

// Name is the model's name: "register", "kv" or "set".
func (m Model) Name() string { return m.name }

// Porcupine returns the underlying Porcupine model (with Partition, Hash
// and the Describe hooks set). Its inputs and outputs are the ones produced
// by [Model.Operations].
func (m Model) Porcupine() porcupine.Model { return m.pm }

// ModelByName returns the model called name ("register", "kv", "set").
func ModelByName(name string) (Model, bool) {
	switch name {
	case "register":
		return RegisterModel(), true
	case "kv":
		return KVModel(), true
	case "set":
		return SetModel(), true
	}
	return Model{}, false
}

// Operations converts h into Porcupine operations following Porcupine's
// semantics:
//   - Fail operations are dropped: they certainly did not happen.
//   - Info and Pending operations return at "+infinity" (after every
//     other event of the history) with an unknown output: the model
//     accepts any output but applies the effect, so the operation may
//     take effect at any point after its invocation, or never.
//   - A client whose operation was indeterminate continues under a fresh
//     Porcupine client id, as a Jepsen process does.
//
// Call and Return are virtual nanoseconds; intervals are closed, so
// operations that touch at an instant count as concurrent. Each
// operation's Metadata is its index in h.Ops.
func (m Model) Operations(h *History) ([]porcupine.Operation, error) {
	order := make([]int, len(h.Ops))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmpDur(h.Ops[a].Invoke, h.Ops[b].Invoke)
	})
	infinity := int64(h.End())
	if infinity < math.MaxInt64 {
		infinity++ // else the latest call shares the instant: still concurrent
	}
	// Each client has a current Porcupine id; an indeterminate operation
	// retires it and the client's next operation gets a fresh one.
	current := map[nodes.ID]int{}
	nextID := 0
	ops := make([]porcupine.Operation, 0, len(h.Ops))
	convert := m.newConverter()
	for _, i := range order {
		op := &h.Ops[i]
		if op.Outcome == nodes.Fail {
			continue
		}
		unknown := op.indeterminate()
		in, out, err := convert(op, unknown)
		if err != nil {
			return nil, fmt.Errorf("checker: %s: operation %d (%v): %w", m.name, i, op, err)
		}
		ret := int64(op.Return)
		if unknown {
			ret = infinity
		} else if op.Return < op.Invoke {
			return nil, fmt.Errorf("checker: %s: operation %d (%v) returns before it is invoked", m.name, i, op)
		}
		id, ok := current[op.Client]
		if !ok {
			id = nextID
			nextID++
			current[op.Client] = id
		}
		if unknown {
			delete(current, op.Client)
		}
		ops = append(ops, porcupine.Operation{
			ClientId: id,
			Input:    in,
			Call:     int64(op.Invoke),
			Output:   out,
			Return:   ret,
			Metadata: i,
		})
	}
	return ops, nil
}

// A converter translates one operation into a Porcupine input and output.
// unknown is set for indeterminate operations, whose output the model must
// accept whatever the state.
type converter func(op *Operation, unknown bool) (in, out any, err error)

func cmpDur[T ~int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fnv64 is FNV-1a over s, inlined so Hash does not allocate.
func fnv64(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const fnvOffset = 14695981039346656037

// partitionBy splits ops by key, partitions in sorted key order and ops in
// their original order within a partition, so that checks, explanations
// and visualizations are the same on every run.
func partitionBy(key func(in any) string) func([]porcupine.Operation) [][]porcupine.Operation {
	return func(history []porcupine.Operation) [][]porcupine.Operation {
		m := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := key(op.Input)
			m[k] = append(m[k], op)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = m[k]
		}
		return out
	}
}

func quoteOrNil(s string, exists bool) string {
	if !exists {
		return "nil"
	}
	return fmt.Sprintf("%q", s)
}

func describeMetadata(h *History) func(any) string {
	return func(md any) string {
		i, ok := md.(int)
		if !ok || h == nil || i < 0 || i >= len(h.Ops) {
			return ""
		}
		op := &h.Ops[i]
		s := fmt.Sprintf("%v %v", op.Client, op.Outcome)
		if op.Line > 0 {
			s += fmt.Sprintf(" (line %d)", op.Line)
		}
		return s
	}
}

// withHistory returns the Porcupine model with metadata described from h.
func (m Model) withHistory(h *History) porcupine.Model {
	pm := m.pm
	pm.DescribeOperationMetadata = describeMetadata(h)
	return pm
}

func unknownKind(kind nodes.OpKind, allowed ...nodes.OpKind) error {
	names := make([]string, len(allowed))
	for i, k := range allowed {
		names[i] = k.String()
	}
	return fmt.Errorf("unknown op %q for this model (want %s)", kind, strings.Join(names, ", "))
}

// onePartition keeps the whole history in one partition. (Porcupine does
// the same for a nil Partition; explain needs the function.)
func onePartition(history []porcupine.Operation) [][]porcupine.Operation {
	return [][]porcupine.Operation{history}
}
