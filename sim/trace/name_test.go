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

// referenceAdd is Add as it was written before its fast paths (the
// lengths' table): the hash every golden trace and results file holds,
// which they must keep.
func referenceAdd(h Hash, e *Event) Hash {
	u64 := func(h Hash, x uint64) Hash { return (h ^ mix(x)) * fnvPrime }
	str := referenceStr
	h = u64(h, uint64(e.At))
	h = u64(h, uint64(e.Kind)|uint64(uint32(e.Node))<<8|uint64(uint32(e.Peer))<<40)
	h = u64(h, e.ID)
	h = u64(h, uint64(e.Num))
	h = str(h, e.Type)
	h = str(h, e.Note)
	if e.Kind == Invoke || e.Kind == Return {
		h = u64(h, uint64(e.Outcome))
		h = str(str(str(str(str(h, string(e.Op.Kind)), e.Op.Key), e.Op.Value), e.Op.Expect), e.Op.Output)
		if e.Op.Exists {
			h = u64(h, 1)
		}
	}
	if e.Kind == FaultStart || e.Kind == FaultStop || e.Kind == Mark || e.Kind == Violation {
		h = str(h, e.Text)
	}
	return h
}

// TestAddIsTheReference folds random events, with empty, short and long
// strings in every field (lengths on both sides of the table's), through
// Add, AddNamed (right, wrong and no Names) and AddString, and through
// referenceAdd, and requires the same hash after every event.
func TestAddIsTheReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	strs := []string{"", "", "", "a", "log", "Reply", "append", "AppendEntries", "wal-0000000000000001-000000",
		strings.Repeat("x", 63), strings.Repeat("y", 64), strings.Repeat("z", 200), "crashed", "c3-17;"}
	names := []*Name{nil, nil, NewName("AppendEntries"), NewName("wal-0000000000000001-000000"), NewName(strings.Repeat("x", 63)), NewName("crashedX")}
	pick := func() string { return strs[r.IntN(len(strs))] }
	ref, add, named := NewHash(), NewHash(), NewHash()
	for i := range 200_000 {
		e := Event{
			At:      time.Duration(r.Int64N(1 << 40)),
			Kind:    Kind(1 + r.IntN(len(Kinds()))),
			Node:    nodes.NodeID(1 + r.IntN(7)),
			Peer:    nodes.ClientID(r.IntN(7)),
			ID:      r.Uint64N(3) * r.Uint64(),
			Num:     r.Int64N(3) * r.Int64(),
			Type:    pick(),
			Note:    pick(),
			Op:      nodes.Op{Kind: nodes.OpKind(pick()), Key: pick(), Value: pick(), Expect: pick(), Output: pick(), Exists: r.IntN(2) == 0},
			Outcome: nodes.Outcome(r.IntN(3)),
			Text:    pick(),
		}
		typ := names[r.IntN(len(names))]
		ref, add, named = referenceAdd(ref, &e), add.Add(&e), named.AddNamed(&e, typ)
		if add != ref || named != ref {
			t.Fatalf("event %d (%+v), type name %v: Add %v, AddNamed %v, the reference %v", i, e, typ, add, named, ref)
		}
		if s := pick(); add.AddString(s) != referenceStr(ref, s) {
			t.Fatalf("AddString(%q) from %v differs from the reference", s, ref)
		}
	}
}

// referenceStr is the old str: the bytes, then the mixed length.
func referenceStr(h Hash, s string) Hash {
	for i := 0; i < len(s); i++ {
		h = (h ^ Hash(s[i])) * fnvPrime
	}
	return (h ^ mix(uint64(len(s)))) * fnvPrime
}
