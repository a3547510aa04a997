package checker

import (
	"fmt"

	"github.com/anishathalye/porcupine"
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
}

type kvOutput struct {
	value   string
	ok      bool // cas swapped
	unknown bool
}

// KVModel returns the multi-key KV model (get, put, append, cas),
// partitioned by key in sorted key order. Its per-partition state is the
// key's value.
func KVModel() Model {
	key := func(in any) string { return in.(kvInput).key }
	return Model{
		name:         "kv",
		newConverter: func() converter { return convertKV },
		partKey:      key,
		pm: porcupine.Model{
			Partition: partitionBy(key),
			Init:      func() any { return "" },
			Step: func(state, input, output any) (bool, any) {
				st := state.(string)
				in := input.(kvInput)
				out := output.(kvOutput)
				switch in.op {
				case kvGet:
					return out.unknown || out.value == st, st
				case kvPut:
					return true, in.value
				case kvAppend:
					return true, st + in.value
				default:
					match := st == in.expect
					if match {
						st = in.value
					}
					return out.unknown || out.ok == match, st
				}
			},
			Hash: func(state any) uint64 { return fnv64(fnvOffset, state.(string)) },
			DescribeOperation: func(input, output any) string {
				in := input.(kvInput)
				out := output.(kvOutput)
				switch in.op {
				case kvGet:
					if out.unknown {
						return fmt.Sprintf("get(%q) -> ?", in.key)
					}
					return fmt.Sprintf("get(%q) -> %q", in.key, out.value)
				case kvPut, kvAppend:
					name := "put"
					if in.op == kvAppend {
						name = "append"
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
			DescribeState: func(state any) string { return fmt.Sprintf("%q", state.(string)) },
		},
	}
}

func convertKV(op *Operation, unknown bool) (any, any, error) {
	out := kvOutput{unknown: unknown}
	switch op.Kind {
	case "get", "read":
		if !unknown {
			out.value = op.Output
		}
		return kvInput{op: kvGet, key: op.Key}, out, nil
	case "put", "write":
		return kvInput{op: kvPut, key: op.Key, value: op.Value}, out, nil
	case "append":
		return kvInput{op: kvAppend, key: op.Key, value: op.Value}, out, nil
	case "cas":
		out.ok = op.Output != "false"
		return kvInput{op: kvCas, key: op.Key, value: op.Value, expect: op.Expect}, out, nil
	}
	return nil, nil, unknownKind(op.Kind, "get", "put", "append", "cas")
}
