package pb

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// StateFile is the one file a server keeps in its store.
const StateFile = "pb-state"

// RecentHashes is how many hash-chain values a state keeps: the window in
// which HashAt answers (the invariants compare chains through it).
const RecentHashes = 64

// Session is a client's entry in the session table: its highest applied
// write Seq and that write's result. It is part of the replicated state,
// so whichever primary sees a retry answers it from here.
type Session struct {
	Seq    uint64
	Status kv.Status
	Value  string
	Exists bool
}

// Snapshot is a replica's state machine: what StartView and Accept carry
// and what the state file holds (with the view fields of state).
type Snapshot struct {
	// LastNormal is the view whose primary this state descends from.
	LastNormal uint64
	// OpNum is the number of writes applied.
	OpNum uint64
	// Recent holds the hash chain's last values: Recent[len-1] is the
	// hash after op OpNum.
	Recent   []uint64
	Data     map[string]string
	Sessions map[nodes.ID]Session
}

// state is what a server persists.
type state struct {
	// View is the highest view accepted (promised); Primary is its
	// primary.
	View    uint64
	Primary nodes.ID
	Snap    Snapshot
}

func newSnapshot() Snapshot {
	return Snapshot{Data: map[string]string{}, Sessions: map[nodes.ID]Session{}}
}

// clone deep-copies a snapshot (a node never shares its maps with a
// message it sends or keeps).
func (s *Snapshot) clone() Snapshot {
	c := *s
	c.Recent = append([]uint64(nil), s.Recent...)
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

// Hash is the hash chain after the last op (0 for none).
func (s *Snapshot) Hash() uint64 {
	if len(s.Recent) == 0 {
		return 0
	}
	return s.Recent[len(s.Recent)-1]
}

// HashAt returns the chain hash after op k, if k is held and recent
// enough (within RecentHashes of OpNum).
func (s *Snapshot) HashAt(k uint64) (uint64, bool) {
	if k == 0 {
		return 0, true
	}
	if k > s.OpNum || s.OpNum-k >= uint64(len(s.Recent)) {
		return 0, false
	}
	return s.Recent[len(s.Recent)-1-int(s.OpNum-k)], true
}

// apply runs one write as op OpNum+1 and records it in the session table.
func (s *Snapshot) apply(client nodes.ID, seq uint64, op *nodes.Op) Session {
	s.OpNum++
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.Hash())
	h.Write(b[:])
	fmt.Fprintf(h, "%d/%d/%s/%q/%q/%q", client, seq, op.Kind, op.Key, op.Value, op.Expect)
	s.Recent = append(s.Recent, h.Sum64())
	if len(s.Recent) > RecentHashes {
		s.Recent = append(s.Recent[:0], s.Recent[len(s.Recent)-RecentHashes:]...)
	}
	res := s.execute(op)
	s.Sessions[client] = Session{Seq: seq, Status: res.Status, Value: res.Value, Exists: res.Exists}
	return s.Sessions[client]
}

// execute performs op on the data, with nodes/kv's semantics (kv.Apply).
func (s *Snapshot) execute(op *nodes.Op) Session {
	r := kv.Apply(s.Data, *op)
	return Session{Status: r.Status, Value: r.Value, Exists: r.Exists}
}

// encode renders the state as a CRC-32 followed by JSON (which writes map
// keys sorted, so equal states encode equally).
func (st *state) encode() []byte {
	return durable.SealJSON(st)
}

// decodeState is the inverse of encode.
func decodeState(b []byte) (state, error) {
	var st state
	if err := durable.OpenJSON(b, &st); err != nil {
		return st, fmt.Errorf("pb: %s: %v", StateFile, err)
	}
	if st.Snap.Data == nil {
		st.Snap.Data = map[string]string{}
	}
	if st.Snap.Sessions == nil {
		st.Snap.Sessions = map[nodes.ID]Session{}
	}
	return st, nil
}
