package trace

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// TestNameTableIsTheByteSteps: for any starting hash, a string's table
// gives what hashing its bytes one at a time gives.
func TestNameTableIsTheByteSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []string{"abcd", "Reply", "Request", "AppendEntries", "AppendEntriesReply", "wal-0000000000000001-000000", "\x00\xff\x80\x7f", strings.Repeat("z", 300)} {
		tbl := newNameTable(s)
		for _, h := range []Hash{0, 1, 255, 256, fnvOffset, ^Hash(0), Hash(r.Uint64()), Hash(r.Uint64()), Hash(r.Uint64())} {
			if got, want := tbl.apply(h), h.str(s); got != want {
				t.Fatalf("%q from %#x: table gives %#x, the byte steps %#x", s, uint64(h), uint64(got), uint64(want))
			}
		}
	}
}

// TestHasherMatchesAdd folds the same events through a Hasher and through
// Hash.Add and requires the same hash after every event: recurring names
// (which get tables), names sharing a length and a last byte (which share
// a set), rare names and short ones, every event kind.
func TestHasherMatchesAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	types := []string{"", "log", "Reply", "write", "Request", "append", "delete", "AppendEntries", "AppendEntriesReply",
		"Ab4e", "Bb4e", "Cb4e", "Db4e", // one length, one last byte: one set, four names
		"phase", "probe", "InstallSnapshot", "RequestVote", "RequestVoteReply"}
	var c Hasher
	plain, fast := NewHash(), NewHash()
	for i := range 200_000 {
		e := Event{
			At:   time.Duration(i),
			Kind: Kind(1 + r.IntN(len(Kinds()))),
			Node: nodes.NodeID(1 + r.IntN(7)),
			Peer: nodes.ClientID(1 + r.IntN(7)),
			ID:   r.Uint64(),
			Num:  r.Int64(),
		}
		// Skewed: a few names most of the time, as in a run.
		if r.IntN(10) < 8 {
			e.Type = types[7+r.IntN(2)]
		} else {
			e.Type = types[r.IntN(len(types))]
		}
		if r.IntN(50) == 0 {
			e.Type = strings.Repeat("x", 1+r.IntN(80)) // rare, long, never repeated often
		}
		if r.IntN(5) == 0 {
			e.Note = types[r.IntN(len(types))]
		}
		e.Op.Kind, e.Op.Key, e.Op.Value = "put", "k1", "v2"
		e.Text = "text"
		plain = plain.Add(&e)
		fast = c.Add(fast, &e)
		if plain != fast {
			t.Fatalf("event %d (%+v): Hasher gives %v, Add %v", i, e, fast, plain)
		}
	}
	tables := 0
	for _, set := range c.sets {
		for _, w := range set {
			if w.t != nil {
				tables++
			}
		}
	}
	if tables < 4 {
		t.Errorf("%d names got a table; want the recurring ones to (at least 4)", tables)
	}
}
