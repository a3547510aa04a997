package viz

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// index is everything the renderers need, computed once per trace: lanes
// with their events in time order, paired client operations, paired fault
// windows, message send/deliver links, down and paused spans, clock
// changes and the list of failures. Rendering a frame only binary-searches
// these slices, so its cost depends on the window, not the trace.
type index struct {
	f     *trace.File
	ev    []trace.Event
	start int64 // time of the first event
	end   int64 // time of the last event (or the footer's time)

	lanes  []lane
	laneOf map[nodes.ID]int

	ops        []op
	opByHandle map[int64]int32

	faults      []fault
	faultTracks int
	faultEvents []int32 // FaultStart and FaultStop events

	// healAt is when the heal phase began (the run's phase mark), or -1.
	healAt int64

	failures []int32 // violation and panic events, and highlighted events/ops, in order
	hiEvent  []bool  // per event: highlighted (a highlighted op's invoke/return, or a listed seq)

	lead      int32    // the lead highlighted operation (no order can place it), or -1
	hiFrom    int32    // the checker violation the highlight was read from, or -1
	hiMissing []string // highlight items that matched nothing, with hints

	// msgSend[id] is the event index of message id's send, or -1;
	// msgOther[id] the first deliver, drop or hold of it. Dense because
	// the simulator numbers messages from 1.
	msgSend  []int32
	msgOther []int32
	dups     map[uint64][]int32 // extra copies' deliveries
}

// lane is one process's row.
type lane struct {
	id     nodes.ID
	events []int32 // every event of this process, in order
	marks  []int32 // events always drawn whatever the zoom (crash, clock, failure…)
	spans  []span  // down or paused intervals, in order
	clocks []clockChange
	ops    []int32 // client operations of this lane, by start
	opsEnd []int64 // running maximum of ops' end times (for window search)
}

type spanKind uint8

const (
	spanDown spanKind = iota + 1
	spanPaused
)

type span struct {
	from, to int64
	kind     spanKind
}

type clockChange struct {
	at     int64
	offset int64 // wall-clock offset after the change, ns
	ppm    int64 // drift after the change
}

// op is one client operation: an Invoke and the Return with the same Num.
type op struct {
	inv, ret   int32 // event indices; ret is -1 while pending
	start, end int64 // end is the trace end for a pending op
	lane       int32
	handle     int64
	outcome    nodes.Outcome // Pending if it never returned
	hi         bool
}

// fault is a FaultStart and the FaultStop with the same fault id
// (trace.FaultWindows).
type fault struct {
	start, stop     int64
	startEv, stopEv int32 // stopEv is -1 if the fault was never undone
	text            string
	node            nodes.ID
	track           int
}

// OpRef names a client operation by its client and invocation time, the
// way checker.Operation does, for Options.HighlightOps.
type OpRef struct {
	Client nodes.ID
	Invoke time.Duration
}

func buildIndex(f *trace.File, opts *Options) *index {
	ix := &index{f: f, ev: f.Events, laneOf: map[nodes.ID]int{}, opByHandle: map[int64]int32{}, lead: -1, hiFrom: -1, healAt: -1}
	n := len(ix.ev)
	if n > 0 {
		ix.start = int64(ix.ev[0].At)
		ix.end = int64(ix.ev[n-1].At)
	}
	if f.Footer != nil && int64(f.Footer.At) > ix.end {
		ix.end = int64(f.Footer.At)
	}
	ix.makeLanes()

	openOps := map[int64]int32{}
	var maxID uint64
	for i := range ix.ev {
		if e := &ix.ev[i]; e.ID > maxID && isMessage(e.Kind) {
			maxID = e.ID
		}
	}
	dense := maxID <= uint64(2*n+16)
	if dense {
		ix.msgSend = make([]int32, maxID+1)
		ix.msgOther = make([]int32, maxID+1)
		for i := range ix.msgSend {
			ix.msgSend[i], ix.msgOther[i] = -1, -1
		}
	}
	ix.dups = map[uint64][]int32{}
	down := map[int]int64{}   // lane -> crash time
	paused := map[int]int64{} // lane -> pause time

	for i := range ix.ev {
		e := &ix.ev[i]
		i32 := int32(i)
		li := -1
		if e.Node != 0 {
			li = ix.laneOf[e.Node]
			ln := &ix.lanes[li]
			ln.events = append(ln.events, i32)
			if isMark(e.Kind) {
				ln.marks = append(ln.marks, i32)
			}
		}
		switch e.Kind {
		case trace.Send:
			if dense && ix.msgSend[e.ID] < 0 {
				ix.msgSend[e.ID] = i32
			}
		case trace.Deliver, trace.Drop, trace.Hold:
			if dense && ix.msgOther[e.ID] < 0 {
				ix.msgOther[e.ID] = i32
			}
		case trace.Duplicate:
			ix.dups[uint64(e.Num)] = append(ix.dups[uint64(e.Num)], i32)
		case trace.Invoke:
			o := op{inv: i32, ret: -1, start: int64(e.At), end: -1, lane: int32(li), handle: e.Num}
			ix.opByHandle[e.Num] = int32(len(ix.ops))
			openOps[e.Num] = int32(len(ix.ops))
			ix.ops = append(ix.ops, o)
		case trace.Return:
			if k, ok := openOps[e.Num]; ok {
				delete(openOps, e.Num)
				ix.ops[k].ret = i32
				ix.ops[k].end = int64(e.At)
				ix.ops[k].outcome = e.Outcome
			}
		case trace.FaultStart, trace.FaultStop:
			ix.faultEvents = append(ix.faultEvents, i32)
		case trace.Mark:
			if e.MarkType() == trace.MarkPhase && strings.HasPrefix(e.Text, "heal") && ix.healAt < 0 {
				ix.healAt = int64(e.At)
			}
		case trace.Crash:
			if li >= 0 {
				if _, ok := down[li]; !ok {
					down[li] = int64(e.At)
				}
				if t, ok := paused[li]; ok {
					ix.lanes[li].spans = append(ix.lanes[li].spans, span{t, int64(e.At), spanPaused})
					delete(paused, li)
				}
			}
		case trace.Start:
			if t, ok := down[li]; ok && li >= 0 {
				ix.lanes[li].spans = append(ix.lanes[li].spans, span{t, int64(e.At), spanDown})
				delete(down, li)
			}
		case trace.Pause:
			if li >= 0 {
				paused[li] = int64(e.At)
			}
		case trace.Resume:
			if t, ok := paused[li]; ok && li >= 0 {
				ix.lanes[li].spans = append(ix.lanes[li].spans, span{t, int64(e.At), spanPaused})
				delete(paused, li)
			}
		case trace.Clock:
			if li >= 0 {
				ln := &ix.lanes[li]
				var prev clockChange
				if k := len(ln.clocks); k > 0 {
					prev = ln.clocks[k-1]
				}
				ln.clocks = append(ln.clocks, applyClockNote(prev, int64(e.At), e.Note))
			}
		case trace.Violation, trace.Panic:
			ix.failures = append(ix.failures, i32)
		}
	}
	for _, fw := range trace.FaultWindows(ix.ev) {
		fl := fault{start: int64(fw.Start), stop: -1, startEv: int32(fw.StartEvent), stopEv: -1, text: fw.Text, node: fw.Node}
		if !fw.Open() {
			fl.stop, fl.stopEv = int64(fw.Stop), int32(fw.StopEvent)
		}
		if fw.StartEvent < 0 {
			// A stop without a start (the trace was cut at the front): a
			// window from the beginning, selected by its stop.
			fl.startEv = fl.stopEv
		}
		ix.faults = append(ix.faults, fl)
	}
	// Close what is still open at the end of the trace, in lane order.
	for li := range ix.lanes {
		if t, ok := down[li]; ok {
			ix.lanes[li].spans = append(ix.lanes[li].spans, span{t, ix.end + 1, spanDown})
		}
		if t, ok := paused[li]; ok {
			ix.lanes[li].spans = append(ix.lanes[li].spans, span{t, ix.end + 1, spanPaused})
		}
		sort.SliceStable(ix.lanes[li].spans, func(a, b int) bool { return ix.lanes[li].spans[a].from < ix.lanes[li].spans[b].from })
	}
	for k := range ix.ops {
		o := &ix.ops[k]
		if o.ret < 0 {
			o.end = ix.end
		}
		if o.lane >= 0 {
			ln := &ix.lanes[o.lane]
			ln.ops = append(ln.ops, int32(k))
			m := o.end
			if j := len(ln.opsEnd); j > 0 && ln.opsEnd[j-1] > m {
				m = ln.opsEnd[j-1]
			}
			ln.opsEnd = append(ln.opsEnd, m)
		}
	}
	for k := range ix.faults {
		if ix.faults[k].stop < 0 {
			ix.faults[k].stop = ix.end
		}
	}
	ix.assignFaultTracks()
	ix.highlight(opts)
	return ix
}

// makeLanes builds one lane per server and client named in the header or
// seen in the events: servers first, then clients, each in ID order.
func (ix *index) makeLanes() {
	seen := map[nodes.ID]bool{}
	var ids []nodes.ID
	add := func(id nodes.ID) {
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i := 1; i <= ix.f.Header.Nodes; i++ {
		add(nodes.NodeID(i))
	}
	for i := 1; i <= ix.f.Header.Clients; i++ {
		add(nodes.ClientID(i))
	}
	for i := range ix.ev {
		add(ix.ev[i].Node)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	ix.lanes = make([]lane, len(ids))
	for i, id := range ids {
		ix.lanes[i].id = id
		ix.laneOf[id] = i
	}
}

// assignFaultTracks gives overlapping fault windows different rows of the
// fault band (greedy interval colouring, in start order).
func (ix *index) assignFaultTracks() {
	var trackEnd []int64
	for k := range ix.faults {
		fl := &ix.faults[k]
		t := 0
		for ; t < len(trackEnd); t++ {
			if trackEnd[t] < fl.start {
				break
			}
		}
		if t == len(trackEnd) {
			trackEnd = append(trackEnd, 0)
		}
		trackEnd[t] = fl.stop
		fl.track = t
	}
	ix.faultTracks = len(trackEnd)
}

// highlight marks the operations and events the caller wants shown as the
// failure (the checker's offending operations), notes the lead one, adds
// them to the list of failures the viewer jumps between, and records the
// items that matched nothing (see Options).
func (ix *index) highlight(opts *Options) {
	ix.hiEvent = make([]bool, len(ix.ev))
	ix.lead = -1
	if opts != nil {
		o := opts
		if !o.hasHighlight() {
			o = ix.traceHighlight()
		}
		ix.mark(o)
	}
	for i, h := range ix.hiEvent {
		if h {
			ix.failures = append(ix.failures, int32(i))
		}
	}
	sort.Slice(ix.failures, func(a, b int) bool { return ix.failures[a] < ix.failures[b] })
	out := ix.failures[:0]
	for k, v := range ix.failures {
		if k == 0 || v != ix.failures[k-1] {
			out = append(out, v)
		}
	}
	ix.failures = out
}

// traceHighlight returns the highlight recorded by the first checker
// violation in the trace (a Violation of type trace.ViolationLinearizability whose
// Note is a --highlight list), or nil.
func (ix *index) traceHighlight() *Options {
	for _, i := range ix.failures {
		e := &ix.ev[i]
		if e.Kind != trace.Violation || e.ViolationType() != trace.ViolationLinearizability || e.Note == "" {
			continue
		}
		var o Options
		if err := ParseHighlight(e.Note, &o); err != nil {
			ix.hiMissing = append(ix.hiMissing, fmt.Sprintf("its note %q is not a highlight list (%v)", e.Note, err))
		}
		ix.hiFrom = int32(i)
		return &o
	}
	return nil
}

// mark applies the highlight lists of o.
func (ix *index) mark(o *Options) {
	if o == nil {
		return
	}
	lead := o.lead
	if lead == leadUnset {
		lead = leadOp
		if len(o.HighlightOps) == 0 {
			lead = leadHandle
		}
	}
	markOp := func(k int32, isLead bool) {
		op := &ix.ops[k]
		op.hi = true
		ix.hiEvent[op.inv] = true
		if op.ret >= 0 {
			ix.hiEvent[op.ret] = true
		}
		if isLead && ix.lead < 0 {
			ix.lead = k
		}
	}
	for n, h := range o.Highlight {
		if k, ok := ix.opByHandle[h]; ok {
			markOp(k, n == 0 && lead == leadHandle)
		} else {
			ix.hiMissing = append(ix.hiMissing, ix.missingHandle(h))
		}
	}
	for n, r := range o.HighlightOps {
		if k := ix.opAt(r); k >= 0 {
			markOp(int32(k), n == 0 && lead == leadOp)
		} else {
			ix.hiMissing = append(ix.hiMissing, ix.missingOp(r))
		}
	}
	for n, s := range o.HighlightSeqs {
		i := ix.bySeq(s)
		if i < 0 {
			ix.hiMissing = append(ix.hiMissing, ix.missingSeq(s))
			continue
		}
		ix.hiEvent[i] = true
		if k := ix.opOf(i); k >= 0 && n == 0 && lead == leadSeq {
			ix.lead = int32(k)
		}
	}
}

// opAt returns the operation r names (client and invocation time), or -1.
func (ix *index) opAt(r OpRef) int {
	li, ok := ix.laneOf[r.Client]
	if !ok {
		return -1
	}
	ln := &ix.lanes[li]
	j := sort.Search(len(ln.ops), func(j int) bool { return ix.ops[ln.ops[j]].start >= int64(r.Invoke) })
	if j < len(ln.ops) && ix.ops[ln.ops[j]].start == int64(r.Invoke) {
		return int(ln.ops[j])
	}
	return -1
}

// missingOp explains why r matched nothing, naming the client's nearest
// operation so a mistyped time is easy to fix.
func (ix *index) missingOp(r OpRef) string {
	item := r.Client.String() + "@" + trace.FormatTime(r.Invoke)
	li, ok := ix.laneOf[r.Client]
	if !ok {
		return fmt.Sprintf("%s (no client %s in this trace)", item, r.Client)
	}
	ln := &ix.lanes[li]
	if len(ln.ops) == 0 {
		return fmt.Sprintf("%s (%s invoked no operations)", item, r.Client)
	}
	j := sort.Search(len(ln.ops), func(j int) bool { return ix.ops[ln.ops[j]].start >= int64(r.Invoke) })
	best := -1
	for _, c := range []int{j - 1, j} {
		if c >= 0 && c < len(ln.ops) && (best < 0 || abs64(ix.ops[ln.ops[c]].start-int64(r.Invoke)) < abs64(ix.ops[ln.ops[best]].start-int64(r.Invoke))) {
			best = c
		}
	}
	o := &ix.ops[ln.ops[best]]
	e := &ix.ev[o.inv]
	return fmt.Sprintf("%s (%s invoked nothing then; nearest: [%d] %s at %s)", item, r.Client, o.handle, trace.FormatOp(e.Op, false), trace.FormatTime(e.At))
}

func (ix *index) missingHandle(h int64) string {
	if len(ix.ops) == 0 {
		return fmt.Sprintf("%d (the trace has no client operations)", h)
	}
	lo, hi := ix.ops[0].handle, ix.ops[0].handle
	for k := range ix.ops {
		lo, hi = min(lo, ix.ops[k].handle), max(hi, ix.ops[k].handle)
	}
	return fmt.Sprintf("%d (no operation has that handle; handles run %d…%d)", h, lo, hi)
}

func (ix *index) missingSeq(s uint64) string {
	if len(ix.ev) == 0 {
		return fmt.Sprintf("#%d (the trace has no events)", s)
	}
	return fmt.Sprintf("#%d (no event has that seq; seqs run %d…%d)", s, ix.ev[0].Seq, ix.ev[len(ix.ev)-1].Seq)
}

// highlightProblem describes the highlight items that matched nothing, or
// returns "".
func (ix *index) highlightProblem() string {
	if len(ix.hiMissing) == 0 {
		return ""
	}
	if ix.hiFrom >= 0 {
		return fmt.Sprintf("the highlight recorded by the trace's %s violation (seq %d) does not match the trace: %s",
			trace.ViolationLinearizability, ix.ev[ix.hiFrom].Seq, strings.Join(ix.hiMissing, "; "))
	}
	return "--highlight: nothing in the trace matches " + strings.Join(ix.hiMissing, "; ")
}

// bySeq returns the index of the event with sequence number s, or -1.
func (ix *index) bySeq(s uint64) int {
	i := sort.Search(len(ix.ev), func(i int) bool { return ix.ev[i].Seq >= s })
	if i < len(ix.ev) && ix.ev[i].Seq == s {
		return i
	}
	return -1
}

// firstAt returns the index of the first event at or after time t.
func (ix *index) firstAt(t int64) int {
	return sort.Search(len(ix.ev), func(i int) bool { return int64(ix.ev[i].At) >= t })
}

// laneFirstAt returns the position in evs of the first event at or after t.
func (ix *index) laneFirstAt(evs []int32, t int64) int {
	return sort.Search(len(evs), func(i int) bool { return int64(ix.ev[evs[i]].At) >= t })
}

// clockAt returns a lane's clock state at time t.
func (ln *lane) clockAt(t int64) clockChange {
	k := sort.Search(len(ln.clocks), func(k int) bool { return ln.clocks[k].at > t })
	if k == 0 {
		return clockChange{}
	}
	return ln.clocks[k-1]
}

// opOf returns the operation an Invoke or Return event belongs to, or -1.
func (ix *index) opOf(i int) int {
	e := &ix.ev[i]
	if e.Kind != trace.Invoke && e.Kind != trace.Return {
		return -1
	}
	k, ok := ix.opByHandle[e.Num]
	if !ok {
		return -1
	}
	return int(k)
}

// faultOf returns the fault window a FaultStart or FaultStop event opens
// or closes, or -1.
func (ix *index) faultOf(i int) int {
	for k := range ix.faults {
		if int(ix.faults[k].startEv) == i || int(ix.faults[k].stopEv) == i {
			return k
		}
	}
	return -1
}

// msgEnds returns the send and the first deliver/drop/hold of message id
// (-1 when not in the trace).
func (ix *index) msgEnds(id uint64) (send, other int32) {
	if id < uint64(len(ix.msgSend)) {
		return ix.msgSend[id], ix.msgOther[id]
	}
	send, other = -1, -1
	for i := range ix.ev {
		e := &ix.ev[i]
		if e.ID != id {
			continue
		}
		if e.Kind == trace.Send && send < 0 {
			send = int32(i)
		} else if (e.Kind == trace.Deliver || e.Kind == trace.Drop || e.Kind == trace.Hold) && other < 0 {
			other = int32(i)
		}
	}
	return send, other
}

func isMessage(k trace.Kind) bool {
	return k == trace.Send || k == trace.Deliver || k == trace.Drop || k == trace.Duplicate || k == trace.Hold
}

// isMark reports kinds that are rare and important: they are drawn at
// every zoom level, never hidden under the per-cell sampling cap.
func isMark(k trace.Kind) bool {
	switch k {
	case trace.Crash, trace.Restart, trace.Pause, trace.Resume, trace.Clock, trace.Violation, trace.Panic,
		trace.DiskFault:
		return true
	}
	return false
}

// applyClockNote folds a Clock event's note (offset=…, jump=…,
// drift=…ppm) into the previous state.
func applyClockNote(prev clockChange, at int64, note string) clockChange {
	c := prev
	c.at = at
	key, val, ok := strings.Cut(note, "=")
	if !ok {
		return c
	}
	switch key {
	case "offset":
		if d, err := time.ParseDuration(val); err == nil {
			c.offset = int64(d)
		}
	case "jump":
		if d, err := time.ParseDuration(val); err == nil {
			c.offset += int64(d)
		}
	case "drift":
		if p, err := strconv.ParseInt(strings.TrimSuffix(val, "ppm"), 10, 64); err == nil {
			c.ppm = p
		}
	}
	return c
}
