package kv

import (
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// String renders a request compactly for traces: "c1 seq=3 cas k2 c1-1->c1-2".
func (r Request) String() string {
	s := r.Client.String() + " seq=" + formatSeq(r.Seq) + " " + nodes.FormatOp(r.Op)
	if r.Context != "" {
		s += " ctx=" + r.Context
	}
	return s
}

// String renders a reply compactly for traces: `seq=3 ok "c2-1"` (a value
// that exists), "seq=3 ok" (none), "seq=3 not-leader leader=n2",
// "seq=1.4 retry" (session 1, operation 4).
func (r Reply) String() string {
	var b strings.Builder
	b.WriteString("seq=" + formatSeq(r.Seq) + " " + r.Status.String())
	if r.Leader != 0 {
		b.WriteString(" leader=" + r.Leader.String())
	}
	if r.Exists {
		b.WriteString(" " + strconv.Quote(r.Value))
	} else if r.Value != "" {
		b.WriteString(" " + strconv.Quote(r.Value) + "(missing)")
	}
	if r.Context != "" {
		b.WriteString(" ctx=" + r.Context)
	}
	return b.String()
}

// formatSeq shows a later session's sequence numbers as session.n.
func formatSeq(seq uint64) string {
	if e := seq >> 32; e > 0 {
		return strconv.FormatUint(e, 10) + "." + strconv.FormatUint(seq&(1<<32-1), 10)
	}
	return strconv.FormatUint(seq, 10)
}
