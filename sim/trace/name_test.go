package trace

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// TestNameIsTheByteSteps: for any starting hash, a Name's table gives
// what hashing its bytes one at a time gives.
func TestNameIsTheByteSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []string{"abcdefgh", "AppendEntries", "AppendEntriesReply", "wal-0000000000000001-000000", "\x00\xff\x80\x7f\x00\xff\x80\x7f", strings.Repeat("z", 300)} {
		n := NewName(s)
		for _, h := range []Hash{0, 1, 255, 256, fnvOffset, ^Hash(0), Hash(r.Uint64()), Hash(r.Uint64()), Hash(r.Uint64())} {
			if got, want := n.str(h), h.str(s); got != want {
				t.Fatalf("%q from %#x: table gives %#x, the byte steps %#x", s, uint64(h), uint64(got), uint64(want))
			}
		}
	}
	if NewName("Request") != nil {
		t.Errorf("NewName prepared a name shorter than %d bytes", NameMinLen)
	}
}

// TestAddNamedIsAdd folds random events through AddNamed, with the Name
// of their type, of another type, or none, and through Add, and requires
// the same hash after every event.
func TestAddNamedIsAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	types := []string{"", "log", "Reply", "append", "AppendEntries", "AppendEntriesReply", "InstallSnapshot", "RequestVoteReply", "ABCDEFGHIJKLMNOPQR"}
	names := map[string]*Name{}
	for _, s := range types {
		names[s] = NewName(s)
	}
	plain, named := NewHash(), NewHash()
	for i := range 100_000 {
		e := Event{
			At:   time.Duration(i),
			Kind: Kind(1 + r.IntN(len(Kinds()))),
			Node: nodes.NodeID(1 + r.IntN(7)),
			Peer: nodes.ClientID(1 + r.IntN(7)),
			ID:   r.Uint64(),
			Num:  r.Int64(),
			Type: types[r.IntN(len(types))],
			Note: types[r.IntN(len(types))],
			Op:   nodes.Op{Kind: "put", Key: "k1", Value: "v2"},
			Text: "text",
		}
		n := names[e.Type]
		if r.IntN(4) == 0 {
			n = names[types[r.IntN(len(types))]] // the wrong one: ignored
		}
		plain, named = plain.Add(&e), named.AddNamed(&e, n)
		if plain != named {
			t.Fatalf("event %d (%+v), name %v: AddNamed gives %v, Add %v", i, e, n, named, plain)
		}
	}
}
