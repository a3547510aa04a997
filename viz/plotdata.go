package viz

import (
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// Op is a client operation as the plots see it: an Invoke and the Return
// with the same Num (history handle).
type Op struct {
	Client  nodes.ID
	Handle  int64
	Kind    nodes.OpKind // the operation's kind: get, put, read, write, cas…
	Start   time.Duration
	End     time.Duration // the end of the trace for a pending operation
	Outcome nodes.Outcome // nodes.Pending if it never returned
}

// Latency is how long the operation took (until the end of the trace if
// it never returned).
func (o Op) Latency() time.Duration { return o.End - o.Start }

// FaultWindow is a FaultStart and the FaultStop with the same fault id
// (trace.FaultWindows), as the plots draw it.
type FaultWindow struct {
	Start, Stop time.Duration // Stop is the end of the trace if never undone
	Text        string
	Node        nodes.ID // 0 for faults of the whole cluster
	Undone      bool     // a FaultStop was seen
}

// Ops pairs the Invoke and Return events of f by history handle, in
// invocation order.
func Ops(f *trace.File) []Op {
	ix := buildIndex(f, nil)
	out := make([]Op, len(ix.ops))
	for k := range ix.ops {
		o := &ix.ops[k]
		e := &ix.ev[o.inv]
		out[k] = Op{Client: e.Node, Handle: o.handle, Kind: e.Op.Kind, Start: timeOf(o.start), End: timeOf(o.end), Outcome: o.outcome}
	}
	return out
}

// FaultWindows pairs the FaultStart and FaultStop events of f by fault id
// (trace.FaultWindows), in start order; a fault never undone stops at the
// end of the trace.
func FaultWindows(f *trace.File) []FaultWindow {
	ix := buildIndex(f, nil)
	return ix.faultWindows()
}

func (ix *index) faultWindows() []FaultWindow {
	out := make([]FaultWindow, len(ix.faults))
	for k, fl := range ix.faults {
		out[k] = FaultWindow{Start: timeOf(fl.start), Stop: timeOf(fl.stop), Text: fl.text, Node: fl.node, Undone: fl.stopEv >= 0}
	}
	return out
}
