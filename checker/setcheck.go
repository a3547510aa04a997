package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// NoLostWrites returns the set checker of Jepsen: take the final read (the
// OK read that returned last); every add acknowledged (OK) before that
// read was invoked must appear in it; every element in it must have been
// added by an add that was not Fail. Indeterminate adds may or may not
// appear. Invalid lists lost and unexpected elements; with no OK read the
// verdict is Unknown.
//
// Operations: "add" with Value the element, "read" with Output the
// comma-separated elements (see SetModel).
func NoLostWrites() Checker {
	return Func("no-lost-writes", checkNoLostWrites)
}

func checkNoLostWrites(h *History, _ Options) Result {
	final := -1
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Kind != nodes.OpRead || op.Outcome != nodes.OK {
			continue
		}
		if final < 0 || op.Return > h.Ops[final].Return ||
			(op.Return == h.Ops[final].Return && op.Invoke > h.Ops[final].Invoke) {
			final = i
		}
	}
	if final < 0 {
		return Result{Verdict: Unknown, Explanation: "no successful read, so nothing to compare the adds with"}
	}
	fr := &h.Ops[final]
	present := map[string]bool{}
	for _, e := range SplitSet(fr.Output) {
		present[e] = true
	}
	attempted := map[string]bool{} // element -> added by a non-Fail add
	failedOnly := map[string]bool{}
	var lost []string
	var nAcked, nIndeterminate, nRecovered int
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Kind != OpAdd {
			continue
		}
		switch {
		case op.Outcome == nodes.Fail:
			failedOnly[op.Value] = true
			continue
		case op.Outcome == nodes.OK:
			nAcked++
			if op.Return < fr.Invoke && !present[op.Value] {
				lost = append(lost, fmt.Sprintf("%q (added by %v, acknowledged at %v%s)", op.Value, op.Client, op.Return, lineSuffix(op.Line)))
			}
		default:
			nIndeterminate++
			if present[op.Value] {
				nRecovered++
			}
		}
		attempted[op.Value] = true
	}
	var unexpected []string
	for _, e := range SplitSet(fr.Output) {
		switch {
		case attempted[e]:
		case failedOnly[e]:
			unexpected = append(unexpected, fmt.Sprintf("%q (its add failed)", e))
		default:
			unexpected = append(unexpected, fmt.Sprintf("%q (never added)", e))
		}
	}
	summary := fmt.Sprintf("final read by %v at %v%s: %d elements; %d adds acknowledged, %d indeterminate (%d of them present)",
		fr.Client, fr.Return, lineSuffix(fr.Line), len(present), nAcked, nIndeterminate, nRecovered)
	if len(lost) == 0 && len(unexpected) == 0 {
		return Result{Verdict: Valid, Explanation: summary}
	}
	var b strings.Builder
	b.WriteString(summary)
	if len(lost) > 0 {
		fmt.Fprintf(&b, "\nlost %d acknowledged adds: %s", len(lost), listSome(lost))
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(&b, "\nunexpected elements: %s", listSome(unexpected))
	}
	return Result{Verdict: Invalid, Explanation: b.String()}
}

// UniqueIDs returns a checker that every OK "generate" operation returned
// a distinct Output.
func UniqueIDs() Checker {
	return Func("unique-ids", func(h *History, _ Options) Result {
		first := map[string]int{}
		var dups []string
		n := 0
		for i := range h.Ops {
			op := &h.Ops[i]
			if op.Kind != OpGenerate || op.Outcome != nodes.OK {
				continue
			}
			n++
			if j, ok := first[op.Output]; ok {
				o := &h.Ops[j]
				dups = append(dups, fmt.Sprintf("%q returned to %v at %v%s and to %v at %v%s",
					op.Output, o.Client, o.Return, lineSuffix(o.Line), op.Client, op.Return, lineSuffix(op.Line)))
				continue
			}
			first[op.Output] = i
		}
		if len(dups) == 0 {
			return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d IDs, all distinct", n)}
		}
		return Result{Verdict: Invalid, Explanation: fmt.Sprintf("%d duplicate IDs among %d: %s", len(dups), n, listSome(dups))}
	})
}

// Bank returns the bank checker: every OK "read" returns the balances of
// all accounts as "acct=balance,acct=balance,..." and they must sum to
// total (transfers conserve money). A read that does not parse makes the
// verdict Unknown.
func Bank(total int64) Checker {
	return Func("bank", func(h *History, _ Options) Result {
		var bad []string
		n := 0
		for i := range h.Ops {
			op := &h.Ops[i]
			if op.Kind != nodes.OpRead || op.Outcome != nodes.OK {
				continue
			}
			n++
			sum, err := sumBalances(op.Output)
			if err != nil {
				return Result{Verdict: Unknown, Err: err, Explanation: fmt.Sprintf("read by %v at %v%s: %v", op.Client, op.Return, lineSuffix(op.Line), err)}
			}
			if sum != total {
				bad = append(bad, fmt.Sprintf("%v at %v%s read %s (sum %d)", op.Client, op.Return, lineSuffix(op.Line), op.Output, sum))
			}
		}
		if len(bad) == 0 {
			return Result{Verdict: Valid, Explanation: fmt.Sprintf("%d reads, all totalling %d", n, total)}
		}
		return Result{Verdict: Invalid, Explanation: fmt.Sprintf("%d of %d reads do not total %d: %s", len(bad), n, total, listSome(bad))}
	})
}

func sumBalances(s string) (int64, error) {
	var sum int64
	if s == "" {
		return 0, nil
	}
	for _, kv := range strings.Split(s, ",") {
		_, v, ok := strings.Cut(kv, "=")
		var n int64
		if _, err := fmt.Sscan(v, &n); !ok || err != nil {
			return 0, fmt.Errorf("checker: bank read %q: want acct=balance,...", s)
		}
		sum += n
	}
	return sum, nil
}

func lineSuffix(line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", line)
}

// listSome joins up to five items and says how many were left out.
func listSome(items []string) string {
	const n = 5
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(slices.Clip(items[:n]), "; ") + fmt.Sprintf("; ... and %d more", len(items)-n)
}
