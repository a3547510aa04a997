package dynamo

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Forward hands a client request to the key's coordinator (the first
// live server of its preference list); ForwardReply carries the answer back
// to the server the client asked, which relays it.
type Forward struct {
	ID     uint64
	Client nodes.ID
	Seq    uint64
	Op     nodes.Op
}

// ForwardReply answers a Forward.
type ForwardReply struct {
	ID    uint64
	Reply kv.Reply
}

// ReadReq asks a replica (or stand-in) for its record of Key, for
// coordinator operation Op.
type ReadReq struct {
	Op  uint64
	Key string
}

// ReadResp answers a ReadReq: the newest record the server holds of the
// key, as replica or in a hint. Unsynced: the record is not durable on
// the server yet (its sync is pending), so it does not count toward the W
// copies a read answers from.
type ReadResp struct {
	Op       uint64
	Rec      Record
	Unsynced bool
}

// String renders a ReadResp as %+v does, naming Unsynced only when set.
func (m ReadResp) String() string {
	if m.Unsynced {
		return fmt.Sprintf("{Op:%d Rec:%v Unsynced:true}", m.Op, m.Rec)
	}
	return fmt.Sprintf("{Op:%d Rec:%v}", m.Op, m.Rec)
}

// WriteReq asks a server to keep Rec durably and acknowledge it. Hint,
// when set, names the owner a stand-in keeps it for. Op is the
// coordinator operation waiting for the ack; 0 for hint delivery and
// anti-entropy pushes.
type WriteReq struct {
	Op   uint64
	Rec  Record
	Hint nodes.ID
}

// WriteAck acknowledges a WriteReq once Rec (or a newer record) is durable.
type WriteAck struct {
	Op   uint64
	Rec  Record
	Hint nodes.ID
}

// Entry is one key of an anti-entropy digest.
type Entry struct {
	Key     string
	Version Version
	Sum     uint64
}

// AEDigest opens an anti-entropy exchange: the sender's version of every
// key it holds that the receiver also replicates.
type AEDigest struct{ Entries []Entry }

// AEReply answers an AEDigest: the receiver's records of the keys that
// differ or that the sender did not list, and the keys it wants the
// sender's record of.
type AEReply struct {
	Records []Record
	Want    []string
}

// AEPush closes an exchange with the records an AEReply wanted.
type AEPush struct{ Records []Record }
