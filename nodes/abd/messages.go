package abd

import "github.com/faultline/faultline/nodes"

// Query asks a server for its version of Key (both phases of a read and
// the first phase of a write). A write's query also asks for the server's
// session record of Client, so a retried write finds the tag reserved for
// it.
type Query struct {
	Op     uint64 // the coordinator's operation id
	Key    string
	Write  bool
	Client nodes.ID
	Seq    uint64
}

// QueryReply answers a Query, once what it reports is durable.
type QueryReply struct {
	Op      uint64
	Version Version
	// HasRec: the server has reserved Rec for the queried write
	// (Client, Seq). Stale: it has reserved a later Seq of that client,
	// which has moved on, so the write needs no answer.
	HasRec bool
	Rec    Tag
	Stale  bool
}

// Reserve asks a server to record Tag as the one tag of the write
// (Client, Seq), unless it has recorded another.
type Reserve struct {
	Op     uint64
	Client nodes.ID
	Seq    uint64
	Tag    Tag
}

// ReserveReply reports, once durable, the tag the server has recorded for
// the write (Tag, possibly another coordinator's), or that the client has
// moved on (Stale).
type ReserveReply struct {
	Op    uint64
	Tag   Tag
	Stale bool
}

// Store asks a server to adopt Version for Key if its tag is higher than
// the server's (a write's second phase, a read's write-back).
type Store struct {
	Op      uint64
	Key     string
	Version Version
}

// StoreAck says the server durably holds Key at the stored tag or higher.
type StoreAck struct {
	Op uint64
}
