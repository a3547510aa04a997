package checker

import (
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Deciding, without the indeterminate operations, a partition whose search
// ran out of budget.
//
// An indeterminate operation (Info or Pending) returns at +infinity with an
// output every model accepts in any state (each Step returns true for an
// unknown output). So any linearization of a partition without some of its
// indeterminate operations extends to one of the whole partition: put the
// removed operations last, after every other operation, in any order. No
// real-time order forbids it (nothing is invoked after +infinity), and
// each of them is accepted whatever the state. Hence:
//
//	the partition minus some indeterminate operations linearizes
//	⇒ the partition linearizes.
//
// The converse does not hold — a read may need a timed-out write to have
// taken effect — so a reduced partition that does not linearize, or runs
// out of steps, decides nothing: the partition stays undecided, and the
// check Unknown. This never calls a history Valid that is not.
//
// It is what undecides the hunt's seeds: a crash or a hot key leaves tens
// of timed-out appends or puts on one key, each free to take effect
// anywhere after its call or never, and the search tries the orders and
// subsets of all of them (2^26 subsets for 26 timed-out appends). Most
// were never observed by any read; without them the search is short.
//
// Two reductions are tried, each only if the one before did not decide:
// first without the indeterminate operations that no other operation of
// the partition could have observed (their value occurs in no definite
// output and in no compare-and-set's expected value; an indeterminate
// read is always dropped, as it changes nothing), then without every
// indeterminate operation. They share one budget of model steps, handed
// out in partition order, so the outcome depends only on the history.

// reduced is what the reductions of the undecided partitions concluded.
type reduced struct {
	decided int   // partitions shown linearizable by a reduction
	open    int   // partitions still undecided
	steps   int64 // model steps the reductions took
	dropped int   // indeterminate operations left out of the partitions decided
	wall    bool  // the wall-clock ceiling stopped a reduction
}

// decideReduced tries the reductions on the partitions parts[open...],
// searched with find, within steps model steps in all.
func decideReduced(find partSearch, h *History, parts [][]porcupine.Operation, open []int, steps int64, deadline time.Time, memory memoryBound) reduced {
	var r reduced
	for _, p := range open {
		ok, dropped := false, 0
		for _, keep := range []func(*Operation, []string) bool{observed, none} {
			part, n := withoutIndeterminate(h, parts[p], keep)
			if n == 0 || r.wall {
				continue
			}
			left := steps - r.steps
			if left <= 0 {
				break
			}
			o := find(part, left, deadline, false, memory)
			r.steps += o.steps
			r.wall = r.wall || o.wall
			if o.ok {
				ok, dropped = true, n
				break
			}
		}
		if ok {
			r.decided++
			r.dropped += dropped
		} else {
			r.open++
		}
	}
	return r
}

// withoutIndeterminate returns part without its indeterminate operations
// that keep does not keep, and how many it left out.
func withoutIndeterminate(h *History, part []porcupine.Operation, keep func(*Operation, []string) bool) ([]porcupine.Operation, int) {
	var seen []string // what the partition's operations observed
	for _, pop := range part {
		op := &h.Ops[pop.Metadata.(int)]
		if !op.indeterminate() && op.Output != "" {
			seen = append(seen, op.Output)
		}
		if op.Expect != "" {
			seen = append(seen, op.Expect)
		}
	}
	out := make([]porcupine.Operation, 0, len(part))
	for _, pop := range part {
		op := &h.Ops[pop.Metadata.(int)]
		if op.indeterminate() && !keep(op, seen) {
			continue
		}
		out = append(out, pop)
	}
	return out, len(part) - len(out)
}

// observed keeps an indeterminate write whose value some operation of the
// partition could have observed: it occurs in a definite output or in an
// expected value (reads and writes of no value are never kept).
func observed(op *Operation, seen []string) bool {
	if op.Kind.IsRead() || op.Value == "" {
		return false
	}
	for _, s := range seen {
		if strings.Contains(s, op.Value) {
			return true
		}
	}
	return false
}

// none keeps no indeterminate operation.
func none(*Operation, []string) bool { return false }
