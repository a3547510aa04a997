package twopc

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

// A log is a file of framed records: a 4-byte big-endian length, then a
// record sealed by nodes/durable (CRC-32 first). Appending one is a single
// store write, so a crash leaves at most the last one torn.

func appendRecord(st nodes.Store, file string, v any) {
	rec := durable.SealJSON(v)
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(rec)), uint32(len(rec)))
	st.Append(file, append(frame, rec...))
}

// readLog decodes every whole record of file into a fresh T each and
// passes it to each, stopping at the first torn or corrupt frame (the
// tail a crash left half-written, never synced, so nothing acted on it).
// It returns how many records it read and whether it stopped early.
func readLog[T any](st nodes.Store, file string, each func(T)) (n int, torn bool) {
	b, err := st.Read(file)
	if err != nil {
		return 0, false
	}
	for len(b) > 0 {
		if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
			return n, true
		}
		size := int(binary.BigEndian.Uint32(b))
		var v T
		if err := durable.OpenJSON(b[4:4+size], &v); err != nil {
			return n, true
		}
		each(v)
		n++
		b = b[4+size:]
	}
	return n, false
}

// Files in a server's store.
const (
	// ParticipantLog holds a participant's prepare, commit and abort
	// records.
	ParticipantLog = "twopc-participant"
	// DecisionLog holds the coordinator's decisions.
	DecisionLog = "twopc-decisions"
	// EpochLog holds the coordinator's incarnation numbers.
	EpochLog = "twopc-epoch"
)

// partRecord is one participant log record.
type partRecord struct {
	Kind      recordKind `json:"k"`
	Txn       string     `json:"t"`
	Attempt   uint64     `json:"a"`
	Exclusive bool       `json:"x,omitempty"`
	Deltas    []Delta    `json:"d,omitempty"`
	Accounts  []int      `json:"ac,omitempty"`
	Initial   int64      `json:"i,omitempty"`
}

type recordKind uint8

const (
	recPrepare recordKind = iota + 1
	recCommit
	recAbort
)

func (k recordKind) MarshalJSON() ([]byte, error) { return json.Marshal(uint8(k)) }

func (k *recordKind) UnmarshalJSON(b []byte) error {
	var v uint8
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v < uint8(recPrepare) || v > uint8(recAbort) {
		return fmt.Errorf("twopc: record kind %d", v)
	}
	*k = recordKind(v)
	return nil
}

// decisionRecord is one coordinator decision.
type decisionRecord struct {
	Txn     string `json:"t"`
	Attempt uint64 `json:"a"`
	Commit  bool   `json:"c"`
}

// epochRecord is one coordinator incarnation.
type epochRecord struct {
	Epoch uint64 `json:"e"`
}
