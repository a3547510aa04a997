package checker

import (
	"fmt"
	"strings"
	"time"
)

// A Verdict is what a checker concluded. The zero value is Unknown, so a
// Result nobody filled in never reads as a pass.
type Verdict int8

const (
	// Unknown: the checker could not decide (it ran out of budget,
	// panicked, or lacked the data it needs). Never a pass.
	Unknown Verdict = iota
	// Valid: the property holds for this history.
	Valid
	// Invalid: the property is violated; the Result explains how.
	Invalid
)

func (v Verdict) String() string {
	switch v {
	case Unknown:
		return "unknown"
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	}
	return fmt.Sprintf("verdict(%d)", int8(v))
}

// ParseVerdict reads the forms String produces.
func ParseVerdict(s string) (Verdict, error) {
	for _, v := range []Verdict{Unknown, Valid, Invalid} {
		if v.String() == s {
			return v, nil
		}
	}
	return Unknown, fmt.Errorf("checker: unknown verdict %q (want valid, invalid or unknown)", s)
}

// MarshalText writes the verdict as String does (results files and JSON).
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (v *Verdict) UnmarshalText(b []byte) error {
	x, err := ParseVerdict(string(b))
	*v = x
	return err
}

// rank orders verdicts for composition: Invalid > Unknown > Valid.
func (v Verdict) rank() int {
	switch v {
	case Valid:
		return 0
	case Invalid:
		return 2
	}
	return 1 // Unknown and anything unexpected
}

// Worst composes verdicts: Invalid if any is Invalid, else Unknown if any is
// Unknown, else Valid. Worst() of nothing is Valid.
func Worst(vs ...Verdict) Verdict {
	w := Valid
	for _, v := range vs {
		if v.rank() > w.rank() {
			w = v
		}
	}
	if w.rank() == 1 {
		return Unknown
	}
	return w
}

// A Result is one checker's conclusion about one history.
type Result struct {
	// Name is the checker's name ("linearizable(kv)", "no-lost-writes").
	Name    string
	Verdict Verdict
	// Explanation is short plain text for a person: for Invalid, what
	// went wrong and where; for Unknown, why no verdict.
	Explanation string
	// Err is the error behind an Unknown verdict (timeout, panic, bad
	// input), if any.
	Err error
	// Visualization is the path of the HTML file written for an Invalid
	// linearizability result, or "".
	Visualization string
	// Involved lists, for an Invalid linearizability result, the indexes in
	// History.Ops of the operation no order can place (first) and of the
	// operations concurrent with it: what a viewer should highlight.
	Involved []int
	// Elapsed is the wall-clock time the check took.
	Elapsed time.Duration
	// Children are the results a composed check was built from.
	Children []Result
	// Metrics are what a measuring checker measured (stale reads, lost
	// writes), in a fixed order, whatever the verdict.
	Metrics []Metric
}

// A Metric is one named figure a checker measured.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	// Across says how the metric of many runs is summarised (default:
	// inferred from Name).
	Across Across `json:"across,omitempty"`
}

// Combine composes results under name: the verdict is the Worst of theirs,
// and the explanation lists those that are not Valid.
func Combine(name string, rs ...Result) Result {
	out := Result{Name: name, Verdict: Valid, Children: rs}
	var lines []string
	for _, r := range rs {
		out.Verdict = Worst(out.Verdict, r.Verdict)
		out.Elapsed += r.Elapsed
		if out.Visualization == "" {
			out.Visualization = r.Visualization
		}
		if r.Verdict != Valid {
			lines = append(lines, fmt.Sprintf("%s: %v", r.Name, r.Verdict))
		}
	}
	out.Explanation = strings.Join(lines, "; ")
	return out
}

// String renders the result and its children as an indented report.
func (r Result) String() string {
	var b strings.Builder
	r.write(&b, "")
	return b.String()
}

func (r Result) write(b *strings.Builder, indent string) {
	fmt.Fprintf(b, "%s%s: %v", indent, r.Name, r.Verdict)
	if r.Elapsed > 0 {
		fmt.Fprintf(b, " (%v)", r.Elapsed.Round(time.Microsecond))
	}
	b.WriteByte('\n')
	if r.Explanation != "" && len(r.Children) == 0 {
		for _, line := range strings.Split(strings.TrimRight(r.Explanation, "\n"), "\n") {
			fmt.Fprintf(b, "%s  %s\n", indent, line)
		}
	}
	if r.Err != nil && !strings.Contains(r.Explanation, r.Err.Error()) {
		fmt.Fprintf(b, "%s  error: %v\n", indent, r.Err)
	}
	if r.Visualization != "" && len(r.Children) == 0 {
		fmt.Fprintf(b, "%s  visualization: %s\n", indent, r.Visualization)
	}
	for _, c := range r.Children {
		c.write(b, indent+"  ")
	}
}

// DefaultBudget is the wall-clock ceiling of a check when Options.Budget
// is zero: a last resort, far above what DefaultSteps takes on an idle
// core (10–40 s for the hardest histories) so that a loaded machine still
// reaches the step budget first — at one minute, two concurrent sweeps
// of 2,000 seeds on a loaded 2-core machine stopped 8 checks by the clock
// at different steps (docs/BENCHMARKS.md, verdict stability) — and below
// the sweeps' per-seed wall-time limit (--seed-timeout, 5 minutes).
const DefaultBudget = 4 * time.Minute

// Options tune a check. Use keyed literals: checker.Options{Steps: 1e6}.
type Options struct {
	// Steps bounds each linearizability check's search, in model steps
	// over all its partitions (zero means DefaultSteps). Running out
	// yields Unknown, never Valid, and happens the same way on any
	// machine. Porcupine's memory grows with the steps it takes, so the
	// budget also bounds memory.
	Steps int64
	// Budget is a wall-clock ceiling on each linearizability check (zero
	// means DefaultBudget): a last resort whose Unknown says it depends
	// on the machine (ErrWallClock).
	Budget time.Duration
	// MemoryBytes bounds the search states one partition's search may
	// hold (zero means DefaultMemoryBytes), in bytes counted from the
	// search's own arrays and the model's states (the live heap of the
	// search, within a few percent), so running out is Unknown
	// (ErrMemory) the same way on any machine. A partition found illegal still makes the check
	// Invalid. With Workers searches at once, up to Workers times this.
	MemoryBytes int64
	// Workers searches that many partitions (keys) of a linearizability
	// check at once (zero or one: one at a time). The verdict does not
	// depend on it; memory grows with it. Sweeps, which already run seeds
	// in parallel, leave it at one.
	Workers int
	// VisualizationPath, if set, is where an Invalid linearizability check
	// writes Porcupine's HTML visualization.
	VisualizationPath string
	_                 struct{}
}

func (o Options) steps() int64 {
	if o.Steps <= 0 {
		return DefaultSteps
	}
	return o.Steps
}

func (o Options) budget() time.Duration {
	if o.Budget <= 0 {
		return DefaultBudget
	}
	return o.Budget
}

// A Checker judges a history. Check must not modify h.
type Checker interface {
	Name() string
	Check(h *History, opts Options) Result
}

// Func adapts a function to a Checker.
func Func(name string, check func(h *History, opts Options) Result) Checker {
	return funcChecker{name, check}
}

type funcChecker struct {
	name  string
	check func(*History, Options) Result
}

func (f funcChecker) Name() string                          { return f.name }
func (f funcChecker) Check(h *History, opts Options) Result { return f.check(h, opts) }

// Run runs c on h and never panics: a checker that panics yields Unknown
// with the panic as its error. Run fills in Name and Elapsed if the checker
// left them empty.
func Run(c Checker, h *History, opts Options) (res Result) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err, ok := p.(error)
			if !ok {
				err = fmt.Errorf("%v", p)
			}
			res = Result{
				Verdict:     Unknown,
				Explanation: fmt.Sprintf("checker panicked: %v", err),
				Err:         fmt.Errorf("checker: %s panicked: %w", c.Name(), err),
			}
		}
		if res.Name == "" {
			res.Name = c.Name()
		}
		if res.Elapsed == 0 {
			res.Elapsed = time.Since(start)
		}
	}()
	return c.Check(h, opts)
}

// All composes checkers: each runs (through Run, so a panic is Unknown)
// and the results are Combined under name.
func All(name string, cs ...Checker) Checker {
	return Func(name, func(h *History, opts Options) Result {
		rs := make([]Result, len(cs))
		for i, c := range cs {
			rs[i] = Run(c, h, opts)
		}
		return Combine(name, rs...)
	})
}
