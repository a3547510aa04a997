package perfetto_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz/perfetto"
)

// checkSchema checks the shape the trace-event format (the JSON object
// form Perfetto and chrome://tracing read) requires, on the JSON itself
// rather than on the writer's types: the keys of each event and their
// types, the phases used, metadata naming every process and thread,
// flows with one start and one end, the fields each phase requires (a
// complete event's dur, an instant's scope, metadata's args), timestamps
// that never go back along a track, and complete events on one thread
// that nest and never cross. Every problem is reported.
func checkSchema(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("not a JSON object: %v", err)
	}
	for k := range top {
		if k != "traceEvents" && k != "displayTimeUnit" && k != "otherData" {
			t.Errorf("unknown top-level key %q", k)
		}
	}
	var unit string
	if err := json.Unmarshal(top["displayTimeUnit"], &unit); err != nil || (unit != "ms" && unit != "ns") {
		t.Errorf("displayTimeUnit %s: want \"ms\" or \"ns\"", top["displayTimeUnit"])
	}
	var events []map[string]any
	dec := json.NewDecoder(bytes.NewReader(top["traceEvents"]))
	dec.UseNumber()
	if err := dec.Decode(&events); err != nil {
		t.Fatalf("traceEvents: %v", err)
	}
	allowed := map[string]bool{"name": true, "cat": true, "ph": true, "ts": true, "dur": true, "pid": true, "tid": true, "s": true, "args": true, "bind_id": true, "flow_in": true, "flow_out": true}
	// num reads a time in microseconds as whole nanoseconds (the
	// exporter writes three decimals), so that nesting is judged exactly.
	num := func(e map[string]any, k string, i int) (int64, bool) {
		n, ok := e[k].(json.Number)
		if !ok {
			return 0, false
		}
		if _, err := n.Float64(); err != nil {
			return 0, false
		}
		whole, frac, _ := strings.Cut(n.String(), ".")
		frac = (frac + "000")[:3]
		us, err1 := strconv.ParseInt(whole, 10, 64)
		f, err2 := strconv.ParseInt(frac, 10, 64)
		if err1 != nil || err2 != nil || len(strings.TrimRight(n.String()[len(whole):], "0")) > 4 {
			t.Errorf("event %d: %s %s is not microseconds with at most three decimals", i, k, n)
			return 0, false
		}
		return us*1000 + f, true
	}
	integer := func(e map[string]any, k string) (int64, bool) {
		n, ok := e[k].(json.Number)
		if !ok {
			return 0, false
		}
		v, err := n.Int64()
		return v, err == nil
	}
	type thread struct{ pid, tid int64 }
	type slice struct{ start, end int64 }
	procNames, threadNames := map[int64]bool{}, map[thread]bool{}
	used := map[thread]bool{}
	slices := map[thread][]slice{}
	outs, ins := map[string]int64{}, map[string]int64{}
	lastTS := map[thread]int64{}
	for i, e := range events {
		where := fmt.Sprintf("event %d (%v)", i, e["name"])
		for k := range e {
			if !allowed[k] {
				t.Errorf("%s: unknown key %q", where, k)
			}
		}
		name, _ := e["name"].(string)
		ph, _ := e["ph"].(string)
		pid, ok1 := integer(e, "pid")
		tid, ok2 := integer(e, "tid")
		if name == "" || !ok1 || !ok2 || pid < 0 || tid < 0 || tid > 1<<32-1 {
			t.Errorf("%s: want a name and integer pid and tid (unsigned 32-bit): %v", where, e)
			continue
		}
		if a, ok := e["args"]; ok {
			if _, ok := a.(map[string]any); !ok {
				t.Errorf("%s: args is not an object", where)
			}
		}
		th := thread{pid, tid}
		switch ph {
		case "M":
			arg, ok := e["args"].(map[string]any)
			if !ok {
				t.Errorf("%s: metadata without args", where)
			}
			switch name {
			case "process_name", "thread_name":
				if s, _ := arg["name"].(string); s == "" {
					t.Errorf("%s: %s without args.name", where, name)
				}
				if name == "process_name" {
					procNames[pid] = true
				} else {
					threadNames[th] = true
				}
			case "process_sort_index", "thread_sort_index":
				if _, ok := integer(arg, "sort_index"); !ok {
					t.Errorf("%s: %s without an integer args.sort_index", where, name)
				}
			default:
				t.Errorf("%s: unknown metadata %q", where, name)
			}
			continue
		case "X", "i":
		default:
			t.Errorf("%s: phase %q is not one this exporter should write", where, ph)
			continue
		}
		ts, ok := num(e, "ts", i)
		if !ok || ts < 0 {
			t.Errorf("%s: ts %v: want a non-negative number", where, e["ts"])
		}
		if prev, seen := lastTS[th]; seen && ts < prev {
			t.Errorf("%s: ts %v goes back on process %d thread %d (the previous event there was at %d ns)", where, e["ts"], pid, tid, prev)
		}
		lastTS[th] = ts
		if ph == "i" {
			if s, _ := e["s"].(string); s != "g" && s != "p" && s != "t" {
				t.Errorf("%s: instant scope %v: want g, p or t", where, e["s"])
			}
			continue
		}
		used[th] = true
		dur, ok := num(e, "dur", i)
		if !ok || dur < 0 {
			t.Errorf("%s: complete event with dur %v: want a non-negative number", where, e["dur"])
		}
		if dur > 0 {
			slices[th] = append(slices[th], slice{ts, ts + dur})
		}
		if id, ok := e["bind_id"].(string); ok {
			out, _ := e["flow_out"].(bool)
			in, _ := e["flow_in"].(bool)
			switch {
			case out == in:
				t.Errorf("%s: bind_id %s with flow_out %v and flow_in %v: want exactly one", where, id, out, in)
			case out:
				if _, dup := outs[id]; dup {
					t.Errorf("%s: flow %s starts twice", where, id)
				}
				outs[id] = ts
			default:
				if _, dup := ins[id]; dup {
					t.Errorf("%s: flow %s ends twice", where, id)
				}
				ins[id] = ts
			}
		}
	}
	for id := range outs {
		if _, ok := ins[id]; !ok {
			t.Errorf("flow %s starts but never ends", id)
		}
	}
	for id, at := range ins {
		if from, ok := outs[id]; !ok {
			t.Errorf("flow %s ends but never starts", id)
		} else if at < from {
			t.Errorf("flow %s ends at %v before it starts at %v", id, at, from)
		}
	}
	for th := range used {
		if !procNames[th.pid] || !threadNames[th] {
			t.Errorf("process %d thread %d has events but no process_name or thread_name", th.pid, th.tid)
		}
	}
	for th, ss := range slices {
		sort.Slice(ss, func(i, j int) bool {
			return ss[i].start < ss[j].start || ss[i].start == ss[j].start && ss[i].end > ss[j].end
		})
		var stack []slice
		for _, s := range ss {
			for len(stack) > 0 && stack[len(stack)-1].end <= s.start {
				stack = stack[:len(stack)-1]
			}
			if len(stack) > 0 && s.end > stack[len(stack)-1].end {
				t.Errorf("process %d thread %d: slice %v crosses %v (complete events on a thread must nest)", th.pid, th.tid, s, stack[len(stack)-1])
			}
			stack = append(stack, s)
		}
	}
	return events
}

func export(t *testing.T, f *trace.File) ([]byte, []map[string]any) {
	t.Helper()
	var b bytes.Buffer
	if err := perfetto.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), checkSchema(t, b.Bytes())
}

func find(events []map[string]any, name string) map[string]any {
	for _, e := range events {
		if e["name"] == name {
			return e
		}
	}
	return nil
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// A small trace with one of everything the exporter draws.
func TestExportShapes(t *testing.T) {
	n1, n2, c1 := nodes.NodeID(1), nodes.NodeID(2), nodes.ClientID(1)
	put := nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "v1"}
	get := nodes.Op{Kind: nodes.OpGet, Key: "k1", Output: "v1", Exists: true}
	f := &trace.File{Header: trace.Header{Faultline: 1, Seed: 7, Scenario: "s", Nodes: 2, Clients: 1, Repro: "faultline replay s.yaml --seed 7"},
		Events: []trace.Event{
			{Seq: 1, At: ms(1), Kind: trace.Invoke, Node: c1, Num: 1, Op: put},
			{Seq: 2, At: ms(1), Kind: trace.Send, Node: c1, Peer: n1, ID: 1, Type: "Put"},
			{Seq: 3, At: ms(2), Kind: trace.Deliver, Node: n1, Peer: c1, ID: 1, Type: "Put"},
			{Seq: 4, At: ms(2), Kind: trace.Send, Node: n1, Peer: n2, ID: 2, Type: "Replicate"},
			{Seq: 5, At: ms(3), Kind: trace.FaultStart, Num: 1, Type: "partition", Text: "partition halves [n1] [n2]"},
			{Seq: 6, At: ms(3), Kind: trace.Drop, Node: n1, Peer: n2, ID: 2, Type: "Replicate", Note: "partition"},
			{Seq: 7, At: ms(4), Kind: trace.Crash, Node: n2},
			// A second operation of c1 before the first returns: it goes
			// to a second lane.
			{Seq: 8, At: ms(5), Kind: trace.Invoke, Node: c1, Num: 2, Op: nodes.Op{Kind: nodes.OpGet, Key: "k1"}},
			{Seq: 9, At: ms(6), Kind: trace.Return, Node: c1, Num: 1, Op: put, Outcome: nodes.Info},
			{Seq: 10, At: ms(7), Kind: trace.FaultStop, Num: 1, Type: "partition", Text: "partition halves [n1] [n2]"},
			{Seq: 11, At: ms(7), Kind: trace.Mark, Type: "phase", Text: "heal"},
			{Seq: 12, At: ms(8), Kind: trace.Start, Node: n2, Num: 2},
			{Seq: 13, At: ms(9), Kind: trace.Return, Node: c1, Num: 2, Op: get, Outcome: nodes.OK},
			{Seq: 14, At: ms(9), Kind: trace.Violation, Node: n1, Type: "stale-read", Text: "c1 read v1"},
			{Seq: 15, At: ms(10), Kind: trace.Pause, Node: n1},
		},
		Footer: &trace.Footer{End: true, Events: 15, At: ms(12), Hash: "h", Outcome: "deadline", Status: "invalid"},
	}
	_, events := export(t, f)
	for _, tc := range []struct {
		name      string
		pid       nodes.ID
		ts, dur   float64
		bind      string
		flowOut   bool
		wantLane2 bool
	}{
		{name: "send Put → n1", pid: c1, ts: 1000, bind: "0x1", flowOut: true},
		{name: "recv Put ← c1", pid: n1, ts: 2000, bind: "0x1"},
		{name: "send Replicate → n2", pid: n1, ts: 2000, bind: "0x2", flowOut: true},
		{name: "dropped Replicate ← n1", pid: n2, ts: 3000, bind: "0x2"},
		{name: "put k1=v1 info", pid: c1, ts: 1000, dur: 5000},
		{name: `get k1 -> "v1" ok`, pid: c1, ts: 5000, dur: 4000, wantLane2: true},
		{name: "down", pid: n2, ts: 4000, dur: 4000},
		{name: "paused", pid: n1, ts: 10000, dur: 2000}, // open: to the end
		{name: "partition halves [n1] [n2]", pid: nodes.ClientBase, ts: 3000, dur: 4000},
	} {
		e := find(events, tc.name)
		if e == nil {
			t.Errorf("no event %q", tc.name)
			continue
		}
		pid, _ := e["pid"].(json.Number).Int64()
		tid, _ := e["tid"].(json.Number).Int64()
		ts, _ := e["ts"].(json.Number).Float64()
		dur, _ := e["dur"].(json.Number).Float64()
		if pid != int64(tc.pid) || ts != tc.ts || dur != tc.dur {
			t.Errorf("%q: pid %d ts %v dur %v; want %d %v %v", tc.name, pid, ts, dur, tc.pid, tc.ts, tc.dur)
		}
		if lane2 := tid != pid*64; lane2 != tc.wantLane2 {
			t.Errorf("%q on thread %d: second lane %v, want %v", tc.name, tid, lane2, tc.wantLane2)
		}
		if tc.bind != "" {
			out, _ := e["flow_out"].(bool)
			if e["bind_id"] != tc.bind || out != tc.flowOut {
				t.Errorf("%q: flow %v out %v; want %s out %v", tc.name, e["bind_id"], out, tc.bind, tc.flowOut)
			}
		}
	}
	for _, name := range []string{"mark phase", "violation: stale-read"} {
		if e := find(events, name); e == nil || e["ph"] != "i" || e["s"] != "g" {
			t.Errorf("%q: want a global instant, got %v", name, e)
		}
	}
	var procs []string
	for _, e := range events {
		if e["name"] == "process_name" {
			procs = append(procs, e["args"].(map[string]any)["name"].(string))
		}
	}
	if strings.Join(procs, " ") != "n1 n2 c1 nemesis" {
		t.Errorf("processes %v, want n1 n2 c1 nemesis", procs)
	}
}

func init() { stock.Register() }

// A real failing seed's trace exports in the format's shape, every
// message a flow.
func TestExportRealTrace(t *testing.T) {
	sc, err := scenarios.LoadLibrary("bugs/abd-no-write-back.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := scenarios.Replay(sc, 1, scenarios.RunOptions{})
	if len(o.Trace) == 0 {
		t.Fatal("no trace")
	}
	f := &trace.File{Header: trace.Header{Faultline: trace.FormatVersion, Seed: 1, Scenario: sc.Name, Nodes: sc.Cluster.Size}, Events: o.Trace}
	_, events := export(t, f)
	sends, flows := 0, 0
	for _, e := range o.Trace {
		if e.Kind == trace.Send {
			sends++
		}
	}
	for _, e := range events {
		if out, _ := e["flow_out"].(bool); out && strings.HasPrefix(e["name"].(string), "send ") {
			flows++
		}
	}
	if sends == 0 || flows != sends {
		t.Errorf("%d sends in the trace, %d flows out of send slices", sends, flows)
	}
}
