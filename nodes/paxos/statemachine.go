package paxos

import (
	"encoding/binary"
	"hash/fnv"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Session is a client's entry in the session table: the highest Seq
// applied for it and that operation's result. The kv workload keeps one
// request in flight per client, so the latest Seq is all it needs: a
// command with that Seq is a retry (answered from here, not applied
// again), a lower one a stale duplicate.
type Session struct {
	Seq    uint64
	Status kv.Status
	Value  string `json:",omitempty"`
	Exists bool   `json:",omitempty"`
}

// Snapshot is the replicated state machine after slot Index: the KV data
// and the session table (both change only by applying chosen commands in
// slot order), and Hash, a hash chain over the commands applied.
type Snapshot struct {
	Index    uint64
	Hash     uint64
	Data     map[string]string
	Sessions map[nodes.ID]Session
}

func newSnapshot() Snapshot {
	return Snapshot{Data: map[string]string{}, Sessions: map[nodes.ID]Session{}}
}

// clone deep-copies the snapshot (a node never shares its maps with a
// message it sends).
func (s *Snapshot) clone() Snapshot {
	c := *s
	c.Data = make(map[string]string, len(s.Data))
	//faultline:orderless copying into another map; the order is lost
	for k, v := range s.Data {
		c.Data[k] = v
	}
	c.Sessions = make(map[nodes.ID]Session, len(s.Sessions))
	//faultline:orderless copying into another map; the order is lost
	for k, v := range s.Sessions {
		c.Sessions[k] = v
	}
	return c
}

// Clone makes InstallSnapshot copy its maps itself.
func (m InstallSnapshot) Clone() nodes.Message { return InstallSnapshot{Snap: m.Snap.clone()} }

// Clone makes Promise copy its snapshot and entries itself.
func (m Promise) Clone() nodes.Message {
	c := m
	c.Accepted = append([]AcceptedEntry(nil), m.Accepted...)
	if m.Snap != nil {
		s := m.Snap.clone()
		c.Snap = &s
	}
	return c
}

// outcome is what applying a command gave: whether it was applied now
// (not a duplicate) and the result to answer with.
type outcome struct {
	res Session
	// stale: the client has moved on past this Seq; nobody waits for it.
	stale bool
}

// apply applies the command chosen in slot Index+1. A command already
// applied for its client is not applied again; its cached result is
// returned (exactly-once retries).
func (s *Snapshot) apply(c *Command) outcome {
	s.Index++
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.Hash)
	h.Write(b[:])
	h.Write([]byte(c.String()))
	s.Hash = h.Sum64()
	if c.Noop {
		return outcome{res: Session{Status: kv.StatusOK}}
	}
	if ss, ok := s.Sessions[c.Client]; ok && c.Seq <= ss.Seq {
		if c.Seq == ss.Seq {
			return outcome{res: ss}
		}
		return outcome{res: Session{Status: kv.StatusRetry}, stale: true}
	}
	r := kv.Apply(s.Data, c.Op)
	ss := Session{Seq: c.Seq, Status: r.Status, Value: r.Value, Exists: r.Exists}
	s.Sessions[c.Client] = ss
	return outcome{res: ss}
}

// lookup consults the session table: dup when (client, seq) was applied
// (res is its result), stale when the client has moved past seq.
func (s *Snapshot) lookup(client nodes.ID, seq uint64) (res Session, dup, stale bool) {
	ss, ok := s.Sessions[client]
	switch {
	case !ok || seq > ss.Seq:
		return Session{}, false, false
	case seq == ss.Seq:
		return ss, true, false
	}
	return Session{}, false, true
}
