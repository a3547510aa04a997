package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/faultline/faultline/checker"
)

// DiffOutcomes names the first way two results of the same seed disagree
// on what depends only on the seed, or "" when they agree: the status,
// the trace hash and counts (events, steps, virtual time, operations), how
// the simulation ended, the reason, the failure, the faults and probes
// seen, and every check's name, verdict, explanation and metrics. It
// leaves out what depends on the machine: the wall time, a lost worker's
// output and a panic's Go stack (goroutine numbers, argument addresses).
// Two lost seeds (timeout, oom, crash) agree when their statuses do: the
// reason of a lost seed names a wall time or a resident size.
//
// Merge refuses two directories whose copies of a seed disagree, and
// CompareResults reports every seed on which two sweeps do.
func DiffOutcomes(a, b *Outcome) string {
	if a.Status != b.Status {
		return fmt.Sprintf("status %s vs %s", a.Status, b.Status)
	}
	if a.Status.Lost() {
		return ""
	}
	for _, f := range []struct {
		what string
		a, b any
	}{
		{"hash", a.Hash, b.Hash},
		{"events", a.Events, b.Events},
		{"steps", a.Steps, b.Steps},
		{"virtual time", a.Virtual, b.Virtual},
		{"sim end", a.SimEnd, b.SimEnd},
		{"operations", a.Ops, b.Ops},
		{"reason", a.Reason, b.Reason},
		{"failure", a.Failure, b.Failure},
		{"faults", strings.Join(a.Faults, ","), strings.Join(b.Faults, ",")},
		{"probes", probeText(a.Probes), probeText(b.Probes)},
		{"checks", len(a.Checks), len(b.Checks)},
	} {
		if f.a != f.b {
			return fmt.Sprintf("%s %s vs %s", f.what, quoteDiff(f.a), quoteDiff(f.b))
		}
	}
	for i := range a.Checks {
		ca, cb := &a.Checks[i], &b.Checks[i]
		for _, f := range []struct {
			what string
			a, b any
		}{
			{"name", ca.Name, cb.Name},
			{"verdict", ca.Verdict, cb.Verdict},
			{"measured", ca.Measured, cb.Measured},
			{"explanation", ca.Explanation, cb.Explanation},
			{"metrics", metricsText(ca.Metrics), metricsText(cb.Metrics)},
		} {
			if f.a != f.b {
				return fmt.Sprintf("check %d (%s): %s %s vs %s", i+1, ca.Name, f.what, quoteDiff(f.a), quoteDiff(f.b))
			}
		}
	}
	return ""
}

// probeText is a probe count map in key order.
func probeText(m map[string]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return b.String()
}

// quoteDiff renders one side of a difference: strings quoted, and cut at
// 200 bytes (not inside a rune) so that two explanations of a page each
// stay readable.
func quoteDiff(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprint(v)
	}
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// CompareResultsOptions configure CompareResults. Use a keyed literal.
type CompareResultsOptions struct {
	// A and B are the results directories of two sweeps of one scenario
	// (each the --out of a run, or of a merge).
	A, B string
	// Force compares results of different builds of the binary (by
	// default an error: different code may rightly judge differently).
	Force bool

	_ struct{}
}

// ResultsComparison is what CompareResults found.
type ResultsComparison struct {
	Scenario string
	// Both counts the seeds both directories hold; Same of them agree.
	Both, Same int
	// Diffs are the seeds on which they disagree, by seed.
	Diffs []SeedDiff
	// OnlyA and OnlyB are the seeds one directory holds and the other does
	// not (a sweep that was interrupted, another range), as ranges.
	OnlyA, OnlyB []SeedRange
}

// SeedDiff is one seed two sweeps judged differently.
type SeedDiff struct {
	Seed uint64
	// What is DiffOutcomes' account of the first difference.
	What string
	A, B Outcome
}

// CompareResults reads the results of two sweeps of the same scenario and
// compares them seed by seed with DiffOutcomes, the rule Merge applies to
// a seed two shards hold: for a deterministic scenario on one build every
// seed both hold agrees, whatever the machine, its load or the number of
// workers. It refuses results of different scenarios (fingerprints), and
// of different builds unless Force. A seed recorded more than once in one
// directory (a resume with --retry-crashed) counts as its last line says,
// as in Merge.
func CompareResults(opts CompareResultsOptions) (*ResultsComparison, error) {
	a, err := readShard(opts.A)
	if err != nil {
		return nil, fmt.Errorf("scenarios: compare: %v", strings.TrimPrefix(err.Error(), "scenarios: merge: "))
	}
	b, err := readShard(opts.B)
	if err != nil {
		return nil, fmt.Errorf("scenarios: compare: %v", strings.TrimPrefix(err.Error(), "scenarios: merge: "))
	}
	if a.hdr.Fingerprint != b.hdr.Fingerprint {
		return nil, fmt.Errorf("scenarios: compare: %s holds results of scenario %s (fingerprint %s) but %s of %s (fingerprint %s): sweeps of different scenarios do not compare",
			a.dir, a.hdr.Scenario, a.hdr.Fingerprint, b.dir, b.hdr.Scenario, b.hdr.Fingerprint)
	}
	if a.hdr.Build != b.hdr.Build && !opts.Force {
		return nil, fmt.Errorf("scenarios: compare: %s was written by build %s but %s by %s: different code may judge differently: %w",
			a.dir, orUnknown(a.hdr.Build), b.dir, orUnknown(b.hdr.Build), ErrDifferentBuilds)
	}
	as, bs := bySeed(a.outcomes), bySeed(b.outcomes)
	c := &ResultsComparison{Scenario: a.hdr.Scenario}
	var onlyA, onlyB []uint64
	for _, seed := range slices.Sorted(maps.Keys(as)) {
		oa := as[seed]
		ob, ok := bs[seed]
		if !ok {
			onlyA = append(onlyA, seed)
			continue
		}
		c.Both++
		if what := DiffOutcomes(&oa, &ob); what != "" {
			c.Diffs = append(c.Diffs, SeedDiff{Seed: seed, What: what, A: oa, B: ob})
			continue
		}
		c.Same++
	}
	for _, seed := range slices.Sorted(maps.Keys(bs)) {
		if _, ok := as[seed]; !ok {
			onlyB = append(onlyB, seed)
		}
	}
	c.OnlyA, c.OnlyB = seedRanges(onlyA), seedRanges(onlyB)
	return c, nil
}

// bySeed indexes outcomes by seed (one each: readShard kept the last).
func bySeed(outcomes []Outcome) map[uint64]Outcome {
	m := make(map[uint64]Outcome, len(outcomes))
	for _, o := range outcomes {
		m[o.Seed] = o
	}
	return m
}

// seedRanges folds sorted seeds into ranges.
func seedRanges(seeds []uint64) []SeedRange {
	var rs []SeedRange
	for _, s := range seeds {
		if n := len(rs); n > 0 && rs[n-1].Last+1 == s {
			rs[n-1].Last = s
			continue
		}
		rs = append(rs, SeedRange{s, s})
	}
	return rs
}

// keepLast drops every outcome of a seed but its last, keeping the order
// of the others.
func keepLast(outcomes []Outcome) []Outcome {
	last := make(map[uint64]int, len(outcomes))
	for i, o := range outcomes {
		last[o.Seed] = i
	}
	if len(last) == len(outcomes) {
		return outcomes
	}
	kept := outcomes[:0]
	for i, o := range outcomes {
		if last[o.Seed] == i {
			kept = append(kept, o)
		}
	}
	return kept
}

// metricsText writes metrics as name=value, in order.
func metricsText(ms []checker.Metric) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s=%v", m.Name, m.Value)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
