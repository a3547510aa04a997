package viz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// detailLines describes event i for the detail pane: its canonical
// String(), every field, and what it is part of (the message's other end,
// the operation's whole life, the fault window, the down span, the clock).
func (ix *index) detailLines(i int) []string {
	e := &ix.ev[i]
	lines := []string{strings.TrimSpace(e.String())}

	var f []string
	add := func(k, v string) { f = append(f, k+"="+v) }
	add("seq", fmt.Sprint(e.Seq))
	add("at", trace.FormatTime(e.At))
	add("kind", e.Kind.String())
	if e.Node != 0 {
		add("node", e.Node.String())
	}
	if e.Peer != 0 {
		add("peer", e.Peer.String())
	}
	if e.ID != 0 {
		add("id", fmt.Sprint(e.ID))
	}
	if e.Num != 0 {
		add("num", fmt.Sprint(e.Num))
	}
	if e.Type != "" {
		add("type", e.Type)
	}
	if e.Note != "" {
		add("note", e.Note)
	}
	if e.Kind == trace.Invoke || e.Kind == trace.Return {
		add("op", fmt.Sprintf("%q", trace.FormatOp(e.Op, e.Kind == trace.Return && e.Outcome == nodes.OK)))
		if e.Kind == trace.Return {
			add("outcome", e.Outcome.String())
		}
	}
	lines = append(lines, strings.Join(f, "  "))
	if c := ix.context(i); c != "" {
		lines = append(lines, c)
	}
	if l := ix.hiLabel(i); l != "" {
		lines = append(lines, l)
	}
	return lines
}

// hiLabel says what a highlighted event is to the failure, or "".
func (ix *index) hiLabel(i int) string {
	if !ix.hiEvent[i] {
		return ""
	}
	if k := ix.opOf(i); k >= 0 && ix.ops[k].hi {
		if int32(k) == ix.lead {
			return "▲ the operation no order can place (the first one highlighted)"
		}
		if ix.lead >= 0 {
			return "▲ involved: highlighted with the operation no order can place"
		}
	}
	return "▲ highlighted: part of the reported failure"
}

// context explains what event i is part of, on one line.
func (ix *index) context(i int) string {
	e := &ix.ev[i]
	switch {
	case isMessage(e.Kind):
		snd, other := ix.msgEnds(e.ID)
		id := e.ID
		if e.Kind == trace.Duplicate {
			id = uint64(e.Num)
		}
		s := fmt.Sprintf("message #%d %s", id, e.Type)
		if snd >= 0 {
			se := &ix.ev[snd]
			s += fmt.Sprintf(" %s→%s sent %s", se.Node, se.Peer, trace.FormatTime(se.At))
		}
		if other >= 0 {
			oe := &ix.ev[other]
			verb := map[trace.Kind]string{trace.Deliver: "delivered", trace.Drop: "dropped", trace.Hold: "held"}[oe.Kind]
			s += fmt.Sprintf(", %s %s", verb, trace.FormatTime(oe.At))
			if snd >= 0 {
				s += " (+" + formatDur(int64(oe.At-ix.ev[snd].At)) + ")"
			}
			if oe.Note != "" {
				s += " because " + oe.Note
			}
		} else if snd >= 0 {
			s += ", not delivered by the end of the trace"
		}
		if d := len(ix.dups[id]); d > 0 {
			s += fmt.Sprintf(", %d duplicate(s)", d)
		}
		return s
	case e.Kind == trace.Invoke || e.Kind == trace.Return:
		k := ix.opOf(i)
		if k < 0 {
			return ""
		}
		o := &ix.ops[k]
		ie := &ix.ev[o.inv]
		s := fmt.Sprintf("op [%d] %s %s: invoked %s", o.handle, ie.Node, trace.FormatOp(ie.Op, false), trace.FormatTime(ie.At))
		if o.ret >= 0 {
			re := &ix.ev[o.ret]
			s += fmt.Sprintf(", returned %s %s after %s", re.Outcome, trace.FormatTime(re.At), formatDur(o.end-o.start))
			if re.Outcome == nodes.OK && re.Op.Kind.IsRead() {
				out := "nil"
				if re.Op.Exists {
					out = strconv.Quote(re.Op.Output)
				}
				s += ", read " + out
			}
		} else {
			s += ", never returned"
		}
		return s + ix.opMessages(o)
	case e.Kind == trace.FaultStart || e.Kind == trace.FaultStop:
		k := ix.faultOf(i)
		if k < 0 {
			return ""
		}
		fl := &ix.faults[k]
		s := fmt.Sprintf("fault %q from %s", fl.text, trace.FormatTime(timeOf(fl.start)))
		if fl.stopEv >= 0 {
			s += fmt.Sprintf(" to %s (%s)", trace.FormatTime(timeOf(fl.stop)), formatDur(fl.stop-fl.start))
		} else {
			s += ", never undone"
		}
		return s
	case e.Kind == trace.Crash || e.Kind == trace.Restart || e.Kind == trace.Pause || e.Kind == trace.Resume:
		ln := &ix.lanes[ix.laneOf[e.Node]]
		for _, sp := range ln.spans {
			if int64(e.At) >= sp.from && int64(e.At) <= sp.to {
				what := "down"
				if sp.kind == spanPaused {
					what = "paused"
				}
				to := "the end"
				if sp.to <= ix.end {
					to = trace.FormatTime(timeOf(sp.to))
				}
				return fmt.Sprintf("%s %s from %s to %s", e.Node, what, trace.FormatTime(timeOf(sp.from)), to)
			}
		}
	case e.Kind == trace.Clock:
		ck := ix.lanes[ix.laneOf[e.Node]].clockAt(int64(e.At))
		return fmt.Sprintf("%s clock now: offset %s, drift %dppm", e.Node, formatDur(ck.offset), ck.ppm)
	}
	return ""
}

// opMessages names the servers a client talked to during an operation:
// "; asked n4, answered by n4" (at most three of each).
func (ix *index) opMessages(o *op) string {
	ln := &ix.lanes[o.lane]
	j := ix.laneFirstAt(ln.events, o.start)
	var asked, answered []string
	for ; j < len(ln.events); j++ {
		i := ln.events[j]
		if int64(ix.ev[i].At) > o.end || (o.ret >= 0 && i > o.ret) {
			break
		}
		e := &ix.ev[i]
		add := func(list []string, id string) []string {
			for _, x := range list {
				if x == id {
					return list
				}
			}
			return append(list, id)
		}
		switch {
		case e.Kind == trace.Send && len(asked) < 3:
			asked = add(asked, e.Peer.String())
		case e.Kind == trace.Deliver && len(answered) < 3:
			answered = add(answered, e.Peer.String())
		}
	}
	s := ""
	if len(asked) > 0 {
		s += "; asked " + strings.Join(asked, ", ")
	}
	if len(answered) > 0 {
		s += "; answered by " + strings.Join(answered, ", ")
	}
	return s
}
