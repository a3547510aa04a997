package abd

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

// StateFile is the one file a server keeps in its store.
const StateFile = "abd-state"

// Tag orders the versions of a key: timestamp first, then the coordinator
// that chose it, then that coordinator's counter. The zero Tag is "never
// written". Node and N make tags unique across coordinators and across a
// coordinator's restarts (N is persisted before a tag that uses it is
// sent).
type Tag struct {
	TS   uint64
	Node nodes.ID
	N    uint64
}

// Less orders tags lexicographically.
func (t Tag) Less(u Tag) bool {
	switch {
	case t.TS != u.TS:
		return t.TS < u.TS
	case t.Node != u.Node:
		return t.Node < u.Node
	}
	return t.N < u.N
}

// IsZero reports the tag of a key never written.
func (t Tag) IsZero() bool { return t == Tag{} }

func (t Tag) String() string { return fmt.Sprintf("%d.%v.%d", t.TS, t.Node, t.N) }

// Version is a key's value at a tag, with the write (Client, Seq) that
// wrote it.
type Version struct {
	Tag    Tag
	Value  string
	Exists bool
	Client nodes.ID
	Seq    uint64
}

// Record is a server's session record for one client: the tag reserved
// for its latest write (Seq).
type Record struct {
	Seq uint64
	Tag Tag
}

// state is what a server persists.
type state struct {
	// Counter is the last N this server used in a tag it chose.
	Counter  uint64
	Data     map[string]Version
	Sessions map[nodes.ID]Record
}

func newState() state {
	return state{Data: map[string]Version{}, Sessions: map[nodes.ID]Record{}}
}

// encode renders the state as a CRC-32 followed by JSON (which sorts map
// keys, so equal states encode equally).
func (st *state) encode() []byte {
	return durable.SealJSON(st)
}

// decodeState is the inverse of encode.
func decodeState(b []byte) (state, error) {
	st := newState()
	if err := durable.OpenJSON(b, &st); err != nil {
		return st, fmt.Errorf("abd: %s: %v", StateFile, err)
	}
	if st.Data == nil {
		st.Data = map[string]Version{}
	}
	if st.Sessions == nil {
		st.Sessions = map[nodes.ID]Record{}
	}
	return st, nil
}
