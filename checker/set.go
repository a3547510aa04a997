package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/faultline/faultline/nodes"
)

// The set model: a set of strings, initially empty, with "add" (Value is
// the element) and "read" (Output lists the elements, separated by commas,
// in any order; "" is the empty set). Elements must not contain commas.

type setInput struct {
	add  bool
	elem string
}

type setOutput struct {
	elems   string // canonical: sorted, deduplicated, comma-joined
	unknown bool
}

// SetModel returns the linearizable-set model (add, read).
func SetModel() Model {
	return Model{
		name:         "set",
		newConverter: func() converter { return convertSet },
		partKey:      func(any) string { return "" },
		observer:     func(in, _ any) bool { return !in.(setInput).add },
		// An add's state is a new string of the whole set, boxed (a
		// 16-byte header) when the cache keeps it.
		stateData: func(state any) int64 {
			if st := state.(string); st != "" {
				return 16 + int64(len(st))
			}
			return 0
		},
		pm: porcupine.Model{
			Partition: onePartition,
			Init:      func() any { return "" },
			Step: func(state, input, output any) (bool, any) {
				st := state.(string)
				in := input.(setInput)
				out := output.(setOutput)
				if !in.add {
					return out.unknown || out.elems == st, state
				}
				return true, setInsert(st, in.elem)
			},
			Hash: func(state any) uint64 { return fnv64(fnvOffset, state.(string)) },
			DescribeOperation: func(input, output any) string {
				in := input.(setInput)
				out := output.(setOutput)
				if in.add {
					return fmt.Sprintf("add(%q)", in.elem)
				}
				if out.unknown {
					return "read() -> ?"
				}
				return "read() -> {" + out.elems + "}"
			},
			DescribeState: func(state any) string { return "{" + state.(string) + "}" },
		},
	}
}

// SplitSet parses a set read's Output ("a,b,c") into its elements, sorted
// and deduplicated.
func SplitSet(s string) []string {
	if s == "" {
		return nil
	}
	elems := strings.Split(s, ",")
	slices.Sort(elems)
	return slices.Compact(elems)
}

func setInsert(st, elem string) string {
	elems := SplitSet(st)
	i, found := slices.BinarySearch(elems, elem)
	if found {
		return st
	}
	return strings.Join(slices.Insert(elems, i, elem), ",")
}

func convertSet(op *Operation, unknown bool) (any, any, error) {
	switch op.Kind {
	case OpAdd:
		if strings.Contains(op.Value, ",") {
			return nil, nil, fmt.Errorf("set element %q contains a comma", op.Value)
		}
		return setInput{add: true, elem: op.Value}, setOutput{unknown: unknown}, nil
	case nodes.OpRead:
		out := setOutput{unknown: unknown}
		if !unknown {
			out.elems = strings.Join(SplitSet(op.Output), ",")
		}
		return setInput{}, out, nil
	}
	return nil, nil, unknownKind(op.Kind, OpAdd, nodes.OpRead)
}
