package sim

import (
	"fmt"
	"strings"
	"testing"
)

type cycleMsg struct {
	Name string
	Next *cycleMsg
}

type treeMsg struct {
	Left, Right *leaf
	Kids        []any
	Index       map[string]any
}

type leaf struct{ N int }

type panicky struct{ N int }

func (panicky) String() string { panic("no text for you") }

type wrapsPanicky struct{ P *panicky }

type hugeMsg struct{ Parts []*leaf }

func TestCopyCycles(t *testing.T) {
	self := &cycleMsg{Name: "a"}
	self.Next = self
	two := &cycleMsg{Name: "a", Next: &cycleMsg{Name: "b"}}
	two.Next.Next = two
	loopSlice := []any{1}
	loopSlice[0] = loopSlice
	loopMap := map[string]any{}
	loopMap["me"] = loopMap
	for _, tc := range []struct {
		name string
		msg  any
		want string // "" for no panic
	}{
		{"a pointer to itself", self, "message of type *sim.cycleMsg contains a cycle"},
		{"a cycle of two", two, "message of type *sim.cycleMsg contains a cycle"},
		{"a slice holding itself", loopSlice, "message of type []interface {} contains a cycle"},
		{"a map holding itself", loopMap, "message of type map[string]interface {} contains a cycle"},
		{"a shared leaf is no cycle", func() any {
			l := &leaf{1}
			return treeMsg{Left: l, Right: l, Kids: []any{l, l}, Index: map[string]any{"x": l}}
		}(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			func() {
				defer func() {
					if p := recover(); p != nil {
						got = fmt.Sprint(p)
					}
				}()
				CopyMessage(tc.msg)
			}()
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("CopyMessage panicked with %q, want %q", got, tc.want)
			}
		})
	}
	// A DAG is copied in full, with no memory shared.
	l := &leaf{1}
	c := CopyMessage(treeMsg{Left: l, Right: l}).(treeMsg)
	if c.Left == l || c.Right == l || c.Left.N != 1 {
		t.Errorf("copy of a DAG shares or loses its leaf: %+v", c)
	}
}

func TestFormatMsgContained(t *testing.T) {
	if got := formatMsg(panicky{}); !strings.Contains(got, "sim.panicky: formatting it panicked: no text for you") {
		t.Errorf("a panicking String: %q", got)
	}
	if got := formatMsg(wrapsPanicky{&panicky{}}); !strings.Contains(got, "formatting it panicked") {
		t.Errorf("a panicking String inside: %q", got)
	}
	big := hugeMsg{}
	for i := range 200_000 {
		big.Parts = append(big.Parts, &leaf{i})
	}
	if got := formatMsg(big); len(got) > maxMsgTextBytes+64 || !strings.Contains(got, "bytes cut]") {
		t.Errorf("a huge message renders as %d bytes (bound %d), ending %q", len(got), maxMsgTextBytes, got[len(got)-40:])
	}
	if got := formatMsg(treeMsg{Left: &leaf{7}}); !strings.HasPrefix(got, "{Left:&{N:7}") {
		t.Errorf("an ordinary message: %q", got)
	}
}
