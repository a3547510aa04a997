package nodes_test

import (
	"testing"

	"github.com/faultline/faultline/nodes"
)

func TestIDs(t *testing.T) {
	cases := []struct {
		id     nodes.ID
		text   string
		client bool
		index  int
	}{
		{nodes.NodeID(1), "n1", false, 1},
		{nodes.NodeID(42), "n42", false, 42},
		{nodes.ClientID(1), "c1", true, 1},
		{nodes.ClientID(300), "c300", true, 300},
	}
	for _, c := range cases {
		if c.id.String() != c.text || c.id.IsClient() != c.client || c.id.Index() != c.index {
			t.Errorf("%d: %q client=%v index=%d", c.id, c.id.String(), c.id.IsClient(), c.id.Index())
		}
		back, ok := nodes.ParseID(c.text)
		if !ok || back != c.id {
			t.Errorf("ParseID(%q) = %v, %v", c.text, back, ok)
		}
	}
	for _, bad := range []string{"", "n", "x1", "n0", "c-1", "n1x", "c99999999", "n01", "n+1"} {
		if _, ok := nodes.ParseID(bad); ok {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
	if nodes.ID(0).String() != "-" {
		t.Error("the zero ID should print as -")
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"n1", "c7", "n", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := nodes.ParseID(s); ok && id.String() != s {
			t.Fatalf("%q -> %v does not print back", s, id)
		}
	})
}
