package scenarios

import (
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// Status classifies a seed's run. The order is the priority when a run
// fails in several ways: a panic outranks a safety violation, which
// outranks a liveness failure, which outranks Unknown.
type Status string

const (
	StatusValid    Status = "valid"    // every check passed
	StatusInvalid  Status = "invalid"  // a safety check failed (linearizability, invariant)
	StatusLiveness Status = "liveness" // the cluster did not recover after the heal (or livelocked)
	StatusPanic    Status = "panic"    // node code (or the harness) panicked
	StatusUnknown  Status = "unknown"  // a checker ran out of budget or could not decide
)

// Statuses lists every status in report order.
var Statuses = []Status{StatusValid, StatusInvalid, StatusLiveness, StatusPanic, StatusUnknown}

// Exit codes of the faultline command, one per worst status.
const (
	ExitValid    = 0
	ExitInvalid  = 1
	ExitUsage    = 2 // bad input or usage
	ExitLiveness = 3
	ExitPanic    = 4
	ExitUnknown  = 5
)

// ExitCode maps a status to the command's exit code.
func (s Status) ExitCode() int {
	switch s {
	case StatusValid:
		return ExitValid
	case StatusInvalid:
		return ExitInvalid
	case StatusLiveness:
		return ExitLiveness
	case StatusPanic:
		return ExitPanic
	}
	return ExitUnknown
}

func (s Status) rank() int {
	switch s {
	case StatusValid:
		return 0
	case StatusUnknown:
		return 1
	case StatusLiveness:
		return 2
	case StatusInvalid:
		return 3
	case StatusPanic:
		return 4
	}
	return 1
}

// Worse returns the more severe of two statuses.
func Worse(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// CheckSummary is one check's verdict in a seed's outcome.
type CheckSummary struct {
	Name        string `json:"name"`
	Verdict     string `json:"verdict"`
	Explanation string `json:"explanation,omitempty"`
}

// Outcome is the result of running one seed of a scenario.
type Outcome struct {
	Seed     uint64         `json:"seed"`
	Status   Status         `json:"status"`
	Reason   string         `json:"reason,omitempty"`
	Hash     string         `json:"hash"`
	Events   uint64         `json:"events"`
	Steps    uint64         `json:"steps"`
	Virtual  time.Duration  `json:"virtual_ns"`
	Wall     time.Duration  `json:"wall_ns"`
	Ops      int            `json:"ops"`
	Faults   []string       `json:"faults,omitempty"`
	Probes   map[string]int `json:"probes,omitempty"`
	Checks   []CheckSummary `json:"checks,omitempty"`
	SimEnd   string         `json:"sim_end"`
	Failure  string         `json:"failure,omitempty"`
	Stack    string         `json:"stack,omitempty"`
	Scenario string         `json:"-"`

	// Filled only by the run that produced them (not in results files).
	History *checker.History `json:"-"`
	Trace   []trace.Event    `json:"-"`
	Check   checker.Result   `json:"-"`
	Sim     sim.Result       `json:"-"`
}

// Failed reports whether the seed did not pass.
func (o *Outcome) Failed() bool { return o.Status != StatusValid }
