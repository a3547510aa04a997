package scenarios

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/faultline/faultline/checker"
)

// DiffOutcomes compares what depends on the seed and nothing else.
func TestDiffOutcomes(t *testing.T) {
	base := func() Outcome {
		return Outcome{Seed: 7, Status: StatusUnknown, Reason: "linearizable: out of budget", Hash: "h", Events: 10, Steps: 12,
			Virtual: time.Second, Ops: 4, SimEnd: "done", Faults: []string{"crash"}, Probes: map[string]int{"b": 1, "a": 2},
			Checks: []CheckSummary{{Name: "linearizable", Verdict: checker.Unknown, Explanation: "out of budget after 50000000 steps",
				Metrics: []checker.Metric{{Name: "states", Value: 3}}}},
			Wall: time.Second, Stack: "goroutine 7 [running]", Output: "printed"}
	}
	for _, tc := range []struct {
		name   string
		change func(*Outcome)
		want   string // "" the same
	}{
		{"identical", func(*Outcome) {}, ""},
		{"wall time, stack and output are the machine's", func(o *Outcome) {
			o.Wall, o.Stack, o.Output = 3*time.Second, "goroutine 19 [running]", "other"
		}, ""},
		{"probes compare by key, not map order", func(o *Outcome) { o.Probes = map[string]int{"a": 2, "b": 1} }, ""},
		{"status", func(o *Outcome) { o.Status = StatusInvalid }, "status unknown vs invalid"},
		{"hash", func(o *Outcome) { o.Hash = "g" }, `hash "h" vs "g"`},
		{"events", func(o *Outcome) { o.Events = 11 }, "events 10 vs 11"},
		{"virtual time", func(o *Outcome) { o.Virtual = 2 * time.Second }, "virtual time 1s vs 2s"},
		{"reason", func(o *Outcome) { o.Reason = "other" }, `reason "linearizable: out of budget" vs "other"`},
		{"faults", func(o *Outcome) { o.Faults = nil }, `faults "crash" vs ""`},
		{"probes", func(o *Outcome) { o.Probes["a"] = 3 }, `probes "a=2 b=1 " vs "a=3 b=1 "`},
		{"checks", func(o *Outcome) { o.Checks = nil }, "checks 1 vs 0"},
		{"verdict", func(o *Outcome) { o.Checks[0].Verdict = checker.Invalid }, "check 1 (linearizable): verdict unknown vs invalid"},
		{"explanation", func(o *Outcome) { o.Checks[0].Explanation = "out of budget after 49999999 steps" },
			`check 1 (linearizable): explanation "out of budget after 50000000 steps" vs "out of budget after 49999999 steps"`},
		{"metrics", func(o *Outcome) { o.Checks[0].Metrics[0].Value = 4 }, `check 1 (linearizable): metrics "[states=3]" vs "[states=4]"`},
		{"measured", func(o *Outcome) { o.Checks[0].Measured = true }, "check 1 (linearizable): measured false vs true"},
	} {
		a, b := base(), base()
		tc.change(&b)
		if got := DiffOutcomes(&a, &b); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// A long text is cut at 200 bytes, not inside a rune.
	a, b := base(), base()
	b.Reason = strings.Repeat("é", 300)
	if got := DiffOutcomes(&a, &b); !utf8.ValidString(got) || !strings.HasSuffix(got, `"…`) || len(got) > 260 {
		t.Errorf("a long reason: %q", got)
	}
	// Two lost seeds agree on their status: the reasons name wall times
	// and resident sizes.
	a = Outcome{Seed: 3, Status: StatusTimeout, Reason: "seed 3 ran over the wall-time limit of 5m (5m0.01s)"}
	b = Outcome{Seed: 3, Status: StatusTimeout, Reason: "seed 3 ran over the wall-time limit of 5m (5m0.3s)"}
	if got := DiffOutcomes(&a, &b); got != "" {
		t.Errorf("two timeouts: %q, want the same", got)
	}
	b.Status = StatusOOM
	if got := DiffOutcomes(&a, &b); got != "status timeout vs oom" {
		t.Errorf("a timeout and an oom: %q", got)
	}
}

func TestCompareResults(t *testing.T) {
	sc, err := LoadLibrary("abd-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadLibrary("abd-retries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hdr := func(sc *Scenario, build string) resultsHeader {
		return resultsHeader{Faultline: "1", Scenario: sc.Name, Fingerprint: Fingerprint(sc), Build: build}
	}
	verdicts := map[Status]checker.Verdict{StatusValid: checker.Valid, StatusInvalid: checker.Invalid, StatusUnknown: checker.Unknown}
	o := func(seed uint64, st Status, explanation string) Outcome {
		return Outcome{Seed: seed, Status: st, Hash: "h", Wall: time.Duration(seed) * time.Millisecond,
			Checks: []CheckSummary{{Name: "linearizable", Verdict: verdicts[st], Explanation: explanation}}}
	}
	a := writeShardDir(t, sc, hdr(sc, "b1"), o(1, StatusValid, ""), o(2, StatusUnknown, "out of budget"), o(3, StatusValid, ""), o(4, StatusValid, ""))
	// b: seed 2's verdict flipped; seed 3 was lost, then retried (its last
	// line counts); seed 4 is missing and 5 extra.
	lost := Outcome{Seed: 3, Status: StatusTimeout, Reason: "seed 3 ran over the wall-time limit"}
	b := writeShardDir(t, sc, hdr(sc, "b1"), o(2, StatusInvalid, "not linearizable"), o(1, StatusValid, ""), lost, o(3, StatusValid, ""), o(5, StatusValid, ""))
	c, err := CompareResults(CompareResultsOptions{A: a, B: b})
	if err != nil {
		t.Fatal(err)
	}
	if c.Scenario != sc.Name || c.Both != 3 || c.Same != 2 || len(c.Diffs) != 1 || c.Diffs[0].Seed != 2 ||
		c.Diffs[0].What != "status unknown vs invalid" || len(c.OnlyA) != 1 || c.OnlyA[0] != (SeedRange{4, 4}) ||
		len(c.OnlyB) != 1 || c.OnlyB[0] != (SeedRange{5, 5}) {
		t.Errorf("comparison %+v", c)
	}
	if c, err := CompareResults(CompareResultsOptions{A: a, B: a}); err != nil || c.Both != 4 || c.Same != 4 || len(c.Diffs) != 0 {
		t.Errorf("a sweep against itself: %+v, %v", c, err)
	}
	for _, tc := range []struct {
		name string
		b    string
		want string
	}{
		{"scenarios", writeShardDir(t, other, hdr(other, "b1"), o(1, StatusValid, "")), "sweeps of different scenarios do not compare"},
		{"builds", writeShardDir(t, sc, hdr(sc, "b2"), o(1, StatusValid, "")), "by b2: different code may judge differently"},
		{"no results", t.TempDir(), "scenarios: compare: open"},
	} {
		if _, err := CompareResults(CompareResultsOptions{A: a, B: tc.b}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := CompareResults(CompareResultsOptions{A: a, B: writeShardDir(t, sc, hdr(sc, "b2"), o(1, StatusValid, "")), Force: true}); err != nil {
		t.Errorf("forced comparison of two builds: %v", err)
	}
}

// Merge applies the same rule to a seed two shards hold: the same status
// and hash with another explanation is a disagreement.
func TestMergeRefusesDifferentExplanations(t *testing.T) {
	sc, err := LoadLibrary("abd-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hdr := resultsHeader{Faultline: "1", Scenario: sc.Name, Fingerprint: Fingerprint(sc), Build: "b1"}
	unknown := func(explanation string) Outcome {
		return Outcome{Seed: 1, Status: StatusUnknown, Hash: "h", Reason: explanation,
			Checks: []CheckSummary{{Name: "linearizable", Verdict: checker.Unknown, Explanation: explanation}}}
	}
	a := writeShardDir(t, sc, hdr, unknown("out of budget after 50000000 steps"))
	b := writeShardDir(t, sc, hdr, unknown("out of time after 1m"))
	_, err = Merge(MergeOptions{Dirs: []string{a, b}})
	if err == nil || !strings.Contains(err.Error(), `the runs of one seed disagree (reason "out of budget after 50000000 steps" vs "out of time after 1m")`) {
		t.Errorf("merge of two explanations: %v", err)
	}
	if _, err := Merge(MergeOptions{Dirs: []string{a, a}}); err != nil {
		t.Errorf("merge of a directory with itself: %v", err)
	}
}
