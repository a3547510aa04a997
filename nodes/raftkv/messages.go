package raftkv

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// The peer-to-peer RPCs of Figure 2 of the paper (plus PreVote, §9.6 of the
// dissertation, and the conflict hints of §5.3). Requests and replies are
// separate one-way messages: the simulated network may drop, duplicate,
// delay or reorder any of them, so every handler checks the term first and
// tolerates stale and repeated messages.

// RequestVote asks for a vote in Term (or, with PreVote, asks whether the
// receiver would vote in Term without anyone changing term).
type RequestVote struct {
	Term      uint64
	LastIndex uint64
	LastTerm  uint64
	PreVote   bool
}

// RequestVoteReply answers a RequestVote. For a granted PreVote, Term is
// the term asked about; otherwise it is the voter's current term.
type RequestVoteReply struct {
	Term    uint64
	Granted bool
	PreVote bool
}

// AppendEntries replicates Entries after (PrevIndex, PrevTerm) and carries
// the leader's commit index. An empty one is a heartbeat. Round numbers the
// leader's broadcast rounds; followers echo it so the leader can tell that a
// quorum still follows it (ReadIndex, leases and CheckQuorum).
type AppendEntries struct {
	Term      uint64
	PrevIndex uint64
	PrevTerm  uint64
	Entries   []Entry
	Commit    uint64
	Round     uint64
}

// Clone copies the entries slice (entries themselves hold only strings
// and numbers, which never alias mutable memory). A message with up to
// four entries, the common case under load, is copied in one allocation:
// the message and its entries share one block.
func (m *AppendEntries) Clone() nodes.Message {
	switch len(m.Entries) {
	case 0:
		c := *m
		c.Entries = nil
		return &c
	case 1:
		b := &appendBlock1{m: *m}
		b.m.Entries = b.e[:copy(b.e[:], m.Entries)]
		return &b.m
	case 2:
		b := &appendBlock2{m: *m}
		b.m.Entries = b.e[:copy(b.e[:], m.Entries)]
		return &b.m
	case 3, 4:
		b := &appendBlock4{m: *m}
		b.m.Entries = b.e[:copy(b.e[:], m.Entries)]
		return &b.m
	}
	c := *m
	c.Entries = append([]Entry(nil), m.Entries...)
	return &c
}

// CloneInto copies m into dst, a delivered AppendEntries whose handler has
// returned, reusing its entries' array (nodes.Recycler): under load the
// simulator then allocates no AppendEntries per send. handleAppendEntries
// copies the entries it appends to the log, and keeps nothing else.
func (m *AppendEntries) CloneInto(dst nodes.Message) nodes.Message {
	d, _ := dst.(*AppendEntries)
	if d == nil {
		return m.Clone()
	}
	entries := d.Entries[:0]
	*d = *m
	d.Entries = append(entries, m.Entries...)
	return d
}

// appendBlockN holds a cloned AppendEntries and room for its entries.
type (
	appendBlock1 struct {
		m AppendEntries
		e [1]Entry
	}
	appendBlock2 struct {
		m AppendEntries
		e [2]Entry
	}
	appendBlock4 struct {
		m AppendEntries
		e [4]Entry
	}
)

func (m *AppendEntries) String() string {
	return fmt.Sprintf("AppendEntries{t%d prev=%d/t%d n=%d commit=%d round=%d}",
		m.Term, m.PrevIndex, m.PrevTerm, len(m.Entries), m.Commit, m.Round)
}

// AppendEntriesReply answers an AppendEntries or an InstallSnapshot. On
// success Match is the highest index known to match the leader's log. On
// failure Reject is the PrevIndex that did not match and the hints say
// where to retry: ConflictTerm is the follower's term at Reject (0 if its
// log is shorter) and ConflictIndex the first index it holds of that term
// (or its last index + 1).
type AppendEntriesReply struct {
	Term          uint64
	Success       bool
	Match         uint64
	Reject        uint64
	ConflictTerm  uint64
	ConflictIndex uint64
	Round         uint64
}

// CloneInto copies m into dst, a delivered reply whose handler has
// returned (nodes.Recycler). Replies are sent as pointers, from one
// scratch value per node (sendReply), so that neither the send nor the
// copy allocates.
func (m *AppendEntriesReply) CloneInto(dst nodes.Message) nodes.Message {
	d, _ := dst.(*AppendEntriesReply)
	if d == nil {
		d = new(AppendEntriesReply)
	}
	*d = *m
	return d
}

// InstallSnapshot sends the leader's snapshot to a follower whose next
// entry has been compacted away (§7). The whole snapshot travels in one
// message: the simulated network has no size limit.
type InstallSnapshot struct {
	Term     uint64
	Index    uint64
	LastTerm uint64
	Data     []byte
	Round    uint64
}

// Clone copies the snapshot bytes.
func (m *InstallSnapshot) Clone() nodes.Message {
	c := *m
	c.Data = append([]byte(nil), m.Data...)
	return &c
}

func (m *InstallSnapshot) String() string {
	return fmt.Sprintf("InstallSnapshot{t%d index=%d/t%d %dB round=%d}", m.Term, m.Index, m.LastTerm, len(m.Data), m.Round)
}
