package trace

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Kind says what an event records.
type Kind uint8

// The event kinds. Their names (Kind.String) are part of the trace format.
const (
	KindNone   Kind = iota
	Start           // a process started (fresh or after restart); Num is its incarnation
	Crash           // a process crashed: volatile state lost
	Restart         // a crashed process is being restarted (Start follows)
	Pause           // a process was paused: it handles nothing until resumed
	Resume          // a paused process resumed; deferred work follows
	Send            // Node sent message ID to Peer
	Deliver         // message ID from Peer was delivered to Node
	Drop            // message ID from Node to Peer was dropped; Note says why
	Duplicate       // message ID is an extra copy of message Num from Node to Peer
	Hold            // message ID from Node to Peer is held by a rule (clogged link)
	Timer           // a timer of Node fired; Num is its tag
	Clock           // Node's clock changed; Note says how
	DiskWrite       // Node wrote to its store; Type is write/append/delete, Note the file
	DiskSync        // Node issued a sync; Num is its tag
	DiskSynced      // a sync completed; Num is its tag
	DiskFault       // a disk fault struck; Note says which
	Log             // a line from node code; Text is the line
	Invoke          // client Node invoked Op; Num is the history handle
	Return          // client Node's operation Num ended with Outcome
	FaultStart      // the nemesis started a fault; Text is its text form
	FaultStop       // the nemesis undid a fault; Text is its text form
	Panic           // node code panicked; Text has the value and stack
	Violation       // an online invariant failed; Text says which
	Mark            // a free-form marker from the harness (phase changes)
	numKinds
)

var kindNames = [numKinds]string{
	"none", "start", "crash", "restart", "pause", "resume",
	"send", "deliver", "drop", "dup", "hold", "timer", "clock",
	"disk-write", "disk-sync", "disk-synced", "disk-fault", "log",
	"invoke", "return", "fault-start", "fault-stop", "panic", "violation", "mark",
}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return KindNone, false
}

// Kinds returns every kind in order (for legends and filters).
func Kinds() []Kind {
	ks := make([]Kind, 0, numKinds-1)
	for k := Start; k < numKinds; k++ {
		ks = append(ks, k)
	}
	return ks
}

// Event is one thing that happened. Fields unused by a kind are zero.
// The simulator reuses one Event for the whole run: observers that keep an
// event must copy it (the struct is a value; copying is enough).
type Event struct {
	Seq  uint64        // position in the run, from 1
	At   time.Duration // virtual time since the start of the run
	Kind Kind
	Node nodes.ID // the process the event happened to (sender for sends)
	Peer nodes.ID // the other end of a message, if any
	ID   uint64   // message ID (send, deliver, drop, dup, hold)
	Num  int64    // kind-specific number (tag, incarnation, handle, bytes)
	Type string   // message type, or disk operation, or fault kind
	Note string   // short reason or qualifier (drop reason, file name, clock change)
	Text string   // details: message contents, log line, fault text; only when recording

	// Client operations (Invoke, Return).
	Op      nodes.Op
	Outcome nodes.Outcome

	// Msg is the message itself for send/deliver events. It is not part of
	// the trace file; recorders render it into Text.
	Msg nodes.Message `json:"-"`
}

// FormatTime renders a virtual time as seconds with nanosecond precision,
// the form every Faultline output uses (e.g. 12.000345678s).
func FormatTime(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	s := fmt.Sprintf("%d.%09ds", int64(d/time.Second), int64(d%time.Second))
	if neg {
		return "-" + s
	}
	return s
}

// String is the canonical one-line text form of the event, used by golden
// traces, the text trace and the viewer's detail rows.
func (e *Event) String() string {
	var b strings.Builder
	b.Grow(96)
	fmt.Fprintf(&b, "%8d %s %-4s %-11s", e.Seq, FormatTime(e.At), e.Node, e.Kind)
	switch e.Kind {
	case Send, Deliver, Drop, Duplicate, Hold:
		arrow := "->"
		if e.Kind == Deliver {
			arrow = "<-"
		}
		fmt.Fprintf(&b, " %s%s #%d %s", arrow, e.Peer, e.ID, e.Type)
		if e.Kind == Duplicate {
			fmt.Fprintf(&b, " of #%d", e.Num)
		}
	case Invoke:
		fmt.Fprintf(&b, " [%d] %s", e.Num, FormatOp(e.Op, false))
	case Return:
		fmt.Fprintf(&b, " [%d] %s %s", e.Num, e.Outcome, FormatOp(e.Op, e.Outcome == nodes.OK))
	case Timer, DiskSync, DiskSynced, Start:
		fmt.Fprintf(&b, " %d", e.Num)
	default:
		if e.Type != "" {
			b.WriteString(" " + e.Type)
		}
		if e.Peer != 0 {
			b.WriteString(" " + e.Peer.String())
		}
	}
	if e.Note != "" {
		b.WriteString(" (" + e.Note + ")")
	}
	if e.Text != "" {
		b.WriteString(" " + e.Text)
	}
	return b.String()
}

// FormatOp renders a client operation compactly: put k1=v3, cas k1 v1->v2,
// get k1 -> "v3" (with output when withOutput is set; see nodes.FormatOp).
func FormatOp(op nodes.Op, withOutput bool) string {
	s := nodes.FormatOp(op)
	if withOutput && op.Kind.IsRead() {
		if op.Exists {
			s += " -> " + strconv.Quote(op.Output)
		} else {
			s += " -> nil"
		}
	}
	return s
}
