package viz

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// query is a parsed search: every term must match an event. A term is
// either field:value (node:n3, peer:n1, type:Vote, kind:drop, key:k1,
// text:leader, op:c1-46) or a bare word, which matches a process name or
// key exactly, or appears in the event's kind, message type, note or text,
// or in a client operation's text as the trace shows it ("[376] put
// k2=c1-46", "get k2 -> \"c4-44\""), ignoring case.
type query struct{ terms []term }

type term struct {
	field string // "" for a bare word
	val   string
}

func parseQuery(s string) query {
	var q query
	for _, w := range strings.Fields(s) {
		f, v, ok := strings.Cut(w, ":")
		if !ok || v == "" {
			f, v = "", w
		}
		q.terms = append(q.terms, term{field: strings.ToLower(f), val: v})
	}
	return q
}

func (q query) match(e *trace.Event) bool {
	if len(q.terms) == 0 {
		return false
	}
	for _, t := range q.terms {
		if !t.match(e) {
			return false
		}
	}
	return true
}

func (t term) match(e *trace.Event) bool {
	v := t.val
	switch t.field {
	case "node":
		return strings.EqualFold(e.Node.String(), v)
	case "peer":
		return strings.EqualFold(e.Peer.String(), v)
	case "type":
		return containsFold(e.Type, v)
	case "kind":
		return strings.EqualFold(e.Kind.String(), v)
	case "key":
		return e.Op.Key == v || containsFold(e.Text, v)
	case "text":
		return containsFold(e.Text, v) || containsFold(e.Note, v)
	case "op":
		return matchOp(e, v)
	case "":
		if (e.Node != 0 && strings.EqualFold(e.Node.String(), v)) || (e.Peer != 0 && strings.EqualFold(e.Peer.String(), v)) || e.Op.Key == v {
			return true
		}
		return containsFold(e.Kind.String(), v) || containsFold(e.Type, v) || containsFold(e.Note, v) || containsFold(e.Text, v) ||
			matchOp(e, v)
	}
	return false
}

// matchOp reports whether v appears in the text of an Invoke or Return
// event's operation: its handle in brackets, kind, key, values and (for
// an ok return) output, as FormatOp writes them.
func matchOp(e *trace.Event, v string) bool {
	if e.Kind != trace.Invoke && e.Kind != trace.Return {
		return false
	}
	op := &e.Op
	if containsFold(string(op.Kind), v) || containsFold(op.Key, v) || containsFold(op.Value, v) || containsFold(op.Expect, v) ||
		(e.Kind == trace.Return && containsFold(op.Output, v)) {
		return true
	}
	// Terms spanning fields ("k2=c1-46", "[376]", "->"): the whole text.
	return containsFold("["+strconv.FormatInt(e.Num, 10)+"] "+trace.FormatOp(*op, e.Kind == trace.Return && e.Outcome == nodes.OK), v)
}

// containsFold is strings.Contains ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// search selects the next (dir > 0) or previous event matching text,
// wrapping around the trace once, and says which match of how many it is.
func (vw *Viewer) search(text string, dir int) {
	if strings.TrimSpace(text) == "" {
		vw.status = "no search yet: press / to search"
		return
	}
	if vw.matchesOf != text || vw.matches == nil {
		q := parseQuery(text)
		vw.matches = vw.matches[:0]
		for i := range vw.ix.ev {
			if q.match(&vw.ix.ev[i]) {
				vw.matches = append(vw.matches, int32(i))
			}
		}
		vw.matchesOf = text
	}
	m := vw.matches
	if len(m) == 0 {
		vw.status = "no match for /" + text
		return
	}
	// The first match after (or before) the selection, wrapping.
	k := sort.Search(len(m), func(j int) bool { return int(m[j]) > vw.sel })
	wrapped := false
	if dir < 0 {
		k = sort.Search(len(m), func(j int) bool { return int(m[j]) >= vw.sel }) - 1
		if k < 0 {
			k, wrapped = len(m)-1, true
		}
	} else if k == len(m) {
		k, wrapped = 0, true
	}
	vw.jumpTo(int(m[k]), "")
	vw.status = fmt.Sprintf("/%s  match %d of %d", text, k+1, len(m))
	if wrapped {
		vw.status += "  (wrapped)"
	}
}
