package raftkv

import (
	"fmt"
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// result is what applying (or reading) an operation produced: the reply a
// client gets, minus the routing fields.
type result struct {
	Status kv.Status
	Value  string
	Exists bool
	// hint is a custom state machine's redirect (kv.Reply.Leader).
	hint nodes.ID
}

// session is a client's entry in the session table (§8 of the paper, and
// chapter 6.3 of the dissertation): the highest Seq applied for the client
// and its result. The kv workload keeps one request outstanding per
// client, so the latest Seq is all the table needs: a request with that
// Seq is a retry (answered from the cache, not applied again) and a lower
// one is a stale duplicate.
type session struct {
	Seq    uint64
	Result result
}

// stateMachine is the replicated KV store plus the session table. Both
// change only by applying committed entries, in log order, so every
// replica that applied the same prefix holds the same state.
type stateMachine struct {
	data     map[string]string
	sessions sessionTable
}

func newStateMachine() *stateMachine {
	return &stateMachine{data: map[string]string{}}
}

// sessionTable is the session table by client ID. Every replica looks a
// client up and stores its session at every command it applies, so the
// clients of a workload (c1, c2, ...) are kept by ordinal in a slice;
// any other ID (and an ordinal past maxSessionSlot) goes to a map.
type sessionTable struct {
	byIndex []sessionSlot // [i]: client c(i+1)
	other   map[nodes.ID]session
	n       int // sessions held
}

type sessionSlot struct {
	ss session
	ok bool
}

// maxSessionSlot bounds the client ordinals kept in the slice.
const maxSessionSlot = 1 << 12

func sessionIndex(id nodes.ID) int {
	if !id.IsClient() || id.Index() > maxSessionSlot {
		return -1
	}
	return id.Index() - 1
}

func (t *sessionTable) get(id nodes.ID) (session, bool) {
	if i := sessionIndex(id); i >= 0 {
		if i < len(t.byIndex) && t.byIndex[i].ok {
			return t.byIndex[i].ss, true
		}
		return session{}, false
	}
	ss, ok := t.other[id]
	return ss, ok
}

func (t *sessionTable) put(id nodes.ID, ss session) {
	if i := sessionIndex(id); i >= 0 {
		if i >= len(t.byIndex) {
			t.byIndex = append(t.byIndex, make([]sessionSlot, i+1-len(t.byIndex))...)
		}
		if !t.byIndex[i].ok {
			t.n++
		}
		t.byIndex[i] = sessionSlot{ss: ss, ok: true}
		return
	}
	if t.other == nil {
		t.other = map[nodes.ID]session{}
	}
	if _, ok := t.other[id]; !ok {
		t.n++
	}
	t.other[id] = ss
}

// ids returns the IDs holding a session, sorted.
func (t *sessionTable) ids() []nodes.ID {
	ids := make([]nodes.ID, 0, t.n)
	for id := range t.other { //faultline:orderless sorted below
		ids = append(ids, id)
	}
	for i, sl := range t.byIndex {
		if sl.ok {
			ids = append(ids, nodes.ClientID(i+1))
		}
	}
	slices.Sort(ids)
	return ids
}

// all returns the table as a map (for tests).
func (t *sessionTable) all() map[nodes.ID]session {
	m := map[nodes.ID]session{}
	for _, id := range t.ids() {
		m[id], _ = t.get(id)
	}
	return m
}

// validKind reports whether the state machine knows op's kind.
func validKind(kind nodes.OpKind) bool { return kv.Known(kind) }

// lookup consults the session table for a request: dup is true when the
// request was already applied (res is its cached result); stale is true
// when the client has since moved on to a later request.
func (s *stateMachine) lookup(client nodes.ID, seq uint64) (res result, dup, stale bool) {
	ss, ok := s.sessions.get(client)
	switch {
	case !ok || seq > ss.Seq:
		return result{}, false, false
	case seq == ss.Seq:
		return ss.Result, true, false
	}
	return result{}, false, true
}

// apply applies one committed entry and returns its result. With sessions,
// a command already applied for its client is not applied again: its
// cached result is returned (exactly-once semantics for retries).
func (s *stateMachine) apply(e *Entry, useSessions bool) result {
	if e.IsNoop() {
		return result{Status: kv.StatusOK}
	}
	if useSessions {
		if res, dup, stale := s.lookup(e.Client, e.Seq); dup {
			return res
		} else if stale {
			return result{Status: kv.StatusRetry}
		}
	}
	res := s.execute(&e.Op)
	if useSessions {
		s.sessions.put(e.Client, session{Seq: e.Seq, Result: res})
	}
	return res
}

// execute performs op on the data, with kv.Apply's semantics.
func (s *stateMachine) execute(op *nodes.Op) result {
	r := kv.Apply(s.data, *op)
	return result{Status: r.Status, Value: r.Value, Exists: r.Exists}
}

// encode renders the state machine as snapshot bytes, keys in sorted order
// so that equal states encode equally.
func (s *stateMachine) encode() []byte {
	var e encoder
	e.u64(uint64(len(s.data)))
	for _, k := range slices.Sorted(maps.Keys(s.data)) {
		e.str(k)
		e.str(s.data[k])
	}
	ids := s.sessions.ids()
	e.u64(uint64(len(ids)))
	for _, c := range ids {
		ss, _ := s.sessions.get(c)
		e.u64(uint64(c))
		e.u64(ss.Seq)
		e.u64(uint64(ss.Result.Status))
		e.str(ss.Result.Value)
		e.flag(ss.Result.Exists)
	}
	return e.b
}

// decodeStateMachine is the inverse of encode.
func decodeStateMachine(b []byte) (*stateMachine, error) {
	s := newStateMachine()
	d := decoder{b: b}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		s.data[k] = d.str()
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		c := nodes.ID(d.u64())
		var ss session
		ss.Seq = d.u64()
		ss.Result.Status = kv.Status(d.u64())
		ss.Result.Value = d.str()
		ss.Result.Exists = d.flag()
		s.sessions.put(c, ss)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil, fmt.Errorf("raftkv: snapshot: %w", d.err)
	}
	return s, nil
}
