package queue

import "github.com/faultline/faultline/nodes"

// Code names a broker operation (a Request's Op.Code).
type Code uint8

// The broker's operations. Every one but OpExpire comes from a client; the
// primary issues OpExpire itself when a group member's session times out.
const (
	// OpProduce appends Msg to Partition (producer retries are
	// deduplicated by the client's Seq, see the package doc).
	OpProduce Code = iota + 1
	// OpJoin makes the client a member of Group; Gen is the generation it
	// last knew (0 for a fresh incarnation, which forces a rebalance).
	OpJoin
	// OpFetch reads up to Max messages of Partition from Offset, for a
	// member of Group that owns Partition in generation Gen.
	OpFetch
	// OpCommit sets Group's committed offset of Partition to Offset
	// (fenced like OpFetch).
	OpCommit
	// OpEffect applies the effect of message Msg at Group's sink, unless
	// the sink's dedup table has it.
	OpEffect
	// OpSink reads Group's sink: the messages whose effects it applied.
	OpSink
	// OpExpire removes Member from Group (a session timeout).
	OpExpire
)

func (c Code) String() string {
	switch c {
	case OpProduce:
		return "produce"
	case OpJoin:
		return "join"
	case OpFetch:
		return "fetch"
	case OpCommit:
		return "commit"
	case OpEffect:
		return "effect"
	case OpSink:
		return "sink"
	case OpExpire:
		return "expire"
	}
	return "code(?)"
}

// Op is one broker operation. Partitions is the topic's partition count as
// the client knows it (the topic grows to it on first use, like Kafka's
// auto-created topics).
type Op struct {
	Code       Code
	Partitions int
	Partition  int
	Msg        string
	Group      string
	Gen        uint64
	Offset     uint64
	Max        int
	Member     nodes.ID
}

// Status is how the broker answered.
type Status uint8

const (
	StatusOK Status = iota
	// StatusNotLeader: this server is not the active primary; Leader hints
	// at the one it knows (0: none).
	StatusNotLeader
	// StatusRetry: the primary stepped down with the request in flight; it
	// may or may not have taken effect. Retry with the same Seq.
	StatusRetry
	// StatusFenced: the member does not own the partition in the group's
	// current generation (Gen in the reply): rejoin.
	StatusFenced
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusNotLeader:
		return "not-leader"
	case StatusRetry:
		return "retry"
	case StatusFenced:
		return "fenced"
	}
	return "status(?)"
}

// Request is a client's request. Seq is unique per client and grows: the
// broker's session table answers a retried Seq from its cache.
type Request struct {
	Client nodes.ID
	Seq    uint64
	Op     Op
}

// Result is what an operation returned (also what the session table
// keeps).
type Result struct {
	Status Status
	// Offset: produce, the message's offset.
	Offset uint64
	// Gen, Assigned and Committed: join (and fenced), the group's
	// generation, the partitions the member owns and their committed
	// offsets.
	Gen       uint64
	Assigned  []int
	Committed []uint64
	// Msgs: fetch, the message ids from Offset on; sink, the applied
	// effects in order.
	Msgs []string
	// Dup: effect, the dedup table already had the message.
	Dup bool
}

// Reply answers a Request.
type Reply struct {
	Seq    uint64
	Leader nodes.ID
	Result
}

// Ping is sent by every server to every other each heartbeat: liveness,
// and what the sender believes about views.
type Ping struct {
	View    uint64
	Primary nodes.ID
	// Normal: the sender holds the state of View. Active: the sender is
	// View's primary and serving.
	Normal, Active bool
	OpNum          uint64
	// Commit is the primary's highest committed op (0 from backups).
	Commit uint64
}

// Propose asks the receiver to accept View with Primary (the sender).
type Propose struct {
	View    uint64
	Primary nodes.ID
}

// Accept answers a Propose once the promise is durable, with the
// receiver's state.
type Accept struct {
	View uint64
	Snap Snapshot
}

// Reject tells the sender its view is old.
type Reject struct {
	View    uint64
	Primary nodes.ID
}

// StartView installs the new primary's state on a backup.
type StartView struct {
	View uint64
	Snap Snapshot
}

// Entry is one operation as the primary orders it: Client 0 is the
// primary's own (an OpExpire).
type Entry struct {
	Client nodes.ID
	Seq    uint64
	Op     Op
}

// Prepare replicates a batch of operations in View: Entries[i] is op
// number OpNum+i.
type Prepare struct {
	View    uint64
	OpNum   uint64
	Entries []Entry
}

// PrepareOK says the sender durably holds every op up to OpNum of View.
type PrepareOK struct {
	View  uint64
	OpNum uint64
}

// NeedState asks the primary for a StartView: the sender is behind.
type NeedState struct {
	View uint64
}
