package queue

import (
	"slices"
	"testing"

	"github.com/faultline/faultline/nodes"
)

// TestStateMachine: the operations' semantics, one table row each, applied
// in order to one state.
func TestStateMachine(t *testing.T) {
	s := newSnapshot()
	c1, c2, c3 := nodes.ClientID(1), nodes.ClientID(2), nodes.ClientID(3)
	for i, c := range []struct {
		client nodes.ID
		seq    uint64
		op     Op
		want   Result
	}{
		{c1, 1, Op{Code: OpProduce, Partitions: 2, Partition: 1, Msg: "c1-1"}, Result{Offset: 0}},
		{c1, 1, Op{Code: OpProduce, Partitions: 2, Partition: 1, Msg: "c1-1"}, Result{Offset: 0}}, // a retry: the session table answers
		{c1, 2, Op{Code: OpProduce, Partitions: 2, Partition: 1, Msg: "c1-2"}, Result{Offset: 1}},
		{c2, 1, Op{Code: OpJoin, Partitions: 2, Group: "g1"}, Result{Gen: 1, Assigned: []int{0, 1}, Committed: []uint64{0, 0}}},
		{c3, 1, Op{Code: OpJoin, Partitions: 2, Group: "g1"}, Result{Gen: 2, Assigned: []int{1}, Committed: []uint64{0}}},
		{c2, 2, Op{Code: OpFetch, Partitions: 2, Group: "g1", Gen: 1, Partition: 0}, Result{Status: StatusFenced, Gen: 2}},
		{c2, 3, Op{Code: OpJoin, Partitions: 2, Group: "g1", Gen: 1}, Result{Gen: 2, Assigned: []int{0}, Committed: []uint64{0}}}, // a fenced member: no new generation
		{c3, 2, Op{Code: OpFetch, Partitions: 2, Group: "g1", Gen: 2, Partition: 1, Max: 5}, Result{Gen: 2, Msgs: []string{"c1-1", "c1-2"}}},
		{c3, 3, Op{Code: OpCommit, Partitions: 2, Group: "g1", Gen: 2, Partition: 1, Offset: 1}, Result{Gen: 2}},
		{c3, 4, Op{Code: OpJoin, Partitions: 2, Group: "g1"}, Result{Gen: 3, Assigned: []int{1}, Committed: []uint64{1}}}, // a new incarnation fences the old
		{c3, 5, Op{Code: OpFetch, Partitions: 2, Group: "g1", Gen: 3, Partition: 1, Offset: 1, Max: 5}, Result{Gen: 3, Offset: 1, Msgs: []string{"c1-2"}}},
		{0, 0, Op{Code: OpExpire, Group: "g1", Member: c3}, Result{Gen: 4}},
		{c2, 4, Op{Code: OpJoin, Partitions: 2, Group: "g1", Gen: 3}, Result{Gen: 4, Assigned: []int{0, 1}, Committed: []uint64{0, 1}}},
		{c2, 5, Op{Code: OpEffect, Group: "g2", Msg: "c1-1"}, Result{}},
		{c3, 6, Op{Code: OpEffect, Group: "g2", Msg: "c1-1"}, Result{Dup: true}},
		{c2, 6, Op{Code: OpSink, Group: "g2"}, Result{Msgs: []string{"c1-1"}}},
	} {
		got := s.apply(c.client, c.seq, &c.op)
		if got.Status != c.want.Status || got.Offset != c.want.Offset || got.Gen != c.want.Gen || got.Dup != c.want.Dup ||
			!slices.Equal(got.Assigned, c.want.Assigned) || !slices.Equal(got.Committed, c.want.Committed) || !slices.Equal(got.Msgs, c.want.Msgs) {
			t.Errorf("step %d: %v by %v: got %+v, want %+v", i, c.op.Code, c.client, got, c.want)
		}
	}
	if s.OpNum != 16 {
		t.Errorf("OpNum = %d, want 16 (a retry takes an op number too)", s.OpNum)
	}
	if c := s.clone(); !slices.Equal(c.Logs[1], s.Logs[1]) || &c.Logs[1][0] == &s.Logs[1][0] {
		t.Error("clone shares or differs from the logs")
	}
}

// memStore is a Store whose syncs complete at once (durable = visible).
type memStore struct{ files map[string][]byte }

func (m *memStore) Read(name string) ([]byte, error) {
	b, ok := m.files[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	return slices.Clone(b), nil
}
func (m *memStore) Write(name string, data []byte)  { m.files[name] = slices.Clone(data) }
func (m *memStore) Append(name string, data []byte) { m.files[name] = append(m.files[name], data...) }
func (m *memStore) Delete(name string)              { delete(m.files, name) }
func (m *memStore) List() []string                  { return nil }
func (m *memStore) Sync(uint64)                     {}

// TestRecovery: the snapshot plus the log entries of its epoch rebuild the
// state; entries of another epoch are ignored and a torn last record is
// dropped.
func TestRecovery(t *testing.T) {
	for _, c := range []struct {
		name     string
		tail     []byte
		wantTorn bool
	}{
		{"clean", nil, false},
		{"torn length", []byte{0, 0}, true},
		{"torn record", frame(logEntry{Epoch: 1, OpNum: 3, Client: 1, Seq: 9, Op: Op{Code: OpProduce, Partitions: 1, Msg: "x"}})[:10], true},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := &memStore{files: map[string][]byte{}}
			n := &Node{}
			n.snap = newSnapshot()
			ops := []Op{{Code: OpProduce, Partitions: 1, Msg: "a"}, {Code: OpProduce, Partitions: 1, Msg: "b"}}
			n.snap.apply(nodes.ClientID(1), 1, &ops[0])
			env := storeEnv{st: st}
			n.saveSnapshot(env) // epoch 1, after op 1
			n.snap.apply(nodes.ClientID(1), 2, &ops[1])
			n.logOp(env, nodes.ClientID(1), 2, ops[1])
			st.Append(LogFile, frame(logEntry{Epoch: 7, OpNum: 3, Client: 1, Seq: 3, Op: Op{Code: OpProduce, Partitions: 1, Msg: "stale"}}))
			st.Append(LogFile, c.tail)
			r, err := readStore(st)
			if err != nil {
				t.Fatal(err)
			}
			s := r.snap.Snap
			for _, e := range r.entries {
				s.apply(e.Client, e.Seq, &e.Op)
			}
			if !slices.Equal(s.Logs[0], []string{"a", "b"}) || r.torn != c.wantTorn || r.snap.Epoch != 1 {
				t.Errorf("recovered log %v, torn %v, epoch %d; want [a b], torn %v, epoch 1", s.Logs[0], r.torn, r.snap.Epoch, c.wantTorn)
			}
		})
	}
}

// storeEnv is the part of nodes.Env that saveSnapshot and logOp use (the
// rest panics).
type storeEnv struct {
	nodes.Env
	st nodes.Store
}

func (e storeEnv) Store() nodes.Store { return e.st }
