package checker

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
)

// The Jepsen etcd register logs shipped with Porcupine
// (test_data/jepsen/etcd_*.log) look like
//
//	INFO  jepsen.util - 3	:invoke	:cas	[1 4]
//	INFO  jepsen.util - 3	:fail	:cas	[1 4]
//
// one event per line, for a single register, with processes numbered from
// 0. They carry no times, so ReadEtcdLog uses the line number as the
// virtual time in milliseconds. Process p becomes client c(p+1).
//
// Translation: ":fail :cas" is the cas finding another value (an OK cas
// with Output "false": the compare ran and observed a mismatch); ":fail
// :read :timed-out" is Fail (a read has no effect, so dropping it loses
// nothing); ":info ..." is Info; an operation still open at the end of the
// log stays Pending. Anything else is an error.

var etcdLine = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$`)

var (
	etcdNil     = regexp.MustCompile(`^nil$`)
	etcdInt     = regexp.MustCompile(`^-?\d+$`)
	etcdPair    = regexp.MustCompile(`^\[\s*(-?\d+)\s+(-?\d+)\s*\]$`)
	etcdTimeout = regexp.MustCompile(`^:timed-out$`)
)

// ReadEtcdLog reads a Jepsen etcd register log. name is used in error
// messages, which point at name:line.
func ReadEtcdLog(r io.Reader, name string) (*History, error) {
	return readLog(r, name, "register", readEtcdLine)
}

// readLog reads a line-oriented log (etcd or KV), handing each non-blank
// line to readLine with the open operations by process; errors point at
// name:line.
func readLog(r io.Reader, name, model string, readLine func(h *History, open map[int]int, line string, lineNo int) error) (*History, error) {
	h := &History{Model: model}
	open := map[int]int{} // process -> index in h.Ops
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if isBlank(line) {
			continue
		}
		if err := readLine(h, open, line, lineNo); err != nil {
			return nil, fmt.Errorf("checker: %s:%d: %w", name, lineNo, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checker: %s:%d: %w", name, lineNo+1, err)
	}
	return h, nil
}

func readEtcdLine(h *History, open map[int]int, line string, lineNo int) error {
	m := etcdLine.FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("not a jepsen.util register event: %q", truncate(line))
	}
	proc, err := strconv.Atoi(m[1])
	if err != nil || proc >= int(nodes.ClientBase)-1 {
		return fmt.Errorf("process %q out of range", m[1])
	}
	typ, f, arg := m[2], nodes.OpKind(m[3]), m[4]
	at := time.Duration(lineNo) * time.Millisecond
	if typ == "invoke" {
		if i, ok := open[proc]; ok {
			return fmt.Errorf("process %d invokes %s while its %s from line %d is still open", proc, f, h.Ops[i].Kind, h.Ops[i].Line)
		}
		op := nodes.Op{Kind: f}
		switch f {
		case nodes.OpRead:
			if !etcdNil.MatchString(arg) {
				return fmt.Errorf("read invocation with argument %q: want nil", arg)
			}
		case nodes.OpWrite:
			if !etcdInt.MatchString(arg) {
				return fmt.Errorf("write invocation with argument %q: want an integer", arg)
			}
			op.Value = arg
		case nodes.OpCAS:
			p := etcdPair.FindStringSubmatch(arg)
			if p == nil {
				return fmt.Errorf("cas invocation with argument %q: want [from to]", arg)
			}
			op.Expect, op.Value = p[1], p[2]
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
	if op.Kind != f {
		return fmt.Errorf("process %d completes a %s but invoked a %s on line %d", proc, f, op.Kind, op.Line)
	}
	delete(open, proc)
	op.Return = at
	switch typ {
	case "info":
		op.Outcome = nodes.Info
	case "ok":
		op.Outcome = nodes.OK
		switch f {
		case nodes.OpRead:
			switch {
			case etcdNil.MatchString(arg):
			case etcdInt.MatchString(arg):
				op.Output, op.Exists = arg, true
			default:
				return fmt.Errorf("read returned %q: want nil or an integer", arg)
			}
		case nodes.OpWrite:
			if arg != op.Value {
				return fmt.Errorf("write of %s returned %q", op.Value, arg)
			}
		case nodes.OpCAS:
			if p := etcdPair.FindStringSubmatch(arg); p == nil || p[1] != op.Expect || p[2] != op.Value {
				return fmt.Errorf("cas [%s %s] returned %q", op.Expect, op.Value, arg)
			}
			op.Output = "true"
		}
	case "fail":
		switch {
		case f == nodes.OpCAS && etcdPair.MatchString(arg):
			if p := etcdPair.FindStringSubmatch(arg); p[1] != op.Expect || p[2] != op.Value {
				return fmt.Errorf("cas [%s %s] failed with %q", op.Expect, op.Value, arg)
			}
			op.Outcome = nodes.OK // the compare ran and did not match
			op.Output = "false"
		case etcdTimeout.MatchString(arg):
			op.Outcome = nodes.Fail
		default:
			return fmt.Errorf("%s failed with %q: want :timed-out", f, arg)
		}
	}
	return nil
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
