package checker

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// The register model: one value, initially absent (nil), with read, write
// and compare-and-set. Kinds: "read" (or "get"), "write" (or "put"),
// "cas". Keys are ignored. A read checks Exists and Output; a cas whose
// Output is "false" observed a value other than Expect.

type regOp uint8

const (
	regRead regOp = iota
	regWrite
	regCas
)

type regInput struct {
	op            regOp
	value, expect string
}

type regOutput struct {
	value   string
	exists  bool
	ok      bool // cas swapped
	unknown bool
}

type regState struct {
	value  string
	exists bool
}

// RegisterModel returns the single-register model (read, write, cas).
func RegisterModel() Model {
	return Model{
		name:    "register",
		convert: convertRegister,
		partKey: func(any) string { return "" },
		pm: porcupine.Model{
			Partition: onePartition,
			Init:      func() any { return regState{} },
			Step: func(state, input, output any) (bool, any) {
				st := state.(regState)
				in := input.(regInput)
				out := output.(regOutput)
				switch in.op {
				case regRead:
					return out.unknown || (out.exists == st.exists && (!st.exists || out.value == st.value)), st
				case regWrite:
					return true, regState{value: in.value, exists: true}
				default:
					match := st.exists && st.value == in.expect
					if match {
						st = regState{value: in.value, exists: true}
					}
					return out.unknown || out.ok == match, st
				}
			},
			Hash: func(state any) uint64 {
				st := state.(regState)
				if !st.exists {
					return 0
				}
				return fnv64(fnvOffset, st.value)
			},
			DescribeOperation: func(input, output any) string {
				in := input.(regInput)
				out := output.(regOutput)
				switch in.op {
				case regRead:
					if out.unknown {
						return "read() -> ?"
					}
					return "read() -> " + quoteOrNil(out.value, out.exists)
				case regWrite:
					s := fmt.Sprintf("write(%q)", in.value)
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
					return fmt.Sprintf("cas(%q, %q) -> %s", in.expect, in.value, res)
				}
			},
			DescribeState: func(state any) string {
				st := state.(regState)
				return quoteOrNil(st.value, st.exists)
			},
		},
	}
}

func convertRegister(op *Operation, unknown bool) (any, any, error) {
	out := regOutput{unknown: unknown}
	switch op.Kind {
	case "read", "get":
		if !unknown {
			out.value, out.exists = op.Output, op.Exists
		}
		return regInput{op: regRead}, out, nil
	case "write", "put":
		return regInput{op: regWrite, value: op.Value}, out, nil
	case "cas":
		out.ok = op.Output != "false"
		return regInput{op: regCas, value: op.Value, expect: op.Expect}, out, nil
	}
	return nil, nil, unknownKind(op.Kind, "read", "write", "cas")
}
