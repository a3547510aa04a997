package checker

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Staleness measures, for every OK read of a KV history with unique
// values, how far behind it was (see the note on versions): k, the number
// of writes acknowledged before the read was invoked that it misses
// (k-staleness), and Δ, how long before the read's invocation the oldest
// of them had been acknowledged (Δ-staleness, in virtual time). It is a
// measurement, not a property: the verdict is Valid whenever it could
// measure, with the distribution in Metrics ("reads", "stale reads",
// "stale share", "k max", "k p99", "Δ max ms", "Δ p99 ms") and the
// stalest read in the explanation.
func Staleness() Checker {
	return Func("staleness", func(h *History, _ Options) Result { return checkStaleness(h) })
}

// A StaleRead is one OK read and how far behind it was: K acknowledged
// writes it misses, the oldest acknowledged Behind before it was invoked
// (K and Behind are zero for a fresh read).
type StaleRead struct {
	Op     int // index in History.Ops
	K      int
	Behind time.Duration
}

// StaleReads measures every OK read of a KV history with unique values,
// in history order (see Staleness); an error when values are not unique.
func StaleReads(h *History) ([]StaleRead, error) {
	v := analyze(h)
	if !v.unique {
		return nil, fmt.Errorf("checker: key %q has two writes of the same value: reads cannot tell which write they saw (use unique values)", v.dupeKey)
	}
	if r, ok := v.thinAirResult("staleness"); ok {
		return nil, fmt.Errorf("checker: %s", r.Explanation)
	}
	var out []StaleRead
	for i := range h.Ops {
		op := &h.Ops[i]
		if !okRead(op) {
			continue
		}
		vers := v.read(op)
		sr := StaleRead{Op: i}
		oldest := time.Duration(-1)
		for _, w := range v.ackedWritesBefore(op.Key, op.Invoke) {
			if v.misses(vers, w) {
				sr.K++
				if oldest < 0 {
					oldest = h.Ops[w].Return
				}
			}
		}
		if sr.K > 0 {
			sr.Behind = op.Invoke - oldest
		}
		out = append(out, sr)
	}
	return out, nil
}

func checkStaleness(h *History) Result {
	res := Result{Name: "staleness"}
	all, err := StaleReads(h)
	if err != nil {
		res.Explanation, res.Err = strings.TrimPrefix(err.Error(), "checker: "), err
		return res
	}
	var ks []int
	var ds []time.Duration
	reads, worst, worstK := len(all), -1, 0
	var worstD time.Duration
	for _, sr := range all {
		if sr.K == 0 {
			continue
		}
		ks, ds = append(ks, sr.K), append(ds, sr.Behind)
		if sr.K > worstK || (sr.K == worstK && sr.Behind > worstD) {
			worst, worstK, worstD = sr.Op, sr.K, sr.Behind
		}
	}
	slices.Sort(ks)
	slices.Sort(ds)
	res.Verdict = Valid
	share := 0.0
	if reads > 0 {
		share = float64(len(ks)) / float64(reads)
	}
	res.Metrics = []Metric{
		{Name: "reads", Value: float64(reads)}, {Name: "stale reads", Value: float64(len(ks))}, {Name: "stale share", Value: share},
		{Name: "k max", Value: float64(pct(ks, 100))}, {Name: "k p99", Value: float64(pct(ks, 99))},
		{Name: "Δ max ms", Value: pct(ds, 100).Seconds() * 1000}, {Name: "Δ p99 ms", Value: pct(ds, 99).Seconds() * 1000},
	}
	if worst < 0 {
		res.Explanation = fmt.Sprintf("none of %d reads was stale", reads)
		return res
	}
	res.Explanation = fmt.Sprintf("%d of %d reads were stale (k ≤ %d, Δ ≤ %v); the stalest, %s, missed %d acknowledged writes, the oldest acknowledged %v before it",
		len(ks), reads, worstK, pct(ds, 100), h.Ops[worst].String(), worstK, worstD)
	res.Involved = []int{worst}
	return res
}

// pct is the p-th percentile (nearest rank) of sorted xs, or zero.
func pct[T int | time.Duration](xs []T, p int) T {
	if len(xs) == 0 {
		return 0
	}
	i := (len(xs)*p + 99) / 100
	return xs[min(max(i, 1), len(xs))-1]
}
