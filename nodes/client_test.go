package nodes_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/nodes"
)

// TestOpKindsRoundTrip: every operation kind of the shared vocabulary
// prints as the text histories and traces store, and parses back to
// itself. The texts are golden: changing one changes every file format.
func TestOpKindsRoundTrip(t *testing.T) {
	var b strings.Builder
	for _, k := range nodes.OpKinds() {
		back, err := nodes.ParseOpKind(k.String())
		if err != nil || back != k {
			t.Errorf("ParseOpKind(%q) = %q, %v; want %q", k.String(), back, err, k)
		}
		fmt.Fprintf(&b, "%-6s read=%v\n", k, k.IsRead())
	}
	golden.CheckString(t, "opkinds.golden", b.String())
}

func TestParseOpKind(t *testing.T) {
	tests := []struct {
		text string
		want nodes.OpKind
		err  string
	}{
		{"get", nodes.OpGet, ""},
		{"cas", nodes.OpCAS, ""},
		{"transfer", "transfer", ""}, // a workload's own kind: the set is open
		{"dequeue-all", "dequeue-all", ""},
		{"", "", `nodes: empty operation kind`},
		{"get k1", "", `nodes: operation kind "get k1": want a word of letters, digits, '-' and '_'`},
		{"put=", "", `nodes: operation kind "put=": want a word of letters, digits, '-' and '_'`},
	}
	for _, tc := range tests {
		got, err := nodes.ParseOpKind(tc.text)
		var msg string
		if err != nil {
			msg = err.Error()
		}
		if got != tc.want || msg != tc.err {
			t.Errorf("ParseOpKind(%q) = %q, %q; want %q, %q", tc.text, got, msg, tc.want, tc.err)
		}
	}
}

func TestOpKindIsRead(t *testing.T) {
	reads := map[nodes.OpKind]bool{nodes.OpGet: true, nodes.OpRead: true}
	for _, k := range append(nodes.OpKinds(), "add", "transfer") {
		if got := k.IsRead(); got != reads[k] {
			t.Errorf("%s.IsRead() = %v, want %v", k, got, reads[k])
		}
	}
}

// TestFormatOp: the one compact text of an operation's arguments, shared
// by traces, kv messages and the viewer.
func TestFormatOp(t *testing.T) {
	tests := []struct {
		op   nodes.Op
		want string
	}{
		{nodes.Op{Kind: nodes.OpGet, Key: "k1"}, "get k1"},
		{nodes.Op{Kind: nodes.OpGet, Key: "k1", Output: "v", Exists: true}, "get k1"}, // outputs are not arguments
		{nodes.Op{Kind: nodes.OpRead}, "read"},
		{nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "v3"}, "put k1=v3"},
		{nodes.Op{Kind: nodes.OpAppend, Key: "k2", Value: "x;"}, "append k2=x;"},
		{nodes.Op{Kind: nodes.OpWrite, Value: "3"}, "write 3"},
		{nodes.Op{Kind: nodes.OpCAS, Key: "k1", Expect: "v1", Value: "v2"}, "cas k1 v1->v2"},
		{nodes.Op{Kind: nodes.OpCAS, Expect: "1", Value: "2"}, "cas  1->2"},
		{nodes.Op{Kind: "add", Value: "e7"}, "add e7"},
		{nodes.Op{Kind: "transfer", Key: "a", Value: "5"}, "transfer a=5"},
		{nodes.Op{Kind: "generate"}, "generate"},
	}
	for _, tc := range tests {
		if got := nodes.FormatOp(tc.op); got != tc.want {
			t.Errorf("FormatOp(%+v) = %q, want %q", tc.op, got, tc.want)
		}
	}
}

func TestSiblings(t *testing.T) {
	if got := nodes.JoinSiblings([]string{"c2-1", "c1-3", "c2-1"}); got != "c1-3|c2-1" {
		t.Errorf("JoinSiblings = %q", got)
	}
	if got := nodes.Siblings("c1-3|c2-1"); len(got) != 2 || got[0] != "c1-3" || got[1] != "c2-1" {
		t.Errorf("Siblings = %q", got)
	}
	if nodes.Siblings("") != nil || len(nodes.Siblings("x")) != 1 {
		t.Error("Siblings of one or none")
	}
}
