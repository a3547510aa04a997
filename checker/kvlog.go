package checker

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// The KV logs shipped with Porcupine (test_data/kv/*.txt) are Jepsen
// histories printed as EDN maps, one event per line:
//
//	{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}
//	{:process 9, :type :ok, :f :append, :key "0", :value "x 9 0 y"}
//
// with :f one of :get :put :append and :type one of :invoke :ok :fail
// :info. As with the etcd logs, the line number is the virtual time in
// milliseconds and process p becomes client c(p+1). A get's result is its
// :value (nil reads as absent); operations open at the end stay Pending.

var kvLine = regexp.MustCompile(`^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key ("(?:[^"\\]|\\.)*"), :value (nil|"(?:[^"\\]|\\.)*")\}\s*$`)

// ReadKVLog reads a Porcupine KV log. name is used in error messages, which
// point at name:line.
func ReadKVLog(r io.Reader, name string) (*History, error) {
	return readLog(r, name, "kv", readKVLine)
}

func readKVLine(h *History, open map[int]int, line string, lineNo int) error {
	m := kvLine.FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("not a KV event {:process N, :type :T, :f :F, :key \"K\", :value V}: %q", truncate(line))
	}
	proc, err := strconv.Atoi(m[1])
	if err != nil || proc >= int(nodes.ClientBase)-1 {
		return fmt.Errorf("process %q out of range", m[1])
	}
	typ, f := m[2], nodes.OpKind(m[3])
	key, _, err := ednString(m[4])
	if err != nil {
		return fmt.Errorf("key %s: %v", m[4], err)
	}
	value, isNil, err := ednString(m[5])
	if err != nil {
		return fmt.Errorf("value %s: %v", m[5], err)
	}
	at := time.Duration(lineNo) * time.Millisecond
	if typ == "invoke" {
		if i, ok := open[proc]; ok {
			return fmt.Errorf("process %d invokes %s while its %s from line %d is still open", proc, f, h.Ops[i].Kind, h.Ops[i].Line)
		}
		op := nodes.Op{Kind: f, Key: key}
		switch {
		case f == nodes.OpGet && !isNil:
			return fmt.Errorf("get invocation with value %s: want nil", m[5])
		case f != nodes.OpGet && isNil:
			return fmt.Errorf("%s invocation with a nil value", f)
		case f != nodes.OpGet:
			op.Value = value
		}
		open[proc] = len(h.Ops)
		h.Ops = append(h.Ops, Operation{Client: nodes.ClientID(proc + 1), Op: op, Outcome: nodes.Pending, Invoke: at, Line: lineNo})
		return nil
	}
	i, ok := open[proc]
	if !ok {
		return fmt.Errorf("process %d completes a %s it never invoked", proc, f)
	}
	op := &h.Ops[i]
	if op.Kind != f || op.Key != key {
		return fmt.Errorf("process %d completes %s(%q) but invoked %s(%q) on line %d", proc, f, key, op.Kind, op.Key, op.Line)
	}
	delete(open, proc)
	op.Return = at
	switch typ {
	case "ok":
		op.Outcome = nodes.OK
		if f == nodes.OpGet {
			op.Output, op.Exists = value, !isNil
		}
	case "fail":
		op.Outcome = nodes.Fail
	case "info":
		op.Outcome = nodes.Info
	}
	return nil
}

// ednString decodes an EDN string literal (or nil).
func ednString(lit string) (s string, isNil bool, err error) {
	if lit == "nil" {
		return "", true, nil
	}
	body := lit[1 : len(lit)-1]
	if !strings.Contains(body, `\`) {
		return body, false, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", false, fmt.Errorf("dangling backslash")
		}
		switch body[i] {
		case '"', '\\':
			b.WriteByte(body[i])
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		default:
			return "", false, fmt.Errorf("unknown escape \\%c", body[i])
		}
	}
	return b.String(), false, nil
}
