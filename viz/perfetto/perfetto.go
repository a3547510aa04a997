// Package perfetto exports a Faultline trace as Chrome trace-event JSON,
// the format Perfetto UI (ui.perfetto.dev) and chrome://tracing open, so
// a run can be read in a full trace viewer: zoom, search, select a slice
// and follow its flow arrows, or query it with Perfetto's trace processor.
//
// # What goes where
//
// Every server and every client is a process of its own (pid = its
// nodes.ID; servers first, then clients), and the nemesis is one more:
//
//   - a message is a flow: a zero-length "send" slice on the sender's
//     track with an arrow to the "recv" slice on the receiver's track (or
//     to a "dropped" slice there; a duplicate is a flow of its own from a
//     "dup" slice on the sender);
//   - a client operation is a slice from its invocation to its return,
//     named by the operation and its outcome ("put k1=v3 ok");
//   - a crash is a "down" slice on the node from the crash to its next
//     start, a pause a "paused" slice;
//   - each fault is a slice on the nemesis from its start to its stop,
//     named by its text form; phase marks (the heal) and violations are
//     global instants;
//   - timers, clock changes, disk writes, syncs and faults, logs and
//     panics are zero-length slices on their process, with the event's
//     details in args.
//
// Slices with a duration never overlap on one track without nesting (the
// format's rule for complete events): where two would (two operations of
// one client in flight, a pause inside a crash), the later goes to a
// second thread of the same process. Timestamps are virtual time, in
// microseconds with nanosecond precision.
package perfetto

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// Trace is the JSON object format of the trace-event format.
type Trace struct {
	TraceEvents     []Event        `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData,omitempty"`
}

// Event is one trace event. Ph is the phase: X a complete slice (Dur
// long), i an instant, M metadata (process and thread names and order).
type Event struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	TS   Micros         `json:"ts"`
	Dur  *Micros        `json:"dur,omitempty"`
	PID  int64          `json:"pid"`
	TID  int64          `json:"tid"`
	S    string         `json:"s,omitempty"` // an instant's scope: g global
	Args map[string]any `json:"args,omitempty"`
	// Flows (the format's version 2): a slice with FlowOut starts the
	// arrow BindID names, the slice with FlowIn ends it.
	BindID  string `json:"bind_id,omitempty"`
	FlowOut bool   `json:"flow_out,omitempty"`
	FlowIn  bool   `json:"flow_in,omitempty"`
}

// Micros is a virtual time written as microseconds with exactly three
// decimals (the format's unit, keeping every nanosecond).
type Micros time.Duration

// MarshalJSON writes the time as a JSON number of microseconds.
func (m Micros) MarshalJSON() ([]byte, error) {
	ns := int64(m)
	sign := ""
	if ns < 0 {
		sign, ns = "-", -ns
	}
	return fmt.Appendf(nil, "%s%d.%03d", sign, ns/1000, ns%1000), nil
}

// UnmarshalJSON reads a number of microseconds.
func (m *Micros) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("perfetto: timestamp %s: %v", b, err)
	}
	*m = Micros(time.Duration(f*1000 + 0.5*sign(f)))
	return nil
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// Categories of the events, for Perfetto's filters.
const (
	CatMessage = "message"
	CatOp      = "op"
	CatFault   = "fault"
	CatProcess = "process" // start, crash, pause
	CatNode    = "node"    // timers, clock, disk, logs
	CatCheck   = "check"   // violations and panics
	CatPhase   = "phase"
)

// nemesisPID is the nemesis's process: nodes.ClientBase itself names no
// process (clients are ClientBase+1 on).
const nemesisPID = int64(nodes.ClientBase)

// lanesPerProcess bounds the threads of one process (tid = pid·lanes +
// lane), so that thread ids stay unique across processes.
const lanesPerProcess = 64

// Export converts a trace file into trace events.
func Export(f *trace.File) *Trace {
	x := &exporter{lanes: map[int64][][]span{}}
	end := time.Duration(0)
	if n := len(f.Events); n > 0 {
		end = f.Events[n-1].At
	}
	if f.Footer != nil && f.Footer.At > end {
		end = f.Footer.At
	}
	procs := map[nodes.ID]bool{}
	for i := 1; i <= f.Header.Nodes; i++ {
		procs[nodes.NodeID(i)] = true
	}
	for i := 1; i <= f.Header.Clients; i++ {
		procs[nodes.ClientID(i)] = true
	}

	down := map[nodes.ID]*trace.Event{}   // crashed, waiting for the next start
	paused := map[nodes.ID]*trace.Event{} // paused, waiting for resume
	invoked := map[int64]*trace.Event{}   // operation handle -> its invocation
	for i := range f.Events {
		e := &f.Events[i]
		if e.Node.Valid() {
			procs[e.Node] = true
		}
		if e.Peer.Valid() {
			procs[e.Peer] = true
		}
		switch e.Kind {
		case trace.Send:
			x.point(e.Node, e.At, CatMessage, fmt.Sprintf("send %s → %s", e.Type, e.Peer), msgArgs(e), flowOut(e.ID))
		case trace.Duplicate:
			x.point(e.Node, e.At, CatMessage, fmt.Sprintf("dup %s → %s", e.Type, e.Peer), msgArgs(e), flowOut(e.ID))
		case trace.Deliver:
			// A delivery's Node is the receiver, Peer the sender.
			x.point(e.Node, e.At, CatMessage, fmt.Sprintf("recv %s ← %s", e.Type, e.Peer), msgArgs(e), flowIn(e.ID))
		case trace.Drop:
			// Node sent it, Peer would have received it: the arrow ends
			// where it did not arrive.
			at := e.Peer
			if !at.Valid() {
				at = e.Node
			}
			x.point(at, e.At, CatMessage, fmt.Sprintf("dropped %s ← %s", e.Type, e.Node), msgArgs(e), flowIn(e.ID))
		case trace.Hold:
			x.point(e.Node, e.At, CatMessage, fmt.Sprintf("held %s → %s", e.Type, e.Peer), msgArgs(e), nil)
		case trace.Invoke:
			invoked[e.Num] = e
		case trace.Return:
			if inv, ok := invoked[e.Num]; ok {
				delete(invoked, e.Num)
				x.slice(inv.Node, inv.At, e.At, CatOp, trace.FormatOp(e.Op, e.Outcome == nodes.OK)+" "+e.Outcome.String(),
					map[string]any{"handle": e.Num, "outcome": e.Outcome.String(), "invoked": trace.FormatOp(inv.Op, false)})
			} else {
				x.point(e.Node, e.At, CatOp, "return "+e.Outcome.String(), map[string]any{"handle": e.Num}, nil)
			}
		case trace.Crash:
			down[e.Node] = e
			x.point(e.Node, e.At, CatProcess, "crash", eventArgs(e), nil)
		case trace.Start:
			if c := down[e.Node]; c != nil {
				delete(down, e.Node)
				x.slice(e.Node, c.At, e.At, CatProcess, "down", map[string]any{"incarnation": e.Num})
			}
			x.point(e.Node, e.At, CatProcess, fmt.Sprintf("start #%d", e.Num), eventArgs(e), nil)
		case trace.Pause:
			paused[e.Node] = e
		case trace.Resume:
			if p := paused[e.Node]; p != nil {
				delete(paused, e.Node)
				x.slice(e.Node, p.At, e.At, CatProcess, "paused", eventArgs(p))
			}
		case trace.Restart:
			x.point(e.Node, e.At, CatProcess, "restart", eventArgs(e), nil)
		case trace.Timer:
			x.point(e.Node, e.At, CatNode, fmt.Sprintf("timer %d", e.Num), eventArgs(e), nil)
		case trace.Clock, trace.DiskWrite, trace.DiskSync, trace.DiskSynced, trace.DiskFault, trace.Log:
			x.point(e.Node, e.At, CatNode, eventName(e), eventArgs(e), nil)
		case trace.Panic:
			x.point(e.Node, e.At, CatCheck, "panic", eventArgs(e), nil)
			x.global(e.At, CatCheck, "panic in "+e.Node.String(), eventArgs(e))
		case trace.Violation:
			x.global(e.At, CatCheck, "violation: "+e.Type, eventArgs(e))
		case trace.Mark:
			x.global(e.At, CatPhase, eventName(e), eventArgs(e))
		}
	}
	// What the trace leaves open runs to its end.
	for _, id := range sortedIDs(down) {
		x.slice(id, down[id].At, end, CatProcess, "down", map[string]any{"open": true})
	}
	for _, id := range sortedIDs(paused) {
		x.slice(id, paused[id].At, end, CatProcess, "paused", map[string]any{"open": true})
	}
	handles := make([]int64, 0, len(invoked))
	for h := range invoked {
		handles = append(handles, h)
	}
	sort.Slice(handles, func(i, j int) bool { return handles[i] < handles[j] })
	for _, h := range handles {
		inv := invoked[h]
		x.slice(inv.Node, inv.At, end, CatOp, trace.FormatOp(inv.Op, false)+" (no return)", map[string]any{"handle": h, "open": true})
	}
	for _, w := range trace.FaultWindows(f.Events) {
		stop := w.Stop
		args := map[string]any{"kind": w.Kind, "text": w.Text, "id": w.ID}
		if w.Open() {
			stop, args["open"] = end, true
		}
		if w.Node.Valid() {
			args["node"] = w.Node.String()
		}
		x.span(nemesisPID, w.Start, stop, CatFault, w.Text, args)
	}

	t := &Trace{DisplayTimeUnit: "ns", OtherData: map[string]any{
		"seed": f.Header.Seed, "scenario": f.Header.Scenario, "repro": f.Header.Repro, "exporter": "faultline",
	}}
	if f.Footer != nil {
		t.OtherData["outcome"], t.OtherData["status"], t.OtherData["hash"] = f.Footer.Outcome, f.Footer.Status, f.Footer.Hash
	}
	ids := make([]nodes.ID, 0, len(procs))
	for id := range procs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		x.name(int64(id), id.String(), i)
	}
	x.name(nemesisPID, "nemesis", len(ids))
	sort.SliceStable(x.events, func(i, j int) bool { return x.events[i].TS < x.events[j].TS })
	t.TraceEvents = append(x.meta, x.events...)
	return t
}

// Write exports f as JSON to w.
func Write(w io.Writer, f *trace.File) error {
	enc := json.NewEncoder(w)
	return enc.Encode(Export(f))
}

type span struct{ start, end time.Duration }

type exporter struct {
	meta, events []Event
	// lanes holds, per process, each lane's slices with a duration, to
	// place a new one where it overlaps none.
	lanes map[int64][][]span
}

type flow struct {
	id  uint64
	out bool
}

func flowOut(id uint64) *flow { return &flow{id, true} }
func flowIn(id uint64) *flow  { return &flow{id, false} }

// point is a zero-length slice on the process's first lane.
func (x *exporter) point(id nodes.ID, at time.Duration, cat, name string, args map[string]any, fl *flow) {
	zero := Micros(0)
	e := Event{Name: name, Cat: cat, Ph: "X", TS: Micros(at), Dur: &zero, PID: int64(id), TID: int64(id) * lanesPerProcess, Args: args}
	if fl != nil && fl.id != 0 {
		e.BindID = "0x" + strconv.FormatUint(fl.id, 16)
		e.FlowOut, e.FlowIn = fl.out, !fl.out
	}
	x.events = append(x.events, e)
}

func (x *exporter) slice(id nodes.ID, start, end time.Duration, cat, name string, args map[string]any) {
	x.span(int64(id), start, end, cat, name, args)
}

// span is a slice with a duration, on the first lane of the process where
// it overlaps no other.
func (x *exporter) span(pid int64, start, end time.Duration, cat, name string, args map[string]any) {
	if end < start {
		end = start
	}
	lanes := x.lanes[pid]
	lane := 0
	for ; lane < len(lanes); lane++ {
		free := true
		for _, s := range lanes[lane] {
			if start < s.end && s.start < end {
				free = false
				break
			}
		}
		if free {
			break
		}
	}
	if lane == len(lanes) {
		if lane == lanesPerProcess {
			lane-- // beyond any real run; the viewer nests what it can
		} else {
			lanes = append(lanes, nil)
		}
	}
	lanes[lane] = append(lanes[lane], span{start, end})
	x.lanes[pid] = lanes
	dur := Micros(end - start)
	x.events = append(x.events, Event{Name: name, Cat: cat, Ph: "X", TS: Micros(start), Dur: &dur, PID: pid, TID: pid*lanesPerProcess + int64(lane), Args: args})
}

// global is an instant across every track.
func (x *exporter) global(at time.Duration, cat, name string, args map[string]any) {
	x.events = append(x.events, Event{Name: name, Cat: cat, Ph: "i", S: "g", TS: Micros(at), PID: nemesisPID, TID: nemesisPID * lanesPerProcess, Args: args})
}

// name writes the metadata of a process and its lanes: its name, its
// place in the list, and a name per thread.
func (x *exporter) name(pid int64, name string, order int) {
	x.meta = append(x.meta,
		Event{Name: "process_name", Ph: "M", PID: pid, TID: pid * lanesPerProcess, Args: map[string]any{"name": name}},
		Event{Name: "process_sort_index", Ph: "M", PID: pid, TID: pid * lanesPerProcess, Args: map[string]any{"sort_index": order}},
	)
	n := max(len(x.lanes[pid]), 1)
	for lane := range n {
		tn := name
		if lane > 0 {
			tn = fmt.Sprintf("%s (%d)", name, lane+1)
		}
		x.meta = append(x.meta, Event{Name: "thread_name", Ph: "M", PID: pid, TID: pid*lanesPerProcess + int64(lane), Args: map[string]any{"name": tn}})
	}
}

func msgArgs(e *trace.Event) map[string]any {
	// A delivery happens to the receiver (Node), from Peer; every other
	// message event to the sender (Node), towards Peer.
	a := map[string]any{"id": e.ID, "type": e.Type, "from": e.Node.String(), "to": e.Peer.String()}
	if e.Kind == trace.Deliver {
		a["from"], a["to"] = e.Peer.String(), e.Node.String()
	}
	if e.Kind == trace.Duplicate {
		a["copy_of"] = e.Num
	}
	if e.Note != "" {
		a["note"] = e.Note
	}
	if e.Text != "" {
		a["text"] = e.Text
	}
	return a
}

func eventName(e *trace.Event) string {
	s := e.Kind.String()
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

func eventArgs(e *trace.Event) map[string]any {
	a := map[string]any{"seq": e.Seq, "event": e.String()}
	if e.Text != "" {
		a["text"] = e.Text
	}
	return a
}

func sortedIDs(m map[nodes.ID]*trace.Event) []nodes.ID {
	ids := make([]nodes.ID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
