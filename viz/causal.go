package viz

import (
	"slices"

	"github.com/faultline/faultline/nodes/vclock"
	"github.com/faultline/faultline/sim/trace"
)

// happensBefore returns event i's vector clock: per process, how many of
// that process's events (its lane's, in order) happen before i or are i,
// by Lamport's relation over the trace — each process's events in order,
// and a message's send before its deliveries (a duplicate's copy counts
// as sent with the original). It is computed on demand, in one pass over
// the events up to i.
func (ix *index) happensBefore(i int) vclock.Vector {
	n := len(ix.lanes)
	cur := make([][]uint32, n) // per lane, its clock so far
	for l := range cur {
		cur[l] = make([]uint32, n)
	}
	sent := map[uint64][]uint32{} // message id → the sender's clock at the send
	for j := 0; j <= i && j < len(ix.ev); j++ {
		e := &ix.ev[j]
		l, ok := ix.laneOf[e.Node]
		if !ok {
			continue
		}
		vc := cur[l]
		switch e.Kind {
		case trace.Deliver:
			if s, ok := sent[e.ID]; ok {
				for k, x := range s {
					vc[k] = max(vc[k], x)
				}
				delete(sent, e.ID) // one delivery per id (a copy has its own): only messages in flight stay
			}
		case trace.Drop:
			delete(sent, e.ID)
		case trace.Duplicate:
			if s, ok := sent[uint64(e.Num)]; ok {
				sent[e.ID] = s
			}
		}
		vc[l]++
		if e.Kind == trace.Send {
			sent[e.ID] = slices.Clone(vc)
		}
	}
	out := vclock.Vector{}
	if i < 0 || i >= len(ix.ev) {
		return out
	}
	if l, ok := ix.laneOf[ix.ev[i].Node]; ok {
		for k, x := range cur[l] {
			if x > 0 {
				out[ix.lanes[k].id] = uint64(x)
			}
		}
	}
	return out
}

// causalCut returns, per lane, the index of the last event of the lane
// that happens before event i (or is i), or -1: the frontier of i's causal
// past, which the happens-before view marks on every lane.
func (ix *index) causalCut(i int) []int32 {
	vc := ix.happensBefore(i)
	cut := make([]int32, len(ix.lanes))
	for l := range ix.lanes {
		cut[l] = -1
		if c := vc[ix.lanes[l].id]; c > 0 && int(c) <= len(ix.lanes[l].events) {
			cut[l] = ix.lanes[l].events[c-1]
		}
	}
	return cut
}

// hbLine describes event i's causal past for the detail pane.
func (ix *index) hbLine(i int) string {
	return "happens-before: " + ix.happensBefore(i).String() + " (events of each process in its causal past; the last of each marked)"
}

// drawEdge draws, in the happens-before view, the selected message as an
// edge between lanes: a vertical connector (│) at its delivery's column
// over the lanes between the sender's row and the receiver's, where
// nothing else is drawn. rowOf gives a lane's row, or false when the lane
// is scrolled out of view.
func (s *scene) drawEdge(fr *frame, rowOf func(lane int) (int, bool)) {
	if s.cut == nil || s.sel < 0 || !isMessage(s.ix.ev[s.sel].Kind) {
		return
	}
	ix := s.ix
	snd, other := ix.msgEnds(ix.ev[s.sel].ID)
	if snd < 0 || other < 0 || ix.ev[other].Kind != trace.Deliver {
		return
	}
	la, oka := ix.laneOf[ix.ev[snd].Node]
	lb, okb := ix.laneOf[ix.ev[other].Node]
	if !oka || !okb {
		return
	}
	ya, va := rowOf(la)
	yb, vb := rowOf(lb)
	c := s.v.col(int64(ix.ev[other].At))
	if !va || !vb || c < 0 || c >= s.pw {
		return
	}
	for y := min(ya, yb) + 1; y < max(ya, yb); y++ {
		if cl := fr.at(s.x0+c, y); cl != nil && cl.prio == 0 {
			fr.set(s.x0+c, y, '│', clsMsg, 0)
		}
	}
}
