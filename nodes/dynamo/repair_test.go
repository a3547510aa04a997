package dynamo

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// TestReadAnswersFromDurableCopies is the step behind seed 7000292 of
// nodes/dynamo/dynamokind/testdata/stale-read-crash-loop.yaml: a get whose
// R replies hold the newest record answers at once only when W of them
// hold it durably. A replica that holds it only in memory (its sync
// pending) says so, and the coordinator writes the record back to it and
// answers after its acknowledgement, which follows its sync. Before the
// fix the coordinator counted the unsynced copy, answered, and a crash of
// that replica left the record on one server: the next read quorum missed
// a value already answered (a stale read).
func TestReadAnswersFromDurableCopies(t *testing.T) {
	rec := Record{Key: "k1", Version: Version{1, 9}, Value: "v1", Exists: true, Client: nodes.ClientID(1), Seq: 1}
	for _, c := range []struct {
		name          string
		unsynced      bool
		answersAtOnce bool
	}{
		{"the replier's copy is synced: W durable copies, answer", false, true},
		{"the replier's copy is not synced yet: repair it first", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, env := coordinatorOf(t, "k1", rec)
			client := nodes.ClientID(2)
			n.Message(env, client, kv.Request{Client: client, Seq: 7, Op: nodes.Op{Kind: nodes.OpGet, Key: "k1"}})
			reads := sent[ReadReq](env)
			if len(reads) != 2 {
				t.Fatalf("the get sent %d ReadReqs, want 2 (the local read is the third)", len(reads))
			}
			peer, id := reads[0].to, reads[0].msg.Op
			env.sent = nil
			n.Message(env, peer, ReadResp{Op: id, Rec: rec, Unsynced: c.unsynced})

			replies := sent[kv.Reply](env)
			if got := len(replies) == 1; got != c.answersAtOnce {
				t.Fatalf("answered at once: %v (%d replies), want %v", got, len(replies), c.answersAtOnce)
			}
			if c.answersAtOnce {
				if r := replies[0].msg; r.Status != kv.StatusOK || r.Value != "v1" || !r.Exists {
					t.Fatalf("reply %+v, want OK v1", r)
				}
				return
			}
			repairs := sent[WriteReq](env)
			if !slices.ContainsFunc(repairs, func(s sentMsg[WriteReq]) bool { return s.to == peer && s.msg.Op == id && s.msg.Rec.Same(rec) }) {
				t.Fatalf("no blocking read repair of %v to %v: sent %v", rec, peer, env.sent)
			}
			env.sent = nil
			n.Message(env, peer, WriteAck{Op: id, Rec: rec})
			if replies := sent[kv.Reply](env); len(replies) != 1 || replies[0].msg.Value != "v1" {
				t.Fatalf("after the replier's durable ack: replies %v, want one answering v1", replies)
			}
		})
	}
}

// TestReadRespSaysUnsynced: a replica answers a read with the record it
// holds, marked Unsynced until the sync of its write completes.
func TestReadRespSaysUnsynced(t *testing.T) {
	rec := Record{Key: "k1", Version: Version{1, 9}, Value: "v1", Exists: true}
	n, env := coordinatorOf(t, "k1", Record{})
	from := n.Preference("k1")[1]
	n.Message(env, from, WriteReq{Op: 5, Rec: rec})
	read := func() ReadResp {
		env.sent = nil
		n.Message(env, from, ReadReq{Op: 6, Key: "k1"})
		r := sent[ReadResp](env)
		if len(r) != 1 {
			t.Fatalf("sent %v, want one ReadResp", env.sent)
		}
		return r[0].msg
	}
	if r := read(); !r.Rec.Same(rec) || !r.Unsynced {
		t.Fatalf("before the sync: %v, want %v unsynced", r, rec)
	}
	n.Synced(env, env.store.syncs[len(env.store.syncs)-1])
	if r := read(); !r.Rec.Same(rec) || r.Unsynced {
		t.Fatalf("after the sync: %v, want %v synced", r, rec)
	}
}

// coordinatorOf starts the coordinator of key in a cluster of three
// (N=3, R=W=2), with durable holding key in its store.
func coordinatorOf(t *testing.T, key string, durable Record) (*Node, *fakeEnv) {
	t.Helper()
	ids := []nodes.ID{1, 2, 3}
	c := NewRing(ids, DefaultVNodes).Preference(key, 3)[0]
	env := &fakeEnv{id: c, rng: rand.New(rand.NewPCG(1, 2)), store: &memStore{files: map[string][]byte{}}}
	for _, id := range ids {
		if id != c {
			env.peers = append(env.peers, id)
		}
	}
	if durable.Exists {
		env.store.files[dataFile(key)] = encode(0, durable)
	}
	n := New(Config{N: 3, R: 2, W: 2})(c).(*Node)
	n.Start(env)
	return n, env
}

type sentMsg[M any] struct {
	to  nodes.ID
	msg M
}

// sent returns the messages of type M env recorded, in order.
func sent[M any](env *fakeEnv) []sentMsg[M] {
	var out []sentMsg[M]
	for _, s := range env.sent {
		if m, ok := s.msg.(M); ok {
			out = append(out, sentMsg[M]{s.to, m})
		}
	}
	return out
}

// fakeEnv is enough of a nodes.Env for one server's handlers: it records
// sends, never fires a timer and keeps an in-memory store.
type fakeEnv struct {
	nodes.Env
	id     nodes.ID
	peers  []nodes.ID
	rng    *rand.Rand
	store  *memStore
	timers nodes.TimerID
	sent   []sentMsg[nodes.Message]
}

func (f *fakeEnv) ID() nodes.ID              { return f.id }
func (f *fakeEnv) Peers() []nodes.ID         { return f.peers }
func (f *fakeEnv) Monotonic() time.Duration  { return 0 }
func (f *fakeEnv) Rand() *rand.Rand          { return f.rng }
func (f *fakeEnv) Store() nodes.Store        { return f.store }
func (f *fakeEnv) Reached(string)            {}
func (f *fakeEnv) Logf(string, ...any)       {}
func (f *fakeEnv) CancelTimer(nodes.TimerID) {}
func (f *fakeEnv) Send(to nodes.ID, m nodes.Message) {
	f.sent = append(f.sent, sentMsg[nodes.Message]{to, m})
}
func (f *fakeEnv) SetTimer(time.Duration, uint64) nodes.TimerID {
	f.timers++
	return f.timers
}

// memStore keeps files in memory; Sync only records its tag.
type memStore struct {
	files map[string][]byte
	syncs []uint64
}

func (s *memStore) Read(name string) ([]byte, error) {
	b, ok := s.files[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	return b, nil
}
func (s *memStore) Write(name string, b []byte)  { s.files[name] = b }
func (s *memStore) Append(name string, b []byte) { s.files[name] = append(s.files[name], b...) }
func (s *memStore) Delete(name string)           { delete(s.files, name) }
func (s *memStore) List() []string {
	var names []string
	for name := range s.files {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
func (s *memStore) Sync(tag uint64) { s.syncs = append(s.syncs, tag) }
