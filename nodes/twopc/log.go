package twopc

import (
	"encoding/json"
	"fmt"
)

// The logs are nodes/durable logs: framed, checksummed records, one store
// write each; recovery stops at a torn tail and cuts it off.

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
