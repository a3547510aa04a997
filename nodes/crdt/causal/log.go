package causal

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/nodes/kv"
)

// LogFile is the one file a replica keeps: its delivery log, one framed
// record per delivered operation or client session, appended.
const LogFile = "crdt-oplog"

// Op is one set operation as the causal broadcast carries it. Origin and
// Seq name it (Seq counts the origin's operations from 1); Deps is what
// the origin had delivered when it issued it (Deps[Origin] = Seq-1): it
// is delivered elsewhere only after all of those. An add's Dots is the
// one dot it created, (Origin, Seq); a remove's the dots it observed.
type Op struct {
	Origin nodes.ID     `json:"origin"`
	Seq    uint64       `json:"seq"`
	Deps   crdt.VV      `json:"deps,omitempty"`
	Kind   nodes.OpKind `json:"kind"`
	Elem   string       `json:"elem"`
	Dots   []crdt.Dot   `json:"dots,omitempty"`
}

// Dot is the operation's own identity as a dot.
func (o Op) Dot() crdt.Dot { return crdt.Dot{Node: o.Origin, N: o.Seq} }

// record is one log entry: a delivered operation, or a client session.
type record struct {
	Op      *Op      `json:"op,omitempty"`
	Client  nodes.ID `json:"client,omitempty"`
	Seq     uint64   `json:"seq,omitempty"`
	Reply   kv.Reply `json:"reply"`
	Session bool     `json:"session,omitempty"`
}

// frame encodes a record: a big-endian length, then the sealed JSON.
func frame(r record) []byte {
	body := durable.SealJSON(r)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// readLog decodes the records of b and returns how many bytes the whole
// ones take. An incomplete or corrupt last record is a write a crash
// interrupted (never synced, so never acknowledged) and is left out; a
// corrupt record before the last is an error.
func readLog(b []byte) (recs []record, whole int, err error) {
	for whole < len(b) {
		rest := b[whole:]
		if len(rest) < 4 || len(rest) < 4+int(binary.BigEndian.Uint32(rest)) {
			return recs, whole, nil
		}
		n := 4 + int(binary.BigEndian.Uint32(rest))
		body, oerr := durable.Open(rest[4:n])
		if oerr != nil {
			if n == len(rest) {
				return recs, whole, nil
			}
			return recs, whole, fmt.Errorf("causal: %s: record %d: %w", LogFile, len(recs)+1, oerr)
		}
		var r record
		if err := json.Unmarshal(body, &r); err != nil {
			return recs, whole, fmt.Errorf("causal: %s: record %d: %v", LogFile, len(recs)+1, err)
		}
		recs = append(recs, r)
		whole += n
	}
	return recs, whole, nil
}
