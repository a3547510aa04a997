package swim

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// State is what a member believes of another.
type State uint8

const (
	Alive State = iota
	Suspect
	Dead
	// Left: the member announced it is leaving (a graceful leave); like
	// Dead, until it rejoins at a higher incarnation.
	Left
)

func (s State) String() string {
	switch s {
	case Alive:
		return "alive"
	case Suspect:
		return "suspect"
	case Dead:
		return "dead"
	case Left:
		return "left"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Update is one piece of membership news: Member is State at incarnation
// Inc. Updates ride on every message (piggy-backed dissemination).
type Update struct {
	Member nodes.ID
	State  State
	Inc    uint64
}

func (u Update) String() string { return fmt.Sprintf("%v %v@%d", u.Member, u.State, u.Inc) }

// Ping asks the receiver for an Ack with the same Seq.
type Ping struct {
	Seq     uint64
	Updates []Update
}

// PingReq asks the receiver to ping Target on the sender's behalf and
// forward its ack (an Ack with the sender's Seq).
type PingReq struct {
	Seq     uint64
	Target  nodes.ID
	Updates []Update
}

// Ack answers a Ping. Of is the member whose liveness it shows (the
// sender, or the target of a forwarded indirect probe).
type Ack struct {
	Seq     uint64
	Of      nodes.ID
	Updates []Update
}

// Sync carries the sender's whole view, itself included (push-pull
// anti-entropy): a member sends one when it (re)joins, until answered, and
// every PushPullPeriods periods; the receiver merges it and answers with
// its own view (Reply set).
type Sync struct {
	Reply   bool
	Updates []Update
}

// Heartbeat is the all-to-all detectors' message.
type Heartbeat struct {
	Inc uint64
	// Left: the sender is leaving; this is its last heartbeat.
	Left bool
}

// ViewQuery asks a member for a summary of its view (the membership
// workload's one operation).
type ViewQuery struct{ Seq uint64 }

// ViewReply answers a ViewQuery.
type ViewReply struct {
	Seq                  uint64
	Alive, Suspect, Dead int
}
