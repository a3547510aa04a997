package checker

import (
	"fmt"

	"github.com/anishathalye/porcupine"
	"github.com/faultline/faultline/nodes"
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
	op     regOp
	value  *regState // the state a write or successful cas leaves
	expect *regState // what a cas compares with
}

type regOutput struct {
	value   *regState // what a read saw
	ok      bool      // cas swapped
	unknown bool
}

// A regState is a register value. States are interned per history (one
// pointer per distinct value), so the model's states are pointers: storing
// one in an interface does not allocate and Porcupine's default == compares
// them in one instruction. This made the etcd logs check about a third
// faster.
type regState struct {
	value  string
	exists bool
	hash   uint64
}

// regNil is the absent value, shared by every history.
var regNil = &regState{}

// regInterner maps values to their canonical state within one history.
type regInterner map[string]*regState

func (in regInterner) state(v string) *regState {
	st, ok := in[v]
	if !ok {
		st = &regState{value: v, exists: true, hash: fnv64(fnvOffset, v) | 1}
		in[v] = st
	}
	return st
}

// RegisterModel returns the single-register model (read, write, cas).
func RegisterModel() Model {
	return Model{
		name: "register",
		newConverter: func() converter {
			intern := regInterner{}
			return func(op *Operation, unknown bool) (any, any, error) { return convertRegister(intern, op, unknown) }
		},
		partKey: func(any) string { return "" },
		observer: func(in, out any) bool {
			op := in.(regInput).op
			return op == regRead || op == regCas && !out.(regOutput).unknown && !out.(regOutput).ok
		},
		pm: porcupine.Model{
			Partition: onePartition,
			Init:      func() any { return regNil },
			Step: func(state, input, output any) (bool, any) {
				st := state.(*regState)
				in := input.(regInput)
				out := output.(regOutput)
				switch in.op {
				case regRead:
					return out.unknown || out.value == st, st
				case regWrite:
					return true, in.value
				default:
					match := st == in.expect
					if match {
						st = in.value
					}
					return out.unknown || out.ok == match, st
				}
			},
			Hash: func(state any) uint64 { return state.(*regState).hash },
			DescribeOperation: func(input, output any) string {
				in := input.(regInput)
				out := output.(regOutput)
				switch in.op {
				case regRead:
					if out.unknown {
						return "read() -> ?"
					}
					return "read() -> " + quoteOrNil(out.value.value, out.value.exists)
				case regWrite:
					s := fmt.Sprintf("write(%q)", in.value.value)
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
					return fmt.Sprintf("cas(%q, %q) -> %s", in.expect.value, in.value.value, res)
				}
			},
			DescribeState: func(state any) string {
				st := state.(*regState)
				return quoteOrNil(st.value, st.exists)
			},
		},
	}
}

func convertRegister(intern regInterner, op *Operation, unknown bool) (any, any, error) {
	out := regOutput{unknown: unknown, value: regNil}
	switch op.Kind {
	case nodes.OpRead, nodes.OpGet:
		if !unknown && op.Exists {
			out.value = intern.state(op.Output)
		}
		return regInput{op: regRead}, out, nil
	case nodes.OpWrite, nodes.OpPut:
		return regInput{op: regWrite, value: intern.state(op.Value)}, out, nil
	case nodes.OpCAS:
		out.ok = op.Output != "false"
		return regInput{op: regCas, value: intern.state(op.Value), expect: intern.state(op.Expect)}, out, nil
	}
	return nil, nil, unknownKind(op.Kind, nodes.OpRead, nodes.OpWrite, nodes.OpCAS)
}
