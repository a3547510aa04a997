package pb

import "github.com/faultline/faultline/nodes"

// Ping is sent by every server to every other each heartbeat: liveness,
// and what the sender believes about views.
type Ping struct {
	View    uint64
	Primary nodes.ID
	// Normal: the sender holds the state of View (it is not mid view
	// change). Active: the sender is View's primary and its view has
	// started.
	Normal, Active bool
	OpNum          uint64
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

// Reject tells the sender its view is old: the receiver has accepted View
// with Primary.
type Reject struct {
	View    uint64
	Primary nodes.ID
}

// StartView installs the new primary's state on a server: at the start of
// a view (to every server), and later to any that fell behind. Members are
// the view's members (the servers whose Accept the primary counted).
type StartView struct {
	View    uint64
	Members []nodes.ID
	Snap    Snapshot
}

// Prepare replicates one write, op number OpNum of View.
type Prepare struct {
	View   uint64
	OpNum  uint64
	Client nodes.ID
	Seq    uint64
	Op     nodes.Op
}

// PrepareOK says the sender durably holds every op up to OpNum of View.
type PrepareOK struct {
	View  uint64
	OpNum uint64
}

// NeedState asks the primary for a StartView: the sender is behind, or not
// in the primary's view.
type NeedState struct {
	View uint64
}

// Confirm asks whether the receiver still follows the sender in View:
// read round Round (a primary confirms its view before answering reads).
type Confirm struct {
	View  uint64
	Round uint64
}

// ConfirmOK answers Confirm: the sender has accepted no view above View.
type ConfirmOK struct {
	View  uint64
	Round uint64
}
