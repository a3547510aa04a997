package checker

import (
	"fmt"

	"github.com/anishathalye/porcupine"
	"github.com/faultline/faultline/nodes"
)

// The KV model: a map from string keys to string values with get, put,
// append and compare-and-set, partitioned by key (a history is
// linearizable iff each key's sub-history is). A missing key reads as the
// empty string, as in Porcupine's own KV model; Exists is ignored. Kinds:
// "get" (or "read"), "put" (or "write"), "append", "cas" (Output "false"
// means the compare failed).

type kvOp uint8

const (
	kvGet kvOp = iota
	kvPut
	kvAppend
	kvCas
)

type kvInput struct {
	op                 kvOp
	key, value, expect string
	expectHash         uint64 // fnv64 of expect
	next               any    // a put's or cas's next state, built once
}

type kvOutput struct {
	value     string
	valueHash uint64 // fnv64 of value
	ok        bool   // cas swapped
	unknown   bool
}

// KVModel returns the multi-key KV model (get, put, append, cas),
// partitioned by key in sorted key order. Its per-partition state is the
// key's value.
func KVModel() Model {
	key := func(in any) string { return in.(*kvInput).key }
	return Model{
		name:         "kv",
		newConverter: newKVConverter,
		partKey:      key,
		stateData:    func(state any) int64 { return state.(*kvState).ownBytes() },
		observer: func(in, out any) bool {
			op := in.(*kvInput).op
			return op == kvGet || op == kvCas && !out.(*kvOutput).unknown && !out.(*kvOutput).ok
		},
		pm: porcupine.Model{
			Partition: partitionBy(key),
			Init:      func() any { return kvEmpty },
			// Step returns the state interface it was given when the state
			// does not change, and states built once per operation for
			// puts and cases: this is the hot loop.
			Step: func(state, input, output any) (bool, any) {
				st := state.(*kvState)
				in := input.(*kvInput)
				out := output.(*kvOutput)
				switch in.op {
				case kvGet:
					return out.unknown || st.is(out.value, out.valueHash), state
				case kvPut:
					return true, in.next
				case kvAppend:
					return true, appendKV(st, in.value)
				default:
					if st.is(in.expect, in.expectHash) {
						return out.unknown || out.ok, in.next
					}
					return out.unknown || !out.ok, state
				}
			},
			Hash:  func(state any) uint64 { return state.(*kvState).hash },
			Equal: func(a, b any) bool { return a.(*kvState).equal(b.(*kvState)) },
			DescribeOperation: func(input, output any) string {
				in := input.(*kvInput)
				out := output.(*kvOutput)
				switch in.op {
				case kvGet:
					if out.unknown {
						return fmt.Sprintf("get(%q) -> ?", in.key)
					}
					return fmt.Sprintf("get(%q) -> %q", in.key, out.value)
				case kvPut, kvAppend:
					name := nodes.OpPut
					if in.op == kvAppend {
						name = nodes.OpAppend
					}
					s := fmt.Sprintf("%s(%q, %q)", name, in.key, in.value)
					if out.unknown {
						s += " ?"
					}
					return s
				default:
					res := "false"
					switch {
					case out.unknown:
						res = "?"
					case out.ok:
						res = "true"
					}
					return fmt.Sprintf("cas(%q, %q, %q) -> %s", in.key, in.expect, in.value, res)
				}
			},
			DescribeState: func(state any) string { return fmt.Sprintf("%q", state.(*kvState).String()) },
		},
	}
}

// newKVConverter converts operations into pointers to inputs and outputs
// allocated in slabs: one allocation per 1024 operations instead of two
// per operation.
func newKVConverter() converter {
	var ins []kvInput
	var outs []kvOutput
	return func(op *Operation, unknown bool) (any, any, error) {
		if len(ins) == 0 {
			ins, outs = make([]kvInput, 1024), make([]kvOutput, 1024)
		}
		in, out := &ins[0], &outs[0]
		ins, outs = ins[1:], outs[1:]
		*out = kvOutput{unknown: unknown}
		switch op.Kind {
		case nodes.OpGet, nodes.OpRead:
			if !unknown {
				out.value, out.valueHash = op.Output, fnv64(fnvOffset, op.Output)
			}
			*in = kvInput{op: kvGet, key: op.Key}
		case nodes.OpPut, nodes.OpWrite:
			*in = kvInput{op: kvPut, key: op.Key, value: op.Value, next: flatKV(op.Value)}
		case nodes.OpAppend:
			*in = kvInput{op: kvAppend, key: op.Key, value: op.Value}
		case nodes.OpCAS:
			out.ok = op.Output != "false"
			*in = kvInput{op: kvCas, key: op.Key, value: op.Value, expect: op.Expect,
				expectHash: fnv64(fnvOffset, op.Expect), next: flatKV(op.Value)}
		default:
			return nil, nil, unknownKind(op.Kind, nodes.OpGet, nodes.OpPut, nodes.OpAppend, nodes.OpCAS)
		}
		return in, out, nil
	}
}
