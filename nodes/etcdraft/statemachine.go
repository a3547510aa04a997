package etcdraft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// command is what a log entry's Data holds: one client write.
type command struct {
	Client nodes.ID
	Seq    uint64
	Op     nodes.Op
}

// session is a client's entry in the session table: the highest Seq
// applied for it and that write's result. The kv workload keeps one
// request in flight per client, so the latest Seq is all it needs: that
// Seq again is a retry (answered from here, not applied again), a lower
// one a stale duplicate.
type session struct {
	Seq    uint64
	Result kv.Result
}

// stateMachine is the replicated store: the data and the session table,
// changed only by applying committed entries in log order. It is what a
// snapshot's Data holds.
type stateMachine struct {
	data     map[string]string
	sessions map[nodes.ID]session
}

func newStateMachine() *stateMachine {
	return &stateMachine{data: map[string]string{}, sessions: map[nodes.ID]session{}}
}

// apply performs one committed command, exactly once per (client, seq),
// and returns its result and its effect (Effect).
func (s *stateMachine) apply(c *command) (kv.Result, Effect) {
	ss, ok := s.sessions[c.Client]
	switch {
	case ok && c.Seq == ss.Seq:
		return ss.Result, EffectDuplicate
	case ok && c.Seq < ss.Seq:
		return kv.Result{Status: kv.StatusRetry}, EffectDuplicate
	}
	res := kv.Apply(s.data, c.Op)
	s.sessions[c.Client] = session{Seq: c.Seq, Result: res}
	if res.Status == kv.StatusCASMismatch {
		return res, EffectCASMismatch
	}
	return res, EffectApplied
}

// Effect is what applying one committed entry did to the state machine.
// It follows from the entry and the state before it alone, so every
// replica that applies entry i gives it the same effect (state-machine
// safety, which the kind's invariants check): a replica that answers from
// its session table what another applies has a different state.
type Effect uint8

const (
	// EffectNone: not a client write (the leader's empty entry, a
	// membership change).
	EffectNone Effect = iota
	// EffectApplied: the write changed the data (a put, an append, a cas
	// that matched).
	EffectApplied
	// EffectCASMismatch: a cas that did not match, applied for its
	// session but changing no data.
	EffectCASMismatch
	// EffectDuplicate: a retry or a stale duplicate of a write the
	// session table already holds, not applied again.
	EffectDuplicate
)

func (e Effect) String() string {
	switch e {
	case EffectNone:
		return "none"
	case EffectApplied:
		return "applied"
	case EffectCASMismatch:
		return "cas mismatch"
	case EffectDuplicate:
		return "duplicate (answered from the session table)"
	}
	return fmt.Sprintf("Effect(%d)", uint8(e))
}

// encoder and decoder are a small length-prefixed binary format.
type encoder struct{ b []byte }

func (e *encoder) u64(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) str(s string) { e.u64(uint64(len(s))); e.b = append(e.b, s...) }

type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("etcdraft: short or malformed record")

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.u64()
	if d.err != nil || uint64(len(d.b)) < n {
		d.err = errShort
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errShort
	}
	return d.err
}

func encodeCommand(c *command) []byte {
	var e encoder
	e.u64(uint64(c.Client))
	e.u64(c.Seq)
	e.str(string(c.Op.Kind))
	e.str(c.Op.Key)
	e.str(c.Op.Value)
	e.str(c.Op.Expect)
	return e.b
}

func decodeCommand(b []byte) (command, error) {
	d := decoder{b: b}
	c := command{Client: nodes.ID(d.u64()), Seq: d.u64()}
	c.Op.Kind = nodes.OpKind(d.str())
	c.Op.Key, c.Op.Value, c.Op.Expect = d.str(), d.str(), d.str()
	return c, d.done()
}

// encode renders the state machine as snapshot data, keys sorted so that
// equal states encode equally. Without sessions (the planted bug
// snapshot-without-sessions) the session table is left out.
func (s *stateMachine) encode(withSessions bool) []byte {
	var e encoder
	e.u64(uint64(len(s.data)))
	for _, k := range slices.Sorted(maps.Keys(s.data)) {
		e.str(k)
		e.str(s.data[k])
	}
	if !withSessions {
		e.u64(0)
		return e.b
	}
	e.u64(uint64(len(s.sessions)))
	for _, c := range slices.Sorted(maps.Keys(s.sessions)) {
		ss := s.sessions[c]
		e.u64(uint64(c))
		e.u64(ss.Seq)
		e.u64(uint64(ss.Result.Status))
		e.str(ss.Result.Value)
		exists := uint64(0)
		if ss.Result.Exists {
			exists = 1
		}
		e.u64(exists)
	}
	return e.b
}

// decodeStateMachine is the inverse of encode; empty data (the zero
// snapshot of a fresh cluster) is the empty store.
func decodeStateMachine(b []byte) (*stateMachine, error) {
	s := newStateMachine()
	if len(b) == 0 {
		return s, nil
	}
	d := decoder{b: b}
	for n := d.u64(); n > 0 && d.err == nil; n-- {
		k := d.str()
		s.data[k] = d.str()
	}
	for n := d.u64(); n > 0 && d.err == nil; n-- {
		c := nodes.ID(d.u64())
		var ss session
		ss.Seq = d.u64()
		ss.Result.Status = kv.Status(d.u64())
		ss.Result.Value = d.str()
		ss.Result.Exists = d.u64() == 1
		s.sessions[c] = ss
	}
	return s, d.done()
}
