package viz

import (
	"fmt"
	"sort"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// scene is one drawing of the timeline: the window of time, where the
// plot area sits, and what is selected. Both the viewer and RenderText
// draw through it, so they show the same thing.
type scene struct {
	ix      *index
	v       view
	x0      int   // first column of the plot area (after the lane labels)
	pw      int   // width of the plot area
	sel     int   // selected event, or -1
	selLane int   // selected lane, or -1
	cursorT int64 // time at which lane labels report clock skew
	cursor  bool  // mark the selected event's time on the axis
	// cut, in the happens-before view, is per lane the last event in the
	// selected event's causal past (index.causalCut), or nil.
	cut []int32
}

// capPerCol bounds how many ordinary events are examined per cell of a
// lane; rare events (isMark) are always drawn. This keeps a frame's cost
// proportional to its size whatever the zoom.
const capPerCol = 24

// Priorities: when several things fall into one cell, the highest wins.
const (
	prioBase    = 1
	prioMsg     = 2
	prioDup     = 3
	prioDrop    = 4
	prioClock   = 5
	prioPause   = 6
	prioCrash   = 7
	prioOp      = 8
	prioOpBad   = 9
	prioOpHi    = 10
	prioFailure = 11
)

// labelWidth is the width of the lane-label column: the longest process
// name, a space, and room for a clock skew such as "+120ms".
func (ix *index) labelWidth(total int) int {
	w := 6 // "faults"
	for _, ln := range ix.lanes {
		if n := len(ln.id.String()); n > w {
			w = n
		}
	}
	if total >= 60 {
		w += 8
	}
	return w + 1
}

// glyph returns how an event of kind k is drawn on its lane, if at all.
func glyph(e *trace.Event) (rune, cls, uint8) {
	switch e.Kind {
	case trace.Send:
		return '>', clsMsg, prioMsg
	case trace.Deliver:
		return '<', clsMsg, prioMsg
	case trace.Duplicate:
		return 'd', clsDrop, prioDup
	case trace.Hold:
		return 'h', clsDrop, prioDup
	case trace.Drop:
		return 'x', clsDrop, prioDrop
	case trace.Clock:
		return 'C', clsClock, prioClock
	case trace.DiskFault:
		return 'D', clsDrop, prioClock
	case trace.Pause:
		return 'P', clsDown, prioPause
	case trace.Resume:
		return 'U', clsDown, prioPause
	case trace.Crash:
		return 'X', clsDown, prioCrash
	case trace.Restart:
		return 'R', clsDown, prioCrash
	case trace.Violation, trace.Panic:
		return '!', clsFailure, prioFailure
	}
	return 0, 0, 0
}

// drawHeader writes the title and the window on row y.
func (s *scene) drawHeader(fr *frame, y int, title string) {
	ix := s.ix
	round := niceAtLeast(s.v.nsPerCol)
	right := fmt.Sprintf("%s … %s  %s/col  %d events", formatAxis(s.v.t0, round),
		formatAxis(s.v.timeAt(s.pw), round), formatScale(s.v.nsPerCol), len(ix.ev))
	if ft := ix.f.Footer; ft != nil && ft.Status != "" {
		right += "  " + ft.Status + " (" + ft.Outcome + ")"
	} else if ft != nil && ft.Outcome != "" {
		right += "  outcome " + ft.Outcome
	}
	if ft := ix.f.Footer; ft != nil && ft.Truncated > 0 {
		right += fmt.Sprintf("  cut: %d events not in the file", ft.Truncated)
	}
	line := title + "  │  " + right
	fr.text(0, y, fr.w, clip(line, fr.w), clsTitle)
}

// defaultTitle names the run: seed and scenario.
func defaultTitle(f *trace.File) string {
	t := fmt.Sprintf("faultline  seed %d", f.Header.Seed)
	if f.Header.Scenario != "" {
		t += "  " + f.Header.Scenario
	}
	return t
}

// drawFaults draws the fault band on rows [y, y+rows): one row per track
// of overlapping faults, the last row taking any tracks beyond.
func (s *scene) drawFaults(fr *frame, y, rows int) {
	if rows <= 0 {
		return
	}
	fr.text(0, y, s.x0-1, "faults", clsLabel)
	ix := s.ix
	tEnd := s.v.timeAt(s.pw)
	visible := func(fl *fault) bool { return fl.stop >= s.v.t0 && fl.start < tEnd }
	for k := range ix.faults {
		if fl := &ix.faults[k]; visible(fl) {
			c1, c2 := s.clampCols(fl.start, fl.stop)
			for c := c1; c <= c2; c++ {
				fr.set(s.x0+c, y+min(fl.track, rows-1), '░', clsFault, 1)
			}
		}
	}
	for k := range ix.faults {
		fl := &ix.faults[k]
		if !visible(fl) {
			continue
		}
		row := min(fl.track, rows-1)
		c1, c2 := s.clampCols(fl.start, fl.stop)
		txt := fl.text
		if fl.node != 0 && !strings.Contains(txt, fl.node.String()) {
			txt = fl.node.String() + ": " + txt
		}
		if fl.stopEv < 0 {
			txt += " (never healed)"
		}
		// Name the fault inside its band (or right after it if it is
		// narrow), running on into empty cells if the band is too short.
		x := s.x0 + c1 + 1
		if c2-c1 < 4 {
			x = s.x0 + c2 + 1
		}
		s.faultText(fr, x, y+row, s.x0+c2, s.x0+s.pw, txt)
	}
}

// faultText writes a fault's name from x on row y: over its own band
// (which ends at bandEnd) and on into empty cells, stopping before the
// next band or name. A name that does not fit is cut with "…", so two
// names never run together.
func (s *scene) faultText(fr *frame, x, y, bandEnd, maxX int, txt string) {
	end := x // first cell the name may not use
	for ; end < maxX; end++ {
		p := fr.at(end, y)
		if p == nil || p.prio > 1 || (end > bandEnd && p.ch != ' ') {
			break // another fault's name, or another band
		}
	}
	room := end - x
	if room < 2 {
		return
	}
	if rs := []rune(txt); len(rs) > room {
		txt = strings.TrimRight(string(rs[:room-1]), " ") + "…"
	}
	for _, r := range txt {
		p := fr.at(x, y)
		p.ch, p.cls, p.prio = r, clsFault, 2
		x++
	}
}

// clampCols returns the visible columns of [from, to].
func (s *scene) clampCols(from, to int64) (int, int) {
	c1, c2 := s.v.col(from), s.v.col(to)
	if c1 < 0 {
		c1 = 0
	}
	if c2 >= s.pw {
		c2 = s.pw - 1
	}
	return c1, c2
}

// drawAxis draws tick marks and time labels on row y, and the cursor (▼,
// the selected event's time) when the scene has one. A label the cursor
// would fall into is left out rather than overwritten, so no label ever
// reads as a wrong time (2.▼0s).
func (s *scene) drawAxis(fr *frame, y int) {
	fr.text(0, y, s.x0-1, "time", clsLabel)
	cur := -1
	if s.cursor && s.sel >= 0 {
		if c := s.v.col(int64(s.ix.ev[s.sel].At)); c >= 0 && c < s.pw {
			cur = c
		}
	}
	// Labels are never longer than the end time at full precision.
	step := tickStep(s.v.nsPerCol, len(formatAxis(s.v.timeAt(s.pw), s.v.nsPerCol)))
	t := floorTo(s.v.t0, step)
	if t < s.v.t0 {
		t += step
	}
	for ; t < s.v.timeAt(s.pw); t += step {
		c := s.v.col(t)
		fr.set(s.x0+c, y, '|', clsAxis, 1)
		lbl := formatAxis(t, step)
		if c+1+len(lbl) <= s.pw && (cur < c+1 || cur > c+len(lbl)) {
			fr.text(s.x0+c+1, y, s.x0+s.pw, lbl, clsAxis)
		}
	}
	// The heal: faults undone, liveness probes from here on. Without a
	// mark the quiet heal reads as an outage.
	if h := s.ix.healAt; h >= 0 {
		if c := s.v.col(h); c >= 0 && c < s.pw {
			fr.set(s.x0+c, y, '┃', clsHeal, 2)
			if c+6 <= s.pw {
				fr.text(s.x0+c+1, y, s.x0+s.pw, "heal→", clsHeal)
			}
		}
	}
	if cur >= 0 {
		p := fr.at(s.x0+cur, y)
		p.ch, p.cls, p.sel = '▼', clsAxis, true
	}
}

// drawLane draws lane li on row y.
func (s *scene) drawLane(fr *frame, y, li int) {
	ix := s.ix
	ln := &ix.lanes[li]
	v := s.v
	tEnd := v.timeAt(s.pw)

	// Label, with the clock skew in force at the cursor.
	label := ln.id.String()
	if s.x0 >= 10 {
		if ck := ln.clockAt(s.cursorT); ck.offset != 0 || ck.ppm != 0 {
			label += " " + skewString(ck)
		}
	}
	fr.text(0, y, s.x0-1, label, clsLabel)
	if li == s.selLane {
		for x := 0; x < s.x0-1; x++ {
			fr.at(x, y).sel = true
		}
	}

	// Baseline: servers have a line while up; clients are blank while idle.
	base := ' '
	if !ln.id.IsClient() {
		base = '─'
	}
	for c := 0; c < s.pw; c++ {
		fr.set(s.x0+c, y, base, clsDim, 0)
	}
	// A skewed clock turns the line into ~.
	for k, ck := range ln.clocks {
		if ck.offset == 0 && ck.ppm == 0 {
			continue
		}
		until := tEnd
		if k+1 < len(ln.clocks) {
			until = ln.clocks[k+1].at
		}
		if until < v.t0 || ck.at >= tEnd {
			continue
		}
		c1, c2 := s.clampCols(ck.at, until)
		for c := c1; c <= c2; c++ {
			fr.set(s.x0+c, y, '~', clsClock, 0)
		}
	}
	// Down and paused spans are gaps.
	sp := sort.Search(len(ln.spans), func(k int) bool { return ln.spans[k].to >= v.t0 })
	for ; sp < len(ln.spans) && ln.spans[sp].from < tEnd; sp++ {
		g, c := ' ', clsDown
		if ln.spans[sp].kind == spanPaused {
			g = '·'
		}
		c1, c2 := s.clampCols(ln.spans[sp].from, ln.spans[sp].to)
		for x := c1; x <= c2; x++ {
			fr.set(s.x0+x, y, g, c, prioBase)
		}
	}
	// Fault windows shade the lanes they touch (colour only).
	for k := range ix.faults {
		fl := &ix.faults[k]
		if (fl.node != 0 && fl.node != ln.id) || fl.stop < v.t0 || fl.start >= tEnd {
			continue
		}
		c1, c2 := s.clampCols(fl.start, fl.stop)
		for c := c1; c <= c2; c++ {
			fr.at(s.x0+c, y).tint = true
		}
	}

	// Ordinary events, at most capPerCol per cell.
	evs := ln.events
	j := ix.laneFirstAt(evs, v.t0)
	for j < len(evs) {
		t := int64(ix.ev[evs[j]].At)
		if t >= tEnd {
			break
		}
		c := v.col(t)
		colEnd := v.timeAt(c + 1)
		n := 0
		var mc msgCount
		for j < len(evs) && int64(ix.ev[evs[j]].At) < colEnd {
			if n == capPerCol {
				j += sort.Search(len(evs)-j, func(k int) bool { return int64(ix.ev[evs[j+k]].At) >= colEnd })
				break
			}
			e := &ix.ev[evs[j]]
			if isMessage(e.Kind) {
				mc.add(e.Kind)
			} else {
				s.drawEvent(fr, y, c, int(evs[j]))
			}
			n++
			j++
		}
		if g, prio := mc.glyph(); g != 0 {
			cl := clsMsg
			if prio > prioMsg {
				cl = clsDrop
			}
			fr.set(s.x0+c, y, g, cl, prio)
		}
	}
	// Rare events, always.
	for m := ix.laneFirstAt(ln.marks, v.t0); m < len(ln.marks); m++ {
		t := int64(ix.ev[ln.marks[m]].At)
		if t >= tEnd {
			break
		}
		s.drawEvent(fr, y, v.col(t), int(ln.marks[m]))
	}
	if len(ln.ops) > 0 {
		s.drawOps(fr, y, ln)
	}
	// The failures go on top of everything.
	for _, i := range ix.failures {
		e := &ix.ev[i]
		if e.Kind != trace.Violation && e.Kind != trace.Panic {
			continue
		}
		// A checker's violation is recorded at the end of the run; its
		// mark belongs on the operation no order can place.
		at, node := int64(e.At), e.Node
		if int32(i) == ix.hiFrom && ix.lead >= 0 {
			o := &ix.ops[ix.lead]
			at, node = o.start, ix.lanes[o.lane].id
		}
		if node == ln.id {
			if c := v.col(at); c >= 0 && c < s.pw {
				fr.set(s.x0+c, y, '!', clsFailure, prioFailure)
			}
		}
	}
	s.markSelected(fr, y, ln)
}

// msgCount tallies the message events of one cell, so a cell standing
// for many messages shows what most of them did: a lone drop among a
// hundred deliveries does not turn a busy column into x, but a
// partitioned node's column of drops does.
type msgCount struct{ send, deliver, drop, dup, hold int }

func (m *msgCount) add(k trace.Kind) {
	switch k {
	case trace.Send:
		m.send++
	case trace.Deliver:
		m.deliver++
	case trace.Drop:
		m.drop++
	case trace.Duplicate:
		m.dup++
	case trace.Hold:
		m.hold++
	}
}

func (m *msgCount) glyph() (rune, uint8) {
	total := m.send + m.deliver + m.drop + m.dup + m.hold
	// A drop also has its send in the cell (usually), so compare with sends.
	switch {
	case total == 0:
		return 0, 0
	case m.drop > 0 && 2*m.drop >= m.send:
		return 'x', prioDrop
	case m.hold > 0 && 2*m.hold >= m.send:
		return 'h', prioDup
	case m.dup > 0 && 2*m.dup >= m.send:
		return 'd', prioDup
	case m.send > 0 && m.deliver > 0:
		return '*', prioMsg
	case m.send > 0:
		return '>', prioMsg
	}
	return '<', prioMsg
}

func (s *scene) drawEvent(fr *frame, y, c, i int) {
	if int32(i) == s.ix.hiFrom && s.ix.lead >= 0 {
		return // a checker's violation is drawn on the operation it is about
	}
	e := &s.ix.ev[i]
	g, cl, prio := glyph(e)
	if g == 0 {
		return
	}
	p := fr.at(s.x0+c, y)
	if p == nil {
		return
	}
	if prio == prioMsg && p.prio == prioMsg && p.ch != g {
		g = '*' // sends and deliveries in one cell
	}
	if prio >= p.prio {
		p.ch, p.cls, p.prio = g, cl, prio
	}
}

// drawOps draws the client operations of ln as bars: [get k1 -> "3"====].
func (s *scene) drawOps(fr *frame, y int, ln *lane) {
	ix := s.ix
	v := s.v
	tEnd := v.timeAt(s.pw)
	j := sort.Search(len(ln.opsEnd), func(k int) bool { return ln.opsEnd[k] >= v.t0 })
	for ; j < len(ln.ops); j++ {
		o := &ix.ops[ln.ops[j]]
		if o.start >= tEnd {
			break
		}
		if o.end < v.t0 {
			continue
		}
		fill, cl, prio := opStyle(o)
		c1, c2 := v.col(o.start), v.col(o.end)
		if c2-c1 < 2 {
			// Too short for brackets: its outcome glyph in each cell; the
			// worst outcome in a cell wins (see opStyle's priorities).
			g := fill
			if o.hi {
				g = '#'
			}
			lo, hi := s.clampCols(o.start, o.end)
			for c := lo; c <= hi; c++ {
				fr.set(s.x0+c, y, g, cl, prio)
			}
			continue
		}
		open, shut := '[', ']'
		if o.hi {
			open, shut = '{', '}'
		}
		lo, hi := s.clampCols(o.start, o.end)
		for c := lo; c <= hi; c++ {
			g := fill
			switch c {
			case c1:
				g = open
			case c2:
				g = shut
			}
			fr.set(s.x0+c, y, g, cl, prio)
		}
		// The operation's text inside the bar.
		e := &ix.ev[o.inv]
		if o.ret >= 0 {
			e = &ix.ev[o.ret]
		}
		txt := trace.FormatOp(e.Op, o.outcome == nodes.OK)
		x := s.x0 + lo
		if lo == c1 {
			x++
		}
		for _, r := range txt {
			if x >= s.x0+hi || x >= s.x0+c2 {
				break
			}
			fr.set(x, y, r, cl, prio)
			x++
		}
	}
}

// opStyle returns an operation's fill glyph, class and priority.
func opStyle(o *op) (rune, cls, uint8) {
	var g rune
	var c cls
	prio := uint8(prioOpBad)
	switch o.outcome {
	case nodes.OK:
		g, c, prio = '=', clsOK, prioOp
	case nodes.Fail:
		g, c = '-', clsFail
	case nodes.Info:
		g, c = '?', clsInfo
	default:
		g, c = '.', clsPending
	}
	if o.hi {
		c, prio = clsHi, prioOpHi
	}
	return g, c, prio
}

// markSelected flags the selected event's cell, its message's other end,
// or its operation's bar.
func (s *scene) markSelected(fr *frame, y int, ln *lane) {
	if s.sel < 0 {
		return
	}
	ix := s.ix
	e := &ix.ev[s.sel]
	if s.cut != nil {
		if l, ok := ix.laneOf[ln.id]; ok && s.cut[l] >= 0 {
			if c := s.v.col(int64(ix.ev[s.cut[l]].At)); c >= 0 && c < s.pw {
				fr.at(s.x0+c, y).sel = true
			}
		}
	}
	flag := func(i int) {
		if i < 0 || ix.ev[i].Node != ln.id {
			return
		}
		if c := s.v.col(int64(ix.ev[i].At)); c >= 0 && c < s.pw {
			fr.at(s.x0+c, y).sel = true
		}
	}
	switch {
	case isMessage(e.Kind):
		snd, other := ix.msgEnds(e.ID)
		flag(s.sel)
		flag(int(snd))
		flag(int(other))
	case e.Kind == trace.Invoke || e.Kind == trace.Return:
		if k := ix.opOf(s.sel); k >= 0 && e.Node == ln.id {
			o := &ix.ops[k]
			lo, hi := s.clampCols(o.start, o.end)
			for c := lo; c <= hi; c++ {
				fr.at(s.x0+c, y).sel = true
			}
			return
		}
		flag(s.sel)
	default:
		flag(s.sel)
	}
}

// skewString renders a clock state for a lane label: +12ms, -3s, +50ppm.
func skewString(ck clockChange) string {
	if ck.offset != 0 {
		return signed(ck.offset) + shortDur(abs64(ck.offset))
	}
	return fmt.Sprintf("%+dppm", ck.ppm)
}

func signed(d int64) string {
	if d < 0 {
		return "-"
	}
	return "+"
}

func abs64(d int64) int64 {
	if d < 0 {
		return -d
	}
	return d
}

// shortDur renders a positive duration in at most 5 characters.
func shortDur(d int64) string {
	switch {
	case d >= 1e9:
		if d%1e9 == 0 || d >= 10e9 {
			return fmt.Sprintf("%ds", d/1e9)
		}
		return fmt.Sprintf("%.1fs", float64(d)/1e9)
	case d >= 1e6:
		return fmt.Sprintf("%dms", d/1e6)
	case d >= 1e3:
		return fmt.Sprintf("%dµs", d/1e3)
	}
	return fmt.Sprintf("%dns", d)
}
