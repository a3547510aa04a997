package etcdraft

import (
	"bytes"
	crand "crypto/rand"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// memStore is a nodes.Store whose every write is durable at once.
type memStore struct{ files map[string][]byte }

func newMemStore() *memStore { return &memStore{files: map[string][]byte{}} }

func (m *memStore) Read(name string) ([]byte, error) {
	b, ok := m.files[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	return slices.Clone(b), nil
}
func (m *memStore) Write(name string, b []byte)  { m.files[name] = slices.Clone(b) }
func (m *memStore) Append(name string, b []byte) { m.files[name] = append(m.files[name], b...) }
func (m *memStore) Delete(name string)           { delete(m.files, name) }
func (m *memStore) List() []string {
	var out []string
	for n := range m.files {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
func (m *memStore) Sync(uint64) {}

func ent(index, term uint64, data string) *pb.Entry {
	return &pb.Entry{Index: new(index), Term: new(term), Type: pb.EntryNormal.Enum(), Data: []byte(data)}
}

func indexes(s *Storage) []uint64 {
	var out []uint64
	for _, e := range s.after() {
		out = append(out, e.GetIndex())
	}
	return out
}

// TestStorageAppend: appends truncate a conflicting suffix, skip what is
// compacted, and raft.Storage answers from the result.
func TestStorageAppend(t *testing.T) {
	s := newStorage([]uint64{1, 2, 3})
	s.append([]*pb.Entry{ent(1, 1, "a"), ent(2, 1, "b"), ent(3, 1, "c")})
	s.append([]*pb.Entry{ent(2, 2, "B")}) // a new leader overwrote 2..
	if got := indexes(s); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("after the conflicting append: %v, want [1 2]", got)
	}
	if tm, _ := s.Term(2); tm != 2 {
		t.Errorf("Term(2) = %d, want 2", tm)
	}
	s.createSnapshot(1, s.snap.GetMetadata().GetConfState(), []byte("state"))
	if _, err := s.Term(0); err != raft.ErrCompacted {
		t.Errorf("Term(0) after compaction: %v, want ErrCompacted", err)
	}
	if _, err := s.Entries(1, 3, 1<<20); err != raft.ErrCompacted {
		t.Errorf("Entries(1, 3) after compaction: %v, want ErrCompacted", err)
	}
	if es, err := s.Entries(2, 3, 1<<20); err != nil || len(es) != 1 || string(es[0].GetData()) != "B" {
		t.Errorf("Entries(2, 3) = %v, %v", es, err)
	}
	if _, err := s.Entries(2, 4, 1<<20); err != raft.ErrUnavailable {
		t.Errorf("Entries(2, 4): %v, want ErrUnavailable", err)
	}
	s.append([]*pb.Entry{ent(1, 1, "a"), ent(2, 2, "B"), ent(3, 2, "C")}) // 1 is compacted: skipped
	if got := indexes(s); !slices.Equal(got, []uint64{2, 3}) {
		t.Errorf("after an append overlapping the snapshot: %v, want [2 3]", got)
	}
}

// TestDiskRecovery: what recovery rebuilds from the disk, for an intact
// generation, a torn wal tail, a torn newer base, and flipped bits that a
// re-read clears.
func TestDiskRecovery(t *testing.T) {
	voters := []uint64{1, 2, 3}
	build := func() (*memStore, *disk, *Storage) {
		st, d, s := newMemStore(), &disk{}, newStorage(voters)
		d.begin(st, 1, s)
		es := []*pb.Entry{ent(1, 1, "a"), ent(2, 1, "b")}
		s.append(es)
		d.appendEntries(st, es)
		hs := &pb.HardState{Term: new(uint64(1)), Vote: new(uint64(2)), Commit: new(uint64(2))}
		s.setHardState(hs)
		d.appendHardState(st, hs)
		return st, d, s
	}
	tests := []struct {
		name    string
		mangle  func(st *memStore, d *disk, s *Storage)
		gen     uint64
		indexes []uint64
		vote    uint64
	}{
		{"intact", func(*memStore, *disk, *Storage) {}, 1, []uint64{1, 2}, 2},
		{"torn wal tail", func(st *memStore, _ *disk, _ *Storage) {
			w := st.files[walName(1)]
			st.files[walName(1)] = w[:len(w)-3] // the HardState record is torn
		}, 1, []uint64{1, 2}, 0},
		{"torn newer base", func(st *memStore, d *disk, s *Storage) {
			s.createSnapshot(2, s.snap.GetMetadata().GetConfState(), []byte("x"))
			d.begin(st, 2, s)
			b := st.files[baseName(2)]
			st.files[baseName(2)] = b[:len(b)/2]
		}, 1, []uint64{1, 2}, 2},
		{"compacted generation", func(st *memStore, d *disk, s *Storage) {
			s.createSnapshot(1, s.snap.GetMetadata().GetConfState(), newStateMachine().encode(true))
			d.begin(st, 2, s)
			d.forget(st, 2)
		}, 2, []uint64{2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, d, s := build()
			tt.mangle(st, d, s)
			rec, err := recoverDisk(st, voters)
			if err != nil {
				t.Fatal(err)
			}
			if rec.gen != tt.gen || !slices.Equal(indexes(rec.storage), tt.indexes) || rec.storage.hs.GetVote() != tt.vote {
				t.Errorf("recovered gen %d, entries %v, vote %d; want gen %d, entries %v, vote %d",
					rec.gen, indexes(rec.storage), rec.storage.hs.GetVote(), tt.gen, tt.indexes, tt.vote)
			}
		})
	}
}

// flippingStore returns one bit flipped on the first read of each file.
type flippingStore struct {
	*memStore
	read map[string]bool
}

func (f *flippingStore) Read(name string) ([]byte, error) {
	b, err := f.memStore.Read(name)
	if err == nil && !f.read[name] && len(b) > 0 {
		f.read[name] = true
		b[len(b)/2] ^= 0x10
	}
	return b, err
}

func TestDiskRecoveryRereadsFlippedBits(t *testing.T) {
	st, d, s := newMemStore(), &disk{}, newStorage([]uint64{1})
	d.begin(st, 1, s)
	es := []*pb.Entry{ent(1, 1, "a"), ent(2, 1, "b"), ent(3, 1, "c")}
	d.appendEntries(st, es[:1])
	d.appendEntries(st, es[1:])
	rec, err := recoverDisk(&flippingStore{memStore: st, read: map[string]bool{}}, []uint64{1})
	if err != nil || rec.gen != 1 || !slices.Equal(indexes(rec.storage), []uint64{1, 2, 3}) {
		t.Fatalf("recovered %v (gen %d), %v; want entries 1..3 of gen 1", indexes(rec.storage), rec.gen, err)
	}
}

// TestStateMachine: sessions answer a retry from the table and ignore a
// stale duplicate; snapshots round-trip, and without sessions (the
// planted bug) forget them.
func TestStateMachine(t *testing.T) {
	sm := newStateMachine()
	c1 := nodes.ClientID(1)
	app := func(seq uint64, v string, want Effect) kv.Result {
		t.Helper()
		r, e := sm.apply(&command{Client: c1, Seq: seq, Op: nodes.Op{Kind: nodes.OpAppend, Key: "k", Value: v}})
		if e != want {
			t.Errorf("seq %d: effect %v, want %v", seq, e, want)
		}
		return r
	}
	app(1, "a;", EffectApplied)
	app(1, "a;", EffectDuplicate) // a retry: not applied again
	app(2, "b;", EffectApplied)
	if r := app(1, "a;", EffectDuplicate); r.Status != kv.StatusRetry {
		t.Errorf("a stale duplicate answered %v, want retry", r.Status)
	}
	if sm.data["k"] != "a;b;" {
		t.Fatalf("data %q, want a;b;", sm.data["k"])
	}
	back, err := decodeStateMachine(sm.encode(true))
	if err != nil || back.data["k"] != "a;b;" || back.sessions[c1].Seq != 2 {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	lost, err := decodeStateMachine(sm.encode(false))
	if err != nil || len(lost.sessions) != 0 || lost.data["k"] != "a;b;" {
		t.Fatalf("without sessions: %+v, %v", lost, err)
	}
	if _, err := decodeStateMachine(sm.encode(true)[:5]); err == nil {
		t.Error("a truncated snapshot decoded")
	}
	if _, e := sm.apply(&command{Client: c1, Seq: 3, Op: nodes.Op{Kind: nodes.OpCAS, Key: "k", Value: "c", Expect: "x"}}); e != EffectCASMismatch {
		t.Errorf("a cas that does not match: effect %v, want %v", e, EffectCASMismatch)
	}
	c := command{Client: c1, Seq: 7, Op: nodes.Op{Kind: nodes.OpCAS, Key: "k", Value: "v", Expect: "e"}}
	if got, err := decodeCommand(encodeCommand(&c)); err != nil || got != c {
		t.Errorf("command round trip: %+v, %v", got, err)
	}
}

// TestSeededEntropy: under seedEntropy, what etcd raft draws
// (crypto/rand.Int over crypto/rand.Reader) follows the node's stream, and
// the host's reader is back afterwards.
func TestSeededEntropy(t *testing.T) {
	draw := func(seed uint64) []int64 {
		env := &fakeEnv{rng: rand.New(rand.NewPCG(seed, 1))}
		restore := seedEntropy(env)
		defer restore()
		var out []int64
		for range 20 {
			v, err := crand.Int(crand.Reader, big.NewInt(15))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v.Int64())
		}
		return out
	}
	before := crand.Reader
	a, b, c := draw(1), draw(1), draw(2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("draws: seed 1 %v, again %v, seed 2 %v: want the same seed to repeat and another to differ", a, b, c)
	}
	if crand.Reader != before {
		t.Error("crypto/rand.Reader not restored")
	}
}

// TestLogger: etcd raft's lines reach the trace through the handler's
// env, debug lines are dropped, nothing is written outside a handler, and
// Panicf panics.
func TestLogger(t *testing.T) {
	env := &fakeEnv{}
	l := &logger{env: env}
	l.Infof("became leader at term %d", 3)
	l.Debugf("noisy %d", 1)
	l.Warning("w")
	l.env = nil
	l.Info("outside a handler")
	if got := strings.Join(env.logs, "|"); got != "raft info: became leader at term 3|raft warning: w" {
		t.Errorf("logged %q", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "tocommit") {
			t.Errorf("Panicf recovered %v", r)
		}
	}()
	l.Panicf("tocommit(%d) is out of range", 9)
}

// TestRaftMessageWire: a message survives its wire form and describes
// itself with the client write it carries.
func TestRaftMessageWire(t *testing.T) {
	data := encodeCommand(&command{Client: nodes.ClientID(2), Seq: 5, Op: nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "v"}})
	m := &pb.Message{Type: pb.MsgApp.Enum(), To: new(uint64(2)), From: new(uint64(1)), Term: new(uint64(4)),
		Entries: []*pb.Entry{{Index: new(uint64(7)), Term: new(uint64(4)), Data: data}}}
	rm := encodeMessage(m)
	clone := rm.Clone().(*RaftMessage)
	rm.Wire[0] ^= 0xff
	back, err := clone.decode()
	if err != nil || back.GetTerm() != 4 || len(back.GetEntries()) != 1 || !bytes.Equal(back.GetEntries()[0].GetData(), data) {
		t.Fatalf("decoded %v, %v", back, err)
	}
	if s := clone.String(); !strings.Contains(s, "MsgApp") || !strings.Contains(s, "c2#5 put k1=v") {
		t.Errorf("String() = %q", s)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, ""},
		{Config{ElectionTicks: 3, HeartbeatTicks: 3}, "must exceed"},
		{Config{TickInterval: -time.Millisecond}, "tick interval"},
		{Config{SnapshotThreshold: -1}, "snapshot threshold"},
	} {
		err := c.cfg.WithDefaults().Validate()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}

// fakeEnv is enough of a nodes.Env for the tests above.
type fakeEnv struct {
	nodes.Env
	rng  *rand.Rand
	logs []string
}

func (f *fakeEnv) Rand() *rand.Rand { return f.rng }
func (f *fakeEnv) Logf(format string, args ...any) {
	f.logs = append(f.logs, strings.TrimSpace(sprintf(format, args...)))
}

var _ io.Reader = seededReader{}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// BenchmarkSeedEntropy is what every handler pays for the swap of
// crypto/rand.Reader: the lock, the swap and the restore (uncontended).
func BenchmarkSeedEntropy(b *testing.B) {
	env := &fakeEnv{rng: rand.New(rand.NewPCG(1, 2))}
	for b.Loop() {
		seedEntropy(env)()
	}
}

// TestConfStatePersisted: a snapshot carries the ConfState applied at its
// index, so a restart from the disk keeps the membership; before any
// snapshot the bootstrap ConfState comes back (the conf change entries
// after it are in the log, replayed by etcd raft).
func TestConfStatePersisted(t *testing.T) {
	changed := &pb.ConfState{Voters: []uint64{1, 2, 3, 4}, Learners: []uint64{5}}
	for _, tt := range []struct {
		name     string
		snapshot bool
		want     *pb.ConfState
	}{
		{"no snapshot", false, &pb.ConfState{Voters: []uint64{1, 2, 3}}},
		{"snapshot after conf changes", true, changed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, d, s := newMemStore(), &disk{}, newStorage([]uint64{1, 2, 3})
			d.begin(st, 1, s)
			es := []*pb.Entry{ent(1, 1, "a"), ent(2, 1, "b")}
			s.append(es)
			d.appendEntries(st, es)
			if tt.snapshot {
				s.createSnapshot(2, changed, []byte("state"))
				d.begin(st, 2, s)
			}
			rec, err := recoverDisk(st, []uint64{1, 2, 3})
			if err != nil {
				t.Fatal(err)
			}
			_, cs, _ := rec.storage.InitialState()
			if !proto.Equal(cs, tt.want) {
				t.Errorf("recovered ConfState %v, want %v", cs, tt.want)
			}
		})
	}
}
