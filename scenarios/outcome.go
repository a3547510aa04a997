package scenarios

import (
	"fmt"
	"slices"
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
	// StatusNondeterministic: the same seed took two different paths (a
	// replay's hash differed from the sweep's run, or a verification
	// re-run diverged). The node code reads something outside its Env —
	// the wall clock, global randomness, a goroutine, shared state — and
	// no verdict of this seed can be trusted.
	StatusNondeterministic Status = "nondeterministic"
	// StatusTimeout, StatusOOM and StatusCrash are recorded only by an
	// isolated sweep (SweepOptions.Executor), whose worker process running
	// the seed was lost: it ran over its wall-time limit (a hang, a
	// livelock, a looping String), over its memory limit, or died on its
	// own (os.Exit, runtime.Goexit, a fatal runtime error such as a stack
	// overflow or a concurrent map write, a signal). The seed has no
	// verdict; Outcome.Reason says what happened and Outcome.Output holds
	// the worker's last lines of output.
	StatusTimeout Status = "timeout"
	StatusOOM     Status = "oom"
	StatusCrash   Status = "crash"
)

// Lost reports whether the status is one of a lost worker (timeout, oom,
// crash): the seed ran to no verdict, and a resume with
// SweepOptions.RetryCrashed runs it again.
func (s Status) Lost() bool {
	return s == StatusTimeout || s == StatusOOM || s == StatusCrash
}

// Statuses lists every status in report order.
var Statuses = []Status{StatusValid, StatusInvalid, StatusLiveness, StatusPanic, StatusUnknown, StatusNondeterministic, StatusTimeout, StatusOOM, StatusCrash}

// Exit codes of the faultline command, one per worst status.
const (
	ExitValid    = 0
	ExitInvalid  = 1
	ExitUsage    = 2 // bad input or usage
	ExitLiveness = 3
	ExitPanic    = 4
	ExitUnknown  = 5
	// ExitCrash: the command itself failed (a panic outside any node: a
	// bug in Faultline or in a binary's own kinds), not the system under
	// test.
	ExitCrash            = 6
	ExitNondeterministic = 7
	// ExitTimeout, ExitOOM and ExitSeedCrash: a seed's isolated worker
	// was lost (StatusTimeout, StatusOOM, StatusCrash).
	ExitTimeout   = 8
	ExitOOM       = 9
	ExitSeedCrash = 10
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
	case StatusNondeterministic:
		return ExitNondeterministic
	case StatusTimeout:
		return ExitTimeout
	case StatusOOM:
		return ExitOOM
	case StatusCrash:
		return ExitSeedCrash
	}
	return ExitUnknown
}

// severity orders statuses for Worse: the position in this list.
var severity = []Status{StatusValid, StatusUnknown, StatusLiveness, StatusInvalid, StatusPanic, StatusTimeout, StatusOOM, StatusCrash, StatusNondeterministic}

// ParseStatus reads a status as results files write it.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("scenarios: unknown status %q (want one of: valid, invalid, liveness, panic, unknown, nondeterministic, timeout, oom, crash)", s)
}

// Worse returns the more severe of two statuses.
func Worse(a, b Status) Status {
	if slices.Index(severity, b) > slices.Index(severity, a) {
		return b
	}
	return a
}

// statusOf is what a check's verdict means for the run.
func statusOf(class CheckClass, v checker.Verdict) Status {
	switch {
	case v == checker.Valid:
		return StatusValid
	case v == checker.Unknown:
		return StatusUnknown
	case class == Liveness:
		return StatusLiveness
	}
	return StatusInvalid
}

// CheckSummary is one check's verdict in a seed's outcome.
type CheckSummary struct {
	Name        string          `json:"name"`
	Verdict     checker.Verdict `json:"verdict"`
	Explanation string          `json:"explanation,omitempty"`
	// Measured: the check is stronger than the scenario's promise (or a
	// measurement), so its verdict did not count towards the status.
	Measured bool `json:"measured,omitempty"`
	// Excused: a liveness check that failed in a run beyond the
	// recoverability budget (Outcome.BeyondBudget); it did not count
	// towards the status.
	Excused bool             `json:"excused,omitempty"`
	Metrics []checker.Metric `json:"metrics,omitempty"`
}

// Outcome is the result of running one seed of a scenario.
type Outcome struct {
	Seed    uint64         `json:"seed"`
	Status  Status         `json:"status"`
	Reason  string         `json:"reason,omitempty"`
	Hash    string         `json:"hash"`
	Events  uint64         `json:"events"`
	Steps   uint64         `json:"steps"`
	Virtual time.Duration  `json:"virtual_ns"`
	Wall    time.Duration  `json:"wall_ns"`
	Ops     int            `json:"ops"`
	Faults  []string       `json:"faults,omitempty"`
	Probes  map[string]int `json:"probes,omitempty"`
	Checks  []CheckSummary `json:"checks,omitempty"`
	SimEnd  string         `json:"sim_end"`
	Failure string         `json:"failure,omitempty"`
	Stack   string         `json:"stack,omitempty"`
	// Output is the last lines a lost worker wrote (its stderr, and
	// stdout, which a worker points there), at most MaxOutputBytes.
	Output string `json:"output,omitempty"`
	// BeyondBudget: the seed ran beyond the recoverability budget
	// (Nemesis.BeyondBudget, drawn by swarm.beyond_budget). Its safety
	// checks count as always; a liveness failure is excused (Excused).
	BeyondBudget bool `json:"beyond_budget,omitempty"`
	// Excused is the explanation of the liveness failure excused because
	// the seed was beyond the budget ("" if none).
	Excused  string `json:"excused,omitempty"`
	Scenario string `json:"-"`

	// Filled only by the run that produced them (not in results files).
	History *checker.History `json:"-"`
	Trace   []trace.Event    `json:"-"`
	Check   checker.Result   `json:"-"`
	Sim     sim.Result       `json:"-"`
}

// Failed reports whether the seed did not pass.
func (o *Outcome) Failed() bool { return o.Status != StatusValid }
