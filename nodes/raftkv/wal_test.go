package raftkv

import (
	"maps"
	"slices"
	"testing"

	"github.com/faultline/faultline/nodes"
)

// memStore is a trivial nodes.Store for WAL tests: no volatility.
type memStore struct{ files map[string][]byte }

func (m *memStore) Read(name string) ([]byte, error) {
	b, ok := m.files[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	return append([]byte(nil), b...), nil
}
func (m *memStore) Write(name string, data []byte) { m.files[name] = append([]byte(nil), data...) }
func (m *memStore) Append(name string, data []byte) {
	m.files[name] = append(m.files[name], data...)
}
func (m *memStore) Delete(name string) { delete(m.files, name) }
func (m *memStore) List() []string     { return slices.Sorted(maps.Keys(m.files)) }
func (m *memStore) Sync(uint64)        {}

func entries(terms ...uint64) []Entry {
	es := make([]Entry, len(terms))
	for i, t := range terms {
		es[i] = Entry{Term: t, Client: nodes.ClientID(1), Seq: uint64(i + 1), Op: nodes.Op{Kind: "put", Key: "k", Value: "v"}}
	}
	return es
}

// TestWALRecovery covers the recovery cases: replay of appended records,
// truncation by a later entries record, a torn tail, a torn new
// generation (fall back to the old one), and segments.
func TestWALRecovery(t *testing.T) {
	base := func(term uint64, es []Entry) []byte {
		return frame(encodeBase(&durableState{term: term, vote: 2, log: raftLog{entries: es}}))
	}
	rec := func(payload []byte) []byte { return frame(payload) }
	tests := []struct {
		name     string
		files    map[string][]byte
		term     uint64
		vote     nodes.ID
		lastTerm []uint64 // terms of the recovered log
	}{
		{"empty", map[string][]byte{}, 0, 0, nil},
		{"base only", map[string][]byte{walName(1, 0): base(3, entries(1, 2, 3))}, 3, 2, []uint64{1, 2, 3}},
		{"appends and truncation", map[string][]byte{
			walName(1, 0): append(append(base(3, entries(1, 2, 3)),
				rec(encodeHardState(4, 5))...),
				rec(encodeEntries(3, entries(4, 4)))...),
		}, 4, 5, []uint64{1, 2, 4, 4}},
		{"torn tail", map[string][]byte{
			walName(1, 0): append(base(3, entries(1)), rec(encodeEntries(2, entries(3, 3)))[:9]...),
		}, 3, 2, []uint64{1}},
		{"torn new generation falls back", map[string][]byte{
			walName(1, 0): base(3, entries(1, 1)),
			walName(2, 0): base(5, entries(1, 1, 5))[:20],
		}, 3, 2, []uint64{1, 1}},
		{"segments", map[string][]byte{
			walName(7, 0): base(3, entries(1)),
			walName(7, 1): rec(encodeEntries(2, entries(3))),
			walName(7, 2): rec(encodeEntries(3, entries(3))),
		}, 3, 2, []uint64{1, 3, 3}},
		{"gap in segments ends replay", map[string][]byte{
			walName(7, 0): base(3, entries(1)),
			walName(7, 2): rec(encodeEntries(2, entries(3))),
		}, 3, 2, []uint64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, _ := recoverWAL(&memStore{files: tt.files})
			var got []uint64
			for _, e := range st.log.entries {
				got = append(got, e.Term)
			}
			if st.term != tt.term || st.vote != tt.vote || !slices.Equal(got, tt.lastTerm) {
				t.Errorf("recovered term %d vote %v log %v; want %d %v %v", st.term, st.vote, got, tt.term, tt.vote, tt.lastTerm)
			}
		})
	}
}

// FuzzRecoverWAL: recovery never panics on arbitrary file contents, and a
// recovered log is well-formed.
func FuzzRecoverWAL(f *testing.F) {
	f.Add(frame(encodeBase(&durableState{term: 1, log: raftLog{entries: entries(1)}})), []byte{})
	f.Add(frame(encodeBase(&durableState{term: 2})), frame(encodeEntries(1, entries(2, 2))))
	f.Fuzz(func(t *testing.T, seg0, seg1 []byte) {
		st, _, _ := recoverWAL(&memStore{files: map[string][]byte{walName(1, 0): seg0, walName(1, 1): seg1}})
		if st.log.lastIndex() < st.log.snapIndex {
			t.Fatalf("bad log bounds")
		}
		if len(st.snapshot) > 0 {
			_, _ = decodeStateMachine(st.snapshot)
		}
	})
}

// TestSnapshotRoundTrip: a state machine encodes and decodes to itself.
func TestSnapshotRoundTrip(t *testing.T) {
	sm := newStateMachine()
	sm.apply(&Entry{Term: 1, Client: nodes.ClientID(1), Seq: 1, Op: nodes.Op{Kind: "put", Key: "a", Value: "1"}}, true)
	sm.apply(&Entry{Term: 1, Client: nodes.ClientID(2), Seq: 4, Op: nodes.Op{Kind: "append", Key: "b", Value: "x"}}, true)
	got, err := decodeStateMachine(sm.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.data, sm.data) || !maps.Equal(got.sessions.all(), sm.sessions.all()) {
		t.Fatalf("round trip: %+v != %+v", got, sm)
	}
}
