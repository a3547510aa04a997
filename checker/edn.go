package checker

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"olympos.io/encoding/edn"

	"github.com/faultline/faultline/nodes"
)

// Jepsen writes a test's history as EDN (history.edn), one operation map
// per line:
//
//	{:type :invoke, :f :cas, :value [1 2], :process 0, :time 4364582, :index 0}
//	{:type :fail, :f :cas, :value [1 2], :process 0, :time 5364582, :index 1}
//
// ReadEDN reads register histories (:f :read, :write, :cas with integer or
// string values), including jepsen.independent ones whose :value is a
// [key value] tuple (then a cas is [key [from to]]; the history is checked
// as a KV, per key), and KV histories whose maps carry a :key. :time is in
// nanoseconds (the line number, in milliseconds, when absent). Operations
// of the :nemesis process become annotations. Translation follows
// ReadEtcdLog: a :fail cas is an OK cas that observed another value, an
// :info may or may not have happened, an operation open at the end stays
// Pending; process p becomes client c(p+1), and a process invoking while
// its previous operation is open is an error.

// FormatEDN is a Jepsen history.edn.
const FormatEDN Format = "edn"

// ReadEDN reads a Jepsen EDN history. name is used in error messages, which
// point at name:line.
func ReadEDN(r io.Reader, name string) (*History, error) {
	h, err := readLog(r, name, "", readEDNLine)
	if err != nil {
		return nil, err
	}
	h.Model = "register"
	for i := range h.Ops {
		if h.Ops[i].Key != "" {
			h.Model = "kv"
			break
		}
	}
	return h, nil
}

var (
	kwType    = edn.Keyword("type")
	kwF       = edn.Keyword("f")
	kwValue   = edn.Keyword("value")
	kwProcess = edn.Keyword("process")
	kwTime    = edn.Keyword("time")
	kwKey     = edn.Keyword("key")
	kwNemesis = edn.Keyword("nemesis")
)

// ednOp is one decoded line: what it says, before it is paired.
type ednOp struct {
	typ       string
	f         nodes.OpKind
	key       string
	value     string // a read's result, a write's value, a cas's new value
	isNil     bool
	expect    string // a cas's expected value
	at        time.Duration
	nemesis   bool
	nemesisOf string
	proc      int
}

func decodeEDNLine(line string, lineNo int) (ednOp, error) {
	var m map[edn.Keyword]any
	if err := edn.UnmarshalString(line, &m); err != nil {
		return ednOp{}, fmt.Errorf("not an EDN map: %v", err)
	}
	var o ednOp
	typ, ok := m[kwType].(edn.Keyword)
	switch {
	case !ok:
		return o, errors.New("no :type keyword")
	case typ != "invoke" && typ != "ok" && typ != "fail" && typ != "info":
		return o, fmt.Errorf(":type %s: want :invoke, :ok, :fail or :info", ednText(typ))
	}
	o.typ = string(typ)
	o.at = time.Duration(lineNo) * time.Millisecond
	if t, ok := m[kwTime]; ok {
		ns, ok := t.(int64)
		if !ok || ns < 0 {
			return o, fmt.Errorf(":time %v: want non-negative integer nanoseconds", t)
		}
		o.at = time.Duration(ns)
	}
	f, ok := m[kwF].(edn.Keyword)
	if !ok {
		return o, errors.New("no :f keyword")
	}
	if p, ok := m[kwProcess].(edn.Keyword); ok && p == kwNemesis {
		o.nemesis, o.nemesisOf = true, fmt.Sprintf("%s %s", string(f), ednText(m[kwValue]))
		return o, nil
	}
	p, ok := m[kwProcess].(int64)
	if !ok || p < 0 || p >= int64(nodes.ClientBase)-1 {
		return o, fmt.Errorf(":process %s: want a non-negative integer or :nemesis", ednText(m[kwProcess]))
	}
	o.proc = int(p)
	switch nodes.OpKind(f) {
	case nodes.OpRead, nodes.OpWrite, nodes.OpCAS, nodes.OpGet, nodes.OpPut, nodes.OpAppend:
		o.f = nodes.OpKind(f)
	default:
		return o, fmt.Errorf(":f %s: want :read, :write, :cas, :get, :put or :append", ednText(f))
	}
	v := m[kwValue]
	if k, ok := m[kwKey]; ok {
		o.key = ednText(k)
	} else if tuple, ok := v.([]any); ok && len(tuple) == 2 && o.f != nodes.OpCAS {
		o.key, v = ednText(tuple[0]), tuple[1] // jepsen.independent [key value]
	} else if ok && len(tuple) == 2 && o.f == nodes.OpCAS {
		if inner, isPair := tuple[1].([]any); isPair {
			o.key, v = ednText(tuple[0]), inner
		}
	}
	if o.f == nodes.OpCAS {
		pair, ok := v.([]any)
		if !ok || len(pair) != 2 || pair[0] == nil || pair[1] == nil {
			return o, fmt.Errorf("cas :value %s: want [from to]", ednText(v))
		}
		o.expect, o.value = ednText(pair[0]), ednText(pair[1])
		return o, nil
	}
	if v == nil {
		o.isNil = true
		return o, nil
	}
	switch v.(type) {
	case int64, string, edn.Keyword, float64, bool:
	default:
		return o, fmt.Errorf(":value %s: want nil, a number, a string or a keyword", ednText(v))
	}
	o.value = ednText(v)
	return o, nil
}

// ednText renders a decoded EDN value as the history's text.
func ednText(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return x
	case edn.Keyword:
		return ":" + string(x)
	}
	b, err := edn.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func readEDNLine(h *History, open map[int]int, line string, lineNo int) error {
	o, err := decodeEDNLine(line, lineNo)
	if err != nil {
		return err
	}
	if o.nemesis {
		if o.typ != "invoke" {
			h.Annotations = append(h.Annotations, Annotation{Start: o.at, End: o.at, Text: o.nemesisOf})
		}
		return nil
	}
	proc := o.proc
	if o.typ == "invoke" {
		if i, ok := open[proc]; ok {
			return fmt.Errorf("process %d invokes %s while its %s from line %d is still open", proc, o.f, h.Ops[i].Kind, h.Ops[i].Line)
		}
		op := nodes.Op{Kind: o.f, Key: o.key}
		switch {
		case o.f.IsRead():
		case o.f == nodes.OpCAS:
			op.Expect, op.Value = o.expect, o.value
		case o.isNil:
			return fmt.Errorf("%s invocation with a nil value", o.f)
		default:
			op.Value = o.value
		}
		open[proc] = len(h.Ops)
		h.Ops = append(h.Ops, Operation{Client: nodes.ClientID(proc + 1), Op: op, Outcome: nodes.Pending, Invoke: o.at, Line: lineNo})
		return nil
	}
	i, ok := open[proc]
	if !ok {
		return fmt.Errorf("process %d completes a %s it never invoked", proc, o.f)
	}
	op := &h.Ops[i]
	if op.Kind != o.f || op.Key != o.key {
		return fmt.Errorf("process %d completes %s(%q) but invoked %s(%q) on line %d", proc, o.f, o.key, op.Kind, op.Key, op.Line)
	}
	if o.at < op.Invoke {
		return fmt.Errorf("process %d completes at %v, before its invocation at %v (line %d)", proc, o.at, op.Invoke, op.Line)
	}
	delete(open, proc)
	op.Return = o.at
	switch o.typ {
	case "info":
		op.Outcome = nodes.Info
	case "fail":
		if op.Kind == nodes.OpCAS {
			op.Outcome, op.Output = nodes.OK, "false" // the compare ran and saw another value
		} else {
			op.Outcome = nodes.Fail
		}
	case "ok":
		op.Outcome = nodes.OK
		switch {
		case op.Kind.IsRead():
			if !o.isNil {
				op.Output, op.Exists = o.value, true
			}
		case op.Kind == nodes.OpCAS:
			op.Output = "true"
		}
	}
	return nil
}
