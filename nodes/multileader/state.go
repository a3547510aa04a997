package multileader

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// stateFile is the replica's one file: its whole state behind a CRC,
// rewritten on every change.
const stateFile = "multileader-state"

// state is what a replica keeps, and all that survives a crash.
type state struct {
	// Data holds each key's versions: one under LWW, the siblings (an
	// antichain, in canonical order) under Vectors.
	Data map[string][]Version
	// Context (Vectors) is, per key, the join of every vector merged or
	// made: a local write's vector is the context plus one.
	Context map[string]Vector `json:",omitempty"`
	// Seq (LWW) counts the replica's own writes, for Stamp.Seq.
	Seq uint64 `json:",omitempty"`
	// Sessions (client → its latest write here) apply a retried write once.
	Sessions map[nodes.ID]Session
}

// Session is a client's latest write at this replica.
type Session struct {
	Seq   uint64
	Reply kv.Reply
	// Done: the write is durable and the reply may be sent again. A
	// session read back from disk is always done (the file was synced).
	Done bool `json:"-"`
}

func newState() state {
	return state{Data: map[string][]Version{}, Context: map[string]Vector{}, Sessions: map[nodes.ID]Session{}}
}

// encode renders the state: a CRC32 (Castagnoli) of the JSON, then the
// JSON (encoding/json writes map keys sorted, so the bytes are a function
// of the state).
func (st *state) encode() []byte {
	body, err := json.Marshal(st)
	if err != nil {
		panic(fmt.Sprintf("multileader: encoding state: %v", err))
	}
	out := binary.BigEndian.AppendUint32(nil, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	return append(out, body...)
}

func decodeState(b []byte) (state, error) {
	st := newState()
	if len(b) < 4 {
		return st, errors.New("state file too short")
	}
	body := b[4:]
	if binary.BigEndian.Uint32(b) != crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)) {
		return st, errors.New("state file fails its checksum")
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("state file: %v", err)
	}
	if st.Data == nil {
		st.Data = map[string][]Version{}
	}
	if st.Context == nil {
		st.Context = map[string]Vector{}
	}
	if st.Sessions == nil {
		st.Sessions = map[nodes.ID]Session{}
	}
	for _, c := range slices.Sorted(maps.Keys(st.Sessions)) {
		s := st.Sessions[c]
		s.Done = true
		st.Sessions[c] = s
	}
	return st, nil
}
