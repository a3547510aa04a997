package paxos

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// memStore is a Store without crashes: what a test writes is what Start
// reads.
type memStore map[string][]byte

func (m memStore) Read(name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	return slices.Clone(b), nil
}
func (m memStore) Write(name string, data []byte)  { m[name] = slices.Clone(data) }
func (m memStore) Append(name string, data []byte) { m[name] = append(m[name], data...) }
func (m memStore) Delete(name string)              { delete(m, name) }
func (m memStore) List() []string                  { return nil }
func (m memStore) Sync(uint64)                     {}

var (
	bA = Ballot{N: 1, Node: 1}
	bB = Ballot{N: 2, Node: 2}
	bC = Ballot{N: 3, Node: 1}
)

func acceptedAt(slot uint64, b Ballot, v string) AcceptedEntry {
	return AcceptedEntry{Slot: slot, Ballot: b, Cmd: Command{Client: nodes.ClientID(1), Seq: slot, Op: nodes.Op{Kind: nodes.OpPut, Key: "k", Value: v}}}
}

// TestLoad builds stores as crashes leave them and checks what a
// restarted server recovers.
func TestLoad(t *testing.T) {
	base := func(gen uint64, p Ballot, acc ...AcceptedEntry) []byte {
		return frame(&record{Base: true, Gen: gen, Promised: p, Accepted: acc})
	}
	rec := func(p Ballot, acc ...AcceptedEntry) []byte { return frame(&record{Promised: p, Accepted: acc}) }
	cat := func(parts ...[]byte) []byte { return slices.Concat(parts...) }
	full := cat(base(1, bA, acceptedAt(1, bA, "x")), rec(bB), rec(bB, acceptedAt(2, bB, "y")))
	for _, c := range []struct {
		name     string
		files    memStore
		promised Ballot
		accepted map[uint64]string // slot → value
		snap     uint64
	}{
		{"fresh", memStore{}, Ballot{}, map[uint64]string{}, 0},
		{"base and records", memStore{AcceptorFiles[0]: full}, bB, map[uint64]string{1: "x", 2: "y"}, 0},
		{"torn last record", memStore{AcceptorFiles[0]: full[:len(full)-3]}, bB, map[uint64]string{1: "x"}, 0},
		{"torn new base: the older file", memStore{
			AcceptorFiles[0]: full,
			AcceptorFiles[1]: base(2, bC)[:10],
		}, bB, map[uint64]string{1: "x", 2: "y"}, 0},
		{"newer base wins", memStore{
			AcceptorFiles[0]: full,
			AcceptorFiles[1]: cat(base(2, bC, acceptedAt(2, bB, "y")), rec(bC, acceptedAt(3, bC, "z"))),
		}, bC, map[uint64]string{2: "y", 3: "z"}, 0},
		{"a record without a base is not trusted", memStore{AcceptorFiles[0]: rec(bC)}, Ballot{}, map[uint64]string{}, 0},
		{"accepted below the snapshot are dropped", memStore{
			AcceptorFiles[0]: full,
			SnapshotFiles[1]: durable.SealJSON(&Snapshot{Index: 1, Data: map[string]string{"k": "x"}}),
		}, bB, map[uint64]string{2: "y"}, 1},
		{"torn newer snapshot: the older one", memStore{
			SnapshotFiles[0]: durable.SealJSON(&Snapshot{Index: 4}),
			SnapshotFiles[1]: durable.SealJSON(&Snapshot{Index: 9})[:8],
		}, Ballot{}, map[uint64]string{}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, snap, acc, err := load(c.files)
			if err != nil {
				t.Fatal(err)
			}
			if acc.promised != c.promised {
				t.Errorf("promised %v, want %v", acc.promised, c.promised)
			}
			got := map[uint64]string{}
			for _, s := range slices.Sorted(maps.Keys(acc.accepted)) {
				got[s] = acc.accepted[s].Cmd.Op.Value
			}
			if len(got) != len(c.accepted) {
				t.Errorf("accepted %v, want %v", got, c.accepted)
			}
			for s, v := range c.accepted {
				if got[s] != v {
					t.Errorf("slot %d: accepted %q, want %q", s, got[s], v)
				}
			}
			if snap.Index != c.snap || snap.Data == nil || snap.Sessions == nil {
				t.Errorf("snapshot at %d (data %v, sessions %v), want at %d with maps", snap.Index, snap.Data, snap.Sessions, c.snap)
			}
		})
	}
}

// TestRewriteAlternates: a compaction writes the next generation into the
// other file, and what is appended after it is read back with it.
func TestRewriteAlternates(t *testing.T) {
	st := memStore{}
	var d disk
	acc := acceptorState{promised: bA, accepted: map[uint64]AcceptedEntry{1: acceptedAt(1, bA, "x")}}
	d.rewrite(st, &acc, false)
	d.appendRecord(st, &record{Promised: bB})
	acc.promised = bB
	d.rewrite(st, &acc, false)
	d.appendRecord(st, &record{Promised: bC, Accepted: []AcceptedEntry{acceptedAt(2, bC, "y")}})
	if d.gen != 2 || st[AcceptorFiles[0]] == nil || st[AcceptorFiles[1]] == nil {
		t.Fatalf("gen %d, files %v: want generation 2 in both files", d.gen, st)
	}
	d2, _, got, err := load(st)
	if err != nil {
		t.Fatal(err)
	}
	if d2.gen != 2 || d2.logFile != d.logFile || got.promised != bC || len(got.accepted) != 2 {
		t.Fatalf("recovered gen %d file %d promised %v accepted %d; want gen 2, file %d, %v, 2", d2.gen, d2.logFile, got.promised, len(got.accepted), d.logFile, bC)
	}
}

// TestApplySessions: a retried command is applied once and answered from
// the session table; an older one is stale; no-ops change nothing but the
// hash chain.
func TestApplySessions(t *testing.T) {
	s := newSnapshot()
	c1 := nodes.ClientID(1)
	put := func(seq uint64, v string) Command {
		return Command{Client: c1, Seq: seq, Op: nodes.Op{Kind: nodes.OpAppend, Key: "k", Value: v}}
	}
	for i, c := range []struct {
		cmd    Command
		status kv.Status
		stale  bool
		value  string
	}{
		{put(1, "a;"), kv.StatusOK, false, "a;"},
		{put(1, "a;"), kv.StatusOK, false, "a;"}, // a retry: not applied again
		{Command{Noop: true}, kv.StatusOK, false, "a;"},
		{put(2, "b;"), kv.StatusOK, false, "a;b;"},
		{put(1, "a;"), kv.StatusRetry, true, "a;b;"}, // stale
		{Command{Client: c1, Seq: 3, Op: nodes.Op{Kind: nodes.OpCAS, Key: "k", Expect: "zz", Value: "c"}}, kv.StatusCASMismatch, false, "a;b;"},
	} {
		h := s.Hash
		out := s.apply(&c.cmd)
		if out.res.Status != c.status || out.stale != c.stale || s.Data["k"] != c.value || s.Index != uint64(i+1) || s.Hash == h {
			t.Errorf("step %d (%v): status %v stale %v value %q index %d hash changed %v; want %v %v %q %d true",
				i, c.cmd, out.res.Status, out.stale, s.Data["k"], s.Index, s.Hash != h, c.status, c.stale, c.value, i+1)
		}
	}
	if _, dup, _ := s.lookup(c1, 3); !dup {
		t.Error("lookup of the last applied Seq: want a duplicate")
	}
	if _, _, stale := s.lookup(c1, 2); !stale {
		t.Error("lookup of an older Seq: want stale")
	}
}

func TestBallotOrder(t *testing.T) {
	for _, c := range []struct {
		a, b Ballot
		less bool
	}{
		{Ballot{}, bA, true},
		{bA, bB, true},
		{Ballot{N: 2, Node: 1}, Ballot{N: 2, Node: 2}, true},
		{bB, Ballot{N: 2, Node: 1}, false},
		{bA, bA, false},
	} {
		if got := c.a.Less(c.b); got != c.less {
			t.Errorf("%v < %v: %v, want %v", c.a, c.b, got, c.less)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, ""},
		{Config{ReadMode: ReadLease}, ""},
		{Config{Heartbeat: 100 * 1e6}, "at least two heartbeats"},
		{Config{ElectionTimeoutMin: 400 * 1e6, ElectionTimeoutMax: 300 * 1e6}, "maximum is below the minimum"},
		{Config{SnapshotEvery: -1}, "snapshot_every"},
		{Config{ReadMode: 9}, "read mode"},
		{Config{LeaseDriftBoundPPM: 1_000_000}, "lease_drift_bound"},
	} {
		err := c.cfg.Validate()
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.cfg, err, c.want)
		}
	}
}
