package checker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
)

// The JSON history format is JSON Lines: one object per line, in any order
// (checkers sort by time). Blank lines are ignored. Three kinds of line:
//
//	{"history":"faultline","version":1,"model":"kv"}
//	{"client":"c1","op":"put","key":"x","value":"1","outcome":"ok","invoke":"1ms","return":"2ms"}
//	{"nemesis":"partition n1 | n2 n3","node":"n1","start":"10ms","end":"50ms"}
//
// The header (optional, first line only) names the model. An operation has
// client ("c1", "c2", ...), op (get put append cas read write add generate
// transfer, or any workload's own word), key, value, expect, output, exists (omitted when empty),
// outcome (ok fail info invoke), invoke, and return (required for ok and
// fail). Times are Go duration strings ("1.5ms") or integer nanoseconds.
// An annotation has nemesis (its text), node, start and end. Unknown fields
// are errors. See docs/CHECKER.md.

// JSONFormat is the value of the header's "history" field.
const JSONFormat = "faultline"

// jsonVersion is the format version written and accepted.
const jsonVersion = 1

type jsonLine struct {
	History string `json:"history,omitempty"`
	Version int    `json:"version,omitempty"`
	Model   string `json:"model,omitempty"`
	// ConcurrentClients (header only) says clients may have several
	// operations outstanding (open-loop workloads). Without it a client
	// runs one operation at a time, as a Jepsen process does, and a
	// history where one client's operations overlap is malformed.
	ConcurrentClients bool `json:"concurrent_clients,omitempty"`

	Client  string       `json:"client,omitempty"`
	Op      nodes.OpKind `json:"op,omitempty"`
	Key     string       `json:"key,omitempty"`
	Value   string       `json:"value,omitempty"`
	Expect  string       `json:"expect,omitempty"`
	Output  string       `json:"output,omitempty"`
	Exists  bool         `json:"exists,omitempty"`
	Outcome string       `json:"outcome,omitempty"`
	Invoke  *jsonTime    `json:"invoke,omitempty"`
	Return  *jsonTime    `json:"return,omitempty"`

	Nemesis *string   `json:"nemesis,omitempty"`
	Node    string    `json:"node,omitempty"`
	Start   *jsonTime `json:"start,omitempty"`
	End     *jsonTime `json:"end,omitempty"`
}

// jsonTime is a virtual time: a duration string or integer nanoseconds.
type jsonTime time.Duration

func (t jsonTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(t).String())
}

func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("bad time %q: want a duration like \"1.5ms\"", s)
		}
		*t = jsonTime(d)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("bad time %s: want a duration string or integer nanoseconds", b)
	}
	*t = jsonTime(n)
	return nil
}

var outcomes = map[string]nodes.Outcome{
	"ok": nodes.OK, "fail": nodes.Fail, "info": nodes.Info, "invoke": nodes.Pending,
}

// maxLine bounds one line of any history file.
const maxLine = 16 << 20

// ReadJSON reads a history in the JSON Lines format. name is used in error
// messages, which point at name:line.
func ReadJSON(r io.Reader, name string) (*History, error) {
	h := &History{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	lineNo := 0
	seen := false
	concurrent := false
	for sc.Scan() {
		lineNo++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		first := !seen
		seen = true
		if err := readJSONLine(h, line, lineNo, first, &concurrent); err != nil {
			return nil, fmt.Errorf("checker: %s:%d: %w", name, lineNo, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checker: %s:%d: %w", name, lineNo+1, err)
	}
	if !concurrent {
		if a, b, ok := overlapping(h); ok {
			return nil, fmt.Errorf("checker: %s:%d: %s invokes %s at %v while its %s from line %d has not returned: a client runs one operation at a time (a history of open-loop clients says so in its header: {\"history\":\"faultline\",\"version\":1,\"concurrent_clients\":true})",
				name, b.Line, b.Client, b.Kind, b.Invoke, a.Kind, a.Line)
		}
	}
	return h, nil
}

// overlapping finds a client's operation invoked before the same client's
// previous one ended (an Info that gave up ends when it gave up; one that
// never returned ends never).
func overlapping(h *History) (a, b *Operation, found bool) {
	byClient := map[nodes.ID][]*Operation{}
	var clients []nodes.ID
	for i := range h.Ops {
		op := &h.Ops[i]
		if byClient[op.Client] == nil {
			clients = append(clients, op.Client)
		}
		byClient[op.Client] = append(byClient[op.Client], op)
	}
	var first *Operation // the overlap first in the file, for a stable report
	var firstPrev *Operation
	for _, c := range clients {
		ops := byClient[c]
		sort.SliceStable(ops, func(i, j int) bool { return ops[i].Invoke < ops[j].Invoke })
		for i := 1; i < len(ops); i++ {
			prev, op := ops[i-1], ops[i]
			ended := prev.Outcome == nodes.OK || prev.Outcome == nodes.Fail || (prev.Outcome == nodes.Info && prev.Return != 0)
			if ended && prev.Return <= op.Invoke {
				continue
			}
			if first == nil || op.Line < first.Line {
				first, firstPrev = op, prev
			}
			break
		}
	}
	return firstPrev, first, first != nil
}

// concurrentClients reports whether some client of h has overlapping
// operations (the writer then says so in the header).
func concurrentClients(h *History) bool {
	_, _, found := overlapping(h)
	return found
}

func readJSONLine(h *History, line []byte, lineNo int, first bool, concurrent *bool) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var l jsonLine
	if err := dec.Decode(&l); err != nil {
		switch {
		case first && bytes.Contains(line, []byte(`"faultline_trace"`)):
			return errors.New("this is a trace, not a history: the history of a replayed seed is history.jsonl beside it")
		case first && bytes.Contains(line, []byte(`"faultline_results"`)):
			return errors.New("this is a sweep's results file, not a history: replay a seed to get its history.jsonl")
		}
		return fmt.Errorf("bad JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("bad JSON: extra data after the object")
	}
	switch {
	case l.History != "":
		if !first {
			return errors.New("the header line must come first")
		}
		if l.History != JSONFormat {
			return fmt.Errorf("history %q: want %q", l.History, JSONFormat)
		}
		if l.Version != jsonVersion {
			return fmt.Errorf("version %d: this reader knows version %d", l.Version, jsonVersion)
		}
		if _, ok := ModelByName(l.Model); !ok && l.Model != "" {
			return fmt.Errorf("model %q: want register, kv or set", l.Model)
		}
		if l.Client != "" || l.Op != "" || l.Nemesis != nil {
			return errors.New("the header line has operation or nemesis fields")
		}
		h.Model = l.Model
		*concurrent = l.ConcurrentClients
	case l.Nemesis != nil:
		if l.Client != "" || l.Op != "" || l.Outcome != "" || l.Invoke != nil || l.Return != nil {
			return errors.New("a nemesis line has operation fields")
		}
		if l.Start == nil {
			return errors.New("nemesis line without start")
		}
		a := Annotation{Start: time.Duration(*l.Start), End: time.Duration(*l.Start), Node: l.Node, Text: *l.Nemesis}
		if l.End != nil {
			a.End = time.Duration(*l.End)
		}
		if a.End < a.Start {
			return fmt.Errorf("nemesis ends (%v) before it starts (%v)", a.End, a.Start)
		}
		h.Annotations = append(h.Annotations, a)
	default:
		op, err := jsonOp(&l)
		if err != nil {
			return err
		}
		op.Line = lineNo
		h.Ops = append(h.Ops, op)
	}
	return nil
}

func jsonOp(l *jsonLine) (Operation, error) {
	var op Operation
	if l.Version != 0 || l.Model != "" || l.ConcurrentClients || l.Node != "" || l.Start != nil || l.End != nil {
		return op, errors.New("an operation line has header or nemesis fields")
	}
	id, ok := nodes.ParseID(l.Client)
	if !ok || !id.IsClient() {
		return op, fmt.Errorf("client %q: want c1, c2, ...", l.Client)
	}
	// The set of operations is open (a workload defines its own): any
	// well-formed kind reads; a model that cannot take it says so when it
	// checks.
	if _, err := nodes.ParseOpKind(string(l.Op)); err != nil {
		return op, fmt.Errorf("op %q: want a word of letters, digits, '-' and '_'", l.Op)
	}
	outcome, ok := outcomes[l.Outcome]
	if !ok {
		return op, fmt.Errorf("outcome %q: want ok, fail, info or invoke", l.Outcome)
	}
	if l.Invoke == nil {
		return op, errors.New("operation without invoke time")
	}
	op = Operation{
		Client:  id,
		Op:      nodes.Op{Kind: l.Op, Key: l.Key, Value: l.Value, Expect: l.Expect, Output: l.Output, Exists: l.Exists},
		Outcome: outcome,
		Invoke:  time.Duration(*l.Invoke),
	}
	switch {
	case l.Return != nil:
		if outcome == nodes.Pending {
			return op, errors.New("a pending (invoke) operation has a return time")
		}
		op.Return = time.Duration(*l.Return)
		if op.Return < op.Invoke {
			return op, fmt.Errorf("returns (%v) before it is invoked (%v)", op.Return, op.Invoke)
		}
	case outcome == nodes.OK || outcome == nodes.Fail:
		return op, fmt.Errorf("%v operation without return time", outcome)
	}
	if outcome != nodes.OK && (l.Output != "" || l.Exists) {
		return op, fmt.Errorf("a %v operation has an output", outcome)
	}
	return op, nil
}

// WriteJSON writes h in the JSON Lines format: the header, then the
// operations, then the annotations. ReadJSON reads it back unchanged
// (except for Line fields).
func WriteJSON(w io.Writer, h *History) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonLine{History: JSONFormat, Version: jsonVersion, Model: h.Model, ConcurrentClients: concurrentClients(h)}); err != nil {
		return err
	}
	for i := range h.Ops {
		op := &h.Ops[i]
		inv := jsonTime(op.Invoke)
		l := jsonLine{
			Client: op.Client.String(), Op: op.Kind, Key: op.Key, Value: op.Value, Expect: op.Expect,
			Output: op.Output, Exists: op.Exists, Outcome: op.Outcome.String(), Invoke: &inv,
		}
		if op.Outcome == nodes.OK || op.Outcome == nodes.Fail || (op.Outcome == nodes.Info && op.Return != 0) {
			ret := jsonTime(op.Return)
			l.Return = &ret
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	for _, a := range h.Annotations {
		text := a.Text
		start, end := jsonTime(a.Start), jsonTime(a.End)
		if err := enc.Encode(jsonLine{Nemesis: &text, Node: a.Node, Start: &start, End: &end}); err != nil {
			return err
		}
	}
	return bw.Flush()
}
