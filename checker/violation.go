package checker

import (
	"fmt"
	"time"
)

// A Violation is what an online invariant reports: a predicate on the
// simulator's trace that failed at an exact event ("at most one leader per
// term"). The simulator owns the hook that runs invariants; they return a
// *Violation and the run stops at that event.
type Violation struct {
	Invariant string        // the invariant's name
	At        time.Duration // virtual time of the event
	Node      string        // the node it concerns, or ""
	Detail    string        // what was seen
}

func (v *Violation) Error() string {
	where := ""
	if v.Node != "" {
		where = " on " + v.Node
	}
	return fmt.Sprintf("checker: invariant %q violated at %v%s: %s", v.Invariant, v.At, where, v.Detail)
}

// Result turns the violation into an Invalid result named after the
// invariant.
func (v *Violation) Result() Result {
	return Result{Name: "invariant(" + v.Invariant + ")", Verdict: Invalid, Explanation: v.Error(), Err: v}
}
